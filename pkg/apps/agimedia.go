package apps

import (
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// The functions below are the audio side of AGI's commands (res_agi's
// STREAM FILE, GET DATA, SAY ..., RECORD FILE), exported so the AGI
// module reuses the applications' playback, reading and recording instead
// of copies of them. They need the applications registered on the
// channel's engine (RegisterWith), which gives them the sound finder.

// StreamFile plays name (ast_streamfile + ast_waitstream_full) from
// offset samples; a key in escape stops it and is returned. pos is the
// position reached in samples. A missing file is an error after
// Asterisk's warnings.
func StreamFile(ch *pbx.Channel, name, escape string, offset int64) (digit rune, pos int64, err error) {
	r, err := openSound(ch, name, ch.Language())
	if err != nil {
		return 0, 0, err
	}
	if offset > 0 {
		r.Seek(offset, 0)
	}
	p := play(ch, r)
	var brk func(rune) bool
	if escape != "" {
		brk = digitsIn(escape)
	}
	d, err := waitStream(ch, p, brk)
	// the reader keeps its position after the stop closed it
	return d, p.tell(), err
}

// ControlStreamFile is ast_control_streamfile for AGI's CONTROL STREAM
// FILE: keys to stop, skip forward and back by skipms, pause; it returns
// the stop key and the position in ms.
func ControlStreamFile(ch *pbx.Channel, file, stop string, skipms int, fwd, rev, pause string, offsetMS int64) (rune, int64, error) {
	return controlStream(ch, file, fwd, rev, stop, pause, "", skipms, offsetMS)
}

// GetData plays the prompts ('&'-separated) and reads up to maxLen keys,
// '#' ending early (ast_app_getdata); timeout 0 takes the channel's
// response timeout. timedOut tells a timeout from a complete entry.
func GetData(ch *pbx.Channel, prompt string, maxLen int, timeout time.Duration) (digits string, timedOut bool, err error) {
	s, res := getData(ch, prompt, maxLen, timeout, "#")
	switch res {
	case getdataFailed, getdataInterrupted:
		if ch.HangupRequested() {
			return s, false, pbx.ErrHangup
		}
	case getdataTimeout:
		return s, true, nil
	}
	return s, false, nil
}

// SayNumber says n (SAY NUMBER); gender is Asterisk's option ("f", "m"...).
func SayNumber(ch *pbx.Channel, n int, escape, gender string) (rune, error) {
	return saySeq(ch, sayNumberFiles(n, ch.Language(), gender), ch.Language(), breakOn(escape))
}

// SayDateTime says t with a SayUnixTime format (SAY DATE uses "ABdY",
// SAY TIME "IMp", SAY DATETIME its own format argument).
func SayDateTime(ch *pbx.Channel, t time.Time, format, escape string) (rune, error) {
	seq, _ := sayDateFiles(t, time.Now(), ch.Language(), format)
	return saySeq(ch, seq, ch.Language(), breakOn(escape))
}

// RecordWithEscape records to name.format (relative names under the
// sounds directory, as Record) until a key of escape, timeout, or silence
// (0: none): AGI's RECORD FILE. It returns the key that ended it (0 on a
// timeout) and whether the channel hung up.
func RecordWithEscape(ch *pbx.Channel, name, format, escape string, timeout, silence time.Duration, beep bool) (digit rune, hangup bool, err error) {
	if !filepath.IsAbs(name) {
		name = filepath.Join(configOf(ch.Engine()).DataDir, "sounds", name)
	}
	diskExt := format
	if format == "wav49" {
		diskExt = "WAV"
	}
	if beep {
		if _, err := streamAndWait(ch, "beep", ch.Language(), nil); err != nil && isChannelEnd(err) {
			return 0, true, nil
		}
	}
	terminator := rune(0)
	if escape != "" {
		terminator = '#'
		if !strings.ContainsRune(escape, '#') {
			terminator = rune(escape[0])
		}
	}
	status, hangup, _ := record(ch, name+"."+diskExt, format, silence, 0, timeout, terminator, nil)
	switch status {
	case "ERROR":
		return 0, hangup, errors.New("record: cannot write " + name + "." + diskExt)
	case "DTMF":
		return terminator, hangup, nil
	}
	return 0, hangup, nil
}

// StartMusic starts music on hold on ch (AGI's SET MUSIC ON); false when
// no music can play.
func StartMusic(ch *pbx.Channel, class string) bool { return startHoldMusic(ch, class) }

// StopMusic stops it (SET MUSIC OFF).
func StopMusic(ch *pbx.Channel) { stopHoldMusic(ch) }
