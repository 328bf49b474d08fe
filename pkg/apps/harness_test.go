package apps_test

import (
	"context"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// recLog is the shared recording logger with this package's checks.
type recLog struct{ pbxtest.Log }

// executed returns the applications of the "Executing" lines, in order.
func (l *recLog) executed() []string {
	var out []string
	for _, s := range l.Lines() {
		if i := strings.Index(s, "] "); strings.HasPrefix(s, "    -- Executing [") && i > 0 {
			rest := s[i+2:]
			out = append(out, rest[:strings.IndexByte(rest, '(')])
		}
	}
	return out
}

func (l *recLog) has(t *testing.T, want ...string) {
	t.Helper()
	lines := l.Lines()
	for _, w := range want {
		found := false
		for _, s := range lines {
			if s == w {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("log lacks %q; log:\n%s", w, strings.Join(lines, "\n"))
		}
	}
}

// behaviour is how a fake far end reacts to a call.
type behaviour int

const (
	answerThenHangup behaviour = iota // rings, answers, hangs up after hold
	answerAndStay                     // rings, answers, waits for the core to hang up
	busy
	congested
	ringForever
	unavailable
	progressThenAnswer // rings, sends early media, answers, hangs up after hold
)

// fakeTech is a channel technology whose far ends follow a script. It
// owns the goroutines that play the far ends and waits for them in stop.
type fakeTech struct {
	e    *pbx.Engine
	mu   sync.Mutex
	plan map[string]behaviour // by dialed number
	hold time.Duration
	out  []*pbx.Channel
	wg   sync.WaitGroup
}

func (f *fakeTech) Type() string        { return "SIP" }
func (f *fakeTech) Description() string { return "Session Initiation Protocol (SIP)" }

func (f *fakeTech) Request(_ context.Context, data string, req *pbx.Channel) (*pbx.Channel, error) {
	peer, number := data, data
	if i := strings.IndexByte(data, '/'); i >= 0 {
		peer, number = data[:i], data[i+1:]
	}
	f.mu.Lock()
	b := f.plan[number]
	f.mu.Unlock()
	if b == unavailable {
		return nil, &pbx.RequestError{Cause: pbx.CauseSubscriberAbsent}
	}
	d := &fakeDriver{tech: f, b: b}
	ch := f.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: peer, Driver: d, Requestor: req})
	d.ch = ch
	f.mu.Lock()
	f.out = append(f.out, ch)
	f.mu.Unlock()
	return ch, nil
}

func (f *fakeTech) outbound() []*pbx.Channel {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*pbx.Channel(nil), f.out...)
}

// fakeDriver plays one leg. For the caller leg (b unused) it hangs up when
// told busy or congestion, as a SIP UAS does once it sent 486/503.
type fakeDriver struct {
	tech    *fakeTech
	ch      *pbx.Channel
	b       behaviour
	mu      sync.Mutex
	inds    []pbx.Indication
	hungup  []int
	answers int
}

func (d *fakeDriver) Call(_ context.Context, _ string, _ time.Duration) error {
	// The responses a SIP far end would send, for HANGUPCAUSE.
	switch d.b {
	case busy:
		d.ch.ReportCauseCode("SIP", 486, "Busy Here", pbx.CauseUserBusy)
	case congested:
		d.ch.ReportCauseCode("SIP", 503, "Service Unavailable", pbx.CauseCongestion)
	default:
		d.ch.ReportCauseCode("SIP", 180, "Ringing", pbx.CauseNormal)
	}
	d.tech.wg.Add(1)
	far := pbxtest.FarEnd{Busy: d.b == busy, Congested: d.b == congested, Ring: 5 * time.Millisecond,
		Hold: d.tech.hold, Stay: d.b == answerAndStay, Progress: d.b == progressThenAnswer}
	if d.b == ringForever {
		far.Ring = -1
	}
	go func() {
		defer d.tech.wg.Done()
		far.Play(d.ch)
	}()
	return nil
}

func (d *fakeDriver) Answer() error {
	d.mu.Lock()
	d.answers++
	d.mu.Unlock()
	return nil
}

func (d *fakeDriver) Indicate(ind pbx.Indication) error {
	d.mu.Lock()
	d.inds = append(d.inds, ind)
	d.mu.Unlock()
	if ind == pbx.IndBusy || ind == pbx.IndCongestion {
		d.ch.HungUp(pbx.CauseNormalClearing)
	}
	return nil
}

func (d *fakeDriver) Hangup(cause int) error {
	d.mu.Lock()
	d.hungup = append(d.hungup, cause)
	d.mu.Unlock()
	return nil
}

func (d *fakeDriver) indications() []pbx.Indication {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]pbx.Indication(nil), d.inds...)
}

// lab is an engine with the apps, a dialplan and the fake technology.
type lab struct {
	e    *pbx.Engine
	log  *recLog
	tech *fakeTech
}

func loadPlan(t *testing.T, name string, data []byte) pbx.Plan {
	t.Helper()
	cfg, diags := confparse.Parse(name, data, confparse.Options{Dir: "testdata"})
	if diags.HasErrors() {
		t.Fatalf("parse %s: %v", name, diags)
	}
	dp, diags := dialplan.Build(cfg, nil)
	if diags.HasErrors() {
		t.Fatalf("build %s: %v", name, diags)
	}
	return pbx.FromDialplan(dp)
}

func referencePlan(t *testing.T) pbx.Plan {
	data, err := os.ReadFile("testdata/extensions.conf")
	if err != nil {
		t.Fatal(err)
	}
	return loadPlan(t, "extensions.conf", data)
}

func newLab(t *testing.T, plan pbx.Plan, script map[string]behaviour) *lab {
	t.Helper()
	l := &lab{log: &recLog{}}
	l.e = pbx.New(pbx.Config{
		Logger:     l.log,
		Plan:       func() pbx.Plan { return plan },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, env) },
	})
	bridge.Install(l.e, bridge.Options{})
	if err := apps.Register(l.e); err != nil {
		t.Fatal(err)
	}
	l.tech = &fakeTech{e: l.e, plan: script, hold: 20 * time.Millisecond}
	if err := l.e.RegisterTechnology(l.tech); err != nil {
		t.Fatal(err)
	}
	return l
}

// call places an inbound call from 6001 and runs its dialplan to the end.
func (l *lab) call(t *testing.T, dpContext, exten string) (*pbx.Channel, *fakeDriver) {
	t.Helper()
	d := &fakeDriver{tech: l.tech}
	ch := l.e.NewChannel(pbx.ChannelSpec{
		Tech: "SIP", Resource: "6001", Driver: d, Context: dpContext, Exten: exten,
		CallerID: pbx.CallerID{Num: "6001", Name: "Poste 6001", DNID: exten},
	})
	d.ch = ch
	ch.SetState(pbx.StateRing)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.e.Run(context.Background(), ch, dpContext, exten, 1)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("call to %s@%s did not end; log:\n%s", exten, dpContext, strings.Join(l.log.Lines(), "\n"))
	}
	// The engine's own goroutines (an async Originate) may still start far
	// ends: wait for them first, so no far end is added while we wait.
	l.e.Wait()
	l.tech.wg.Wait()
	return ch, d
}

// noLeaks fails when goroutines started during the test outlive it.
func noLeaks(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines left after the call (before %d):\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
	})
}
