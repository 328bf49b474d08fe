package apps

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var controlPlaybackApp = &pbx.App{
	Name:     "ControlPlayback",
	Synopsis: "Play a file with fast forward and rewind.",
	Syntax:   "ControlPlayback(filename[,skipms[,ff[,rew[,stop[,pause[,restart[,options]]]]]]])",
	Description: "This application will play back the given filename.\nIt sets the following channel variables upon completion:\n" +
		"CPLAYBACKSTATUS - Contains the status of the attempt as a text string\n    SUCCESS\n    USERSTOPPED\n    REMOTESTOPPED\n    ERROR\n" +
		"CPLAYBACKOFFSET - Contains the offset in ms into the file where playback was at when it stopped. '-1' is end of file.\n" +
		"CPLAYBACKSTOPKEY - If the playback is stopped by the user this variable contains the key that was pressed.",
	Arguments: "filename\nskipms - This is number of milliseconds to skip when rewinding or fast-forwarding.\n" +
		"ff - Fast-forward when this DTMF digit is received. (defaults to '#')\nrew - Rewind when this DTMF digit is received. (defaults to '*')\n" +
		"stop - Stop playback when this DTMF digit is received.\npause - Pause playback when this DTMF digit is received.\n" +
		"restart - Restart playback when this DTMF digit is received.\noptions\n    o(time): Start at time ms from the beginning of the file.",
	Exec: controlPlaybackExec,
}

// onPhonepad reports whether a key argument names a key (is_on_phonepad).
func onPhonepad(s string) bool {
	return s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '#' || s[0] == '*')
}

func controlPlaybackExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	if strings.TrimSpace(data) == "" {
		log.Warning("ControlPlayback requires an argument (filename)\n")
		return pbx.HangupResult, nil
	}
	args := append(pbx.SplitArgs(data, ','), "", "", "", "", "", "", "")
	file := args[0]
	skipms := atoiPrefix(args[1])
	if skipms == 0 {
		skipms = 3000
	}
	fwd, rev, stop, pause, restart := args[2], args[3], args[4], args[5], args[6]
	if !onPhonepad(stop) {
		stop = ""
	}
	if !onPhonepad(pause) {
		pause = ""
	}
	if !onPhonepad(restart) {
		restart = ""
	}
	others := func(k byte, a, b, c, d string) bool {
		return strings.IndexByte(a, k) < 0 && strings.IndexByte(b, k) < 0 && strings.IndexByte(c, k) < 0 && strings.IndexByte(d, k) < 0
	}
	if !onPhonepad(fwd) {
		fwd = ""
		if others('#', rev, stop, pause, restart) {
			fwd = "#"
		}
	}
	if !onPhonepad(rev) {
		rev = ""
		if others('*', fwd, stop, pause, restart) {
			rev = "*"
		}
	}
	var offsetMS int64
	if o, ok := pbx.ParseAppOptions(args[7])['o']; ok {
		offsetMS = int64(atoiPrefix(o))
	}
	key, offsetMS, err := controlStream(ch, file, fwd, rev, stop, pause, restart, skipms, offsetMS)
	switch {
	case err == nil && key != 0 && strings.ContainsRune(stop, key):
		ch.SetVar("CPLAYBACKSTATUS", "USERSTOPPED")
		ch.SetVar("CPLAYBACKSTOPKEY", string(key))
	case err != nil:
		ch.SetVar("CPLAYBACKSTATUS", "ERROR")
	default:
		ch.SetVar("CPLAYBACKSTATUS", "SUCCESS")
	}
	ch.SetVar("CPLAYBACKOFFSET", strconv.FormatInt(offsetMS, 10))
	if ch.HangupRequested() {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// errHungUp marks the end of a controlled playback by a hangup.
var errHungUp = errors.New("hung up")

// controlStream is ast_control_streamfile: it plays file with keys to skip
// forwards and backwards, pause and restart, and returns the stop key
// pressed (0 when the file played out) and the position in ms (-1 at the
// end of the file). Positions count 8 samples a millisecond, as Asterisk
// assumes.
func controlStream(ch *pbx.Channel, file, fwd, rev, stop, pause, restart string, skipms int, offsetMS int64) (rune, int64, error) {
	log := ch.Engine().Log()
	fromEnd := false
	if name, ok := strings.CutSuffix(file, ":end"); ok {
		file, fromEnd = name, true
	}
	breaks := stop + pause + restart
	offset := offsetMS * 8
	var resumeAt int64
	for {
		r, err := openSound(ch, file, ch.Language())
		if err != nil {
			return 0, offset / 8, err
		}
		rate := int64(r.Format().SampleRate / 1000)
		switch {
		case resumeAt > 0:
			r.Seek(resumeAt, io.SeekStart)
			resumeAt = 0
		case fromEnd || offset < 0:
			if offset == -8 {
				offset = 0
			}
			log.Verbose(3, "ControlPlayback seek to offset %d from end\n", offset)
			r.Seek(offset*rate/8, io.SeekEnd)
			fromEnd, offset = false, 0
		case offset != 0:
			log.Verbose(3, "ControlPlayback seek to offset %d\n", offset)
			r.Seek(offset*rate/8, io.SeekStart)
			offset = 0
		}
		p := play(ch, r)
		key, err := waitStreamControl(ch, p, breaks, fwd, rev, int64(skipms)*rate)
		pos := p.tell() * 8 / rate
		if key == 0 || err != nil {
			p.stop(err != nil)
			if err != nil {
				return 0, pos / 8, errHungUp
			}
			return 0, -1, nil // played out
		}
		p.stop(true)
		if strings.ContainsRune(restart, key) {
			continue
		}
		if strings.ContainsRune(pause, key) {
			for {
				d, err := waitDigit(ch, time.Second)
				if err != nil {
					return 0, pos / 8, errHungUp
				}
				if d == 0 {
					continue
				}
				if strings.ContainsRune(pause, d) {
					key = 0
					break
				}
				if strings.ContainsRune(stop, d) {
					key = d
					break
				}
			}
			if key == 0 {
				resumeAt = pos * rate / 8
				continue
			}
		}
		if strings.ContainsRune(stop, key) {
			return key, pos / 8, nil
		}
	}
}

// waitStreamControl is waitstream_core with skip keys: forward and reverse
// keys move the playback by skip samples, a key of breaks ends it.
func waitStreamControl(ch *pbx.Channel, p *player, breaks, forward, reverse string, skip int64) (rune, error) {
	for {
		fr, err := ch.ReadUntil(p.end)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			return 0, nil
		case err != nil:
			return 0, err
		}
		if fr.Kind != media.DTMFEnd {
			continue
		}
		switch d := fr.Digit; {
		case strings.ContainsRune(forward, d):
			p.seek(skip, io.SeekCurrent)
		case strings.ContainsRune(reverse, d):
			p.seek(-skip, io.SeekCurrent)
		case strings.ContainsRune(breaks, d):
			return d, nil
		}
	}
}
