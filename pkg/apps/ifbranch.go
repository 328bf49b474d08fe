package apps

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// app_if's If/ElseIf/Else/EndIf/ExitIf (Asterisk 18.16+). Like the While
// family, the state lives in channel variables so that DumpChan shows what
// Asterisk's would: IF_<n> holds "context,exten,priority" of the n-th open
// If, END_IF_<n> where to go once its EndIf has been seen, and
// "<context>_<exten>_<priority>" the index an If line took.

var ifApp = &pbx.App{
	Name:        "If",
	Synopsis:    "Start an if branch.",
	Syntax:      "If(expr)",
	Description: "Start an If branch.  Execution will continue inside the branch if expr is true.\n\nThis application (and related applications) set variables internally during execution.",
	Arguments:   "expr",
	SeeAlso:     "ElseIf, Else, EndIf, ExitIf",
	Exec:        func(ch *pbx.Channel, data string) (pbx.Result, error) { return ifExec(ch, data, ifStart) },
}

var elseIfApp = &pbx.App{
	Name:        "ElseIf",
	Synopsis:    "Start an else if branch.",
	Syntax:      "ElseIf(expr)",
	Description: "Start an optional ElseIf branch. Execution will continue inside the branch if expr is true and if previous If and ElseIf branches evaluated to false.\n\nPlease note that execution inside a true If branch will fallthrough into ElseIf unless the If segment is terminated with an ExitIf call. This is only necessary with ElseIf but not with Else.",
	Arguments:   "expr",
	SeeAlso:     "If, Else, EndIf, ExitIf",
	Exec:        func(ch *pbx.Channel, data string) (pbx.Result, error) { return ifExec(ch, data, ifElseIf) },
}

var elseApp = &pbx.App{
	Name:        "Else",
	Synopsis:    "Define an optional else branch.",
	Syntax:      "Else(expr)",
	Description: "Start an Else branch. Execution will jump here if all previous If and ElseIf branches evaluated to false.",
	Arguments:   "expr",
	SeeAlso:     "If, ElseIf, EndIf, ExitIf",
	Exec:        func(ch *pbx.Channel, data string) (pbx.Result, error) { return ifExec(ch, data, ifElse) },
}

var endIfApp = &pbx.App{
	Name:        "EndIf",
	Synopsis:    "End an if branch.",
	Syntax:      "EndIf()",
	Description: "Ends the branch begun by the preceding If() application.",
	SeeAlso:     "If, ElseIf, Else, ExitIf",
	Exec:        func(ch *pbx.Channel, data string) (pbx.Result, error) { return ifExec(ch, data, ifEnd) },
}

var exitIfApp = &pbx.App{
	Name:        "ExitIf",
	Synopsis:    "End an If branch.",
	Syntax:      "ExitIf()",
	Description: "Exits an If() branch, whether or not it has completed.",
	SeeAlso:     "If, ElseIf, Else, EndIf",
	Exec:        func(ch *pbx.Channel, data string) (pbx.Result, error) { return ifExec(ch, data, ifExit) },
}

type ifMode int

// The order matters: modes up to ifElseIf evaluate a condition, the others
// close the innermost branch.
const (
	ifStart ifMode = iota
	ifElseIf
	ifEnd
	ifElse
	ifExit
)

func ifExec(ch *pbx.Channel, data string, mode ifMode) (pbx.Result, error) {
	used := -1
	for i := 0; ; i++ {
		if _, ok := ch.Var("IF_" + strconv.Itoa(i)); !ok {
			break
		}
		used = i
	}
	dpc, exten, prio := ch.Location()
	myName := dpc + "_" + exten + "_" + strconv.Itoa(prio)
	var label string
	if mode > ifElseIf {
		label = strconv.Itoa(used)
	} else if v, ok := ch.Var(myName); ok {
		label = v
	} else {
		label = strconv.Itoa(used + 1)
		ch.SetVar(myName, label)
	}
	varName := "IF_" + label
	endName := "END_" + varName
	_, open := ch.Var(varName)

	if mode <= ifElseIf && pbx.CheckCondition(data) {
		// Inside the branch: remember where it began, once.
		if !open {
			ch.SetVar(varName, dpc+","+exten+","+strconv.Itoa(prio))
		}
		return pbx.Continue, nil
	}

	// A false condition, or the end of a branch: forget it and leave.
	ch.UnsetVar(varName)
	ch.UnsetVar(myName)
	endIf := prio // EndIf goes on with the next priority
	if mode != ifEnd {
		endIf = findIfPriority(ch, "")
	}
	if target, ok := ch.Var(endName); ok {
		ch.UnsetVar(endName)
		return parseableGoto(ch, target)
	}
	log := ch.Engine().Log()
	if mode <= ifElseIf {
		if p := findIfPriority(ch, "ElseIf"); p > 0 && p < endIf {
			// The ElseIf itself runs next and tests its own condition.
			log.Verbose(3, "Taking conditional false branch, jumping to priority %d\n", p-1)
			return pbx.GotoResult(dpc, exten, p), nil
		}
		if p := findIfPriority(ch, "Else"); p > 0 && p < endIf {
			// The Else is skipped: running it would leave the If.
			log.Verbose(3, "Taking absolute false branch, jumping to priority %d\n", p)
			return pbx.GotoResult(dpc, exten, p+1), nil
		}
	}
	if endIf > 0 {
		log.Verbose(3, "Exiting conditional, jumping to priority %d\n", endIf)
		return pbx.GotoResult(dpc, exten, endIf+1), nil
	}
	if mode == ifExit {
		log.Warning("Couldn't find matching EndIf? (If at %s@%s priority %d)\n", dpc, exten, prio)
	}
	// Asterisk's app_if goes on with the next priority when no EndIf
	// closes a false If.
	return pbx.Continue, nil
}

// findIfPriority scans the priorities after the current one. With app ""
// it returns the EndIf that closes the current branch (counting nested
// If/EndIf pairs); otherwise the first priority running app at the
// current nesting level, which may lie past that EndIf (the callers
// compare). 0 when there is none.
func findIfPriority(ch *pbx.Channel, app string) int {
	plan := ch.Engine().Plan()
	if plan == nil {
		return 0
	}
	dpc, exten, prio := ch.Location()
	cid := ch.CallerID().Num
	level := 1
	for p := prio + 1; ; p++ {
		pr, ok := plan.Find(dpc, exten, cid, p)
		if !ok {
			return 0
		}
		switch {
		case strings.EqualFold(pr.App, "If"):
			level++
		case strings.EqualFold(pr.App, "EndIf"):
			level--
		}
		if app == "" && level == 0 {
			return p
		}
		if app != "" && level == 1 && strings.EqualFold(pr.App, app) {
			return p
		}
	}
}
