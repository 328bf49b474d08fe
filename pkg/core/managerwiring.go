package core

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipshow"
	"github.com/gostrisk/gostrisk/pkg/manager"
	"github.com/gostrisk/gostrisk/pkg/security"
)

// startManager starts the Asterisk Manager Interface (part of Asterisk's
// core, reloaded as "manager"): its listener when manager.conf enables
// it, its CLI, and chan_sip's actions when chan_sip runs.
func (d *Daemon) startManager(ctx context.Context, snap *Snapshot) error {
	opts := manager.Options{
		Engine: d.engine, Log: d.log, CLI: d.reg, DB: d.db,
		Reload: func(module string) error {
			if module != "" {
				if m, ok := normalizeModule(module); ok {
					module = m.Name
				}
			}
			return d.Reload(module)
		},
		Version: AsteriskVersion,
		Started: d.started,
		Reloaded: func() time.Time {
			return time.Unix(0, d.reloaded.Load())
		},
		Settings: manager.CoreSettings{
			SystemName: d.conf.Options.SystemName,
			MaxCalls:   d.conf.Options.MaxCalls, MaxFileHandles: d.conf.Options.MaxFiles,
			CDREnabled: snap.CDR.Enable,
		},
	}
	if snap.Modules.Enabled("res_security_log.so") {
		opts.Security = security.NewLog(d.log, nil)
	}
	m := manager.New(opts, snap.Manager)
	if d.secTee != nil {
		d.secTee.ami.Store(m)
	}
	if d.sip != nil {
		if err := m.RegisterSIP(sipAMI{d.sip}); err != nil {
			return fmt.Errorf("manager: %w", err)
		}
	}
	if err := m.RegisterCLI(d.reg, func() error { return d.Reload("manager") }); err != nil {
		return err
	}
	if err := d.registerModuleActions(m, snap); err != nil {
		return err
	}
	if err := m.Start(ctx); err != nil {
		return err
	}
	d.ami = m
	d.modules = append(d.modules, module{
		info:   ModuleInfo{Name: "manager"},
		reload: func(s *Snapshot) error { return m.SetConfig(ctx, s.Manager) },
		stop:   m.Close,
	})
	return nil
}

// securityTee hands chan_sip's security events to res_security_log's
// log (when the module loads) and to the manager's security class.
type securityTee struct {
	log *security.Log
	ami atomic.Pointer[manager.Module]
}

func (d *Daemon) securityTee(snap *Snapshot) *securityTee {
	t := &securityTee{}
	if snap.Modules.Enabled("res_security_log.so") {
		t.log = security.NewLog(d.log, nil)
	}
	d.secTee = t
	return t
}

// Enabled: someone may read the event (the manager decides per session).
func (t *securityTee) Enabled() bool {
	return (t.log != nil && t.log.Enabled()) || t.ami.Load() != nil
}

func (t *securityTee) Report(ev *security.Event) {
	if t.log != nil {
		t.log.Report(ev)
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	if m := t.ami.Load(); m != nil {
		m.SecurityEvent(ev)
	}
}

// sipAMI answers the manager's chan_sip actions from the driver's view.
type sipAMI struct{ drv *chansip.Driver }

func headers(fs []sipshow.Field) []manager.Header {
	out := make([]manager.Header, len(fs))
	for i, f := range fs {
		out[i] = manager.Header{Key: f.Key, Value: f.Value}
	}
	return out
}

func (s sipAMI) Peers() [][]manager.Header {
	var out [][]manager.Header
	for _, p := range s.drv.View().ManagerPeers() {
		out = append(out, headers(p))
	}
	return out
}

func (s sipAMI) Peer(name string) ([]manager.Header, bool) {
	f, ok := s.drv.View().ManagerPeer(name)
	return headers(f), ok
}

func (s sipAMI) Registry() [][]manager.Header {
	var out [][]manager.Header
	for _, r := range s.drv.View().ManagerRegistry() {
		out = append(out, headers(r))
	}
	return out
}

func (s sipAMI) Qualify(name string) bool { return s.drv.QualifyPeer(name) }

// Notify sends the manager's SIPnotify through the driver.
func (s sipAMI) Notify(target string, vars []manager.Header) error {
	pairs := make([][2]string, len(vars))
	for i, v := range vars {
		pairs[i] = [2]string{v.Key, v.Value}
	}
	return s.drv.ManagerNotify(target, pairs)
}

// NotifyDialog sends the manager's SIPnotify with a Call-ID inside that
// call's dialog.
func (s sipAMI) NotifyDialog(callID string, vars []manager.Header) error {
	pairs := make([][2]string, len(vars))
	for i, v := range vars {
		pairs[i] = [2]string{v.Key, v.Value}
	}
	return s.drv.ManagerNotifyDialog(callID, pairs)
}
