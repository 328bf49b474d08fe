package core

import (
	"fmt"

	"github.com/gostrisk/gostrisk/pkg/devstate"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// startDevstate starts the device and extension state module (the hint
// table of pbx.c, Custom: devices of func_devstate.so): it follows the
// engine's bus, serves the hint watches of SIP subscriptions, and adds
// "core show hints"/"core show hint" and, with func_devstate.so,
// "devstate list"/"devstate change". The dialplan reload rebuilds its
// hint table (wiring.go's pbx_config reload).
func (d *Daemon) startDevstate(eng *pbx.Engine, snap *Snapshot) error {
	var db devstate.DB
	if d.db != nil {
		db = d.db
	}
	s := devstate.New(eng, db)
	if err := s.RegisterCLI(d.reg); err != nil {
		return err
	}
	if snap.Modules.Enabled("func_devstate.so") {
		if err := s.RegisterDevstateCLI(d.reg); err != nil {
			return fmt.Errorf("func_devstate: %w", err)
		}
	}
	if snap.Modules.Enabled("func_presencestate.so") {
		if err := s.RegisterPresenceCLI(d.reg); err != nil {
			return err
		}
	}
	s.Start()
	d.devstate = s
	d.modules = append(d.modules, module{info: moduleInfo("func_devstate.so"), stop: s.Stop})
	return nil
}
