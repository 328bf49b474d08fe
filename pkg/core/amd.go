package core

import (
	"github.com/gostrisk/gostrisk/pkg/amd"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// newAMD creates app_amd when modules.conf loads it; AMD is registered
// with the other applications (registerDialplan).
func (d *Daemon) newAMD(snap *Snapshot) {
	if snap.AMD != nil {
		d.amd = amd.New(snap.AMD)
	}
}

// registerAMD adds AMD to eng when the module is loaded.
func (d *Daemon) registerAMD(eng *pbx.Engine) error {
	if d.amd == nil {
		return nil
	}
	return d.amd.Register(eng)
}

// startAMD adds app_amd's reload.
func (d *Daemon) startAMD() {
	m := d.amd
	if m == nil {
		return
	}
	d.modules = append(d.modules, module{
		info:   moduleInfo("app_amd.so"),
		reload: func(s *Snapshot) error { m.SetConfig(s.AMD); return nil },
	})
}
