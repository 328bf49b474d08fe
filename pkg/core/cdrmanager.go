package core

import (
	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/cdr/cdrmanager"
)

// postCDR hands a record to cdr_manager, with the configuration of the
// running snapshot (reloaded as cdr_manager.so).
func (d *Daemon) postCDR(r *cdr.Record) {
	s := d.snap.Load()
	if s == nil || s.CDRManager == nil || !s.CDRManager.Enabled {
		return
	}
	cdrmanager.Post(d.engine, s.CDRManager, r, cdr.Kept(r, s.CDR.Unanswered))
}
