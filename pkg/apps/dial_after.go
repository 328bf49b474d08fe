package apps

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// What Dial does between the answer and the bridge (options C, A, U, D)
// and the limits it puts on the bridge (S, L), in app_dial's order.

// afterAnswer runs the options that act on the answered call before the
// bridge. It reports whether the bridge should happen; when not, result
// is what Dial returns (the peer is already hung up).
func afterAnswer(caller, peer *pbx.Channel, opts map[byte]string) (bool, pbx.Result) {
	log := caller.Engine().Log()
	if _, ok := opts['C']; ok {
		// Reset the caller's CDR: the record starts at the answer.
		now := time.Now()
		caller.UpdateCDR(func(r *pbx.CDR) { r.Start, r.Answer = now, now })
	}
	if file, ok := opts['A']; ok && file != "" {
		// The called party hears the announcement; the caller waits.
		for _, f := range strings.Split(file, "^") {
			if _, err := streamAndWait(peer, f, peer.Language(), nil); err != nil && peer.HangupRequested() {
				break
			}
		}
		if peer.HangupRequested() {
			peer.Hangup(pbx.CauseNormalClearing)
			return false, pbx.HangupResult
		}
	}
	if spec, ok := opts['M']; ok && spec != "" {
		if proceed, res := calleeMacro(caller, peer, spec); !proceed {
			return false, res
		}
	}
	if spec, ok := opts['U']; ok && spec != "" {
		if proceed, res := calleeGosub(caller, peer, spec); !proceed {
			return false, res
		}
	}
	if spec, ok := opts['D']; ok && spec != "" {
		called, calling, _ := strings.Cut(spec, ":")
		calling, _, _ = strings.Cut(calling, ":")
		if called != "" && !sendDigits(peer, called, 250*time.Millisecond, defaultDTMFDuration) {
			log.Verbose(3, "%s hung up while receiving digits\n", peer.Name())
		}
		if calling != "" {
			sendDigits(caller, calling, 250*time.Millisecond, defaultDTMFDuration)
		}
	}
	return true, pbx.Continue
}

// calleeGosub is U(x[^arg[^...]]): the subroutine x,s,1 runs on the called
// channel before the bridge; GOSUB_RESULT it sets decides what follows
// (ABORT hangs up both, CONGESTION/BUSY/CONTINUE hang up the callee and
// the caller goes on, GOTO:[[context^]exten^]priority sends the caller
// there).
func calleeGosub(caller, peer *pbx.Channel, spec string) (bool, pbx.Result) {
	e := peer.Engine()
	log := e.Log()
	// x names the subroutine's context; it starts at s, priority 1.
	parts := strings.Split(spec, "^")
	c, x, p := strings.TrimSpace(parts[0]), "s", 1
	if plan := e.Plan(); plan == nil || !plan.Exists(c, x, peer.CallerID().Num, p) {
		log.Warning("Gosub attempted to reach non-existent destination '%s,%s,%d'.\n", c, x, p)
		return true, pbx.Continue
	}
	e.RunSub(peer, c, x, p, setArgs(peer, parts[1:]))
	return subResult(caller, peer, "GOSUB_RESULT")
}

// subResult reads what a subroutine or macro run on the called channel
// before the bridge asks for in resultVar (GOSUB_RESULT, MACRO_RESULT):
// ABORT hangs up both, CONGESTION/BUSY/CONTINUE hang up the callee and
// the caller goes on, GOTO:[[context^]exten^]priority sends the caller
// there. It reports whether the bridge should happen.
func subResult(caller, peer *pbx.Channel, resultVar string) (bool, pbx.Result) {
	e := peer.Engine()
	log := e.Log()
	if peer.HangupRequested() {
		peer.Hangup(pbx.CauseNormalClearing)
		return false, pbx.HangupResult
	}
	result, _ := peer.Var(resultVar)
	upper := strings.ToUpper(result)
	switch {
	case upper == "ABORT":
		peer.Hangup(pbx.CauseNormalClearing)
		return false, pbx.HangupResult
	case upper == "CONGESTION" || upper == "BUSY":
		peer.Hangup(pbx.CauseNormalClearing)
		caller.SetVar("DIALSTATUS", upper)
		return false, pbx.Continue
	case upper == "CONTINUE":
		peer.Hangup(pbx.CauseNormalClearing)
		return false, pbx.Continue
	case strings.HasPrefix(upper, "GOTO:"):
		peer.Hangup(pbx.CauseNormalClearing)
		target := strings.ReplaceAll(result[5:], "^", ",")
		gc, gx, gp, err := e.ResolveGoto(caller, target)
		if err != nil {
			log.Warning("%v\n", err)
			return false, pbx.Continue
		}
		return false, pbx.GotoResult(gc, gx, gp)
	}
	return true, pbx.Continue
}

// bridgeLimit is the context of the bridge under S(x) (x seconds) or
// L(x[:y][:z]) (x ms): the bridge ends when it is done, and both parties
// are hung up, as app_dial's timelimit does. ok is false without limit.
func bridgeLimit(ctx context.Context, opts map[byte]string) (context.Context, context.CancelFunc, bool) {
	var limit time.Duration
	if s, ok := opts['S']; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 0 {
			limit = time.Duration(n) * time.Second
		}
	}
	if l, ok := opts['L']; ok {
		first, _, _ := strings.Cut(l, ":")
		if n, err := strconv.Atoi(strings.TrimSpace(first)); err == nil && n > 0 {
			limit = time.Duration(n) * time.Millisecond
		}
	}
	if limit <= 0 {
		return ctx, func() {}, false
	}
	c, cancel := context.WithTimeout(ctx, limit)
	return c, cancel, true
}
