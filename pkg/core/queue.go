package core

import (
	"fmt"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/queue"
)

// newQueue creates app_queue's module when modules.conf loads it, before
// the dialplan registrations (its applications and functions), with the
// queue_log of logger.conf in astlogdir.
func (d *Daemon) newQueue(snap *Snapshot) error {
	if !snap.Modules.Enabled("app_queue.so") {
		return nil
	}
	qlog, err := queue.OpenLog(d.conf.Directories.LogDir, queue.LogSettingsFrom(snap.Logger))
	if err != nil {
		return err
	}
	opts := queue.Options{Log: d.log, QueueLog: qlog}
	if d.db != nil {
		opts.Store = d.db
	}
	d.queue = queue.New(opts, snap.Queues)
	d.queueLog = qlog
	return nil
}

// startQueue starts the queues (static members checked against the
// drivers, dynamic ones read back from astdb), their CLI and reload.
func (d *Daemon) startQueue(snap *Snapshot) error {
	m := d.queue
	if m == nil {
		return nil
	}
	if err := m.RegisterCLI(d.reg, d.reloadQueues); err != nil {
		return err
	}
	m.Start()
	d.modules = append(d.modules, module{
		info: moduleInfo("app_queue.so"),
		reload: func(s *Snapshot) error {
			m.Reload(s.Queues, true, true)
			return nil
		},
		stop: func() {
			m.Stop()
			if err := d.queueLog.Close(); err != nil {
				d.log.Warning("queue_log: %v", err)
			}
		},
	})
	return nil
}

// reloadQueues is `queue reload`: queues.conf and queuerules.conf read
// again, the parts asked for applied; a file with errors changes nothing.
func (d *Daemon) reloadQueues(params, members, rules bool, names []string) error {
	ac := d.conf
	qc, qd := loadFile(ac, "queues.conf", false)
	rc, rd := loadFile(ac, "queuerules.conf", false)
	diags := append(qd, rd...)
	if diags.HasErrors() {
		return fmt.Errorf("queues.conf has errors; nothing reloaded:\n%s", FormatDiagnostics(diags))
	}
	cfg, ld := queue.Load(qc, rc)
	for _, dg := range append(diags, ld...) {
		if dg.Severity == confparse.Warning {
			d.log.Warning("%s", logText(dg))
		}
	}
	if rules && !params {
		cur := *d.queue.Config()
		cur.Rules = cfg.Rules
		d.queue.Reload(&cur, true, false)
	}
	if params || members {
		d.queue.Reload(cfg, params, members, names...)
	}
	return nil
}
