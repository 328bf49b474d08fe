package pbx

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// ErrNoDialplan is AsyncGoto's answer for a channel that neither runs a
// dialplan nor sits in a bridge: nobody could take it to the new place.
var ErrNoDialplan = errors.New("channel runs no dialplan and is not bridged")

// redirect is the state AsyncGoto leaves for the channel's owner.
type redirect struct {
	mu      sync.Mutex
	pending *location
	runs    atomic.Bool // a dialplan (Engine.Run) owns the channel
}

type location struct {
	context, exten string
	priority       int
	run            func(*Channel) Result // AsyncRun's: run in place
}

// AsyncGoto sends the channel to context/exten/priority from another
// goroutine, as Asterisk's ast_async_goto: a channel running dialplan has
// its application interrupted and continues there; a bridged channel with
// no dialplan of its own (a dialed leg) leaves the bridge and a dialplan is
// started on it there; the other party sees it leave. An empty context or
// extension keeps the channel's current one; priority 0 means 1.
func (c *Channel) AsyncGoto(context, exten string, priority int) error {
	if c.HangupRequested() {
		return ErrHangup
	}
	cur, curExten, _ := c.Location()
	if context == "" {
		context = cur
	}
	if exten == "" {
		exten = curExten
	}
	if priority <= 0 {
		priority = 1
	}
	if !c.redirect.runs.Load() && c.Peer() == nil {
		return ErrNoDialplan
	}
	c.redirect.mu.Lock()
	c.redirect.pending = &location{context, exten, priority, nil}
	c.redirect.mu.Unlock()
	c.Interrupt()
	return nil
}

// takeRedirect returns and clears a pending AsyncGoto target, re-arming
// the interrupt it used.
func (c *Channel) takeRedirect() (location, bool) {
	c.redirect.mu.Lock()
	p := c.redirect.pending
	c.redirect.pending = nil
	c.redirect.mu.Unlock()
	if p == nil {
		return location{}, false
	}
	c.ClearInterrupt()
	return *p, true
}

// adoptRedirected starts a dialplan on a channel that an AsyncGoto took
// out of a bridge while no dialplan owned it: from here the new dialplan
// run owns it (and hangs it up at its end). ctx is the bridge's: the
// engine's life, as for any dialplan run. It reports whether it did.
func (e *Engine) adoptRedirected(ctx context.Context, ch *Channel) bool {
	if ch.redirect.runs.Load() {
		return false
	}
	loc, ok := ch.takeRedirect()
	if !ok {
		return false
	}
	if loc.run != nil {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.runInPlace(ctx, ch, loc.run)
		}()
		return true
	}
	ch.SetLocation(loc.context, loc.exten, loc.priority)
	e.Go(ctx, ch)
	return true
}
