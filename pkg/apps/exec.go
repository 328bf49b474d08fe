package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var execApp = &pbx.App{
	Name:     "Exec",
	Synopsis: "Executes dialplan application.",
	Syntax:   "Exec(appname(arguments))",
	Description: "Allows an arbitrary application to be invoked even when not hard coded into the dialplan. " +
		"If the underlying application terminates the dialplan, or if the application cannot be found, Exec will terminate the dialplan.\n\n" +
		"To invoke external applications, see the application System. If you would like to catch any error instead, see TryExec.",
	Arguments: "appname - Application name and arguments of the dialplan application to execute.",
	SeeAlso:   "TryExec, System, ExecIf",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if data == "" {
			return pbx.Continue, nil
		}
		name, args := splitAppCall(data)
		return execSubstituted(ch, name, args)
	},
}

var tryExecApp = &pbx.App{
	Name:     "TryExec",
	Synopsis: "Executes dialplan application, always returning.",
	Syntax:   "TryExec(appname(arguments))",
	Description: "Allows an arbitrary application to be invoked even when not hard coded into the dialplan. " +
		"To invoke external applications see the application System. Always returns to the dialplan. " +
		"The channel variable TRYSTATUS will be set to one of: SUCCESS (if the application returned zero), " +
		"FAILED (if the application returned non-zero), NOAPP (if the application was not found or was not specified).",
	Arguments: "appname - Application name and arguments of the dialplan application to execute.",
	SeeAlso:   "Exec, System, ExecIf",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if data == "" {
			return pbx.Continue, nil
		}
		e := ch.Engine()
		name, args := splitAppCall(data)
		if _, ok := e.App(name); !ok {
			e.Log().Warning("Could not find application (%s)\n", name)
			ch.SetVar("TRYSTATUS", "NOAPP")
			return pbx.Continue, nil
		}
		res, err := e.ExecApp(ch, name, e.Substitute(ch, args))
		if err != nil || res.Action == pbx.ActHangup {
			if err != nil {
				e.Log().Warning("%s: %v\n", name, err)
			}
			ch.SetVar("TRYSTATUS", "FAILED")
			return pbx.Continue, nil
		}
		ch.SetVar("TRYSTATUS", "SUCCESS")
		// A jump the application made stands, as in Asterisk where it has
		// already moved the channel.
		return res, nil
	},
}

// splitAppCall separates "App(args)" at the first '(' and the last ')'.
func splitAppCall(s string) (name, args string) {
	name, args, open := strings.Cut(s, "(")
	if open {
		if i := strings.LastIndexByte(args, ')'); i >= 0 {
			args = args[:i]
		}
	}
	return name, args
}
