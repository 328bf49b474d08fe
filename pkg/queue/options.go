package queue

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Queue's options and arguments that act around a member's call, in
// app_queue's order: b() on each member's new channel and B() on the
// caller before ringing, C on the legs that lose, then, once a member
// answered, the recording (monitor-format), the member's macro and gosub,
// the caller's AGI, the DTMF features of the bridge (t/T, h/H, k/K,
// w/W, x/X) and F() when the caller hangs up first.
//
// i (ignore call forwards) is what gostrisk always does: a member's
// forward is a failed leg, neither Queue nor Dial follows it. d (data
// quality) and I (ignore connected line updates) change nothing here.

// extras are the Queue() arguments beyond the options.
type extras struct {
	opts  map[byte]string
	agi   string // AGI: run on the caller once connected
	macro string // macro: on the member's channel (else membermacro)
	gosub string // gosub: on the member's channel (else membergosub)
}

// cancelCause is the cause the legs that lose are hung up with, as
// app_queue's hangupcalls: answered elsewhere when a member answered, and
// always with C (or when the caller itself was answered elsewhere);
// chan_sip puts it in the CANCEL's Reason.
func (x *extras) cancelCause(caller *pbx.Channel, answered bool) int {
	if _, ok := x.opts['C']; ok || answered || caller.HangupCause() == pbx.CauseAnsweredElsewhere {
		return pbx.CauseAnsweredElsewhere
	}
	return pbx.CauseNormalClearing
}

// subSpec turns Queue's context^exten^priority(args) into Gosub's form.
func subSpec(s string) string { return strings.ReplaceAll(s, "^", ",") }

// beforeMember is b(): the subroutine runs on the member's new channel
// before it is called; false when the channel hung up meanwhile.
func (x *extras) beforeMember(out *pbx.Channel) bool {
	spec, ok := x.opts['b']
	if !ok || spec == "" {
		return true
	}
	apps.RunSubroutine(out, subSpec(spec))
	return !out.HangupRequested()
}

// beforeCalling is B(): the subroutine runs on the caller once, when it
// entered the queue.
func (x *extras) beforeCalling(ch *pbx.Channel) {
	if spec, ok := x.opts['B']; ok && spec != "" {
		apps.RunSubroutine(ch, subSpec(spec))
	}
}

// memberSub runs the macro and then the gosub (Queue's arguments, else
// the queue's membermacro/membergosub) on the member's channel before
// the bridge, as app_queue does. The gosub names a context started at
// s,1; what follows a comma are its arguments.
func (m *Module) memberSub(x *extras, cfg *Queue, peer *pbx.Channel) {
	macro, gosub := x.macro, x.gosub
	if macro == "" {
		macro = cfg.MemberMacro
	}
	if gosub == "" {
		gosub = cfg.MemberGosub
	}
	e := peer.Engine()
	if macro != "" && !peer.HangupRequested() {
		if _, err := e.ExecApp(peer, "Macro", macro); err != nil {
			m.log.Warning("%v\n", err)
		}
	}
	if gosub != "" && !peer.HangupRequested() {
		ctxName, args, hasArgs := strings.Cut(gosub, ",")
		spec := ctxName + ",s,1"
		if hasArgs {
			spec += "(" + args + ")"
		}
		apps.RunSubroutine(peer, spec)
	}
}

// startRecording is the queue's monitor-format, as app_queue's
// try_calling: MixMonitor on the caller (one mixed file name.format, b:
// only while bridged, MONITOR_OPTIONS added, MONITOR_EXEC run after, the
// name and command with ^{VAR} made ${VAR} and substituted), or Monitor
// (two leg files) on the member's channel, on the caller's when
// MONITOR_EXEC or MONITOR_EXEC_ARGS is set (then joined: m). The name is
// MONITOR_FILENAME, else the caller's uniqueid.
func (m *Module) startRecording(cfg *Queue, ch, peer *pbx.Channel) {
	if cfg.MonitorFormat == "" {
		return
	}
	e := ch.Engine()
	name, named := ch.Var("MONITOR_FILENAME")
	if !named {
		name = ch.UniqueID()
	}
	if cfg.MixMonitor(m.Config().General) {
		if named {
			name = escapeAndSubstitute(ch, name)
		}
		opts, _ := ch.Var("MONITOR_OPTIONS")
		data := name + "." + cfg.MonitorFormat + ",b" + opts
		if exec, ok := ch.Var("MONITOR_EXEC"); ok {
			if exec = escapeAndSubstitute(ch, exec); exec != "" {
				data += "," + exec
			}
		}
		if _, err := e.ExecApp(ch, "MixMonitor", data); err != nil {
			m.log.Warning("Unable to start mixmonitor. Is the MixMonitor app loaded?\n")
		}
		return
	}
	which := peer
	exec, hasExec := ch.Var("MONITOR_EXEC")
	if _, hasArgs := ch.Var("MONITOR_EXEC_ARGS"); hasExec || hasArgs {
		which = ch
	}
	data := cfg.MonitorFormat + "," + name
	if exec != "" {
		data += ",m"
	}
	if _, err := e.ExecApp(which, "Monitor", data); err != nil {
		m.log.Warning("Unable to start Monitor on %s: %v\n", which.Name(), err)
	}
}

// escapeAndSubstitute is app_queue's escape_and_substitute: ^{ stands
// for ${ so that a variable set in the dialplan is expanded only now.
func escapeAndSubstitute(ch *pbx.Channel, s string) string {
	return ch.Engine().Substitute(ch, strings.ReplaceAll(s, "^{", "${"))
}

// runAGI is the AGI argument: the script runs on the caller once it is
// connected, before the bridge; the member waits.
func (m *Module) runAGI(x *extras, ch *pbx.Channel) {
	if x.agi == "" || ch.HangupRequested() {
		return
	}
	if _, err := ch.Engine().ExecApp(ch, "AGI", x.agi); err != nil {
		m.log.Warning("Asked to execute an AGI on this channel, but could not find application (agi)!\n")
	}
}

// continueMember is F(): when the caller hangs up first, the member's
// channel goes on in the dialplan instead of being hung up. It reports
// whether it did (the new dialplan run owns peer).
func continueMember(x *extras, caller, peer *pbx.Channel, end pbx.BridgeEnd) bool {
	target, ok := x.opts['F']
	if !ok || end != pbx.CallerLeft || peer.HangupRequested() {
		return false
	}
	return apps.ContinueAfter(caller, peer, target)
}
