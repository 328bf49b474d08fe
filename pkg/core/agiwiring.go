package core

import (
	"github.com/gostrisk/gostrisk/pkg/agi"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// registerAGI adds res_agi's applications when the module loads (part of
// registerDialplan, so "gostrisk check" knows them). d.db may be nil
// (check): the commands are registered, not run, there.
func (d *Daemon) registerAGI(eng *pbx.Engine, snap *Snapshot) error {
	if !snap.Modules.Enabled("res_agi.so") {
		return nil
	}
	dirs := d.conf.Directories
	opts := agi.Options{Log: eng.Log(), AGIDir: dirs.AGIDir, ConfigDir: dirs.EtcDir, DataDir: dirs.DataDir,
		LogDir: dirs.LogDir, SpoolDir: dirs.SpoolDir, RunDir: dirs.RunDir, VarLibDir: dirs.VarLibDir,
		Version: AsteriskVersion}
	if d.db != nil {
		opts.DB = d.db
	}
	m := agi.New(opts)
	if err := m.Register(eng); err != nil {
		return err
	}
	if d.engine == eng {
		d.agi = m
	}
	return nil
}
