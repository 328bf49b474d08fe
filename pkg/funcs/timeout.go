package funcs

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_timeout.c: TIMEOUT(digit|response|absolute). The digit
// and response values are what pbx.Engine.DigitTimeout/ResponseTimeout
// read back through this function.

type timeoutKey struct{}

// timeouts is a channel's TIMEOUT state.
type timeouts struct {
	mu              sync.Mutex
	digit, response time.Duration
	hangupAt        time.Time     // zero: no absolute timeout
	cancel          chan struct{} // stops the absolute timeout's watcher
}

func channelTimeouts(ch *pbx.Channel) *timeouts {
	var t *timeouts
	ch.UpdateDatastore(timeoutKey{}, func(old any) any {
		if o, ok := old.(*timeouts); ok {
			t = o
			return o
		}
		t = &timeouts{digit: pbx.DefaultDigitTimeout, response: pbx.DefaultResponseTimeout}
		return t
	})
	return t
}

func timeoutFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{{
		Name: "TIMEOUT", Synopsis: "Gets or sets timeouts on the channel. Timeout values are in seconds.",
		Syntax:      "TIMEOUT(timeouttype)",
		Description: "The timeouts that can be manipulated are: absolute: The absolute maximum amount of time permitted for a call. Setting of 0 disables the timeout. digit: The maximum amount of time permitted between digits when the user is typing in an extension. response: The maximum amount of time permitted after falling through a series of priorities for a channel in which the user may begin typing an extension.",
		Read: func(ch *pbx.Channel, s string) (string, error) {
			if ch == nil {
				return "", nil
			}
			if s == "" {
				return "", errorf("Must specify type of timeout to get.")
			}
			t := channelTimeouts(ch)
			t.mu.Lock()
			defer t.mu.Unlock()
			switch s[0] {
			case 'a', 'A':
				if t.hangupAt.IsZero() {
					return "0", nil
				}
				return secs(time.Until(t.hangupAt)), nil
			case 'r', 'R':
				return secs(t.response), nil
			case 'd', 'D':
				return secs(t.digit), nil
			}
			return "", errorf("Unknown timeout type specified.")
		},
		Write: func(ch *pbx.Channel, s, value string) error {
			if ch == nil {
				return nil
			}
			if s == "" {
				return errorf("Must specify type of timeout to set.")
			}
			d := parseTimeoutValue(value)
			t := channelTimeouts(ch)
			switch s[0] {
			case 'a', 'A':
				at := t.setAbsolute(ch, d)
				if at.IsZero() {
					e.Log().Verbose(3, "Channel hangup cancelled.\n")
				} else {
					e.Log().Verbose(3, "Channel will hangup at %s.\n", pbx.Strftime(at, "%Y-%m-%d %H:%M:%S.%3q %Z"))
				}
			case 'r', 'R':
				t.mu.Lock()
				t.response = d
				t.mu.Unlock()
				e.Log().Verbose(3, "Response timeout set to %s\n", secs(d))
			case 'd', 'D':
				t.mu.Lock()
				t.digit = d
				t.mu.Unlock()
				e.Log().Verbose(3, "Digit timeout set to %s\n", secs(d))
			default:
				logError(e, "Unknown timeout type specified.\n") // Asterisk logs it and still succeeds
			}
			return nil
		},
	}}
}

// secs prints a duration as func_timeout.c does, "%.3f" seconds.
func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

// parseTimeoutValue reads "seconds[.fraction]" as func_timeout.c's sscanf
// does; anything unreadable or negative is 0 (no timeout).
func parseTimeoutValue(v string) time.Duration {
	v = strings.TrimSpace(v)
	f, ok := cNumber(v)
	if !ok || f < 0 {
		return 0
	}
	return time.Duration(f * float64(time.Second)).Truncate(time.Millisecond)
}

// setAbsolute arms (d > 0) or cancels the channel's absolute timeout; when
// it expires the channel goes to its context's T extension, or is hung up
// (a soft hangup) when there is none. The watcher
// goroutine belongs to the channel: it ends when the timeout fires, is
// replaced or cancelled, or the channel hangs up.
func (t *timeouts) setAbsolute(ch *pbx.Channel, d time.Duration) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cancel != nil {
		close(t.cancel)
		t.cancel = nil
	}
	t.hangupAt = time.Time{}
	if d <= 0 {
		return time.Time{}
	}
	t.hangupAt = time.Now().Add(d)
	cancel := make(chan struct{})
	t.cancel = cancel
	go func() {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
			t.expired(ch, cancel)
		case <-cancel:
		case <-ch.Done():
		}
	}()
	return t.hangupAt
}

// expired ends the channel's time as pbx.c does on an absolute timeout:
// with a T extension in the channel's context the dialplan continues there
// (leaving the application or bridge it was in) and the timeout is
// cleared, so it cannot fire again; otherwise the channel is hung up.
func (t *timeouts) expired(ch *pbx.Channel, armed chan struct{}) {
	t.mu.Lock()
	if t.cancel != armed { // re-armed or cancelled as it fired
		t.mu.Unlock()
		return
	}
	t.hangupAt = time.Time{}
	t.cancel = nil
	t.mu.Unlock()
	dpc, _, _ := ch.Location()
	if plan := ch.Engine().Plan(); plan != nil && plan.Exists(dpc, "T", ch.CallerID().Num, 1) {
		if ch.AsyncGoto(dpc, "T", 1) == nil {
			return
		}
	} else if plan != nil && plan.Exists(dpc, "e", ch.CallerID().Num, 1) {
		// No T but an e: the timeout is a dialplan exception.
		res := pbx.RaiseException(ch, "ABSOLUTETIMEOUT")
		if ch.AsyncGoto(res.Context, res.Exten, res.Priority) == nil {
			return
		}
	}
	ch.SoftHangup(pbx.CauseNormalClearing)
}
