package apps

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var recordApp = &pbx.App{
	Name:     "Record",
	Synopsis: "Record to a file.",
	Syntax:   "Record(filename.format[,silence[,maxduration[,options]]])",
	Description: "If filename contains '%d', these characters will be replaced with a number incremented by one each time the file is recorded. Use 'core show file formats' to see the available formats on your system User can press '#' to terminate the recording and continue to the next priority. If the user hangs up during a recording, all data will be lost and the application will terminate.\n" +
		"RECORDED_FILE - Will be set to the final filename of the recording, without an extension.\n" +
		"RECORD_STATUS - This is the final status of the command\n    DTMF - A terminating DTMF was received ('#' or '*', depending upon option 't')\n    SILENCE - The maximum silence occurred in the recording.\n    SKIP - The line was not yet answered and the 's' option was specified.\n    TIMEOUT - The maximum length was reached.\n    HANGUP - The channel was hung up.\n    ERROR - An unrecoverable error occurred, which resulted in a WARNING to the logs.",
	Arguments: "filename\n    filename\n    format - Is the format of the file type to be recorded (wav, gsm, etc).\n" +
		"silence - Is the number of seconds of silence to allow before returning.\n" +
		"maxduration - Is the maximum recording duration in seconds. If missing or 0 there is no maximum.\n" +
		"options\n    a: Append to existing recording rather than replacing.\n    n: Do not answer, but record anyway if line not yet answered.\n" +
		"    o: Exit when 0 is pressed, setting the variable RECORD_STATUS to OPERATOR instead of DTMF\n    q: quiet (do not play a beep tone).\n" +
		"    s: skip recording if the line is not yet answered.\n    t: use alternate '*' terminator key (DTMF) instead of default '#'\n" +
		"    u: Don't truncate recorded silence.\n    x: Ignore all terminator keys (DTMF) and keep recording until hangup.\n" +
		"    k: Keep recorded file upon hangup.\n    y: Terminate recording if *any* DTMF digit is received.",
	Exec: recordExec,
}

// dtmfTail is what Record cuts off a recording ended by a key: the start
// of the tone.
const dtmfTail = 250 * time.Millisecond

func recordExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	if strings.TrimSpace(data) == "" {
		log.Warning("Record requires an argument (filename)\n")
		ch.SetVar("RECORD_STATUS", "ERROR")
		return pbx.HangupResult, nil
	}
	args := pbx.SplitArgs(data, ',')
	var opts map[byte]string
	if len(args) == 4 {
		opts = pbx.ParseAppOptions(args[3])
	}
	args = append(args, "", "", "")
	name, ext := args[0], ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name, ext = name[:i], name[i+1:]
	} else if i := strings.IndexByte(name, ':'); i >= 0 {
		name, ext = name[:i], name[i+1:]
	} else {
		log.Warning("No extension specified to filename!\n")
		ch.SetVar("RECORD_STATUS", "ERROR")
		return pbx.HangupResult, nil
	}
	seconds := func(s, what string) time.Duration {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > -1 {
			return time.Duration(n) * time.Second
		}
		if strings.TrimSpace(s) != "" {
			log.Warning("'%s' is not a valid %s duration\n", s, what)
		}
		return 0
	}
	silence := seconds(args[1], "silence")
	maxDuration := seconds(args[2], "maximum")
	terminator := '#'
	if hasKey(opts, 't') {
		terminator = '*'
	}
	if hasKey(opts, 'x') {
		terminator = 0
	}
	dataDir := configOf(ch.Engine()).DataDir
	// Relative names are under the sounds directory, as Asterisk writes them.
	pathOf := func(n string) string {
		if !filepath.IsAbs(n) {
			n = filepath.Join(dataDir, "sounds", n)
		}
		diskExt := ext
		if ext == "wav49" {
			diskExt = "WAV"
		}
		return n + "." + diskExt
	}
	if strings.Contains(name, "%d") {
		for n := 0; ; n++ {
			try := strings.ReplaceAll(name, "%d", strconv.Itoa(n))
			if _, err := os.Stat(pathOf(try)); err != nil {
				name = try
				break
			}
		}
	}
	ch.SetVar("RECORDED_FILE", name)
	if ch.State() != pbx.StateUp {
		if hasKey(opts, 's') {
			ch.SetVar("RECORD_STATUS", "SKIP")
			return pbx.Continue, nil
		}
		if !hasKey(opts, 'n') {
			if err := ch.Answer(); err != nil {
				log.Warning("Could not answer channel '%s'\n", ch.Name())
				ch.SetVar("RECORD_STATUS", "ERROR")
				return pbx.HangupResult, nil
			}
		}
	}
	if !hasKey(opts, 'q') {
		if _, err := streamAndWait(ch, "beep", ch.Language(), nil); err != nil && !isChannelEnd(err) {
			log.Warning("ast_streamfile(beep) failed on %s\n", ch.Name())
		}
	}
	status, hangup, _ := record(ch, pathOf(name), ext, silence, 0, maxDuration, terminator, opts)
	ch.SetVar("RECORD_STATUS", status)
	if hangup {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// record does the recording proper and returns RECORD_STATUS, whether
// the channel hung up and the length of audio kept. threshold is the
// silence detector's (0: dsp's default).
func record(ch *pbx.Channel, path, ext string, silence time.Duration, threshold int, maxDuration time.Duration, terminator rune, opts map[byte]string) (status string, hangup bool, kept time.Duration) {
	log := ch.Engine().Log()
	ff, ok := sound.ForExt(ext)
	if !ok || !ff.Supported() {
		log.Warning("No such format '%s'\n", ext)
		log.Warning("Could not create file %s\n", strings.TrimSuffix(path, "."+ext))
		return "ERROR", false, 0
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		log.Warning("Could not create directory for file %s\n", strings.TrimSuffix(path, "."+ext))
		return "ERROR", false, 0
	}
	w, err := sound.Create(path, ff)
	if err != nil {
		log.Warning("Could not create file %s\n", strings.TrimSuffix(path, "."+ext))
		return "ERROR", false, 0
	}
	if hasKey(opts, 'a') {
		if _, err := AppendFile(w, path, ff); err != nil && !errors.Is(err, os.ErrNotExist) {
			log.Warning("Unable to append to %s: %v\n", path, err)
		}
	}
	// The audio is read as signed linear at the file's rate (what silence
	// detection needs) and encoded to the file's codec.
	lin := media.SLin
	if ff.Codec.SampleRate == 16000 {
		lin = media.SLin16
	}
	ch.SetReadFormat(lin)
	defer ch.SetReadFormat(nil)
	var enc *media.Chain
	if ff.Codec != lin {
		p, err := pbx.Translator().Path(lin, ff.Codec)
		if err != nil {
			w.Abort()
			log.Warning("Could not create file %s\n", strings.TrimSuffix(path, "."+ext))
			return "ERROR", false, 0
		}
		enc = p.NewChain()
	}
	// Audio is held back as long as the longest tail Record may cut: a
	// key's 250 ms, or the silence that ended the recording but its last
	// second.
	hold := dtmfTail
	truncate := silence > 0 && !hasKey(opts, 'u')
	if truncate && silence-time.Second > hold {
		hold = silence - time.Second
	}
	tail := &tailBuffer{w: w, hold: hold}
	var sil *dsp.SilenceDetector
	if silence > 0 {
		sil = dsp.NewSilenceDetectorRate(threshold, lin.SampleRate)
	}
	var deadline <-chan time.Time
	if maxDuration > 0 {
		t := time.NewTimer(maxDuration)
		defer t.Stop()
		deadline = t.C
	}
	cut := time.Duration(0)
	status = "ERROR"
loop:
	for {
		fr, err := ch.ReadUntil(deadline)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			status = "TIMEOUT"
			break loop
		case errors.Is(err, pbx.ErrHangup):
			status, hangup = "HANGUP", true
			break loop
		case err != nil:
			log.Warning("Problem reading from %s: %v\n", ch.Name(), err)
			cut = dtmfTail
			break loop
		}
		switch fr.Kind {
		case media.Voice:
			var samples []int16
			if sil != nil {
				samples = media.DecodeSLin(nil, fr.Payload)
			}
			if enc != nil {
				if fr, err = enc.Translate(fr); err != nil {
					log.Warning("Problem writing frame\n")
					cut = dtmfTail
					break loop
				}
				fr.Payload = append([]byte(nil), fr.Payload...)
			}
			if err := tail.add(fr); err != nil {
				log.Warning("Problem writing frame\n")
				cut = dtmfTail
				break loop
			}
			if sil != nil {
				if _, silentFor, _ := sil.Process(samples); silentFor > silence {
					status = "SILENCE"
					if truncate {
						cut = silence - time.Second
					}
					break loop
				}
			}
		case media.DTMFEnd:
			switch {
			case fr.Digit == '0' && hasKey(opts, 'o'):
				status = "OPERATOR"
			case fr.Digit == terminator || hasKey(opts, 'y'):
				status = "DTMF"
			default:
				continue
			}
			cut = dtmfTail
			break loop
		}
	}
	if hangup {
		if !hasKey(opts, 'k') {
			// Asterisk deletes the recording of a caller who hung up.
			w.Abort()
			os.Remove(path)
			return status, hangup, 0
		}
		cut = 0
	}
	if err := tail.finish(cut); err != nil {
		log.Warning("Problem writing frame\n")
		w.Abort()
		return "ERROR", hangup, 0
	}
	if err := w.Close(); err != nil {
		log.Warning("Could not create file %s\n", strings.TrimSuffix(path, "."+ext))
		return "ERROR", hangup, 0
	}
	return status, hangup, tail.written
}

// AppendFile writes the audio of the file at path (format ff) into w and
// returns its length. Record's a option, MixMonitor's a option and
// VoiceMail's prepend share it.
func AppendFile(w *sound.Writer, path string, ff *sound.FileFormat) (time.Duration, error) {
	r, err := sound.Open(path, ff)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var n time.Duration
	for {
		fr, err := r.ReadFrame()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n += fr.Length()
		if err := w.WriteFrame(fr); err != nil {
			return n, err
		}
	}
}

// tailBuffer writes frames to a file once they are more than hold old,
// so that the end of a recording can still be cut.
type tailBuffer struct {
	w       *sound.Writer
	hold    time.Duration
	pending []media.Frame
	length  time.Duration
	written time.Duration // audio handed to w
}

func (t *tailBuffer) add(fr media.Frame) error {
	t.pending = append(t.pending, fr)
	t.length += fr.Length()
	for len(t.pending) > 0 && t.length-t.pending[0].Length() >= t.hold {
		if err := t.w.WriteFrame(t.pending[0]); err != nil {
			return err
		}
		t.written += t.pending[0].Length()
		t.length -= t.pending[0].Length()
		t.pending = t.pending[1:]
	}
	return nil
}

// finish drops the last cut of audio and writes the rest.
func (t *tailBuffer) finish(cut time.Duration) error {
	for len(t.pending) > 0 && cut > 0 {
		last := &t.pending[len(t.pending)-1]
		if l := last.Length(); l > cut && last.Samples > 0 && len(last.Payload)%last.Samples == 0 {
			// A codec with whole bytes per sample is cut to the sample,
			// as Asterisk rewinds by a time, not by frames.
			n := last.Format.Samples(cut)
			per := len(last.Payload) / last.Samples
			last.Samples -= n
			last.Payload = last.Payload[:last.Samples*per]
			break
		}
		cut -= last.Length()
		t.pending = t.pending[:len(t.pending)-1]
	}
	for _, fr := range t.pending {
		if err := t.w.WriteFrame(fr); err != nil {
			return err
		}
		t.written += fr.Length()
	}
	t.pending = nil
	return nil
}
