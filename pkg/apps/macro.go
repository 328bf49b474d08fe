package apps

import (
	"strconv"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// maxMacroDepth is Asterisk's default limit on nested macros.
const maxMacroDepth = 7

var macroApp = &pbx.App{
	Name:        "Macro",
	Synopsis:    "Macro Implementation.",
	Syntax:      "Macro(name[,args[,args[,...]]])",
	Description: "Executes a macro using the context macro-<name>, jumping to the s extension of that context and executing each step, then returning when the steps end.\n\nThe calling extension, context, and priority are stored in MACRO_EXTEN, MACRO_CONTEXT and MACRO_PRIORITY respectively. Arguments become ARG1, ARG2, etc in the macro context.\n\nThis application is deprecated in favor of Gosub.",
	Arguments:   "name - The name of the macro\nargs - arg1, argN",
	SeeAlso:     "MacroExit, Goto, Gosub",
	Exec:        macro,
}

var macroExitApp = &pbx.App{
	Name:        "MacroExit",
	Synopsis:    "Exit from Macro.",
	Syntax:      "MacroExit()",
	Description: "Causes the currently running macro to exit as if it had ended normally by running out of priorities to execute. If used outside a macro, will likely cause unexpected behavior.",
	SeeAlso:     "Macro",
	Exec: func(*pbx.Channel, string) (pbx.Result, error) {
		return pbx.ExitNested, nil
	},
}

func macro(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	parts := pbx.SplitArgs(data, ',')
	name := parts[0]
	if name == "" {
		e.Log().Warning("Macro() requires arguments. See \"core show application macro\" for help.\n")
		return pbx.HangupResult, nil
	}
	oc, ox, op := ch.Location()
	depth := 0
	if v, ok := ch.Var("MACRO_DEPTH"); ok {
		depth, _ = strconv.Atoi(v)
	}
	if depth >= maxMacroDepth {
		e.Log().Warning("Macro():  possible infinite loop detected.  Returning early.\n")
		return pbx.Continue, nil
	}
	full := "macro-" + name
	plan := e.Plan()
	if plan == nil || !plan.Exists(full, "s", ch.CallerID().Num, 1) {
		if plan == nil || !plan.HasContext(full) {
			e.Log().Warning("No such context '%s' for macro '%s'. Was called by %s@%s\n", full, name, ox, oc)
		} else {
			e.Log().Warning("Context '%s' for macro '%s' lacks 's' extension, priority 1\n", full, name)
		}
		return pbx.Continue, nil
	}
	saved := setArgs(ch, parts[1:])
	for _, v := range []string{"MACRO_EXTEN", "MACRO_CONTEXT", "MACRO_PRIORITY", "MACRO_DEPTH"} {
		if old, ok := ch.Var(v); ok {
			saved[v] = &old
		} else {
			saved[v] = nil
		}
	}
	ch.SetVar("MACRO_EXTEN", ox)
	ch.SetVar("MACRO_CONTEXT", oc)
	ch.SetVar("MACRO_PRIORITY", strconv.Itoa(op))
	ch.SetVar("MACRO_DEPTH", strconv.Itoa(depth+1))
	res := e.RunNested(ch, full, "s", 1)
	restore(ch, saved)
	switch res.Action {
	case pbx.ActHangup:
		return pbx.HangupResult, nil
	case pbx.ActGoto:
		return res, nil
	}
	ch.SetLocation(oc, ox, op)
	return pbx.Continue, nil
}
