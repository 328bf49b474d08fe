package core

import (
	"fmt"

	"github.com/gostrisk/gostrisk/pkg/cdr"

	"github.com/gostrisk/gostrisk/pkg/local"
)

// startLocal registers the Local channel technology and its CLI. In
// Asterisk 18 it is part of the core (core_local.c), not a module that
// modules.conf can leave out, so it always runs. It registers after
// chan_sip, the order `core show channeltypes` lists them in.
func (d *Daemon) startLocal() error {
	t := local.New(d.engine, local.Options{CDR: func(r *cdr.Record) {
		if err := d.cdr.Write(r); err != nil {
			d.log.Error("cdr_csv: %v", err)
		}
	}})
	if err := d.engine.RegisterTechnology(t); err != nil {
		return fmt.Errorf("local channels: %w", err)
	}
	if err := local.RegisterCLI(d.reg, t); err != nil {
		return fmt.Errorf("local channels CLI: %w", err)
	}
	return nil
}
