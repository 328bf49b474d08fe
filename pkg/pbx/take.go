package pbx

import (
	"errors"
	"sync"
	"time"
)

// Take is what the applications that pull another channel into their own
// bridge need (Bridge, BridgeAdd...): the channel is taken out of whatever
// it is in (its application or its bridge) without being hung up, and the
// caller owns its media until it calls release. A channel running its
// dialplan waits in its executor meanwhile; release's Result is where that
// dialplan goes next (Continue: the next priority, as Asterisk's
// after-bridge "go on"). A channel without a dialplan (a dialed leg) is
// simply the caller's, as Dial's peer is, and release does nothing for it:
// the caller hangs it up or starts a dialplan on it.

// takenKey holds a taken channel's parking place.
type takenKey struct{}

// taken is one take: parked closes when the executor waits, done when the
// taker releases it with res.
type taken struct {
	parked, done chan struct{}
	res          Result
}

// ErrNotTaken is Take's error when a dialplan-running channel's executor
// did not stop for it (it was busy in something that ignores interrupts).
var ErrNotTaken = errors.New("channel did not leave its application")

// Take takes ch out of what it is in for the caller (see above). It fails
// with ErrHangup when ch hangs up meanwhile.
func (e *Engine) Take(ch *Channel) (release func(Result), err error) {
	if ch.Gone() || ch.HangupRequested() {
		return nil, ErrHangup
	}
	if !ch.redirect.runs.Load() {
		ch.Interrupt()
		if !waitUnbridged(ch) {
			return nil, ErrHangup
		}
		ch.ClearInterrupt()
		return func(Result) {}, nil
	}
	t := &taken{parked: make(chan struct{}), done: make(chan struct{})}
	ch.SetDatastore(takenKey{}, t)
	ch.Interrupt()
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case <-t.parked:
	case <-ch.Done():
		return nil, ErrHangup
	case <-timer.C:
		ch.SetDatastore(takenKey{}, nil)
		ch.ClearInterrupt()
		return nil, ErrNotTaken
	}
	if !waitUnbridged(ch) {
		close(t.done)
		return nil, ErrHangup
	}
	ch.ClearInterrupt()
	var once sync.Once
	return func(r Result) {
		once.Do(func() {
			t.res = r
			close(t.done)
		})
	}, nil
}

// runTaken is the executor's part: after an application returned it waits
// while a Take holds the channel, and returns what the taker decided.
func (e *Engine) runTaken(ch *Channel) (Result, bool) {
	v := ch.Datastore(takenKey{})
	if v == nil {
		return Result{}, false
	}
	ch.SetDatastore(takenKey{}, nil)
	t := v.(*taken)
	close(t.parked)
	select {
	case <-t.done:
	case <-ch.Done():
		return HangupResult, true
	}
	if ch.HangupRequested() {
		return HangupResult, true
	}
	return t.res, true
}

// RunsDialplan reports whether ch has its own dialplan run (an executor
// that Take parks), as opposed to a dialed leg that its bridger owns.
func (c *Channel) RunsDialplan() bool { return c.redirect.runs.Load() }
