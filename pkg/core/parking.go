package core

import (
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/parking"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
)

// withParking adds res_parking's contexts (parkedcalls: the parking
// extension and the spaces) to extensions.conf before the dialplan is
// built, so that `include => parkedcalls` finds them as in Asterisk.
func withParking(ext *confparse.Config, p *parking.Config) *confparse.Config {
	if p == nil {
		return ext
	}
	extra := p.Dialplan()
	if extra == nil {
		return ext
	}
	merged := &confparse.Config{File: ext.File, Files: ext.Files}
	merged.Categories = append(append(merged.Categories, ext.Categories...), extra.Categories...)
	return merged
}

// parkingOverlay adds the extensions of occupied parking spaces to the
// dialplan the engine runs.
func (d *Daemon) parkingOverlay(plan pbx.Plan, dp *dialplan.Dialplan) pbx.Plan {
	if d.parking == nil || dp == nil {
		return plan
	}
	return d.parking.Overlay(plan, func(c string) []string {
		var out []string
		for _, in := range dp.Includes(c) {
			out = append(out, in.Context)
		}
		return out
	})
}

// newParking creates res_parking when modules.conf loads it; its
// applications are registered with the others (registerDialplan).
func (d *Daemon) newParking(snap *Snapshot, log pbx.Logger) {
	if snap.Parking == nil {
		return
	}
	d.parking = parking.New(parking.Options{Log: log, Music: d.parkedMusic}, snap.Parking)
}

// parkedMusic is what a parked call hears: the lot's class, else the
// channel's (res_musiconhold's choice); silence without the module.
func (d *Daemon) parkedMusic(ch *pbx.Channel, class string) pbx.Generator {
	if d.moh == nil {
		return nil
	}
	return d.moh.Music(ch, class)
}

// startParking adds res_parking's CLI and its reload.
func (d *Daemon) startParking() error {
	p := d.parking
	if p == nil {
		return nil
	}
	if err := p.RegisterCLI(d.reg); err != nil {
		return err
	}
	d.modules = append(d.modules, module{
		info:   moduleInfo("res_parking.so"),
		reload: func(s *Snapshot) error { p.SetConfig(s.Parking); return nil },
	})
	return nil
}
