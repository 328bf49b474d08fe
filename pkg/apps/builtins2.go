package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Core applications of pbx_builtins.c that steer the executor
// (Incomplete, RaiseException), and small modules' ones: app_reload's
// Reload, func_strings' ClearHash, app_sayunixtime's DateTime.

var incompleteApp = &pbx.App{
	Name:        "Incomplete",
	Synopsis:    "Returns AST_PBX_INCOMPLETE value.",
	Syntax:      "Incomplete([n])",
	Description: "Signals the PBX routines that the previous matched extension is incomplete and that further input should be allowed before matching can be considered to be complete.  Can be used within a pattern match when certain criteria warrants a longer match.",
	Arguments:   "n - If specified, then Incomplete will not attempt to answer the channel first.\n    Most channel types need to be in Answer state in order to receive DTMF.",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if ch.HangupRequested() {
			return pbx.HangupResult, nil
		}
		if !hasOption(data, 'n') && ch.State() != pbx.StateUp {
			if err := ch.Answer(); err != nil {
				ch.Engine().Log().Warning("Failed to answer %s: %v\n", ch.Name(), err)
			}
		}
		dpc, exten, prio := ch.Location()
		ch.Engine().Log().Verbose(2, "Spawn extension (%s, %s, %d) exited INCOMPLETE on '%s'\n", dpc, exten, prio, ch.Name())
		return ch.Engine().CollectMore(ch), nil
	},
}

var raiseExceptionApp = &pbx.App{
	Name:        "RaiseException",
	Synopsis:    "Handle an exceptional condition.",
	Syntax:      "RaiseException(reason)",
	Description: "This application will jump to the e extension in the current context, setting the dialplan function EXCEPTION(). If the e extension does not exist, the call will hangup.",
	Arguments:   "reason",
	SeeAlso:     "Exception",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		return pbx.RaiseException(ch, data), nil
	},
}

var reloadApp = &pbx.App{
	Name:        "Reload",
	Synopsis:    "Reloads an Asterisk module, blocking the channel until the reload has completed.",
	Syntax:      "Reload([module])",
	Description: "Reloads the specified (or all) Asterisk modules and reports success or failure. Success is determined by each individual module, and if all reloads are successful, that is considered an aggregate success. If multiple modules are specified and any module fails, then FAILURE will be returned. It is still possible that other modules did successfully reload, however.\n\nSets RELOADSTATUS to one of the following values:\n    SUCCESS: Specified module(s) reloaded successfully.\n    FAILURE: Some or all of the specified modules failed to reload.",
	Arguments:   "module - The full name(s) of the target module(s) or resource(s) to reload. If omitted, everything will be reloaded.\n    The full names MUST be specified (e.g. chan_iax2 to reload IAX2 or pbx_config to reload the dialplan.",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		reload := configOf(ch.Engine()).Reload
		ok := reload != nil
		if ok && data == "" {
			ok = reload("") == nil
		} else if ok {
			// Every module is tried, as app_reload does, even after a
			// failure.
			for _, m := range strings.Split(data, ",") {
				if err := reload(strings.TrimSpace(m)); err != nil {
					ok = false
				}
			}
		}
		status := "SUCCESS"
		if !ok {
			status = "FAILURE"
		}
		ch.SetVar("RELOADSTATUS", status)
		return pbx.Continue, nil
	},
}

var clearHashApp = &pbx.App{
	Name:        "ClearHash",
	Synopsis:    "Clear the keys from a specified hashname.",
	Syntax:      "ClearHash(hashname)",
	Description: "Clears all keys out of the specified hashname.",
	Arguments:   "hashname",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if data == "" {
			data = "null" // the name Asterisk's prefix gets for no argument
		}
		prefix := strings.ToLower("~HASH~" + data + "~")
		for _, v := range ch.Vars() {
			name, _, _ := strings.Cut(v, "=")
			name = strings.TrimLeft(name, "_")
			if strings.HasPrefix(strings.ToLower(name), prefix) {
				ch.UnsetVar(name)
			}
		}
		return pbx.Continue, nil
	},
}

// dateTimeApp is SayUnixTime under app_sayunixtime's second name.
var dateTimeApp = &pbx.App{
	Name:        "DateTime",
	Synopsis:    "Says a specified time in a custom format.",
	Syntax:      "DateTime([unixtime[,timezone[,format]]])",
	Description: "Say the date and time in a specified format.",
	Arguments:   "unixtime - time, in seconds since Jan 1, 1970. May be negative. Defaults to now.\ntimezone - timezone, see /usr/share/zoneinfo for a list. Defaults to machine default.\nformat - a format the time is to be said in. See voicemail.conf. Defaults to ABdY \"digits/at\" IMp",
	Exec:        sayUnixTimeExec,
}

// hangupCauseClearApp is func_hangupcause's HangupCauseClear: it forgets
// the cause codes HANGUPCAUSE reads.
var hangupCauseClearApp = &pbx.App{
	Name:        "HangupCauseClear",
	Synopsis:    "Clears hangup cause information from the channel that is available through HANGUPCAUSE.",
	Syntax:      "HangupCauseClear()",
	Description: "Clears all channel-specific hangup cause information from the channel. This is never done automatically (i.e. for new Dial()s).",
	SeeAlso:     "HANGUPCAUSE, HANGUPCAUSE_KEYS",
	Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		ch.ClearCauseCodes()
		return pbx.Continue, nil
	},
}
