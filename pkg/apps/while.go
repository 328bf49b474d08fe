package apps

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// The While family keeps its state in channel variables, exactly as
// app_while does, so that a dialplan reading them (or DumpChan) sees the
// same: WHILE_<n> holds "context,exten,priority" of the n-th open While,
// END_WHILE_<n> where to continue after its EndWhile, and a variable named
// "<context>_<exten>_<priority>" the loop index a While line uses.

var whileApp = &pbx.App{
	Name:        "While",
	Synopsis:    "Start a while loop.",
	Syntax:      "While(expr)",
	Description: "Start a While Loop. Execution will return to this point when EndWhile() is called until expr is no longer true.",
	Arguments:   "expr",
	SeeAlso:     "EndWhile, ExitWhile, ContinueWhile",
	Exec:        func(ch *pbx.Channel, data string) (pbx.Result, error) { return whileExec(ch, data, whileStart) },
}

var endWhileApp = &pbx.App{
	Name:        "EndWhile",
	Synopsis:    "End a while loop.",
	Syntax:      "EndWhile()",
	Description: "Return to the previous called While().",
	SeeAlso:     "While, ExitWhile, ContinueWhile",
	Exec:        func(ch *pbx.Channel, data string) (pbx.Result, error) { return whileExec(ch, data, whileEnd) },
}

var exitWhileApp = &pbx.App{
	Name:        "ExitWhile",
	Synopsis:    "End a While loop.",
	Syntax:      "ExitWhile()",
	Description: "Exits a While() loop, whether or not the conditional has been satisfied.",
	SeeAlso:     "While, EndWhile, ContinueWhile",
	Exec:        func(ch *pbx.Channel, data string) (pbx.Result, error) { return whileExec(ch, data, whileExit) },
}

var continueWhileApp = &pbx.App{
	Name:        "ContinueWhile",
	Synopsis:    "Restart a While loop.",
	Syntax:      "ContinueWhile()",
	Description: "Returns to the top of the while loop and re-evaluates the conditional.",
	SeeAlso:     "While, EndWhile, ExitWhile",
	Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		top := ""
		for i := 0; ; i++ {
			v, ok := ch.Var("WHILE_" + strconv.Itoa(i))
			if !ok {
				break
			}
			top = v
		}
		if top == "" {
			return pbx.Continue, nil
		}
		return parseableGoto(ch, top)
	},
}

type whileMode int

const (
	whileStart whileMode = iota
	whileEnd
	whileExit
)

func whileExec(ch *pbx.Channel, data string, mode whileMode) (pbx.Result, error) {
	used := -1
	for i := 0; ; i++ {
		if _, ok := ch.Var("WHILE_" + strconv.Itoa(i)); !ok {
			break
		}
		used = i
	}
	dpc, exten, prio := ch.Location()
	myName := dpc + "_" + exten + "_" + strconv.Itoa(prio)
	var label string
	if mode == whileEnd || mode == whileExit {
		// EndWhile and ExitWhile act on the innermost loop.
		label = strconv.Itoa(used)
	} else if v, ok := ch.Var(myName); ok {
		label = v
	} else {
		label = strconv.Itoa(used + 1)
		ch.SetVar(myName, label)
	}
	varName := "WHILE_" + label
	endName := "END_" + varName
	whilePri, haveWhile := ch.Var(varName)

	if mode == whileExit || mode == whileStart && !pbx.CheckCondition(data) {
		ch.UnsetVar(varName)
		ch.UnsetVar(myName)
		if target, ok := ch.Var(endName); ok {
			ch.UnsetVar(endName)
			return parseableGoto(ch, target)
		}
		// The loop never reached its EndWhile: look for it below.
		if end := findMatchingEndWhile(ch); end > 0 {
			ch.Engine().Log().Verbose(3, "Jumping to priority %d\n", end)
			return pbx.GotoResult(dpc, exten, end+1), nil
		}
		ch.Engine().Log().Warning("Couldn't find matching EndWhile? (While at %s@%s priority %d)\n", dpc, exten, prio)
		return pbx.Continue, nil
	}
	switch {
	case mode == whileStart && !haveWhile:
		ch.SetVar(varName, dpc+","+exten+","+strconv.Itoa(prio))
	case mode == whileEnd && haveWhile:
		if _, ok := ch.Var(endName); !ok {
			ch.SetVar(endName, dpc+","+exten+","+strconv.Itoa(prio+1))
		}
		return parseableGoto(ch, whilePri)
	}
	return pbx.Continue, nil
}

// findMatchingEndWhile scans the priorities after the current one for the
// EndWhile that closes this While, counting nested loops; 0 when none.
func findMatchingEndWhile(ch *pbx.Channel) int {
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
		case strings.EqualFold(pr.App, "While"):
			level++
		case strings.EqualFold(pr.App, "EndWhile"):
			level--
		}
		if level == 0 {
			return p
		}
	}
}

// parseableGoto jumps to "[[context,]exten,]priority" without Goto's
// verbose line, as ast_parseable_goto does for the applications.
func parseableGoto(ch *pbx.Channel, target string) (pbx.Result, error) {
	c, x, p, err := ch.Engine().ResolveGoto(ch, target)
	if err != nil {
		ch.Engine().Log().Warning("%v\n", err)
		return pbx.HangupResult, nil
	}
	return pbx.GotoResult(c, x, p), nil
}
