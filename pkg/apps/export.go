package apps

import (
	"errors"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file exports the prompt and recording machinery to the modules
// (voicemail, ...), so that they play and record exactly as Playback, the
// Say applications and Record do instead of keeping copies.

// breakOn turns a key list into waitStream's test; "" accepts no key.
func breakOn(keys string) func(rune) bool {
	if keys == "" {
		return nil
	}
	return digitsIn(keys)
}

// StreamAndWait plays the prompt name (a sound name, or an absolute path
// without extension) in the channel's language, as ast_stream_and_wait:
// a key in breakKeys stops it and is returned. A missing file is an
// error after Asterisk's warnings; a hang-up is pbx.ErrHangup.
func StreamAndWait(ch *pbx.Channel, name, breakKeys string) (rune, error) {
	return streamAndWait(ch, name, ch.Language(), breakOn(breakKeys))
}

// SoundExists reports whether the prompt name exists in some format for
// the channel's language (ast_fileexists).
func SoundExists(ch *pbx.Channel, name string) bool {
	return configOf(ch.Engine()).finder.Exists(name, ch.Language())
}

// SayDigits says digits one by one (ast_say_digit_str).
func SayDigits(ch *pbx.Channel, digits, breakKeys string) (rune, error) {
	return saySeq(ch, sayDigitFiles(digits), ch.Language(), breakOn(breakKeys))
}

// SayDate says t with an ast_say_date_with_format format string, in the
// channel's language.
func SayDate(ch *pbx.Channel, t time.Time, format, breakKeys string) (rune, error) {
	seq, _ := sayDateFiles(t, time.Now().In(t.Location()), ch.Language(), format)
	return saySeq(ch, seq, ch.Language(), breakOn(breakKeys))
}

// RecordOptions is how RecordFile records.
type RecordOptions struct {
	// Silence ends the recording after this much silence (0: never);
	// Threshold is the silence detector's level (0: dsp's default).
	Silence   time.Duration
	Threshold int
	// MaxDuration ends it after this long (0: no limit).
	MaxDuration time.Duration
	// Terminator ends it on this key (0: none); Operator ends it on 0
	// with status OPERATOR; AnyKey ends it on every key.
	Terminator rune
	Operator   bool
	AnyKey     bool
	// KeepOnHangup keeps what was recorded when the caller hangs up.
	KeepOnHangup bool
	// KeepSilence keeps the trailing silence (Record's u).
	KeepSilence bool
}

// RecordFile records the channel to path (with its extension; ext is the
// Asterisk format name: wav, wav49, gsm, ...) as Record does, without a
// beep. It returns Record's RECORD_STATUS words (DTMF, SILENCE, TIMEOUT,
// HANGUP, OPERATOR, ERROR), whether the channel hung up, the length of
// the audio kept, and the terminating key when DTMF ended it.
func RecordFile(ch *pbx.Channel, path, ext string, o RecordOptions) (status string, hangup bool, length time.Duration) {
	opts := map[byte]string{}
	if o.Operator {
		opts['o'] = ""
	}
	if o.AnyKey {
		opts['y'] = ""
	}
	if o.KeepOnHangup {
		opts['k'] = ""
	}
	if o.KeepSilence {
		opts['u'] = ""
	}
	return record(ch, path, strings.ToLower(ext), o.Silence, o.Threshold, o.MaxDuration, o.Terminator, opts)
}

// AnswerIfDown answers a channel that is not up yet; false when the
// answer failed.
func AnswerIfDown(ch *pbx.Channel) bool { return answerIfDown(ch) }

// SayAlpha spells s letter by letter (ast_say_character_str, case not
// said).
func SayAlpha(ch *pbx.Channel, s, breakKeys string) (rune, error) {
	return saySeq(ch, sayAlphaFiles(s, 0), ch.Language(), breakOn(breakKeys))
}

// ControlStream plays file as ast_control_streamfile: fwd and rev keys
// skip skipms, pause pauses until pressed again, restart starts over, a
// stop key ends the playback and is returned (0 when the file played
// out). A hang-up is pbx.ErrHangup.
func ControlStream(ch *pbx.Channel, file, fwd, rev, stop, pause, restart string, skipms int) (rune, error) {
	d, _, err := controlStream(ch, file, fwd, rev, stop, pause, restart, skipms, 0)
	if errors.Is(err, errHungUp) {
		return 0, pbx.ErrHangup
	}
	return d, err
}
