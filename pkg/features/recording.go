package features

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// touchVars are the channel variables one-touch recording reads: the
// file's format, its name part and its prefix.
type touchVars struct{ format, monitor, prefix string }

var (
	monitorVars    = touchVars{"TOUCH_MONITOR_FORMAT", "TOUCH_MONITOR", "TOUCH_MONITOR_PREFIX"}
	mixMonitorVars = touchVars{"TOUCH_MIXMONITOR_FORMAT", "TOUCH_MIXMONITOR", "TOUCH_MIXMONITOR_PREFIX"}
)

// recorder is one of the two one-touch recording features: automon
// (res_monitor's Monitor, the legs joined) and automixmon (MixMonitor).
type recorder struct {
	app, stopApp string // the applications that start and stop it
	name         string // AutoMonitor / AutoMixMonitor, in the log lines
	vars         touchVars
	msgVar       string // TOUCH_..._MESSAGE_START / _STOP prefix
	outVar       string // TOUCH_..._OUTPUT, set on both parties
}

var (
	autoMonitor = recorder{app: "Monitor", stopApp: "StopMonitor", name: "AutoMonitor",
		vars: monitorVars, msgVar: "TOUCH_MONITOR_MESSAGE_", outVar: "TOUCH_MONITOR_OUTPUT"}
	autoMixMonitor = recorder{app: "MixMonitor", stopApp: "StopMixMonitor", name: "AutoMixMonitor",
		vars: mixMonitorVars, msgVar: "TOUCH_MIXMONITOR_MESSAGE_", outVar: "TOUCH_MIXMONITOR_OUTPUT"}
)

// now is the clock of the file names (tests set it).
var now = time.Now

// touchSettings reads the recorder's variables from the presser, or from
// the other party when the presser has none of them set.
func (r recorder) touchSettings(presser, other *pbx.Channel) (format, monitor, prefix string) {
	read := func(ch *pbx.Channel) (f, m, p string, any bool) {
		var ok [3]bool
		f, ok[0] = ch.Var(r.vars.format)
		m, ok[1] = ch.Var(r.vars.monitor)
		p, ok[2] = ch.Var(r.vars.prefix)
		return f, m, p, ok[0] || ok[1] || ok[2]
	}
	if f, m, p, ok := read(presser); ok {
		return f, m, p
	}
	f, m, p, _ := read(other)
	return f, m, p
}

// partyID is what names a party in the file: its caller number, else its
// channel name.
func partyID(ch *pbx.Channel) string {
	if n := ch.CallerID().Num; n != "" {
		return n
	}
	return ch.Name()
}

// fileName builds the recording's name as Asterisk does:
// <prefix|auto>-<unix time>-<TOUCH_MONITOR> or
// <prefix|auto>-<unix time>-<presser id>-<other id>, with a '.<format>'
// for MixMonitor (Monitor takes the format apart), every '/' turned
// into '-'.
func (r recorder) fileName(presser, other *pbx.Channel) (name, format string) {
	format, monitor, prefix := r.touchSettings(presser, other)
	if prefix == "" {
		prefix = "auto"
	}
	stamp := strconv.FormatInt(now().Unix(), 10)
	if monitor != "" {
		name = prefix + "-" + stamp + "-" + monitor
	} else {
		name = prefix + "-" + stamp + "-" + partyID(presser) + "-" + partyID(other)
	}
	if r.app == "MixMonitor" {
		if format == "" {
			format = "wav"
		}
		name += "." + format
	}
	return strings.ReplaceAll(name, "/", "-"), format
}

// recordFeature is automon or automixmon: it toggles the recording of
// the other party (the presser's peer in the bridge).
func (m *Module) recordFeature(r recorder) func(ctx context.Context, presser, other *pbx.Channel) {
	return func(ctx context.Context, presser, other *pbx.Channel) {
		g := m.configFor(presser).General
		if m.opts.Recording == nil {
			// No recording module is loaded: the start cannot work.
			m.log.Verbose(4, "%s feature was tried by '%s' but %s failed to start.\n", r.name, presser.Name(), r.failWhat())
			play(presser, g.RecordingFailSound)
			return
		}
		if m.opts.Recording(other, r.app) {
			r.stop(m, g, presser, other)
		} else {
			r.start(m, g, presser, other)
		}
	}
}

func (r recorder) failWhat() string {
	if r.app == "Monitor" {
		return "monitor"
	}
	return "MixMonitor"
}

func (r recorder) message(presser *pbx.Channel, which string) string {
	v, _ := presser.Var(r.msgVar + which)
	return v
}

func (r recorder) start(m *Module, g General, presser, other *pbx.Channel) {
	name, format := r.fileName(presser, other)
	m.log.Verbose(4, "%s used to record call. Filename: %s\n", r.name, name)
	var args string
	if r.app == "Monitor" {
		// res_monitor with its legs joined into one file.
		args = format + "," + name + ",m"
	} else {
		// Bridged audio only, as Asterisk's start does.
		args = name + ",b"
	}
	_, _ = other.Engine().ExecApp(other, r.app, args)
	if !m.opts.Recording(other, r.app) {
		m.log.Verbose(4, "%s feature was tried by '%s' but %s failed to start.\n", r.name, presser.Name(), r.failWhat())
		play(presser, g.RecordingFailSound)
		return
	}
	playBoth(presser, other, g.CourtesyTone)
	playBoth(presser, other, r.message(presser, "START"))
	presser.SetVar(r.outVar, name)
	other.SetVar(r.outVar, name)
}

func (r recorder) stop(m *Module, g General, presser, other *pbx.Channel) {
	m.log.Verbose(4, "%s used to stop recording call.\n", r.name)
	_, _ = other.Engine().ExecApp(other, r.stopApp, "")
	if m.opts.Recording(other, r.app) {
		m.log.Verbose(4, "Failed to stop %s for %s.\n", r.name, presser.Name())
		play(presser, g.RecordingFailSound)
		return
	}
	playBoth(presser, other, g.CourtesyTone)
	playBoth(presser, other, r.message(presser, "STOP"))
}

// playBoth plays a prompt to both parties at once (the courtesy tone and
// the start/stop messages are heard on both sides); "" plays nothing.
func playBoth(a, b *pbx.Channel, file string) {
	if file == "" {
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		play(b, file)
	}()
	play(a, file)
	wg.Wait()
}
