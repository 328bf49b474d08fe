package pbx

import (
	"context"
	"strings"
)

// AsyncRun is AsyncGoto's twin for what Asterisk does to a channel without
// moving it in the dialplan (res_parking's parking bridge): fn runs on the
// channel's owner with its Context/Exten/Priority untouched and no
// Newexten. A channel running dialplan has its application interrupted,
// runs fn, and goes on as if the interrupted application had returned
// fn's Result; a bridged dialed leg leaves the bridge and a goroutine of
// the engine runs fn on it, then the dialplan at fn's GotoResult, or
// hangs it up.
func (c *Channel) AsyncRun(fn func(*Channel) Result) error {
	return c.asyncPlace(Place{Run: fn})
}

// asyncPlace is AsyncGoto for a Place, which may carry a Run.
func (c *Channel) asyncPlace(p Place) error {
	if c.HangupRequested() {
		return ErrHangup
	}
	if !c.redirect.runs.Load() && c.Peer() == nil {
		return ErrNoDialplan
	}
	c.setPending(p)
	c.Interrupt()
	return nil
}

// setPending records p as c's redirect target; an empty context or
// extension keeps the current one, priority 0 means 1.
func (c *Channel) setPending(p Place) {
	cur, curExten, curPrio := c.Location()
	if p.Run != nil {
		p.Context, p.Exten, p.Priority = cur, curExten, curPrio
	}
	if p.Context == "" {
		p.Context = cur
	}
	if p.Exten == "" {
		p.Exten = curExten
	}
	if p.Priority <= 0 {
		p.Priority = 1
	}
	c.redirect.mu.Lock()
	c.redirect.pending = &location{p.Context, p.Exten, p.Priority, p.Run}
	c.redirect.mu.Unlock()
}

// runInPlace is the engine's run of an AsyncRun on a dialed leg that a
// bridge gave up: fn, then the dialplan where fn (or a later AsyncGoto)
// sent it, then the hangup, as Run ends.
func (e *Engine) runInPlace(ctx context.Context, ch *Channel, fn func(*Channel) Result) {
	e.active.Add(1)
	defer e.active.Add(-1)
	stop := context.AfterFunc(ctx, func() { ch.SoftHangup(CauseNormalClearing) })
	defer stop()
	ch.SetCtx(ctx)
	ch.redirect.runs.Store(true)
	defer ch.redirect.runs.Store(false)
	res := fn(ch)
	if loc, ok := ch.takeRedirect(); ok && loc.run == nil {
		res = GotoResult(loc.context, loc.exten, loc.priority)
	}
	if res.Action == ActGoto && !ch.HangupRequested() {
		ch.SetLocation(res.Context, res.Exten, res.Priority)
		e.loop(ch, loopTop)
		e.runHangupExten(ch)
	}
	ch.Hangup(CauseNormalClearing)
}

// TransferGoto sends a transferred channel to context/exten as a blind
// transfer does, except when that extension parks the call (its first
// priority is Park, res_parking's ast_parking_is_exten_park): then the
// channel is parked where it is (AsyncRun of that Park), as Asterisk moves
// it into the parking bridge without running dialplan.
func (c *Channel) TransferGoto(context, exten string) error {
	plan := c.eng.Plan()
	if plan != nil {
		if p, ok := plan.Find(context, exten, c.CallerID().Num, 1); ok && strings.EqualFold(p.App, "Park") {
			data := c.eng.Substitute(c, p.Data)
			return c.AsyncRun(func(c *Channel) Result {
				res, err := c.eng.ExecApp(c, "Park", data)
				if err != nil {
					return HangupResult
				}
				return res
			})
		}
	}
	return c.AsyncGoto(context, exten, 1)
}
