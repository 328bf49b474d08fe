package apps

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Dial's options that send the called channel into the dialplan instead
// of hanging it up (F, G) and the old Macro-on-answer M, as app_dial.

// continueCallee starts a dialplan run on peer at target (context^exten^
// priority, or "" for the caller's next priority), plus offset
// priorities. ctx of the run is the caller's dialplan context.
func continueCallee(caller, peer *pbx.Channel, target string, offset int) bool {
	e := caller.Engine()
	var c, x string
	var p int
	if strings.TrimSpace(target) == "" {
		oc, ox, op := caller.Location()
		c, x, p = oc, ox, op+1
	} else {
		var err error
		c, x, p, err = e.ResolveGoto(caller, strings.ReplaceAll(target, "^", ","))
		if err != nil {
			e.Log().Warning("%v\n", err)
			return false
		}
	}
	p += offset
	if plan := e.Plan(); plan == nil || !plan.Exists(c, x, peer.CallerID().Num, p) {
		e.Log().Warning("Unable to goto %s,%s,%d: no such extension\n", c, x, p)
		return false
	}
	peer.SetLocation(c, x, p)
	e.Go(caller.Ctx(), peer)
	return true
}

// gotoBoth is G(context^exten^priority): once answered, the caller goes
// to the priority and the called party to the one after it, unbridged.
func gotoBoth(caller, peer *pbx.Channel, target string) pbx.Result {
	e := caller.Engine()
	c, x, p, err := e.ResolveGoto(caller, strings.ReplaceAll(target, "^", ","))
	if err != nil {
		e.Log().Warning("%v\n", err)
		peer.Hangup(pbx.CauseNormalClearing)
		return pbx.HangupResult
	}
	if !continueCallee(caller, peer, c+"^"+x+"^"+strconv.Itoa(p), 1) {
		peer.Hangup(pbx.CauseNormalClearing)
	}
	return pbx.GotoResult(c, x, p)
}

// calleeMacro is M(macro[^arg[^...]]): the macro runs on the called
// channel before the bridge; MACRO_RESULT decides what follows, as
// GOSUB_RESULT does for U.
func calleeMacro(caller, peer *pbx.Channel, spec string) (bool, pbx.Result) {
	e := peer.Engine()
	parts := strings.Split(spec, "^")
	if _, err := e.ExecApp(peer, "Macro", strings.Join(parts, ",")); err != nil {
		e.Log().Warning("%v\n", err)
	}
	return subResult(caller, peer, "MACRO_RESULT")
}

// cancelCause is the cause Dial's losing legs are hung up with, as
// app_dial's hanguptree: answered elsewhere when another leg answered
// (or Q(cause)'s cause, NONE for none); on a cancel or a timeout, answered
// elsewhere with c or when the caller itself was answered elsewhere,
// else the caller's cause (a cancel) or a normal clearing.
type cancelCause struct {
	answered, timedOut int
	elsewhere          bool
}

func cancelCauses(caller *pbx.Channel, opts map[byte]string) cancelCause {
	cc := cancelCause{answered: pbx.CauseAnsweredElsewhere, timedOut: pbx.CauseNormalClearing}
	if q, ok := opts['Q']; ok && q != "" {
		if strings.EqualFold(strings.TrimSpace(q), "NONE") {
			cc.answered = 0
		} else if n, ok := pbx.ParseCause(q); ok && n >= 0 {
			cc.answered = n
		} else {
			caller.Engine().Log().Warning("Invalid cause given to Dial(...Q(<cause>)): \"%s\"\n", q)
		}
	}
	if _, ok := opts['c']; ok || caller.HangupCause() == pbx.CauseAnsweredElsewhere {
		cc.elsewhere = true
		cc.timedOut = pbx.CauseAnsweredElsewhere
	}
	return cc
}

// cancelled is the cause when the caller left while the legs rang.
func (cc cancelCause) cancelled(caller *pbx.Channel) int {
	switch {
	case cc.elsewhere || caller.HangupCause() == pbx.CauseAnsweredElsewhere:
		return pbx.CauseAnsweredElsewhere
	case caller.HangupCause() != 0:
		return caller.HangupCause()
	}
	return pbx.CauseNormalClearing
}

// dialExit is Dial's d: a one-digit extension the caller dials while the
// legs ring cancels them and takes it there (in EXITCONTEXT, else its
// own context), as app_dial's onedigit_goto.
type dialExit struct {
	digits         <-chan rune // nil without d or keys
	byDigit        bool        // d: a digit may be an extension to leave for
	context, exten string      // where the caller goes, once taken
	// keys are the caller's pbx.RingingKeys (an attended transfer's
	// codes while its target rings), nil when none.
	keys func(rune) pbx.RingingKey
}

// take reports whether digit d is an extension to leave for.
func (x *dialExit) take(caller *pbx.Channel, d rune) bool {
	dpc, _ := caller.Var("EXITCONTEXT")
	if dpc == "" {
		dpc, _, _ = caller.Location()
	}
	if !caller.Engine().Exists(caller, dpc, string(d), 1) {
		return false
	}
	x.context, x.exten = dpc, string(d)
	return true
}
