package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestHighPriority: asterisk.conf's highpriority=yes (and -p) runs every
// thread of the daemon under SCHED_RR, says "Set to realtime thread", and
// a program the dialplan runs (System) is back under SCHED_OTHER.
func TestHighPriority(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("SCHED_RR needs root")
	}
	for _, how := range []string{"asterisk.conf", "-p"} {
		t.Run(how, func(t *testing.T) {
			var args []string
			edit := func(f map[string]string) {
				f["extensions.conf"] += "\n[rt]\nexten => s,1,System(grep ^policy /proc/$$/sched > ${OUT})\n same => n,Hangup()\n" +
					"exten => idle,1,Answer()\n same => n,Wait(1)\n"
				if how == "asterisk.conf" {
					f["asterisk.conf"] = strings.Replace(f["asterisk.conf"], "[options]\n", "[options]\nhighpriority = yes\n", 1)
				}
			}
			if how == "-p" {
				args = []string{"-p"}
			}
			in := harness.Start(t, harness.Options{Edit: edit, Args: args})
			in.DumpOnFailure()
			if !strings.Contains(in.Output(), "Set to realtime thread") {
				t.Errorf("no \"Set to realtime thread\" at start-up")
			}
			tasks, err := filepath.Glob(filepath.Join("/proc", strconv.Itoa(in.Pid()), "task", "*", "stat"))
			if err != nil || len(tasks) == 0 {
				t.Fatalf("threads of %d: %v", in.Pid(), err)
			}
			for _, task := range tasks {
				if p := statPolicy(t, task); p != "2" { // SCHED_RR
					t.Errorf("%s: policy %s, want 2 (SCHED_RR)", task, p)
				}
			}

			out := filepath.Join(t.TempDir(), "policy")
			in.MustRX("dialplan set global OUT " + out)
			in.MustRX("channel originate Local/s@rt extension idle@rt")
			var got []byte
			if !harness.PollUntil(5*time.Second, func() bool { got, err = os.ReadFile(out); return err == nil && len(got) > 0 }) {
				t.Fatalf("System did not write %s", out)
			}
			if f := strings.Fields(string(got)); len(f) != 3 || f[2] != "0" {
				t.Errorf("System's shell: %q, want policy 0 (SCHED_OTHER)", got)
			}
		})
	}
}

// statPolicy is the scheduling policy field (41st) of a /proc stat file.
func statPolicy(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "2" // the thread ended meanwhile
	}
	// The command name (2nd field) is in parentheses and may hold spaces.
	rest := string(b[strings.LastIndexByte(string(b), ')')+2:])
	f := strings.Fields(rest)
	return f[41-3]
}
