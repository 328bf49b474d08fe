package apps

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var gosubApp = &pbx.App{
	Name:        "Gosub",
	Synopsis:    "Jump to label, saving return address.",
	Syntax:      "Gosub([[context,]exten,]priority[(arg1[,...][,argN])])",
	Description: "Jumps to the label specified, saving the return address.",
	Arguments:   "context\nexten\npriority\nargs - arg1, argN: the arguments are available as ${ARG1} .. ${ARGn} in the subroutine.",
	SeeAlso:     "GosubIf, Macro, Goto, Return, StackPop",
	Exec:        gosub,
}

var gosubIfApp = &pbx.App{
	Name:        "GosubIf",
	Synopsis:    "Conditionally jump to label, saving return address.",
	Syntax:      "GosubIf(condition?[labeliftrue[(arg1[,...])]][:labeliffalse[(arg1[,...])]])",
	Description: "If the condition is true, then jump to labeliftrue. If false, jumps to labeliffalse, if specified. In either case, a jump saves the return point in the dialplan, to be returned to with a Return.",
	Arguments:   "condition\ndestination - labeliftrue, labeliffalse: a Gosub target with its arguments.",
	SeeAlso:     "Gosub, Return, MacroIf, IF, GotoIf, Goto",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		target, ok := chooseBranch(data)
		if !ok {
			ch.Engine().Log().Warning("GosubIf requires an argument: GosubIf(cond?label1(args):label2(args)\n")
			return pbx.Continue, nil
		}
		if target == "" {
			return pbx.Continue, nil
		}
		return gosub(ch, target)
	},
}

var returnApp = &pbx.App{
	Name:        "Return",
	Synopsis:    "Return from gosub routine.",
	Syntax:      "Return([value])",
	Description: "Jumps to the last label on the stack, removing it. The return value, if any, is saved in the channel variable GOSUB_RETVAL.",
	Arguments:   "value - Return value.",
	SeeAlso:     "Gosub, StackPop",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		f, ok := ch.PopFrame()
		if !ok {
			ch.Engine().Log().Warning("Return without Gosub: stack is empty\n")
			return pbx.HangupResult, nil
		}
		restore(ch, f.Saved)
		ch.SetVar("GOSUB_RETVAL", data)
		if f.Sub {
			return pbx.SubReturn, nil // ends Engine.RunSub, which puts the channel back
		}
		return pbx.GotoResult(f.Context, f.Exten, f.Priority), nil
	},
}

// splitCall separates "target(args)" into the target and its arguments.
func splitCall(s string) (target string, args []string) {
	i := strings.IndexByte(s, '(')
	if i < 0 {
		return s, nil
	}
	inner := strings.TrimSuffix(s[i+1:], ")")
	return s[:i], pbx.SplitArgs(inner, ',')
}

// setArgs sets ARG1..ARGn and clears stale higher ARGs left by an outer
// call, returning what to restore afterwards.
func setArgs(ch *pbx.Channel, args []string) map[string]*string {
	saved := map[string]*string{}
	save := func(name string) {
		if v, ok := ch.Var(name); ok {
			saved[name] = &v
		} else {
			saved[name] = nil
		}
	}
	for i, a := range args {
		name := "ARG" + strconv.Itoa(i+1)
		save(name)
		ch.SetVar(name, a)
	}
	for i := len(args) + 1; ; i++ {
		name := "ARG" + strconv.Itoa(i)
		if _, ok := ch.Var(name); !ok {
			break
		}
		save(name)
		ch.UnsetVar(name)
	}
	save("ARGC")
	ch.SetVar("ARGC", strconv.Itoa(len(args)))
	return saved
}

func restore(ch *pbx.Channel, saved map[string]*string) {
	for name, v := range saved {
		if v == nil {
			ch.UnsetVar(name)
		} else {
			ch.SetVar(name, *v)
		}
	}
}

func gosub(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	if strings.TrimSpace(data) == "" {
		e.Log().Warning("Gosub requires an argument: Gosub([[context,]exten,]priority[(arg1[,...][,argN])])\n")
		return pbx.HangupResult, nil
	}
	target, args := splitCall(data)
	c, x, p, err := e.ResolveGoto(ch, target)
	if err != nil {
		e.Log().Warning("%v\n", err)
		return pbx.HangupResult, nil
	}
	if plan := e.Plan(); plan == nil || !plan.Exists(c, x, ch.CallerID().Num, p) {
		oc, ox, op := ch.Location()
		e.Log().Warning("Gosub attempted to reach non-existent destination '%s,%s,%d' from '%s,%s,%d'.\n", c, x, p, oc, ox, op)
		return pbx.HangupResult, nil
	}
	oc, ox, op := ch.Location()
	ch.PushFrame(pbx.Frame{Context: oc, Exten: ox, Priority: op + 1, Saved: setArgs(ch, args)})
	return pbx.GotoResult(c, x, p), nil
}

// runSubroutine runs "[[context,]exten,]priority[(args)]" on ch as a
// subroutine and waits for its Return (Dial's U(), Originate's b() and
// B()). It reports false when the target does not exist or ch hung up.
func runSubroutine(ch *pbx.Channel, spec string) bool {
	e := ch.Engine()
	target, args := splitCall(spec)
	c, x, p, err := e.ResolveGoto(ch, target)
	if err != nil {
		e.Log().Warning("%v\n", err)
		return false
	}
	if plan := e.Plan(); plan == nil || !plan.Exists(c, x, ch.CallerID().Num, p) {
		oc, ox, op := ch.Location()
		e.Log().Warning("Gosub attempted to reach non-existent destination '%s,%s,%d' from '%s,%s,%d'.\n", c, x, p, oc, ox, op)
		return false
	}
	res := e.RunSub(ch, c, x, p, setArgs(ch, args))
	return res.Action == pbx.ActContinue
}
