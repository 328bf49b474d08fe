package mixmonitor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// PauseMonitor leaves out what is said while paused; ChangeMonitor and a
// second Monitor move the finished files to the new base; without a Monitor, Pause and
// Unpause fail the channel and ChangeMonitor warns.
func TestMonitorControl(t *testing.T) {
	tests := []struct {
		name    string
		monitor string // Monitor's arguments; "" for none
		steps   []string
		files   map[string][2]int // file -> sample range
		absent  []string
		result  pbx.Action // of the last step
		log     string
	}{
		{name: "pause", monitor: "wav,p1", steps: []string{"talk", "PauseMonitor", "talk", "UnpauseMonitor", "talk"},
			files: map[string][2]int{"p1-in.wav": {7000, 8400}, "p1-out.wav": {7000, 8400}}, result: pbx.ActContinue},
		{name: "change", monitor: "wav,c1", steps: []string{"talk", "ChangeMonitor(sub/c2)", "talk"},
			files: map[string][2]int{"sub/c2-in.wav": {7000, 8400}, "sub/c2-out.wav": {7000, 8400}}, absent: []string{"c1-in.wav", "c1-out.wav"}, result: pbx.ActContinue},
		{name: "change mixed", monitor: "gsm,c3,m", steps: []string{"talk", "ChangeMonitor(c4)"},
			files: map[string][2]int{"c4.gsm": {3000, 4400}}, absent: []string{"c3.gsm"}, result: pbx.ActContinue},
		// A second Monitor on the channel renames the running one, as
		// res_monitor falls back to ast_monitor_change_fname.
		{name: "second monitor", monitor: "wav,s1", steps: []string{"talk", "Monitor(gsm,s2)", "talk"},
			files: map[string][2]int{"s2-in.wav": {7000, 8400}, "s2-out.wav": {7000, 8400}}, absent: []string{"s1-in.wav", "s1-out.wav", "s2-in.gsm"}, result: pbx.ActContinue},
		{name: "second monitor without name", monitor: "wav,s3", steps: []string{"Monitor(wav)"},
			files: map[string][2]int{"s3-in.wav": {0, 10}}, result: pbx.ActContinue,
			log: "WARNING: Cannot change monitor filename of channel Test/m-00000000 to null"},
		{name: "pause without monitor", steps: []string{"PauseMonitor"}, result: pbx.ActHangup},
		{name: "unpause without monitor", steps: []string{"UnpauseMonitor"}, result: pbx.ActHangup},
		{name: "change without monitor", steps: []string{"ChangeMonitor(x)"}, result: pbx.ActContinue,
			log: "WARNING: Cannot change monitor filename of channel Test/m-00000000 to x, monitoring not started"},
		{name: "change to nothing", monitor: "wav,c5", steps: []string{"ChangeMonitor()"}, result: pbx.ActHangup,
			log: "WARNING: Cannot change monitor filename of channel Test/m-00000000 to null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			log := &memLog{}
			m := New(Options{Log: log, SpoolDir: dir})
			eng := pbx.New(pbx.Config{Logger: log})
			if err := m.Register(eng); err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ph := pbxtest.NewPhone(media.ULaw)
			ch := ph.NewChannel(eng, "m", "work", "s")
			if err := ch.OpenMedia(); err != nil {
				t.Fatal(err)
			}
			if tt.monitor != "" {
				if _, err := m.monitorExec(ch, tt.monitor); err != nil {
					t.Fatal(err)
				}
			}
			var last pbx.Result
			for _, step := range tt.steps {
				if step == "talk" {
					for i := 0; i < 25; i++ {
						if err := ph.Say(sine(440, i*160, 160)); err != nil {
							t.Fatal(err)
						}
						if _, err := ch.Read(); err != nil {
							t.Fatal(err)
						}
						if err := ch.Write(sine(1050, i*160, 160)); err != nil {
							t.Fatal(err)
						}
					}
					continue
				}
				name, arg, _ := strings.Cut(strings.TrimSuffix(step, ")"), "(")
				app, ok := eng.App(name)
				if !ok {
					t.Fatalf("no application %s", name)
				}
				res, err := app.Exec(ch, arg)
				if err != nil {
					t.Fatal(err)
				}
				last = res
			}
			if last.Action != tt.result {
				t.Errorf("last step returned %v, want %v", last.Action, tt.result)
			}
			if _, err := m.stopMonitorExec(ch, ""); err != nil {
				t.Fatal(err)
			}
			for f, rng := range tt.files {
				path := filepath.Join(MonitorDir(dir), f)
				_, ff := Resolve(dir, f)
				r, err := sound.Open(path, ff)
				if err != nil {
					t.Errorf("%s: %v", f, err)
					continue
				}
				n := int(r.Length())
				r.Close()
				if n < rng[0] || n > rng[1] {
					t.Errorf("%s has %d samples, want %d..%d", f, n, rng[0], rng[1])
				}
			}
			for _, f := range tt.absent {
				if _, err := os.Stat(filepath.Join(MonitorDir(dir), f)); err == nil {
					t.Errorf("%s is still there", f)
				}
			}
			if tt.log != "" && !strings.Contains(log.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, log.String())
			}
		})
	}
}
