package pbx

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// This file is the digit side of pbx.c: waiting for a key, and collecting
// the keys of an extension after an application (Background, WaitExten)
// returned the first one or the dialplan ran out of priorities with
// autofallthrough=no.

// Matcher is what a Plan implements to say whether digits could still
// select an extension; the dialplan adapter does. Without it CanMatch is
// Exists at priority 1 and MatchMore is false.
type Matcher interface {
	// CanMatch is ast_canmatch_extension: exten matches an extension now or
	// could with more digits.
	CanMatch(context, exten, callerID string) bool
	// MatchMore is ast_matchmore_extension: more digits could select an
	// extension.
	MatchMore(context, exten, callerID string) bool
}

// Exists reports whether context/exten has the priority, for ch's caller.
func (e *Engine) Exists(ch *Channel, context, exten string, priority int) bool {
	plan := e.Plan()
	return plan != nil && plan.Exists(context, exten, ch.CallerID().Num, priority)
}

// CanMatch is ast_canmatch_extension for ch's caller.
func (e *Engine) CanMatch(ch *Channel, context, exten string) bool {
	plan := e.Plan()
	if plan == nil {
		return false
	}
	if m, ok := plan.(Matcher); ok {
		return m.CanMatch(context, exten, ch.CallerID().Num)
	}
	return plan.Exists(context, exten, ch.CallerID().Num, 1)
}

// MatchMore is ast_matchmore_extension for ch's caller.
func (e *Engine) MatchMore(ch *Channel, context, exten string) bool {
	plan := e.Plan()
	if plan == nil {
		return false
	}
	if m, ok := plan.(Matcher); ok {
		return m.MatchMore(context, exten, ch.CallerID().Num)
	}
	return false
}

// WaitDigit waits up to d (for ever when d < 0) for a key from the far end
// and returns it, or 0 when the time ran out (ast_waitfordigit). Voice read
// meanwhile is dropped. A channel without media cannot send keys: it just
// waits. The error is ErrHangup or ErrInterrupted.
func (c *Channel) WaitDigit(d time.Duration) (rune, error) {
	var deadline <-chan time.Time
	start := time.Now()
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		deadline = t.C
	}
	for {
		fr, err := c.ReadUntil(deadline)
		switch {
		case errors.Is(err, ErrTimeout):
			return 0, nil
		case errors.Is(err, ErrNoMedia):
			rest := time.Duration(-1)
			if d >= 0 {
				rest = max(d-time.Since(start), 0)
			}
			if !SleepOrHangup(c, rest) {
				return 0, ErrHangup
			}
			return 0, nil
		case err != nil:
			return 0, err
		}
		if fr.Kind == media.DTMFEnd {
			return fr.Digit, nil
		}
	}
}

// Default digit and response timeouts of the dialplan (Asterisk's
// dtimeoutms and rtimeoutms).
const (
	DefaultDigitTimeout    = 5 * time.Second
	DefaultResponseTimeout = 10 * time.Second
)

// timeoutOf reads TIMEOUT(kind) when a TIMEOUT function is registered.
func (e *Engine) timeoutOf(ch *Channel, kind string, def time.Duration) time.Duration {
	if _, ok := e.Function("TIMEOUT"); !ok {
		return def
	}
	v, err := e.ReadFunction(ch, "TIMEOUT", kind)
	if err != nil {
		return def
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f <= 0 {
		return def
	}
	return time.Duration(f * float64(time.Second))
}

// DigitTimeout is how long the dialplan waits between the keys of an
// extension: TIMEOUT(digit) when that function exists, else 5 s.
func (e *Engine) DigitTimeout(ch *Channel) time.Duration {
	return e.timeoutOf(ch, "digit", DefaultDigitTimeout)
}

// ResponseTimeout is how long the dialplan waits for a first key:
// TIMEOUT(response) when that function exists, else 10 s.
func (e *Engine) ResponseTimeout(ch *Channel) time.Duration {
	return e.timeoutOf(ch, "response", DefaultResponseTimeout)
}

// CollectExten does what pbx.c does when an application returns a key:
// it reads more keys while they could still select a longer extension of
// the channel's context (each within the digit timeout), then goes to the
// extension dialed, to 'i' when there is none, or to 't' when nothing was
// dialed. first 0 means no key yet, so the first wait is the response
// timeout. Without the 'i' or 't' it needs, the call ends.
func (e *Engine) CollectExten(ch *Channel, first rune) Result {
	dpc, _, _ := ch.Location()
	var buf []rune
	wait := e.ResponseTimeout(ch)
	if first != 0 {
		buf = append(buf, first)
		wait = e.DigitTimeout(ch)
	}
	return e.collectFrom(ch, dpc, buf, wait)
}

// collectFrom is CollectExten once the first keys are in buf.
func (e *Engine) collectFrom(ch *Channel, dpc string, buf []rune, wait time.Duration) Result {
	for e.MatchMore(ch, dpc, string(buf)) {
		d, err := ch.WaitDigit(wait)
		if err != nil {
			return HangupResult
		}
		if d == 0 {
			break
		}
		buf = append(buf, d)
		wait = e.DigitTimeout(ch)
	}
	dialed := string(buf)
	switch {
	case dialed != "" && e.Exists(ch, dpc, dialed, 1):
		return GotoResult(dpc, dialed, 1)
	case dialed != "":
		return e.invalidExten(ch, dpc, dialed)
	default:
		if e.Exists(ch, dpc, "t", 1) {
			e.log.Verbose(3, "Timeout on %s\n", ch.Name())
			return GotoResult(dpc, "t", 1)
		}
		if res, ok := e.exceptionFallback(ch, "RESPONSETIMEOUT"); ok {
			return res
		}
		e.log.Warning("Timeout, but no rule 't' or 'e' in context '%s'\n", dpc)
		return HangupResult
	}
}

// invalidExten sends a caller who dialed an extension that does not exist
// to `i`, else to `e`, else ends the call.
func (e *Engine) invalidExten(ch *Channel, dpc, dialed string) Result {
	if e.Exists(ch, dpc, "i", 1) {
		e.log.Verbose(3, "Invalid extension '%s' in context '%s' on %s\n", dialed, dpc, ch.Name())
		ch.SetVar("INVALID_EXTEN", dialed)
		return GotoResult(dpc, "i", 1)
	}
	if res, ok := e.exceptionFallback(ch, "INVALID"); ok {
		return res
	}
	e.log.Warning("Invalid extension '%s', but no rule 'i' or 'e' in context '%s'\n", dialed, dpc)
	return HangupResult
}
