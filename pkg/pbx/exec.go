package pbx

import (
	"context"
	"fmt"
)

// Run executes the dialplan for ch from context/exten/priority until the
// call ends, then runs the `h` extension and hangs the channel up. It
// blocks: the driver that created an inbound channel starts it in a
// goroutine of its own (or through Engine.Go) and that goroutine owns the
// channel. Cancelling ctx requests a hangup of the channel.
func (e *Engine) Run(ctx context.Context, ch *Channel, dpContext, exten string, priority int) {
	e.active.Add(1)
	e.processed.Add(1)
	defer e.active.Add(-1)
	stop := context.AfterFunc(ctx, func() { ch.SoftHangup(CauseNormalClearing) })
	defer stop()

	ch.SetCtx(ctx)
	if priority <= 0 {
		priority = 1
	}
	ch.SetLocation(dpContext, exten, priority)
	ch.redirect.runs.Store(true)
	defer ch.redirect.runs.Store(false)
	plan := e.Plan()
	if plan == nil {
		e.log.Warning("Channel '%s' has no dialplan to run\n", ch.Name())
		ch.Hangup(CauseNoRouteDestination)
		return
	}
	cid := ch.CallerID().Num
	if !plan.Exists(dpContext, exten, cid, priority) {
		e.log.Verbose(2, "Starting %s at %s,%s,%d failed so falling back to exten 's'\n", ch.Name(), dpContext, exten, priority)
		exten, priority = "s", 1
		ch.SetLocation(dpContext, exten, priority)
		if !plan.Exists(dpContext, exten, cid, priority) {
			e.log.Verbose(2, "Starting %s at %s,%s,%d still failed so falling back to context 'default'\n", ch.Name(), dpContext, exten, priority)
			ch.SetLocation("default", exten, priority)
		}
	}
	e.loop(ch, loopTop)
	e.runHangupExten(ch)
	ch.Hangup(CauseNormalClearing)
}

// loopMode says what a loop runs: the channel's own dialplan, a Macro
// (which ends when the dialplan leaves the macro's context), or a
// subroutine run by RunSub (which ends with its Return).
type loopMode int

const (
	loopTop loopMode = iota
	loopMacro
	loopSub
)

// loop runs priorities; nested loops (Macro, RunSub) stop when the
// extension ends or on ExitNested instead of applying invalid-extension
// and fallthrough handling. It returns the Result that ended it.
func (e *Engine) loop(ch *Channel, mode loopMode) Result {
	nested := mode != loopTop
	found := false
	startCtx, _, _ := ch.Location()
	for {
		plan := e.Plan()
		if plan == nil {
			return HangupResult
		}
		for {
			dpc, exten, prio := ch.Location()
			p, ok := plan.Find(dpc, exten, ch.CallerID().Num, prio)
			if !ok {
				break
			}
			found = true
			res, err := e.Exec(ch, p)
			redirected := false
			for loc, ok := ch.takeRedirect(); ok && !ch.HangupRequested(); loc, ok = ch.takeRedirect() {
				if loc.run != nil {
					// An AsyncRun: it runs where the channel is, and its
					// result stands for the interrupted application's.
					res, err = loc.run(ch), nil
					continue
				}
				// An AsyncGoto interrupted the application: whatever it
				// returned, the channel goes where it was sent (out of any
				// Macro too).
				if nested {
					return GotoResult(loc.context, loc.exten, loc.priority)
				}
				ch.SetLocation(loc.context, loc.exten, loc.priority)
				redirected = true
				break
			}
			if redirected {
				continue
			}
			if err != nil {
				e.log.Warning("%s: %v\n", p.App, err)
				res = HangupResult
			}
			if r, ok := e.runTaken(ch); ok {
				res = r // Bridge() and the like held the channel (take.go)
			}
			if r, ok := e.runPendingBridge(ch); ok {
				res = r // a transfer handed the channel over (handover.go)
			}
			switch res.Action {
			case ActContinue:
				ch.SetLocation(dpc, exten, prio+1)
			case ActGoto:
				ch.SetLocation(res.Context, res.Exten, res.Priority)
			case ActExitNested:
				if nested {
					return res
				}
				ch.SetLocation(dpc, exten, prio+1)
			case ActSubReturn:
				if mode == loopSub {
					return res
				}
				ch.SetLocation(dpc, exten, prio+1)
			case ActHangup:
				e.log.Verbose(2, "Spawn extension (%s, %s, %d) exited non-zero on '%s'\n", dpc, exten, prio, ch.Name())
				return HangupResult
			}
			if ch.HangupRequested() {
				return HangupResult
			}
			if mode == loopMacro {
				if c, _, _ := ch.Location(); c != startCtx {
					// jumped out of the macro: the caller continues there
					c, x, pr := ch.Location()
					return GotoResult(c, x, pr)
				}
			}
			plan = e.Plan()
			if plan == nil {
				return HangupResult
			}
		}
		if nested {
			return Continue
		}
		dpc, exten, prio := ch.Location()
		cid := ch.CallerID().Num
		switch {
		case !plan.Exists(dpc, exten, cid, 1):
			if plan.Exists(dpc, "i", cid, 1) {
				e.log.Verbose(3, "Channel '%s' sent to invalid extension: context,exten,priority=%s,%s,%d\n", ch.Name(), dpc, exten, prio)
				ch.SetVar("INVALID_EXTEN", exten)
				ch.SetLocation(dpc, "i", 1)
				continue
			}
			if res, ok := e.exceptionFallback(ch, "INVALID"); ok {
				ch.SetLocation(res.Context, res.Exten, res.Priority)
				continue
			}
			e.log.Warning("Channel '%s' sent to invalid extension but no invalid handler: context,exten,priority=%s,%s,%d\n", ch.Name(), dpc, exten, prio)
			return HangupResult
		case ch.HangupRequested():
			return HangupResult
		case !plan.AutoFallthrough():
			// With autofallthrough=no a caller who ran out of priorities
			// (after Background, typically) may still dial an extension:
			// pbx.c waits the response timeout for it.
			res := e.CollectExten(ch, 0)
			if res.Action != ActGoto {
				return HangupResult
			}
			ch.SetLocation(res.Context, res.Exten, res.Priority)
			continue
		default:
			if plan.AutoFallthrough() {
				status, _ := ch.Var("DIALSTATUS")
				if status == "" {
					status = "UNKNOWN"
				}
				e.log.Verbose(2, "Auto fallthrough, channel '%s' status is '%s'\n", ch.Name(), status)
				switch status {
				case "CONGESTION", "CHANUNAVAIL":
					e.indicateAndWait(ch, IndCongestion, CauseCongestion)
				case "BUSY":
					e.indicateAndWait(ch, IndBusy, CauseUserBusy)
				}
			} else if !found {
				e.log.Warning("Don't know what to do with '%s'\n", ch.Name())
			}
			return HangupResult
		}
	}
}

// fallthroughWait is how long an unanswered caller hears busy or
// congestion after autofallthrough before the core hangs up, as the "10"
// Asterisk passes to Busy()/Congestion() there.
const fallthroughWait = 10e9

func (e *Engine) indicateAndWait(ch *Channel, ind Indication, cause int) {
	if err := ch.Indicate(ind); err != nil {
		e.log.Warning("Unable to indicate %s on %s: %v\n", ind, ch.Name(), err)
	}
	if ch.HangupCause() == 0 {
		ch.SetHangupCause(cause)
	}
	SleepOrHangup(ch, fallthroughWait)
}

// runHangupExten runs the `h` extension of the channel's context, if any.
// The first lookup doubles as the existence test: every call ends here,
// and most contexts have no `h`.
// RunHangupExten runs the h extension of ch's context on ch, as
// ast_pbx_h_exten_run: Dial's e option runs it on the called channel.
func (e *Engine) RunHangupExten(ch *Channel) { e.runHangupExten(ch) }

func (e *Engine) runHangupExten(ch *Channel) {
	plan := e.Plan()
	if plan == nil {
		return
	}
	dpc, _, _ := ch.Location()
	cid := ch.CallerID().Num
	p, ok := plan.Find(dpc, "h", cid, 1)
	if !ok {
		return
	}
	ch.SetLocation(dpc, "h", 1)
	for prio := 1; ; {
		res, err := e.Exec(ch, p)
		if err != nil || res.Action == ActHangup {
			e.log.Verbose(2, "Spawn extension (%s, %s, %d) exited non-zero on '%s'\n", dpc, "h", prio, ch.Name())
			return
		}
		if res.Action == ActGoto {
			if res.Context != dpc || res.Exten != "h" {
				return
			}
			prio = res.Priority
		} else {
			prio++
		}
		ch.SetLocation(dpc, "h", prio)
		if p, ok = plan.Find(dpc, "h", cid, prio); !ok {
			return
		}
	}
}

// Exec runs one dialplan priority on ch: it substitutes the data, prints
// the "Executing" line and calls the application.
func (e *Engine) Exec(ch *Channel, p *Priority) (Result, error) {
	dpc, exten, prio := ch.Location()
	app, ok := e.App(p.App)
	if !ok {
		e.log.Warning("No application '%s' for extension (%s, %s, %d)\n", p.App, dpc, exten, prio)
		e.missing.add(true, p.App, dpc, exten, prio)
		return HangupResult, nil
	}
	data := e.Substitute(ch, p.Data)
	ch.SetApplication(app.Name, data)
	if e.bus.Wants(BusNewexten) {
		e.bus.Publish(BusEvent{Type: BusNewexten, Channel: ch, App: app.Name, Data: data})
	}
	e.log.Verbose(3, "Executing [%s@%s:%d] %s(\"%s\", \"%s\") in new stack\n", exten, dpc, prio, app.Name, ch.Name(), data)
	return app.Exec(ch, data)
}

// ExecApp runs an application by name with already substituted data and
// no "Executing" line, as ExecIf and the `M()`-style callers do.
func (e *Engine) ExecApp(ch *Channel, name, data string) (Result, error) {
	app, ok := e.App(name)
	if !ok {
		dpc, exten, prio := ch.Location()
		e.missing.add(true, name, dpc, exten, prio)
		return HangupResult, fmt.Errorf("could not find application (%s)", name)
	}
	ch.SetApplication(app.Name, data)
	return app.Exec(ch, data)
}

// RunNested runs the dialplan from a location inside the current
// application (Macro): it returns when the extension has no next priority
// (Continue), on ExitNested (Continue), when an application ends the call
// (HangupResult), or with a GotoResult when the dialplan jumped out of the
// starting context.
func (e *Engine) RunNested(ch *Channel, dpContext, exten string, priority int) Result {
	ch.SetLocation(dpContext, exten, priority)
	res := e.loop(ch, loopMacro)
	if res.Action == ActExitNested {
		return Continue
	}
	return res
}

// RunSub runs a dialplan subroutine on ch and waits for its end, as
// Asterisk's ast_app_run_sub does for Dial's U() and Originate's b(): it
// pushes a frame whose Return ends the run (saved holds the ARGn values
// to restore then), runs from context/exten/priority, and puts the channel
// back where it was. The result is Continue after a Return or when the
// subroutine runs off its extension, HangupResult when it hung up, or a
// GotoResult when an AsyncGoto took the channel elsewhere.
func (e *Engine) RunSub(ch *Channel, dpContext, exten string, priority int, saved map[string]*string) Result {
	oc, ox, op := ch.Location()
	depth := ch.StackDepth()
	ch.PushFrame(Frame{Context: oc, Exten: ox, Priority: op, Saved: saved, Sub: true})
	ch.SetLocation(dpContext, exten, priority)
	res := e.loop(ch, loopSub)
	for ch.StackDepth() > depth { // ran off the end without its Return
		ch.PopFrame()
	}
	if res.Action == ActGoto && res.Context != "" {
		return res
	}
	ch.SetLocation(oc, ox, op)
	if res.Action == ActHangup || ch.HangupRequested() {
		return HangupResult
	}
	return Continue
}
