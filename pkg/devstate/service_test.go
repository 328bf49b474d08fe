package devstate

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/astdb"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

type nopLog struct{}

func (nopLog) Verbose(int, string, ...any) {}
func (nopLog) Notice(string, ...any)       {}
func (nopLog) Warning(string, ...any)      {}
func (nopLog) Error(string, ...any)        {}

type memDB struct {
	mu sync.Mutex
	m  map[string]string
}

func (d *memDB) Get(f, k string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	v, ok := d.m["/"+f+"/"+k]
	return v, ok
}
func (d *memDB) Put(f, k, v string) error {
	d.mu.Lock()
	d.m["/"+f+"/"+k] = v
	d.mu.Unlock()
	return nil
}
func (d *memDB) Del(f, k string) error {
	d.mu.Lock()
	delete(d.m, "/"+f+"/"+k)
	d.mu.Unlock()
	return nil
}
func (d *memDB) Entries(f, _ string) []astdb.Entry {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []astdb.Entry
	for k, v := range d.m {
		if strings.HasPrefix(k, "/"+f+"/") {
			out = append(out, astdb.Entry{Key: k, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key }) // as astdb answers
	return out
}

type testTech struct{}

func (testTech) Type() string        { return "Test" }
func (testTech) Description() string { return "test" }
func (testTech) Request(context.Context, string, *pbx.Channel) (*pbx.Channel, error) {
	return nil, fmt.Errorf("no")
}

// DeviceState: Test/9xx are unreachable, the others idle.
func (testTech) DeviceState(r string) pbx.DeviceState {
	if strings.HasPrefix(r, "9") {
		return pbx.DeviceUnavailable
	}
	return pbx.DeviceNotInUse
}

// DeviceBusy: Test/555 is at its call limit as soon as it has a call.
func (testTech) DeviceBusy(r string) bool { return r == "555" }

const extensionsConf = `[internal]
exten => 555,hint,Test/555
exten => 201,hint,Test/201&Custom:DND201
exten => 201,1,Dial(Test/201)
exten => 202,hint,Test/202
exten => _3XX,hint,Test/${EXTEN}
exten => 900,hint,Test/900,CustomPresence:bob
[other]
exten => 201,hint,Test/201
`

func newLab(t *testing.T, conf string) (*pbx.Engine, *Service, *memDB) {
	t.Helper()
	ext, diags := confparse.Parse("extensions.conf", []byte(conf), confparse.Options{Dir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, diags := dialplan.Build(ext, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	e := pbx.New(pbx.Config{Logger: nopLog{}, Plan: func() pbx.Plan { return pbx.FromDialplan(dp) }})
	if err := e.RegisterTechnology(testTech{}); err != nil {
		t.Fatal(err)
	}
	db := &memDB{m: map[string]string{}}
	s := New(e, db)
	s.Start()
	t.Cleanup(s.Stop)
	return e, s, db
}

// watch collects a hint's changes.
type watch struct {
	mu  sync.Mutex
	got []pbx.ExtensionState
	ch  chan struct{}
}

func (w *watch) fn(c pbx.ExtensionStateChange) {
	w.mu.Lock()
	w.got = append(w.got, c.State)
	w.mu.Unlock()
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// waitFor waits (generously: the machine is shared) until the last state
// seen is want.
func (w *watch) waitFor(t *testing.T, want pbx.ExtensionState) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		w.mu.Lock()
		n := len(w.got)
		last := pbx.ExtensionState("")
		if n > 0 {
			last = w.got[n-1]
		}
		w.mu.Unlock()
		if last == want {
			return
		}
		select {
		case <-w.ch:
		case <-deadline:
			t.Fatalf("waited for %s, saw %v", want, w.got)
		}
	}
}

// TestWatchFollowsCall: a watcher of 201 hears ringing, in use, idle as a
// channel of Test/201 rings, is answered and hangs up, and a Custom:
// device of the same hint makes it busy.
func TestWatchFollowsCall(t *testing.T) {
	e, s, db := newLab(t, extensionsConf)
	w := &watch{ch: make(chan struct{}, 1)}
	stop, ok := e.WatchExtension("internal", "201", w.fn)
	if !ok {
		t.Fatal("no hint 201@internal")
	}
	defer stop()
	ch := pbxtest.NewPhone(nil).NewChannel(e, "201", "internal", "s")
	ch.Ringing()
	w.waitFor(t, pbx.ExtRinging)
	ch.SetState(pbx.StateUp)
	w.waitFor(t, pbx.ExtInUse)
	ch.Held("")
	w.waitFor(t, pbx.ExtOnHold)
	ch.Hangup(0)
	w.waitFor(t, pbx.ExtNotInUse)
	if err := s.SetCustom("DND201", "BUSY"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(t, pbx.ExtBusy)
	if v, _ := db.Get(CustomFamily, "DND201"); v != "BUSY" {
		t.Fatalf("astdb /CustomDevstate/DND201 = %q", v)
	}
	if st, _ := s.State("internal", "201"); st != pbx.ExtBusy {
		t.Fatalf("table state %s", st)
	}
}

func TestWatchPatternAndMissing(t *testing.T) {
	e, s, _ := newLab(t, extensionsConf)
	if _, ok := e.WatchExtension("internal", "999", func(pbx.ExtensionStateChange) {}); ok {
		t.Fatal("watch of an extension without hint succeeded")
	}
	w := &watch{ch: make(chan struct{}, 1)}
	stop, ok := e.WatchExtension("internal", "301", w.fn)
	if !ok {
		t.Fatal("pattern hint not watched")
	}
	if st, _ := s.State("internal", "301"); st != pbx.ExtNotInUse {
		t.Fatalf("301 = %s", st)
	}
	ch := pbxtest.NewPhone(nil).NewChannel(e, "301", "internal", "s")
	ch.SetState(pbx.StateUp)
	w.waitFor(t, pbx.ExtInUse)
	ch.Hangup(0)
	w.waitFor(t, pbx.ExtNotInUse)
	var b bytes.Buffer
	s.ShowHint(&b, "301")
	if !strings.Contains(b.String(), "301@internal                  : Test/301 ") || !strings.Contains(b.String(), "Watchers  1\n") {
		t.Fatalf("core show hint 301:\n%s", b.String())
	}
	stop()
	b.Reset()
	s.ShowHint(&b, "301")
	if !strings.Contains(b.String(), "Watchers  0\n") {
		t.Fatalf("after stop:\n%s", b.String())
	}
}

// TestBusyAtCallLimit: a device in use whose technology says it is at its
// limit (chan_sip's call-limit) is BUSY, and so is its hint.
func TestBusyAtCallLimit(t *testing.T) {
	e, _, _ := newLab(t, extensionsConf)
	w := &watch{ch: make(chan struct{}, 1)}
	stop, _ := e.WatchExtension("internal", "555", w.fn)
	defer stop()
	ch := pbxtest.NewPhone(nil).NewChannel(e, "555", "internal", "s")
	ch.SetState(pbx.StateUp)
	w.waitFor(t, pbx.ExtBusy)
	if got := e.DeviceState("Test/555"); got != pbx.DeviceBusy {
		t.Fatalf("DeviceState = %s", got)
	}
	ch.Hangup(0)
	w.waitFor(t, pbx.ExtNotInUse)
}

func TestChannelDevice(t *testing.T) {
	for in, want := range map[string]string{
		"SIP/201-0000002a":     "SIP/201",
		"SIP/trunk-a-00000001": "SIP/trunk-a",
		"Local/x@y-0001;1":     "Local/x@y",
		"nodash":               "",
		"-x":                   "",
	} {
		if got := ChannelDevice(in); got != want {
			t.Errorf("ChannelDevice(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReloadRemovesHint: a dialplan reload that drops a watched hint
// tells its watchers Removed (chan_sip then ends the subscription with
// reason=noresource); one that keeps it keeps the watch.
func TestReloadRemovesHint(t *testing.T) {
	build := func(conf string) *dialplan.Dialplan {
		ext, diags := confparse.Parse("extensions.conf", []byte(conf), confparse.Options{Dir: t.TempDir()})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		dp, diags := dialplan.Build(ext, nil)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return dp
	}
	var mu sync.Mutex
	dp := build("[c]\nexten => 1,hint,Test/1\nexten => 2,hint,Test/2\n")
	e := pbx.New(pbx.Config{Logger: nopLog{}, Plan: func() pbx.Plan { mu.Lock(); defer mu.Unlock(); return pbx.FromDialplan(dp) }})
	if err := e.RegisterTechnology(testTech{}); err != nil {
		t.Fatal(err)
	}
	s := New(e, nil)
	s.Start()
	defer s.Stop()
	removed := make(chan string, 2)
	for _, x := range []string{"1", "2"} {
		stop, ok := e.WatchExtension("c", x, func(c pbx.ExtensionStateChange) {
			if c.Removed {
				removed <- c.Exten
			}
		})
		if !ok {
			t.Fatalf("no hint %s", x)
		}
		defer stop()
	}
	mu.Lock()
	dp = build("[c]\nexten => 2,hint,Test/2\n")
	mu.Unlock()
	s.Reload()
	select {
	case x := <-removed:
		if x != "1" {
			t.Fatalf("removed %s, want 1", x)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no Removed for hint 1")
	}
	select {
	case x := <-removed:
		t.Fatalf("hint %s reported removed too", x)
	default:
	}
	var b bytes.Buffer
	s.ShowHints(&b)
	if !strings.Contains(b.String(), "2@c ") || strings.Contains(b.String(), "1@c ") || !strings.Contains(b.String(), "Watchers  1\n") {
		t.Fatalf("after reload:\n%s", b.String())
	}
}

// TestAutohints: in a context with autohints=yes, a device whose state
// changes gets a hint named after it, which EXTENSION_STATE and watchers
// then see (pbx.c's autohints).
func TestAutohints(t *testing.T) {
	e, s, _ := newLab(t, "[auto]\nautohints=yes\nexten => 1,1,NoOp()\n")
	if err := s.SetCustom("lamp", "INUSE"); err != nil {
		t.Fatal(err)
	}
	if !pollUntil(5*time.Second, func() bool { st, ok := s.State("auto", "lamp"); return ok && st == pbx.ExtInUse }) {
		t.Fatal("no autohint lamp@auto in use")
	}
	if st, ok := e.ExtensionState("auto", "lamp"); !ok || st != pbx.ExtInUse {
		t.Fatalf("ExtensionState(lamp@auto) = %s, %v", st, ok)
	}
	w := &watch{ch: make(chan struct{}, 1)}
	stop, ok := e.WatchExtension("auto", "lamp", w.fn)
	if !ok {
		t.Fatal("autohint not watchable")
	}
	defer stop()
	s.SetCustom("lamp", "NOT_INUSE")
	w.waitFor(t, pbx.ExtNotInUse)
	var b bytes.Buffer
	s.ShowHints(&b)
	if !strings.Contains(b.String(), "lamp@auto                     : Custom:lamp ") {
		t.Fatalf("core show hints:\n%s", b.String())
	}
}

func pollUntil(d time.Duration, f func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if f() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return f()
}
