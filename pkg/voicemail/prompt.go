package voicemail

import (
	"errors"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// errHangup ends an application: the caller hung up (or the channel was
// taken away).
var errHangup = errors.New("voicemail: hangup")

// allKeys interrupt menu prompts, as AST_DIGIT_ANY.
const allKeys = "0123456789*#"

// isEnd reports a channel that hung up or was interrupted.
func isEnd(ch *pbx.Channel, err error) bool {
	return errors.Is(err, pbx.ErrHangup) || errors.Is(err, pbx.ErrInterrupted) || ch.HangupRequested()
}

// play is ast_play_and_wait / ast_stream_and_wait: the key that stopped
// the prompt (0 for none) or errHangup. A missing prompt is skipped after
// its warnings, as Asterisk goes on.
func play(ch *pbx.Channel, name, keys string) (rune, error) {
	d, err := apps.StreamAndWait(ch, name, keys)
	if err != nil && isEnd(ch, err) {
		return 0, errHangup
	}
	return d, nil
}

// playAll plays prompts in turn until a key stops one.
func playAll(ch *pbx.Channel, keys string, names ...string) (rune, error) {
	for _, n := range names {
		if d, err := play(ch, n, keys); d != 0 || err != nil {
			return d, err
		}
	}
	return 0, nil
}

// sayNumber says n, stoppable by keys.
func sayNumber(ch *pbx.Channel, n int, keys string) (rune, error) {
	d, err := apps.SayNumber(ch, n, keys, "")
	if err != nil && isEnd(ch, err) {
		return 0, errHangup
	}
	return d, nil
}

// sayDigits says a digit string, stoppable by keys.
func sayDigits(ch *pbx.Channel, s, keys string) (rune, error) {
	d, err := apps.SayDigits(ch, s, keys)
	if err != nil && isEnd(ch, err) {
		return 0, errHangup
	}
	return d, nil
}

// waitDigit is ast_waitfordigit: 0 on timeout.
func waitDigit(ch *pbx.Channel, d time.Duration) (rune, error) {
	r, err := ch.WaitDigit(d)
	if err != nil {
		if errors.Is(err, pbx.ErrTimeout) {
			return 0, nil
		}
		if isEnd(ch, err) {
			return 0, errHangup
		}
		return 0, nil
	}
	return r, nil
}

// readString is ast_readstring after a prompt: the prompt (stoppable by
// any key, which becomes the first digit), then digits until '#', max
// digits or the timeout between digits. It is ast_app_getdata's shape
// as app_voicemail uses it for mailboxes and passwords.
func readString(ch *pbx.Channel, prompt string, max int, timeout time.Duration) (string, error) {
	var b strings.Builder
	if prompt != "" {
		d, err := play(ch, prompt, allKeys)
		if err != nil {
			return "", err
		}
		if d == '#' {
			return "", nil
		}
		if d != 0 {
			b.WriteRune(d)
		}
	}
	for max <= 0 || b.Len() < max {
		d, err := waitDigit(ch, timeout)
		if err != nil {
			return b.String(), err
		}
		if d == 0 || d == '#' {
			break
		}
		b.WriteRune(d)
		if d == '*' && b.Len() == 1 {
			break
		}
	}
	return b.String(), nil
}

// soundExists is ast_fileexists for the channel's language.
func soundExists(ch *pbx.Channel, name string) bool { return apps.SoundExists(ch, name) }
