package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var gotoApp = &pbx.App{
	Name:        "Goto",
	Synopsis:    "Jump to a particular priority, extension, or context.",
	Syntax:      "Goto([[context,]extensions,]priority)",
	Description: "This application will set the current context, extension, and priority in the channel structure. After it completes, the pbx engine will continue dialplan execution at the specified location. If no specific extension, or extension and context, are specified, then this application will just set the specified priority of the current extension.\n\nAt least a priority is required as an argument, or the goto will return a -1, and the channel and call will be terminated.\n\nIf the location that is put into the channel information is bogus, and asterisk cannot find that location in the dialplan, then the execution engine will try to find and execute the code in the i (invalid) extension in the current context. If that does not exist, it will try to execute the h extension. If neither the h nor i extensions have been defined, the channel is hung up, and the execution of instructions on the channel is terminated. What this means is that, for example, you specify a context that does not exist, then it will not be possible to find the h or i extensions, and the call will terminate!",
	Arguments:   "context\nextensions\npriority",
	SeeAlso:     "GotoIf, GotoIfTime, Gosub, Macro",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		return jump(ch, data)
	},
}

// jump resolves a Goto target and returns the jump, logging as Asterisk's
// Goto does.
func jump(ch *pbx.Channel, target string) (pbx.Result, error) {
	e := ch.Engine()
	if strings.TrimSpace(target) == "" {
		e.Log().Warning("Goto requires an argument ([[context,]extension,]priority)\n")
		return pbx.HangupResult, nil
	}
	c, x, p, err := e.ResolveGoto(ch, target)
	if err != nil {
		e.Log().Warning("%v\n", err)
		return pbx.HangupResult, nil
	}
	e.Log().Verbose(3, "Goto (%s,%s,%d)\n", c, x, p)
	return pbx.GotoResult(c, x, p), nil
}

var gotoIfApp = &pbx.App{
	Name:        "GotoIf",
	Synopsis:    "Conditional goto.",
	Syntax:      "GotoIf(condition?[labeliftrue][:labeliffalse])",
	Description: "This application will set the current context, extension, and priority in the channel structure based on the evaluation of the given condition. After this application completes, the pbx engine will continue dialplan execution at the specified location in the dialplan. The labels are specified with the same syntax as used within the Goto application. If the label chosen by the condition is omitted, no jump is performed, and the execution passes to the next instruction. If the target location is bogus, and does not exist, the execution engine will try to find and execute the code in the i (invalid) extension in the current context. If that does not exist, it will try to execute the h extension. If neither the h nor i extensions have been defined, the channel is hung up, and the execution of instructions on the channel is terminated. Remember that this command can set the current context, and if the context specified does not exist, then it will not be able to find any 'h' or 'i' extensions there, and the channel and call will both be terminated!.",
	Arguments:   "condition\ndestination - labeliftrue: Continue at labeliftrue if the condition is true. labeliffalse: Continue at labeliffalse if the condition is false.",
	SeeAlso:     "Goto, GotoIfTime, GosubIf, MacroIf",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		target, ok := chooseBranch(data)
		if !ok {
			ch.Engine().Log().Warning("Ignoring, since there is no question mark\n")
			return pbx.Continue, nil
		}
		if target == "" {
			return pbx.Continue, nil
		}
		return jump(ch, target)
	},
}
