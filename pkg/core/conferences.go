package core

import (
	"fmt"

	"github.com/gostrisk/gostrisk/pkg/confbridge"
	"github.com/gostrisk/gostrisk/pkg/meetme"
	"github.com/gostrisk/gostrisk/pkg/mixmonitor"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file wires issue 22's modules: app_confbridge (pkg/confbridge),
// app_meetme mapped onto it (pkg/meetme) and app_mixmonitor with
// res_monitor (pkg/mixmonitor).

// newConferenceModules creates the modules modules.conf loads; the check
// (NewCatalogue) calls it too, with a quiet logger, so that their
// applications and functions are known to it.
func (d *Daemon) newConferenceModules(snap *Snapshot, log pbx.Logger) {
	dirs := d.conf.Directories
	if snap.Modules.Enabled("app_mixmonitor.so") || snap.Modules.Enabled("res_monitor.so") {
		d.mixmon = mixmonitor.New(mixmonitor.Options{Log: log, SpoolDir: dirs.SpoolDir})
	}
	opts := confbridge.Options{Log: log, DataDir: dirs.DataDir, SpoolDir: dirs.SpoolDir,
		Music: func(ch *pbx.Channel, class string) pbx.Generator {
			if d.moh == nil {
				return nil
			}
			return d.moh.Music(ch, class)
		}}
	if snap.Modules.Enabled("app_confbridge.so") {
		d.confbridge = confbridge.New(opts, snap.ConfBridge)
	}
	if snap.Modules.Enabled("app_meetme.so") {
		d.meetme = meetme.New(opts, snap.MeetMe)
	}
}

// registerConferenceModules registers their applications and functions
// (from registerDialplan, the one registration path).
func (d *Daemon) registerConferenceModules(eng *pbx.Engine) error {
	if d.mixmon != nil {
		if err := d.mixmon.Register(eng); err != nil {
			return err
		}
	}
	if d.confbridge != nil {
		if err := d.confbridge.Register(eng); err != nil {
			return err
		}
	}
	if d.meetme != nil {
		if err := d.meetme.Register(eng); err != nil {
			return err
		}
	}
	return nil
}

// startConferenceModules adds their CLI, reload and stop.
func (d *Daemon) startConferenceModules() error {
	if m := d.mixmon; m != nil {
		d.modules = append(d.modules, module{info: moduleInfo("app_mixmonitor.so"), stop: m.Close})
	}
	if m := d.confbridge; m != nil {
		if err := m.RegisterCLI(d.reg); err != nil {
			return fmt.Errorf("app_confbridge CLI: %w", err)
		}
		d.modules = append(d.modules, module{
			info:   moduleInfo("app_confbridge.so"),
			reload: func(s *Snapshot) error { m.SetConfig(s.ConfBridge); return nil },
			stop:   m.Close,
		})
	}
	if m := d.meetme; m != nil {
		if err := m.RegisterCLI(d.reg); err != nil {
			return fmt.Errorf("app_meetme CLI: %w", err)
		}
		d.modules = append(d.modules, module{
			info:   moduleInfo("app_meetme.so"),
			reload: func(s *Snapshot) error { m.SetConfig(s.MeetMe); return nil },
			stop:   m.Close,
		})
	}
	return nil
}
