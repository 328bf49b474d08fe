package mixmonitor

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

type memLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *memLog) add(level, f string, a ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, level+": "+fmt.Sprintf(f, a...))
	l.mu.Unlock()
}
func (l *memLog) Verbose(_ int, f string, a ...any) { l.add("VERBOSE", f, a...) }
func (l *memLog) Notice(f string, a ...any)         { l.add("NOTICE", f, a...) }
func (l *memLog) Warning(f string, a ...any)        { l.add("WARNING", f, a...) }
func (l *memLog) Error(f string, a ...any)          { l.add("ERROR", f, a...) }
func (l *memLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "")
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct{ name, path, format string }{
		{"call.wav", "/spool/monitor/call.wav", "wav"},
		{"/rec/call.gsm", "/rec/call.gsm", "gsm"},
		{"sub/x.WAV", "/spool/monitor/sub/x.WAV", "wav49"},
		{"call", "/spool/monitor/call.raw", "sln"},
		{"call.ulaw", "/spool/monitor/call.ulaw", "pcm"},
		{"call.alaw", "/spool/monitor/call.alaw", "alaw"},
	} {
		path, ff := Resolve("/spool", tc.name)
		if path != tc.path || ff.Name != tc.format {
			t.Errorf("Resolve(%q) = %s %s, want %s %s", tc.name, path, ff.Name, tc.path, tc.format)
		}
	}
}

func TestOptions(t *testing.T) {
	got := pbx.ParseAppOptions("abv(2)V(-3)r(in.wav)t(out.wav)i(ID)")
	want := map[byte]string{'a': "", 'b': "", 'v': "2", 'V': "-3", 'r': "in.wav", 't': "out.wav", 'i': "ID"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("options: %v, want %v", got, want)
	}
}

func sine(freq float64, off, n int) media.Frame {
	b := make([]byte, n)
	for i := range b {
		b[i] = media.LinearToULaw(int16(6000 * math.Sin(2*math.Pi*freq*float64(off+i)/8000)))
	}
	return media.VoiceFrame(media.ULaw, b, uint32(off))
}

func share(s []int16, freq float64) float64 {
	w := 2 * math.Pi * freq / 8000
	c := 2 * math.Cos(w)
	var s1, s2, total float64
	for _, v := range s {
		x := float64(v)
		s1, s2 = x+c*s1-s2, s1
		total += x * x
	}
	return (s1*s1 + s2*s2 - c*s1*s2) / (total * float64(len(s)) / 2)
}

// TestMixMonitorRecordsBothWays: what the channel reads and what it is
// written end up mixed in the file, r() and t() get one way each, the
// variables are set, StopMixMonitor completes the files and runs the
// command; a directory that cannot be written logs an error and the
// dialplan goes on.
func TestMixMonitorRecordsBothWays(t *testing.T) {
	dir := t.TempDir()
	log := &memLog{}
	m := New(Options{Log: log, SpoolDir: dir})
	eng := pbx.New(pbx.Config{Logger: log})
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "a", "work", "s")
	done := filepath.Join(dir, "done")
	res, err := m.mixMonitorExec(ch, "call.wav,r(in.wav)t(out.wav)i(MID),touch "+done)
	if err != nil || res.Action != pbx.ActContinue {
		t.Fatalf("MixMonitor: %+v %v", res, err)
	}
	if v, _ := ch.Var("MIXMONITOR_FILENAME"); v != filepath.Join(dir, "monitor", "call.wav") {
		t.Errorf("MIXMONITOR_FILENAME=%q", v)
	}
	id, _ := ch.Var("MID")
	if id == "" || !ch.Tapped() {
		t.Fatalf("no id (%q) or no tap", id)
	}
	// MIXMONITOR(id,key) reads the running instance.
	for _, tc := range []struct{ arg, want, err string }{
		{id + ",filename", filepath.Join(dir, "monitor", "call.wav"), ""},
		{"nope,filename", "", "Could not find MixMonitor with ID nope"},
		{id + ",size", "", "Unrecognized MIXMONITOR option size"},
		{id, "", "Not enough arguments provided to MIXMONITOR. An ID and key must be provided"},
	} {
		got, err := eng.ReadFunction(ch, "MIXMONITOR", tc.arg)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("MIXMONITOR(%s) = %q, %v; want %q, %q", tc.arg, got, err, tc.want, tc.err)
		}
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
	if _, err := m.stopMixMonitorExec(ch, id); err != nil {
		t.Fatal(err)
	}
	if ch.Tapped() {
		t.Error("the tap stayed after StopMixMonitor")
	}
	if _, err := os.Stat(done); err != nil {
		t.Errorf("the command did not run: %v", err)
	}
	ff, _ := sound.ForExt("wav")
	for _, tc := range []struct {
		file      string
		want, not []float64
	}{
		{"call.wav", []float64{440, 1050}, nil},
		{"in.wav", []float64{440}, []float64{1050}},
		{"out.wav", []float64{1050}, []float64{440}},
	} {
		r, err := sound.Open(filepath.Join(dir, "monitor", tc.file), ff)
		if err != nil {
			t.Fatal(err)
		}
		var pcm []int16
		for {
			fr, err := r.ReadFrame()
			if err != nil {
				break
			}
			pcm = media.DecodeSLin(pcm, fr.Payload)
		}
		r.Close()
		if len(pcm) < 7000 {
			t.Errorf("%s: %d samples, want 8000", tc.file, len(pcm))
		}
		for _, f := range tc.want {
			if s := share(pcm, f); s < 0.2 {
				t.Errorf("%s: %v Hz share %.3f", tc.file, f, s)
			}
		}
		for _, f := range tc.not {
			if s := share(pcm, f); s > 0.01 {
				t.Errorf("%s: %v Hz share %.3f, want none", tc.file, f, s)
			}
		}
	}

	// An unwritable directory: an error, the call goes on unrecorded.
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = m.mixMonitorExec(ch, blocker+"/sub/x.wav")
	if err != nil || res.Action != pbx.ActContinue || ch.Tapped() {
		t.Errorf("unwritable: %+v %v tapped=%v", res, err, ch.Tapped())
	}
	if !strings.Contains(log.String(), "ERROR: Cannot open "+blocker+"/sub/x.wav") {
		t.Errorf("no error logged:\n%s", log)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "monitor"))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestMonitorAndAppend: Monitor writes -in and -out files (or one mixed
// file with m); MixMonitor's a appends to an existing recording.
func TestMonitorAndAppend(t *testing.T) {
	dir := t.TempDir()
	log := &memLog{}
	m := New(Options{Log: log, SpoolDir: dir})
	eng := pbx.New(pbx.Config{Logger: log})
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	talk := func(ch *pbx.Channel, ph *pbxtest.Phone, frames int) {
		t.Helper()
		if err := ch.OpenMedia(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < frames; i++ {
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
	}
	samples := func(name string) int {
		t.Helper()
		path, ff := Resolve(dir, name)
		r, err := sound.Open(path, ff)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		return int(r.Length())
	}
	for _, tc := range []struct {
		data  string
		files []string
	}{
		{"wav,mon1", []string{"mon1-in.wav", "mon1-out.wav"}},
		{"gsm,mon2,m", []string{"mon2.gsm"}},
	} {
		ph := pbxtest.NewPhone(media.ULaw)
		ch := ph.NewChannel(eng, "m", "work", "s")
		if _, err := m.monitorExec(ch, tc.data); err != nil {
			t.Fatal(err)
		}
		talk(ch, ph, 25)
		if _, err := m.stopMonitorExec(ch, ""); err != nil {
			t.Fatal(err)
		}
		for _, f := range tc.files {
			if n := samples(f); n < 3500 {
				t.Errorf("Monitor(%s): %s has %d samples, want 4000", tc.data, f, n)
			}
		}
	}

	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "a", "work", "s")
	for round := 1; round <= 2; round++ {
		opts := ""
		if round == 2 {
			opts = "a"
		}
		if _, err := m.mixMonitorExec(ch, "app.wav,"+opts); err != nil {
			t.Fatal(err)
		}
		talk(ch, ph, 25)
		if _, err := m.stopMixMonitorExec(ch, ""); err != nil {
			t.Fatal(err)
		}
		if n := samples("app.wav"); n < round*3500 || n > round*4200 {
			t.Errorf("after round %d app.wav has %d samples, want %d", round, n, round*4000)
		}
	}
}

// depositor is a voicemail module that takes recordings.
type depositor struct {
	mu   sync.Mutex
	got  []pbx.RecordingForMailbox
	size []int64
}

func (d *depositor) MailboxCounts(string) (pbx.MailboxCounts, bool) { return pbx.MailboxCounts{}, true }
func (d *depositor) DepositRecording(r pbx.RecordingForMailbox) error {
	st, err := os.Stat(r.File)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got = append(d.got, r)
	d.size = append(d.size, st.Size())
	return nil
}

// TestMailboxCopyAndDelete: m(box&box2) hands the finished mixed file to
// the voicemail module once per mailbox, with the connected line's caller
// ID (the channel's own with c) and its length; d removes the file after.
func TestMailboxCopyAndDelete(t *testing.T) {
	for _, tc := range []struct {
		opts, wantCID string
	}{
		{"m(100&200@other)d", "Bob"},
		{"m(100)cd", "Alice"},
	} {
		dir := t.TempDir()
		log := &memLog{}
		m := New(Options{Log: log, SpoolDir: dir})
		eng := pbx.New(pbx.Config{Logger: log})
		if err := m.Register(eng); err != nil {
			t.Fatal(err)
		}
		dep := &depositor{}
		eng.SetMailboxProvider(dep)
		ph := pbxtest.NewPhone(media.ULaw)
		ch := ph.NewChannel(eng, "a", "work", "s")
		ch.SetCallerID(pbx.CallerID{Name: "Alice", Num: "100"})
		ch.SetConnected(pbx.CallerID{Name: "Bob", Num: "200"})
		if _, err := m.mixMonitorExec(ch, "vm.wav,"+tc.opts); err != nil {
			t.Fatal(err)
		}
		if err := ch.OpenMedia(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
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
		if _, err := m.stopMixMonitorExec(ch, ""); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "monitor", "vm.wav")
		wantBoxes := strings.Count(tc.opts, "&") + 1
		if len(dep.got) != wantBoxes {
			t.Fatalf("%s: %d deposits, want %d\n%s", tc.opts, len(dep.got), wantBoxes, log)
		}
		for i, r := range dep.got {
			if r.File != path || r.Format != "wav" || r.Duration != 2 || r.CallerID.Name != tc.wantCID || dep.size[i] < 30000 {
				t.Errorf("%s: deposit %+v (size %d)", tc.opts, r, dep.size[i])
			}
		}
		if dep.got[0].Mailbox != "100" || (wantBoxes == 2 && dep.got[1].Mailbox != "200@other") {
			t.Errorf("%s: mailboxes %v", tc.opts, dep.got)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s: d left the file: %v", tc.opts, err)
		}
		m.Close()
	}
}

// TestLegSync: by default (S in older versions), a direction that sends nothing still gets its
// time in its leg file (silence), so r and t stay the same length;
// with n its file stays empty. A B interval that is no number warns.
func TestLegSync(t *testing.T) {
	for _, tc := range []struct {
		opts    string
		minOut  int // samples in out.wav
		warning bool
		notice  bool // S is the default in Asterisk 18: a NOTICE says so
	}{
		{"r(in.wav)t(out.wav)", 6000, false, false},
		{"r(in.wav)t(out.wav)n", 0, false, false},
		{"r(in.wav)t(out.wav)SB(10)", 6000, false, true},
		{"r(in.wav)t(out.wav)B(soon)", 6000, true, false},
	} {
		dir := t.TempDir()
		log := &memLog{}
		m := New(Options{Log: log, SpoolDir: dir})
		eng := pbx.New(pbx.Config{Logger: log})
		if err := m.Register(eng); err != nil {
			t.Fatal(err)
		}
		ph := pbxtest.NewPhone(media.ULaw)
		ch := ph.NewChannel(eng, "a", "work", "s")
		if _, err := m.mixMonitorExec(ch, ","+tc.opts); err != nil {
			t.Fatal(err)
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
		}
		if _, err := m.stopMixMonitorExec(ch, ""); err != nil {
			t.Fatal(err)
		}
		m.Close()
		ff, _ := sound.ForExt("wav")
		n := 0
		if r, err := sound.Open(filepath.Join(dir, "monitor", "out.wav"), ff); err == nil {
			for {
				fr, err := r.ReadFrame()
				if err != nil {
					break
				}
				n += fr.Samples
			}
			r.Close()
		}
		if n < tc.minOut || (tc.minOut == 0 && n != 0) {
			t.Errorf("%s: out.wav has %d samples, want %d or more (0 with n)", tc.opts, n, tc.minOut)
		}
		if got := strings.Contains(log.String(), "NOTICE: The synchronization behavior enabled by the 'S' option is now the default and does not need to be specified."); got != tc.notice {
			t.Errorf("%s: S notice %v\n%s", tc.opts, got, log)
		}
		if got := strings.Contains(log.String(), "Invalid interval"); got != tc.warning {
			t.Errorf("%s: B warning %v\n%s", tc.opts, got, log)
		}
	}
}
