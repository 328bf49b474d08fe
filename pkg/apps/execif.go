package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var execIfApp = &pbx.App{
	Name:        "ExecIf",
	Synopsis:    "Executes dialplan application, conditionally.",
	Syntax:      "ExecIf(expression?appiftrue(args)[:appiffalse(args)])",
	Description: "If expr is true, execute and return the result of appiftrue(args).\n\nIf expr is true, but appiftrue is not found, then the application will return a non-zero value.",
	Arguments:   "expression\nexecapp - appiftrue: Call application if the condition is true. appiffalse: Call application if the condition is false.",
	SeeAlso:     "Exec, TryExec",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		call, ok := chooseBranch(data)
		if !ok {
			ch.Engine().Log().Warning("ExecIf requires an argument:\n  ExecIf(<expr>?<appiftrue>(<args>)[:<appiffalse>(<args)])\n")
			return pbx.HangupResult, nil
		}
		if call == "" {
			return pbx.Continue, nil
		}
		name, args := call, ""
		if i := strings.IndexByte(call, '('); i >= 0 {
			name, args = call[:i], strings.TrimSuffix(call[i+1:], ")")
		}
		if _, ok := ch.Engine().App(name); !ok {
			ch.Engine().Log().Warning("Could not find application! (%s)\n", name)
			return pbx.HangupResult, nil
		}
		return ch.Engine().ExecApp(ch, name, args)
	},
}
