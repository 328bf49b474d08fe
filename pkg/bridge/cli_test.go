package bridge_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// run executes one CLI line and returns its output.
func run(t *testing.T, reg *cli.Registry, line string) string {
	t.Helper()
	var out bytes.Buffer
	if err := reg.Execute(cli.NewSession(3), line, &out); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out.String())
	}
	return out.String()
}

// "bridge show all" and "bridge show <id>" in main/bridge.c's layout,
// with the technology the bridge uses now: native_rtp for one format on
// both sides, simple_bridge when it translates.
func TestBridgeShow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fa, fb *media.Format
	}{
		{"native", media.ULaw, media.ULaw},
		{"simple", media.ULaw, media.ALaw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := &recLog{}
			eng := pbx.New(pbx.Config{Logger: log})
			b := bridge.Install(eng, bridge.Options{})
			reg := cli.NewRegistry()
			if err := bridge.RegisterCLI(reg, b); err != nil {
				t.Fatal(err)
			}
			empty := run(t, reg, "bridge show all")
			if want := "Bridge-ID                            Chans Type            Technology      Duration\n"; empty != want {
				t.Fatalf("no bridge:\n%q\nwant\n%q", empty, want)
			}
			ra, rb := pbxtest.NewRelayPhone(tc.fa), pbxtest.NewRelayPhone(tc.fb)
			ca := ra.NewChannel(eng, "a", "default", "s")
			cb := rb.NewChannel(eng, "b", "default", "s")
			r := startBridge(t, eng, ca, cb)
			id := ca.BridgeID()
			all := run(t, reg, "bridge show all")
			one := run(t, reg, "bridge show "+id)
			// Durations depend on the clock: 00:00:00 or 00:00:01.
			dur := regexp.MustCompile(`00:00:0[01]`)
			got := uuidRE.ReplaceAllString(dur.ReplaceAllString(all+"--\n"+one, "DURATION"), "ID")
			golden := filepath.Join("testdata", "cli", "bridge-show."+tc.name+".txt")
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Fatalf("got:\n%s\nwant:\n%s", got, want)
			}
			if got := run(t, reg, "bridge show nosuch"); got != "Bridge 'nosuch' not found\n" {
				t.Fatalf("unknown id: %q", got)
			}
			cb.HungUp(pbx.CauseNormalClearing)
			r.wait(t)
			if got := run(t, reg, "bridge show all"); got != empty {
				t.Fatalf("after the call:\n%s", got)
			}
		})
	}
}
