package mixmonitor

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/manager"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Registrar is where the actions go: the manager's *Module.
type Registrar interface {
	RegisterAction(manager.Action) error
}

// RegisterAMI adds app_mixmonitor's MixMonitor, StopMixMonitor and
// MixMonitorMute actions and res_monitor's Monitor, StopMonitor,
// ChangeMonitor, PauseMonitor and UnpauseMonitor on eng's channels.
func (m *Module) RegisterAMI(reg Registrar, eng *pbx.Engine) error {
	find := func(name string) *pbx.Channel {
		for _, ch := range eng.Channels() {
			if strings.EqualFold(ch.Name(), name) {
				return ch
			}
		}
		return nil
	}
	for _, a := range []manager.Action{
		{Name: "MixMonitor", Synopsis: "Record a call and mix the audio during the recording.  Use of StopMixMonitor is required to guarantee the audio file is available for processing during dialplan execution.",
			Perm: manager.PermSystem, Handler: func(r *manager.Request) error { return m.amiStart(r, find) }},
		{Name: "StopMixMonitor", Synopsis: "Stop recording a call through MixMonitor, and free the recording's file handle.",
			Perm: manager.PermSystem | manager.PermCall, Handler: func(r *manager.Request) error { return m.amiStop(r, find) }},
		{Name: "MixMonitorMute", Synopsis: "Mute / unMute a Mixmonitor recording.",
			Perm: manager.PermSystem | manager.PermCall, Handler: func(r *manager.Request) error { return m.amiMute(r, find) }},
		{Name: "Monitor", Synopsis: "Monitor a channel.",
			Perm: manager.PermCall, Handler: func(r *manager.Request) error { return m.amiMonitor(r, find) }},
		{Name: "StopMonitor", Synopsis: "Stop monitoring a channel.",
			Perm: manager.PermCall, Handler: func(r *manager.Request) error { return m.amiStopMonitor(r, find) }},
		{Name: "ChangeMonitor", Synopsis: "Change monitoring filename of a channel.",
			Perm: manager.PermCall, Handler: func(r *manager.Request) error { return m.amiChangeMonitor(r, find) }},
		{Name: "PauseMonitor", Synopsis: "Pause monitoring of a channel.",
			Perm: manager.PermCall, Handler: func(r *manager.Request) error { return m.amiPauseMonitor(r, find, true) }},
		{Name: "UnpauseMonitor", Synopsis: "Unpause monitoring of a channel.",
			Perm: manager.PermCall, Handler: func(r *manager.Request) error { return m.amiPauseMonitor(r, find, false) }},
	} {
		if err := reg.RegisterAction(a); err != nil {
			return fmt.Errorf("app_mixmonitor: %w", err)
		}
	}
	return nil
}

// recordings returns ch's MixMonitor recordings (the one with id when
// id is not empty).
func (m *Module) recordings(ch *pbx.Channel, id string) []*recording {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*recording
	for _, r := range m.recs[ch] {
		if r.app == "MixMonitor" && (id == "" || r.id == id) {
			out = append(out, r)
		}
	}
	return out
}

func (m *Module) amiStart(r *manager.Request, find func(string) *pbx.Channel) error {
	ch := channelArg(r, find)
	if ch == nil {
		return nil
	}
	before := len(m.recordings(ch, ""))
	opts := r.Get("Options")
	m.mixMonitorExec(ch, r.Get("File")+","+opts+","+r.Get("Command"))
	recs := m.recordings(ch, "")
	if len(recs) <= before {
		r.Error("Could not start monitoring channel")
		return nil
	}
	var fields []manager.Header
	// With i(<var>) the recording's id is in <var>, and in the answer.
	if v, ok := pbx.ParseAppOptions(opts)['i']; ok && v != "" {
		fields = append(fields, manager.Header{Key: "MixMonitorID", Value: recs[len(recs)-1].id})
	}
	r.Success("", fields...)
	return nil
}

func (m *Module) amiStop(r *manager.Request, find func(string) *pbx.Channel) error {
	ch := channelArg(r, find)
	if ch == nil {
		return nil
	}
	recs := m.recordings(ch, r.Get("MixMonitorID"))
	if len(recs) == 0 {
		r.Error("Could not stop monitoring channel")
		return nil
	}
	for _, rec := range recs {
		rec.stop()
		<-rec.done
	}
	r.Success("")
	return nil
}

func (m *Module) amiMute(r *manager.Request, find func(string) *pbx.Channel) error {
	name, dir := r.Get("Channel"), r.Get("Direction")
	if name == "" {
		r.Error("No channel specified")
		return nil
	}
	if dir == "" {
		r.Error("No direction specified. Must be read, write or both")
		return nil
	}
	var which []int
	switch strings.ToLower(dir) {
	case "read":
		which = []int{0}
	case "write":
		which = []int{1}
	case "both":
		which = []int{0, 1}
	default:
		r.Error("Invalid direction specified. Must be read, write or both")
		return nil
	}
	ch := find(name)
	if ch == nil {
		r.Error("No such channel")
		return nil
	}
	recs := m.recordings(ch, "")
	if len(recs) == 0 {
		r.Error("Cannot set mute flag")
		return nil
	}
	on := confparse.True(r.Get("State"))
	for _, rec := range recs {
		for _, i := range which {
			rec.muted[i].Store(on)
		}
	}
	r.Success("")
	return nil
}

// amiMonitor is res_monitor's Monitor: both directions of Channel to
// File (default the channel's name with '-' for '/') in Format (wav),
// joined into one file when Mix is true. On a channel already monitored
// the start fails and res_monitor falls back to ast_monitor_change_fname:
// the running Monitor's files get File's name when it ends, and the
// answer is success all the same.
func (m *Module) amiMonitor(r *manager.Request, find func(string) *pbx.Channel) error {
	ch := channelArg(r, find)
	if ch == nil {
		return nil
	}
	format := r.Get("Format")
	if format == "" {
		format = "wav"
	}
	base := r.Get("File")
	if base == "" {
		base = strings.ReplaceAll(ch.Name(), "/", "-")
	}
	s := spec{}
	if confparse.True(r.Get("Mix")) {
		s.mixed = base + "." + format
	} else {
		s.readName, s.writeName = base+"-in."+format, base+"-out."+format
	}
	if m.Running(ch, "Monitor") {
		if !m.changeMonitor(ch, base) {
			r.Error("Could not start monitoring channel")
			return nil
		}
		if rec := m.monitorOf(ch); rec != nil && confparse.True(r.Get("Mix")) {
			// ast_monitor_setjoinfiles on the running Monitor.
			rec.mu.Lock()
			rec.joinFiles = true
			rec.mu.Unlock()
		}
		r.Success("Started monitoring channel")
		return nil
	}
	if _, err := m.start(ch, s, "Monitor"); err != nil {
		r.Error("Could not start monitoring channel")
		return nil
	}
	r.Success("Started monitoring channel")
	return nil
}

// amiStopMonitor is res_monitor's StopMonitor.
func (m *Module) amiStopMonitor(r *manager.Request, find func(string) *pbx.Channel) error {
	ch := channelArg(r, find)
	if ch == nil {
		return nil
	}
	if !m.Running(ch, "Monitor") {
		r.Error("Could not stop monitoring channel")
		return nil
	}
	_, _ = m.stopMonitorExec(ch, "")
	r.Success("Stopped monitoring channel")
	return nil
}

// amiChangeMonitor is res_monitor's ChangeMonitor: like the application,
// a channel without a Monitor only gets a warning in the log.
func (m *Module) amiChangeMonitor(r *manager.Request, find func(string) *pbx.Channel) error {
	name, file := r.Get("Channel"), r.Get("File")
	switch {
	case name == "":
		r.Error("No channel specified")
		return nil
	case file == "":
		r.Error("No filename specified")
		return nil
	}
	ch := find(name)
	if ch == nil {
		r.Error("No such channel")
		return nil
	}
	if !m.changeMonitor(ch, file) {
		r.Error("Could not change monitored filename of channel")
		return nil
	}
	r.Success("Changed monitor filename")
	return nil
}

// amiPauseMonitor is res_monitor's PauseMonitor and UnpauseMonitor,
// which acknowledge whether or not the channel has a Monitor.
func (m *Module) amiPauseMonitor(r *manager.Request, find func(string) *pbx.Channel, pause bool) error {
	ch := channelArg(r, find)
	if ch == nil {
		return nil
	}
	if rec := m.monitorOf(ch); rec != nil {
		rec.paused.Store(pause)
	}
	if pause {
		r.Success("Paused monitoring of the channel")
	} else {
		r.Success("Unpaused monitoring of the channel")
	}
	return nil
}

// channelArg is the channel the request's Channel header names; nil,
// with the manager's answer already sent ("No channel specified", "No
// such channel"), when there is none.
func channelArg(r *manager.Request, find func(string) *pbx.Channel) *pbx.Channel {
	name := r.Get("Channel")
	if name == "" {
		r.Error("No channel specified")
		return nil
	}
	ch := find(name)
	if ch == nil {
		r.Error("No such channel")
	}
	return ch
}
