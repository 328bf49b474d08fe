package core

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

func TestMaxFilesOption(t *testing.T) {
	tests := []struct {
		value    string
		want     int
		severity confparse.Severity // of the one diagnostic; -1: none
	}{
		{"65536", 65536, -1},
		{"0", 0, confparse.Warning},
		{"-5", 0, confparse.Error},
		{"lots", 0, confparse.Error},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "asterisk.conf")
			conf := "[directories]\nastetcdir => " + filepath.Dir(path) + "\n[options]\nmaxfiles = " + tc.value + "\n"
			if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			ac, diags := LoadAsteriskConf(path)
			if ac.Options.MaxFiles != tc.want {
				t.Errorf("MaxFiles = %d, want %d", ac.Options.MaxFiles, tc.want)
			}
			var found []confparse.Diagnostic
			for _, d := range diags {
				if strings.Contains(d.Message, "maxfiles") {
					found = append(found, d)
				}
			}
			switch {
			case tc.severity < 0 && len(found) > 0:
				t.Errorf("unexpected diagnostics %v", found)
			case tc.severity >= 0 && (len(found) != 1 || found[0].Severity != tc.severity || found[0].Line != 4):
				t.Errorf("diagnostics %v, want one of severity %v on line 4", found, tc.severity)
			}
		})
	}
}

// Setting the limit the process already has as its hard limit works
// unprivileged and changes nothing that matters to the test process.
func TestSetMaxFiles(t *testing.T) {
	var rl syscall.Rlimit
	if err := getRlimitNoFile(&rl); err != nil {
		t.Fatal(err)
	}
	if rl.Max > 1<<20 {
		t.Skipf("hard limit %d too large to set as a number of files", rl.Max)
	}
	if err := setMaxFiles(int(rl.Max)); err != nil {
		t.Fatal(err)
	}
	var got syscall.Rlimit
	if err := getRlimitNoFile(&got); err != nil {
		t.Fatal(err)
	}
	if got.Cur != rl.Max || got.Max != rl.Max {
		t.Errorf("limit %d/%d after maxfiles=%d", got.Cur, got.Max, rl.Max)
	}
}

// The daemon relies on the Go runtime to raise the soft open-file limit to
// the hard one at start-up (see setMaxFiles); Go sets it to one below, so
// that it can tell a later prlimit(1) from its own doing. Run with a soft
// limit below the hard one (prlimit --nofile=256:4096 go test ...) this
// checks the runtime still does so.
func TestGoRaisesSoftNoFileLimit(t *testing.T) {
	var rl syscall.Rlimit
	if err := getRlimitNoFile(&rl); err != nil {
		t.Fatal(err)
	}
	if rl.Cur+1 < rl.Max {
		t.Errorf("soft open-file limit %d, hard %d: the Go runtime no longer raises the soft limit at start-up; setMaxFiles must", rl.Cur, rl.Max)
	}
}

// TestHighPriorityOption: highpriority takes Asterisk's truth values; any
// other value is an error naming the option.
func TestHighPriorityOption(t *testing.T) {
	tests := []struct {
		value   string
		want    bool
		wantErr bool
	}{
		{"yes", true, false},
		{"on", true, false},
		{"no", false, false},
		{"sometimes", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "asterisk.conf")
			conf := "[directories]\nastetcdir => " + filepath.Dir(path) + "\n[options]\nhighpriority = " + tc.value + "\n"
			if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			ac, diags := LoadAsteriskConf(path)
			if ac.Options.HighPriority != tc.want {
				t.Errorf("HighPriority = %v, want %v", ac.Options.HighPriority, tc.want)
			}
			if got := diags.HasErrors() && strings.Contains(diags[0].Message, "'highpriority'"); got != tc.wantErr {
				t.Errorf("diagnostics %v, want an error: %v", diags, tc.wantErr)
			}
		})
	}
}
