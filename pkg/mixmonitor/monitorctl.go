package mixmonitor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// res_monitor's PauseMonitor, UnpauseMonitor and ChangeMonitor act on the
// channel's Monitor (not MixMonitor). As in res_monitor, pausing or
// resuming a channel that has no Monitor fails the application (the
// channel hangs up); ChangeMonitor only warns.

func (m *Module) monitorControlApps() []*pbx.App {
	return []*pbx.App{
		{
			Name:        "ChangeMonitor",
			Synopsis:    "Change monitoring filename of a channel.",
			Syntax:      "ChangeMonitor(filename_base)",
			Description: "Changes monitoring filename of a channel. Has no effect if the channel is not monitored.",
			Arguments:   "filename_base - The new filename base to use for monitoring this channel.",
			Exec:        m.changeMonitorExec,
		},
		{
			Name:        "PauseMonitor",
			Synopsis:    "Pause monitoring of a channel.",
			Syntax:      "PauseMonitor()",
			Description: "Pauses monitoring of a channel until it is re-enabled by a call to UnpauseMonitor.",
			SeeAlso:     "UnpauseMonitor",
			Exec:        func(ch *pbx.Channel, _ string) (pbx.Result, error) { return m.setPaused(ch, true) },
		},
		{
			Name:        "UnpauseMonitor",
			Synopsis:    "Unpause monitoring of a channel.",
			Syntax:      "UnpauseMonitor()",
			Description: "Unpauses monitoring of a channel on which monitoring had previously been paused with PauseMonitor.",
			SeeAlso:     "PauseMonitor",
			Exec:        func(ch *pbx.Channel, _ string) (pbx.Result, error) { return m.setPaused(ch, false) },
		},
	}
}

// monitorOf returns the channel's Monitor recording, if any.
func (m *Module) monitorOf(ch *pbx.Channel) *recording {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.recs[ch] {
		if r.app == "Monitor" {
			return r
		}
	}
	return nil
}

func (m *Module) setPaused(ch *pbx.Channel, paused bool) (pbx.Result, error) {
	r := m.monitorOf(ch)
	if r == nil {
		return pbx.HangupResult, nil
	}
	r.paused.Store(paused)
	return pbx.Continue, nil
}

func (m *Module) changeMonitorExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	if !m.changeMonitor(ch, strings.TrimSpace(data)) {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// changeMonitor names the files ch's Monitor leaves when it ends; false
// for an empty name. A channel without a Monitor gets a warning only.
func (m *Module) changeMonitor(ch *pbx.Channel, base string) bool {
	if base == "" {
		m.log.Warning("Cannot change monitor filename of channel %s to null\n", ch.Name())
		return false
	}
	r := m.monitorOf(ch)
	if r == nil {
		m.log.Warning("Cannot change monitor filename of channel %s to %s, monitoring not started\n", ch.Name(), base)
		return true
	}
	path := base
	if !filepath.IsAbs(path) {
		path = filepath.Join(MonitorDir(m.opts.SpoolDir), base)
	}
	if strings.Contains(base, "/") {
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			m.logError("Unable to create directory for %s: %v\n", path, err)
		}
	}
	r.mu.Lock()
	r.renameBase = path
	r.mu.Unlock()
	return true
}

// renameMonitorFiles moves a Monitor's finished files to the base
// ChangeMonitor gave (<base>-in.<ext>, <base>-out.<ext>, or <base>.<ext>
// for a mixed one), replacing files already there, as ast_monitor_stop.
func (r *recording) renameMonitorFiles() {
	r.mu.Lock()
	base := r.renameBase
	r.mu.Unlock()
	if base == "" {
		return
	}
	move := func(f *File, suffix string) {
		if f == nil {
			return
		}
		from := f.Path()
		to := base + suffix + filepath.Ext(from)
		if to == from {
			return
		}
		if err := os.Rename(from, to); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				r.m.log.Warning("File %s not found\n", strings.TrimSuffix(from, filepath.Ext(from)))
				return
			}
			r.m.logError("Unable to rename %s to %s: %v\n", from, to, err)
		}
	}
	move(r.read, "-in")
	move(r.write, "-out")
	move(r.mixed, "")
}

// joinMonitorFiles mixes a Monitor's two finished legs into <base>.<ext>
// when it was asked to join them, as ast_monitor_stop does: with the
// channel's MONITOR_EXEC (and MONITOR_EXEC_ARGS) when set, else with
// "nice -n 19 sox -m", whose legs are removed once mixed. The command runs
// in the background, as Asterisk's trailing '&'.
func (r *recording) joinMonitorFiles() <-chan struct{} {
	r.mu.Lock()
	join, base := r.joinFiles, r.renameBase
	r.mu.Unlock()
	if !join || r.read == nil || r.write == nil {
		return nil
	}
	ext := filepath.Ext(r.read.Path())
	if base == "" {
		base = strings.TrimSuffix(strings.TrimSuffix(r.read.Path(), ext), "-in")
	}
	in, out, mixed := base+"-in"+ext, base+"-out"+ext, base+ext
	execute, _ := r.ch.Var("MONITOR_EXEC")
	args, _ := r.ch.Var("MONITOR_EXEC_ARGS")
	quote := func(p string) string { return "\"" + p + "\"" }
	var cmd string
	if execute != "" {
		cmd = strings.TrimSpace(strings.Join([]string{execute, quote(in), quote(out), quote(mixed), args}, " "))
	} else {
		cmd = "nice -n 19 sox -m " + quote(in) + " " + quote(out) + " " + quote(mixed) + " && rm -f " + quote(in) + " " + quote(out)
	}
	r.m.log.Verbose(2, "monitor executing %s\n", cmd)
	return RunCommand(r.m.log, cmd)
}
