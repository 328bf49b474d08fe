package core

import (
	"fmt"
	"os"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/logger"
)

// CheckReport is what "gostrisk check" finds beyond LoadSnapshot and
// CheckFiles: logger.conf's unknown options, the applications and
// functions the dialplan uses that this build lacks, and the config files
// nothing reads.
type CheckReport struct {
	Diags     confparse.Diagnostics
	Apps      []string // unavailable applications
	Functions []string // unavailable functions
	Unread    int      // files of the config directory not read
}

// Summary is the tail "gostrisk check" appends to its summary line.
func (r CheckReport) Summary() string {
	return fmt.Sprintf("%s, %s, %s",
		plural(len(r.Apps), "unavailable application", "unavailable applications"),
		plural(len(r.Functions), "unavailable function", "unavailable functions"),
		plural(r.Unread, "unread file", "unread files"))
}

// CheckConfig completes LoadSnapshot's diagnostics for "gostrisk check".
// The daemon does the same at start and on a dialplan reload with
// dialplanWarnings (the logger reports logger.conf itself).
func CheckConfig(ac *AsteriskConf, snap *Snapshot) (CheckReport, error) {
	var r CheckReport
	if snap == nil {
		return r, nil
	}
	if snap.Logger != nil {
		host, _ := os.Hostname()
		_, d := logger.ParseConfig(snap.Logger, ac.Directories.LogDir, host)
		r.Diags = append(r.Diags, d...)
	}
	cat, err := NewCatalogue(snap)
	if err != nil {
		return r, fmt.Errorf("building the list of applications and functions: %w", err)
	}
	dp := CheckDialplan(snap.Dialplan, cat)
	r.Diags = append(r.Diags, dp.Diags...)
	r.Apps, r.Functions = dp.Apps, dp.Functions
	unread := UnreadFiles(ac, snap)
	r.Diags = append(r.Diags, unread...)
	r.Unread = len(unread)
	return r, nil
}
