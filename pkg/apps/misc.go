package apps

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var stackPopApp = &pbx.App{
	Name:        "StackPop",
	Synopsis:    "Remove one address from gosub stack.",
	Syntax:      "StackPop()",
	Description: "Removes last label on the stack, discarding it.",
	SeeAlso:     "Return, Gosub",
	Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		f, ok := ch.PopFrame()
		if !ok {
			// gostrisk cannot tell an empty stack from one never
			// allocated; Asterisk warns only for the latter.
			ch.Engine().Log().Warning("StackPop called with no gosub stack allocated.\n")
			return pbx.Continue, nil
		}
		if f.Nested {
			// A frame a Macro or a nested run pushed: popping it would
			// break that run, which Asterisk refuses by ending the dialplan.
			ch.PushFrame(f)
			return pbx.HangupResult, nil
		}
		restore(ch, f.Saved)
		return pbx.Continue, nil
	},
}

var importVarApp = &pbx.App{
	Name:        "ImportVar",
	Synopsis:    "Import a variable from a channel into a new variable.",
	Syntax:      "ImportVar(newvar=channelname,variable)",
	Description: "This application imports a variable from the specified channel (as opposed to the current one) and stores it as a variable (newvar) in the current channel (the channel that is calling this application). Variables created by this application have the same inheritance properties as those created with the Set application.",
	Arguments:   "newvar\nvardata - channelname: The current channel's name. variable: The variable name to import.",
	SeeAlso:     "Set",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		e := ch.Engine()
		if data == "" {
			e.Log().Warning("Ignoring, since there is no variable to set\n")
			return pbx.Continue, nil
		}
		importVarWarning.Do(func() {
			e.Log().Warning("ImportVar is deprecated.  Please use Set(varname=${IMPORT(channel,variable)}) instead.\n")
		})
		name, rest, ok := strings.Cut(data, "=")
		if !ok {
			return pbx.Continue, nil
		}
		chanName, variable, ok := strings.Cut(rest, ",")
		if !ok {
			return pbx.Continue, nil
		}
		value := ""
		if other, found := e.FindChannel(chanName); found {
			value = e.Substitute(other, "${"+variable+"}")
		}
		ch.SetVar(name, value)
		return pbx.Continue, nil
	},
}

// importVarWarning prints ImportVar's deprecation once per process, as
// Asterisk's static flag does.
var importVarWarning sync.Once

var waitUntilApp = &pbx.App{
	Name:        "WaitUntil",
	Synopsis:    "Wait (sleep) until the current time is the given epoch.",
	Syntax:      "WaitUntil(epoch)",
	Description: "Waits until the given epoch.\n\nSets WAITUNTILSTATUS to one of the following values: OK (wait succeeded), FAILURE (invalid argument), HANGUP (channel hungup before time elapsed), PAST (time specified had already past).",
	Arguments:   "epoch",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		log := ch.Engine().Log()
		if data == "" {
			log.Warning("WaitUntil requires an argument(epoch)\n")
			ch.SetVar("WAITUNTILSTATUS", "FAILURE")
			return pbx.Continue, nil
		}
		secs, rest, ok := scanInt(strings.TrimLeft(data, " \t"))
		if !ok {
			log.Warning("WaitUntil called with non-numeric argument\n")
			ch.SetVar("WAITUNTILSTATUS", "FAILURE")
			return pbx.Continue, nil
		}
		future := time.Unix(int64(secs), 0)
		if frac, err := strconv.ParseFloat(rest, 64); err == nil && frac > 0 && frac < 1 {
			future = future.Add(time.Duration(frac * float64(time.Second)))
		}
		now := time.Now()
		d := future.Sub(now)
		if d < 0 {
			log.Notice("WaitUntil called in the past (now %d, arg %d)\n", now.Unix(), future.Unix())
			ch.SetVar("WAITUNTILSTATUS", "PAST")
			return pbx.Continue, nil
		}
		if !pbx.SleepOrHangup(ch, d) {
			ch.SetVar("WAITUNTILSTATUS", "HANGUP")
			return pbx.HangupResult, nil
		}
		ch.SetVar("WAITUNTILSTATUS", "OK")
		return pbx.Continue, nil
	},
}

var userEventApp = &pbx.App{
	Name:     "UserEvent",
	Synopsis: "Send an arbitrary user-defined event to parties interested in a channel (AMI users and relevant res_stasis applications).",
	Syntax:   "UserEvent(eventname[,body])",
	Description: "Sends an arbitrary event to interested parties, with an optional body representing additional arguments. " +
		"The body may be specified as a , delimited list of key:value pairs.\n\n" +
		"For AMI, each additional argument will be placed on a new line in the event and the format of the event will be:\n\n" +
		"Event: UserEvent\n\nUserEvent: <specified event name>\n\n[body]\n\nIf no body is specified, only Event and UserEvent headers will be present.",
	Arguments: "eventname\nbody",
	SeeAlso:   "UserEvent (manager event)",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if data == "" {
			ch.Engine().Log().Warning("UserEvent requires an argument (eventname,optional event body)\n")
			return pbx.HangupResult, nil
		}
		args := pbx.SplitArgs(data, ',')
		if len(args) > 101 {
			args = args[:101]
		}
		ev := pbx.BusEvent{Type: pbx.BusUserEvent, Channel: ch, EventName: args[0]}
	fields:
		for _, a := range args[1:] {
			key, value, ok := strings.Cut(a, ":")
			if !ok {
				continue // Asterisk skips a part without a colon
			}
			value = strings.TrimSpace(value)
			// A repeated key replaces the earlier value, as in the JSON
			// object Asterisk builds.
			for i := range ev.Fields {
				if ev.Fields[i].Key == key {
					ev.Fields[i].Value = value
					continue fields
				}
			}
			ev.Fields = append(ev.Fields, pbx.EventField{Key: key, Value: value})
		}
		ch.Engine().Bus().Publish(ev)
		return pbx.Continue, nil
	},
}

var dumpChanApp = &pbx.App{
	Name:     "DumpChan",
	Synopsis: "Dump Info About The Calling Channel.",
	Syntax:   "DumpChan([level])",
	Description: "Displays information on channel and listing of all channel variables. " +
		"If level is specified, output is only displayed when the verbose level is currently set to that number or greater.",
	Arguments: "level - Minimum verbose level",
	SeeAlso:   "NoOp, Verbose",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		level, _, _ := scanInt(strings.TrimSpace(data))
		line := strings.Repeat("=", 80)
		var vars strings.Builder
		for _, kv := range ch.Vars() {
			vars.WriteString(kv)
			vars.WriteByte('\n')
		}
		ch.Engine().Log().Verbose(level, "\nDumping Info For Channel: %s:\n%s\nInfo:\n%s\nVariables:\n%s%s\n",
			ch.Name(), line, channelInfo(ch), vars.String(), line)
		return pbx.Continue, nil
	},
}

// channelInfo is the Info block of DumpChan, field for field as
// app_dumpchan prints it. Counters gostrisk does not keep (rings, frames,
// file descriptors) are 0; groups are empty.
func channelInfo(ch *pbx.Channel) string {
	orNA := func(s string) string {
		if s == "" {
			return "(N/A)"
		}
		return s
	}
	format := "(nothing)"
	if f := ch.NativeFormat(); f != nil {
		format = f.Name
	}
	el := int(time.Since(ch.Created()).Seconds())
	bridge := ch.BridgeID()
	if bridge == "" {
		bridge = "(Not bridged)"
	}
	app, data := ch.Application()
	switch {
	case app == "":
		app, data = "(N/A)", "(None)"
	case data == "":
		data = "(Empty)"
	}
	dpc, exten, prio := ch.Location()
	cid, conn := ch.CallerID(), ch.Connected()
	st := ch.State()
	var b strings.Builder
	f := func(name, format string, args ...any) {
		fmt.Fprintf(&b, "%-20s"+format+"\n", append([]any{name + "="}, args...)...)
	}
	f("Name", "%s", ch.Name())
	f("Type", "%s", ch.Tech())
	f("UniqueID", "%s", ch.UniqueID())
	f("LinkedID", "%s", ch.LinkedID())
	f("CallerIDNum", "%s", orNA(cid.Num))
	f("CallerIDName", "%s", orNA(cid.Name))
	f("ConnectedLineIDNum", "%s", orNA(conn.Num))
	f("ConnectedLineIDName", "%s", orNA(conn.Name))
	f("DNIDDigits", "%s", orNA(cid.DNID))
	f("RDNIS", "%s", orNA(cid.RDNIS))
	f("Parkinglot", "%s", "")
	f("Language", "%s", ch.Language())
	f("State", "%s (%d)", st, int(st))
	f("Rings", "%d", 0)
	f("NativeFormat", "(%s)", format)
	f("WriteFormat", "%s", format)
	f("ReadFormat", "%s", format)
	f("RawWriteFormat", "%s", format)
	f("RawReadFormat", "%s", format)
	f("WriteTranscode", "%s %s", "No", "")
	f("ReadTranscode", "%s %s", "No", "")
	f("1stFileDescriptor", "%d", -1)
	f("Framesin", "%d %s", 0, "")
	f("Framesout", "%d %s", 0, "")
	f("TimetoHangup", "%d", 0)
	f("ElapsedTime", "%dh%dm%ds", el/3600, el%3600/60, el%60)
	f("BridgeID", "%s", bridge)
	f("Context", "%s", dpc)
	f("Extension", "%s", exten)
	f("Priority", "%d", prio)
	f("CallGroup", "%s", "")
	f("PickupGroup", "%s", "")
	f("Application", "%s", app)
	f("Data", "%s", data)
	f("Blocking_in", "%s", "(Not Blocking)")
	return b.String()
}

var macroIfApp = &pbx.App{
	Name:        "MacroIf",
	Synopsis:    "Conditional Macro implementation.",
	Syntax:      "MacroIf(expr?macroiftrue[,...][:macroiffalse[,...]])",
	Description: "Executes macro defined in macroiftrue if expr is true (otherwise macroiffalse if provided)\n\nArguments and return values as in application Macro()\n\nThis application is deprecated in favor of GotoIf and Gosub.",
	Arguments:   "expr\ndestination - macroiftrue, macroiffalse: a macro name and its arguments.",
	SeeAlso:     "GotoIf, GosubIf, IF",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		cond, branches, ok := strings.Cut(data, "?")
		if !ok {
			ch.Engine().Log().Warning("Invalid Syntax.\n")
			return pbx.Continue, nil
		}
		ifTrue, ifFalse, hasFalse := strings.Cut(branches, ":")
		switch {
		case pbx.CheckCondition(cond):
			return macro(ch, ifTrue)
		case hasFalse:
			return macro(ch, ifFalse)
		}
		return pbx.Continue, nil
	},
}

var macroExclusiveApp = &pbx.App{
	Name:     "MacroExclusive",
	Synopsis: "Exclusive Macro Implementation.",
	Syntax:   "MacroExclusive(name[,arg1[,arg2[,...]]])",
	Description: "Executes macro defined in the context macro-name. Only one call at a time may run the macro. " +
		"(we'll wait if another call is busy executing in the Macro)\n\nArguments and return values as in application Macro()\n\n" +
		"This application is deprecated in favor of Gosub.",
	Arguments: "name - The name of the macro\narg1\narg2",
	SeeAlso:   "Macro",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		name, _, _ := strings.Cut(data, ",")
		mu, _ := macroLocks.LoadOrStore(macroLockKey{ch.Engine(), name}, &sync.Mutex{})
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()
		return macro(ch, data)
	},
}

// macroLockKey names one macro of one engine for MacroExclusive.
type macroLockKey struct {
	e    *pbx.Engine
	name string
}

// macroLocks holds a mutex per macro ever run exclusively; there are as
// many as the dialplan has macros, so the map needs no cleaning.
var macroLocks sync.Map
