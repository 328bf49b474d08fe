package apps

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

const timeSpecUsage = "<time range>,<days of week>,<days of month>,<months>[,<timezone>]"

var gotoIfTimeApp = &pbx.App{
	Name:     "GotoIfTime",
	Synopsis: "Conditional Goto based on the current time.",
	Syntax:   "GotoIfTime(times,weekdays,mdays,months[,timezone]?[labeliftrue][:labeliffalse])",
	Description: "This application will have the calling channel jump to the specified location in the dialplan if the current time matches the given time specification. " +
		"Further information on the time specification can be found in examples illustrating how to do time-based context includes in the dialplan. " +
		"If the channel variable TESTTIME is set to an epoch time, the application evaluates the time specification against that time instead of the current time.",
	Arguments: "condition\ntimes\nweekdays\nmdays\nmonths\ntimezone\ndestination - labeliftrue: Continue at labeliftrue if the condition is true. labeliffalse: Continue at labeliffalse if the condition is false.",
	SeeAlso:   "GotoIf, Goto, IFTIME(), TESTTIME",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		log := ch.Engine().Log()
		if data == "" {
			log.Warning("GotoIfTime requires an argument:\n  %s?'labeliftrue':'labeliffalse'\n", timeSpecUsage)
			return pbx.HangupResult, nil
		}
		now := time.Now()
		// Read as Asterisk reads it: the channel's, else a global.
		if v, ok := ch.Engine().Env(ch).Var("TESTTIME"); ok {
			if secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				now = time.Unix(secs, 0)
			} else {
				log.Warning("Using current time to evaluate\n")
				ch.UnsetVar("TESTTIME")
			}
		}
		spec, branches, _ := strings.Cut(data, "?")
		ifTrue, ifFalse, _ := strings.Cut(branches, ":")
		branch := ifFalse
		if ts, ok := pbx.ParseTimeSpec(spec, log); ok && ts.Match(now) {
			branch = ifTrue
		}
		if branch == "" {
			return pbx.Continue, nil
		}
		return jump(ch, branch)
	},
}

var execIfTimeApp = &pbx.App{
	Name:        "ExecIfTime",
	Synopsis:    "Conditional application execution based on the current time.",
	Syntax:      "ExecIfTime(times,weekdays,mdays,months[,timezone]?appname[(appargs)])",
	Description: "This application will execute the specified dialplan application, with optional arguments, if the current time matches the given time specification.",
	Arguments:   "day_condition\ntimes\nweekdays\nmdays\nmonths\ntimezone\nappname\nappargs",
	SeeAlso:     "Exec, ExecIf, TryExec, GotoIfTime",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		log := ch.Engine().Log()
		usage := "ExecIfTime requires an argument:\n  " + timeSpecUsage + "?<appname>[(<appargs>)]"
		spec, call, found := strings.Cut(data, "?")
		if data == "" || !found {
			log.Warning("%s\n", usage)
			return pbx.HangupResult, nil
		}
		ts, ok := pbx.ParseTimeSpec(spec, log)
		if !ok {
			log.Warning("Invalid Time Spec: %s\nCorrect usage: %s\n", spec, usage)
			return pbx.HangupResult, nil
		}
		if !ts.Match(time.Now()) {
			return pbx.Continue, nil
		}
		name, args, open := strings.Cut(call, "(")
		if open {
			if i := strings.LastIndexByte(args, ')'); i >= 0 {
				args = args[:i]
			} else {
				log.Warning("Failed to find closing parenthesis\n")
			}
		}
		return execSubstituted(ch, name, args)
	},
}

// execSubstituted runs an application whose arguments are substituted
// once more, as ast_pbx_exec_application and Exec do.
func execSubstituted(ch *pbx.Channel, name, args string) (pbx.Result, error) {
	e := ch.Engine()
	if _, ok := e.App(name); !ok {
		e.Log().Warning("Could not find application (%s)\n", name)
		return pbx.HangupResult, nil
	}
	return e.ExecApp(ch, name, e.Substitute(ch, args))
}
