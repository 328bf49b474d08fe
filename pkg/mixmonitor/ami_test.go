package mixmonitor

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/manager/managertest"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestManagerActions: MixMonitor started by the manager with its id in
// the answer, the read direction muted (recorded as silence while the
// write one is not), StopMixMonitor by id, and the refusals.
func TestManagerActions(t *testing.T) {
	dir := t.TempDir()
	log := &memLog{}
	m := New(Options{Log: log, SpoolDir: dir})
	eng := pbx.New(pbx.Config{Logger: log})
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	mgr := managertest.Start(t, eng)
	if err := m.RegisterAMI(mgr, eng); err != nil {
		t.Fatal(err)
	}
	c := managertest.Dial(t, mgr)
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "a", "work", "s")
	defer ch.Hangup(pbx.CauseNormalClearing)

	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"Action: MixMonitor"}, "Response: Error\r\nMessage: No channel specified\r\n"},
		{[]string{"Action: MixMonitor", "Channel: SIP/none-1"}, "Response: Error\r\nMessage: No such channel\r\n"},
		{[]string{"Action: MixMonitor", "Channel: " + ch.Name()}, "Response: Error\r\nMessage: Could not start monitoring channel\r\n"},
		{[]string{"Action: StopMixMonitor", "Channel: " + ch.Name()}, "Response: Error\r\nMessage: Could not stop monitoring channel\r\n"},
		{[]string{"Action: MixMonitorMute", "Channel: " + ch.Name(), "Direction: both", "State: 1"}, "Response: Error\r\nMessage: Cannot set mute flag\r\n"},
		{[]string{"Action: MixMonitorMute", "Channel: " + ch.Name()}, "Response: Error\r\nMessage: No direction specified. Must be read, write or both\r\n"},
		{[]string{"Action: MixMonitorMute", "Channel: " + ch.Name(), "Direction: up"}, "Response: Error\r\nMessage: Invalid direction specified. Must be read, write or both\r\n"},
	} {
		if got := c.Do(tc.lines...); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.lines, got, tc.want)
		}
	}
	got := c.Do("Action: MixMonitor", "Channel: "+ch.Name(), "File: call.wav", "Options: r(in.wav)t(out.wav)i(MID)")
	id, _ := ch.Var("MID")
	if id == "" || got != "Response: Success\r\nMixMonitorID: "+id+"\r\n" {
		t.Fatalf("MixMonitor: %q (MID %q)", got, id)
	}
	if got := c.Do("Action: MixMonitorMute", "Channel: "+ch.Name(), "Direction: read", "State: yes"); got != "Response: Success\r\n" {
		t.Errorf("MixMonitorMute: %q", got)
	}
	if err := ch.OpenMedia(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
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
	if got := c.Do("Action: StopMixMonitor", "Channel: "+ch.Name(), "MixMonitorID: "+id); got != "Response: Success\r\n" {
		t.Errorf("StopMixMonitor: %q", got)
	}
	if ch.Tapped() {
		t.Error("the tap stayed after StopMixMonitor")
	}
	loud := func(name string) int {
		b, err := os.ReadFile(filepath.Join(dir, "monitor", name))
		if err != nil || len(b) < 44 {
			t.Fatalf("%s: %v (%d bytes)", name, err, len(b))
		}
		n := 0
		for i := 44; i+1 < len(b); i += 2 {
			if v := int16(uint16(b[i]) | uint16(b[i+1])<<8); v > 1000 || v < -1000 {
				n++
			}
		}
		return n
	}
	if in, out := loud("in.wav"), loud("out.wav"); in != 0 || out < 2000 {
		t.Errorf("loud samples: muted in.wav %d (want 0), out.wav %d (want most)", in, out)
	}
	if strings.Contains(log.String(), "Could not find MixMonitor") {
		t.Error("StopMixMonitor by id did not find it")
	}
}

// TestMonitorActions: res_monitor's Monitor, StopMonitor, PauseMonitor,
// UnpauseMonitor and ChangeMonitor from the manager: the refusals, both
// directions recorded to File-in/-out (one file with Mix, renamed by
// ChangeMonitor when it ends), a second Monitor renaming the running one
// as res_monitor does, and StopMonitor once only.
func TestMonitorActions(t *testing.T) {
	dir := t.TempDir()
	log := &memLog{}
	m := New(Options{Log: log, SpoolDir: dir})
	eng := pbx.New(pbx.Config{Logger: log})
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	mgr := managertest.Start(t, eng)
	if err := m.RegisterAMI(mgr, eng); err != nil {
		t.Fatal(err)
	}
	c := managertest.Dial(t, mgr)
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "b", "work", "s")
	defer ch.Hangup(pbx.CauseNormalClearing)
	ok := func(msg string) string { return "Response: Success\r\nMessage: " + msg + "\r\n" }
	bad := func(msg string) string { return "Response: Error\r\nMessage: " + msg + "\r\n" }
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"Action: Monitor"}, bad("No channel specified")},
		{[]string{"Action: Monitor", "Channel: SIP/none-1"}, bad("No such channel")},
		{[]string{"Action: StopMonitor"}, bad("No channel specified")},
		{[]string{"Action: StopMonitor", "Channel: " + ch.Name()}, bad("Could not stop monitoring channel")},
		{[]string{"Action: Monitor", "Channel: " + ch.Name(), "File: mon"}, ok("Started monitoring channel")},
		{[]string{"Action: Monitor", "Channel: " + ch.Name(), "File: again"}, ok("Started monitoring channel")},
		{[]string{"Action: StopMonitor", "Channel: " + ch.Name()}, ok("Stopped monitoring channel")},
		{[]string{"Action: StopMonitor", "Channel: " + ch.Name()}, bad("Could not stop monitoring channel")},
		{[]string{"Action: Monitor", "Channel: " + ch.Name(), "File: mixed", "Mix: true"}, ok("Started monitoring channel")},
		{[]string{"Action: PauseMonitor"}, bad("No channel specified")},
		{[]string{"Action: PauseMonitor", "Channel: SIP/none-1"}, bad("No such channel")},
		{[]string{"Action: PauseMonitor", "Channel: " + ch.Name()}, ok("Paused monitoring of the channel")},
		{[]string{"Action: ChangeMonitor", "Channel: " + ch.Name()}, bad("No filename specified")},
		{[]string{"Action: ChangeMonitor", "File: x"}, bad("No channel specified")},
		{[]string{"Action: ChangeMonitor", "Channel: SIP/none-1", "File: x"}, bad("No such channel")},
		{[]string{"Action: ChangeMonitor", "Channel: " + ch.Name(), "File: renamed"}, ok("Changed monitor filename")},
	} {
		if got := c.Do(tc.lines...); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.lines, got, tc.want)
		}
	}
	if rec := m.monitorOf(ch); rec == nil || !rec.paused.Load() {
		t.Error("PauseMonitor did not pause the Monitor")
	}
	if got, want := c.Do("Action: UnpauseMonitor", "Channel: "+ch.Name()), ok("Unpaused monitoring of the channel"); got != want {
		t.Errorf("UnpauseMonitor: %q, want %q", got, want)
	}
	if rec := m.monitorOf(ch); rec == nil || rec.paused.Load() {
		t.Error("UnpauseMonitor did not resume the Monitor")
	}
	if got, want := c.Do("Action: StopMonitor", "Channel: "+ch.Name()), ok("Stopped monitoring channel"); got != want {
		t.Errorf("StopMonitor: %q, want %q", got, want)
	}
	// Without a Monitor, Pause is acknowledged all the same (res_monitor).
	if got, want := c.Do("Action: PauseMonitor", "Channel: "+ch.Name()), ok("Paused monitoring of the channel"); got != want {
		t.Errorf("PauseMonitor without a Monitor: %q, want %q", got, want)
	}
	for _, name := range []string{"again-in.wav", "again-out.wav", "renamed.wav"} {
		if _, err := os.Stat(filepath.Join(dir, "monitor", name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"mon-in.wav", "mon-out.wav", "mixed.wav"} {
		if _, err := os.Stat(filepath.Join(dir, "monitor", name)); err == nil {
			t.Errorf("%s exists: the second Monitor or ChangeMonitor did not rename it", name)
		}
	}
	if ch.Tapped() {
		t.Error("the tap stayed after StopMonitor")
	}
}

// TestMonitorActionMixJoins: a Monitor action with Mix on a channel
// already monitored renames the recording and has its legs joined when it
// ends (ast_monitor_setjoinfiles): sox mixes <File>-in and -out into
// <File>.wav and the legs go.
func TestMonitorActionMixJoins(t *testing.T) {
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("no sox")
	}
	dir := t.TempDir()
	log := &memLog{}
	m := New(Options{Log: log, SpoolDir: dir})
	eng := pbx.New(pbx.Config{Logger: log})
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	mgr := managertest.Start(t, eng)
	if err := m.RegisterAMI(mgr, eng); err != nil {
		t.Fatal(err)
	}
	c := managertest.Dial(t, mgr)
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "j", "work", "s")
	defer ch.Hangup(pbx.CauseNormalClearing)
	if err := ch.OpenMedia(); err != nil {
		t.Fatal(err)
	}
	for _, lines := range [][]string{{"File: j1"}, {"File: j2", "Mix: true"}} {
		if got, want := c.Do(append([]string{"Action: Monitor", "Channel: " + ch.Name()}, lines...)...),
			"Response: Success\r\nMessage: Started monitoring channel\r\n"; got != want {
			t.Fatalf("Monitor %v: %q, want %q", lines, got, want)
		}
	}
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
	if got := c.Do("Action: StopMonitor", "Channel: "+ch.Name()); !strings.HasPrefix(got, "Response: Success") {
		t.Fatalf("StopMonitor: %q", got)
	}
	mon := filepath.Join(dir, "monitor")
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, errJoined := os.Stat(filepath.Join(mon, "j2.wav"))
		_, errLeg := os.Stat(filepath.Join(mon, "j2-in.wav"))
		if errJoined == nil && errLeg != nil {
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(mon)
			t.Fatalf("no joined j2.wav without legs: %v\n%s", entries, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, ff := Resolve(dir, "j2.wav")
	r, err := sound.Open(filepath.Join(mon, "j2.wav"), ff)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := r.Length(); n < 3000 {
		t.Errorf("the joined file has %d samples", n)
	}
}
