package queue

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/astdb"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// recLog is the shared recording logger; text joins its lines.
type recLog struct{ pbxtest.Log }

func (l *recLog) text() string { return strings.Join(l.Lines(), "\n") }

// agent is how a fake member's phone behaves.
type agent int

const (
	answers  agent = iota // rings, answers, stays until hung up (or hangs up after talk)
	noAnswer              // rings for ever
	isBusy                // 486
)

// fakeTech is a SIP-like technology whose devices follow a script and
// know their state (registered: NOT_INUSE, unknown: INVALID).
type fakeTech struct {
	e    *pbx.Engine
	mu   sync.Mutex
	plan map[string]agent
	talk time.Duration // answering agents hang up after talk (0: never)
	rung []string      // devices rung, in order
	// ends are what each member's channel had when it was hung up.
	ends map[string]legEnd
	wg   sync.WaitGroup
}

func (f *fakeTech) Type() string        { return "SIP" }
func (f *fakeTech) Description() string { return "fake SIP" }

func (f *fakeTech) DeviceState(res string) pbx.DeviceState {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.plan[res]; ok {
		return pbx.DeviceNotInUse
	}
	return pbx.DeviceInvalid
}

func (f *fakeTech) Request(_ context.Context, data string, req *pbx.Channel) (*pbx.Channel, error) {
	f.mu.Lock()
	b, ok := f.plan[data]
	f.rung = append(f.rung, data)
	f.mu.Unlock()
	if !ok {
		return nil, &pbx.RequestError{Cause: pbx.CauseSubscriberAbsent}
	}
	d := &fakeDriver{tech: f, b: b, res: data}
	d.ch = f.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: data, Driver: d, Requestor: req})
	return d.ch, nil
}

func (f *fakeTech) rungList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.rung...)
}

type fakeDriver struct {
	tech *fakeTech
	ch   *pbx.Channel
	b    agent
	res  string // the member's device, "" for a caller
}

func (d *fakeDriver) Call(context.Context, string, time.Duration) error {
	d.tech.wg.Add(1)
	far := pbxtest.FarEnd{Busy: d.b == isBusy, Ring: 5 * time.Millisecond, Hold: d.tech.talk, Stay: d.tech.talk <= 0}
	if d.b == noAnswer {
		far.Ring = -1
	}
	go func() {
		defer d.tech.wg.Done()
		far.Play(d.ch)
	}()
	return nil
}
func (d *fakeDriver) Answer() error                 { return nil }
func (d *fakeDriver) Indicate(pbx.Indication) error { return nil }
func (d *fakeDriver) Hangup(cause int) error {
	if d.ch == nil || d.res == "" {
		return nil
	}
	v, _ := d.ch.Var("QTEST")
	d.tech.mu.Lock()
	defer d.tech.mu.Unlock()
	if d.tech.ends == nil {
		d.tech.ends = map[string]legEnd{}
	}
	d.tech.ends[d.res] = legEnd{cause: cause, qtest: v, features: d.ch.FeatureFlags()}
	return nil
}

// legEnd is a member channel's state at its hangup.
type legEnd struct {
	cause    int
	qtest    string // its QTEST variable
	features pbx.FeatureFlags
}

func (f *fakeTech) end(res string) (legEnd, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.ends[res]
	return e, ok
}

// lab is an engine, the fake technology and a started queue module.
type lab struct {
	e    *pbx.Engine
	log  *recLog
	tech *fakeTech
	m    *Module
	dir  string
	db   *astdb.DB
}

func parseConf(t *testing.T, name, text string) *confparse.Config {
	t.Helper()
	cfg, diags := confparse.Parse(name, []byte(text), confparse.Options{})
	if diags.HasErrors() {
		t.Fatalf("%s: %v", name, diags)
	}
	return cfg
}

func newLab(t *testing.T, queuesConf string, plan map[string]agent) *lab {
	t.Helper()
	return newPlanLab(t, queuesConf, "", plan)
}

// newPlanLab is newLab with a dialplan (extensions.conf text, "" for
// none) and the applications, for what runs subroutines or macros.
func newPlanLab(t *testing.T, queuesConf, extensions string, plan map[string]agent) *lab {
	t.Helper()
	l := &lab{log: &recLog{}, dir: t.TempDir()}
	conf := pbx.Config{Logger: l.log}
	if extensions != "" {
		dp, diags := dialplan.Build(parseConf(t, "extensions.conf", extensions), nil)
		if diags.HasErrors() {
			t.Fatalf("extensions.conf: %v", diags)
		}
		p := pbx.FromDialplan(dp)
		conf.Plan = func() pbx.Plan { return p }
		conf.Substitute = func(s string, env pbx.Env) string { return expr.Substitute(s, env) }
	}
	l.e = pbx.New(conf)
	if extensions != "" {
		if err := apps.Register(l.e); err != nil {
			t.Fatal(err)
		}
	}
	l.tech = &fakeTech{e: l.e, plan: plan}
	if err := l.e.RegisterTechnology(l.tech); err != nil {
		t.Fatal(err)
	}
	db, err := astdb.Open(filepath.Join(l.dir, "astdb.sqlite3"))
	if err != nil {
		t.Fatal(err)
	}
	l.db = db
	t.Cleanup(func() { _ = db.Close() })
	l.m = l.start(t, queuesConf)
	t.Cleanup(func() {
		l.tech.wg.Wait()
	})
	return l
}

// start builds and starts a module on the lab's engine (again, for a
// restart).
func (l *lab) start(t *testing.T, queuesConf string) *Module {
	t.Helper()
	cfg, diags := Load(parseConf(t, "queues.conf", queuesConf), nil)
	for _, d := range diags {
		t.Logf("diag: %v", d)
	}
	qlog, err := OpenLog(l.dir, LogSettings{Enabled: true, Name: "queue_log"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = qlog.Close() })
	m := New(Options{Log: l.log, Store: l.db, QueueLog: qlog}, cfg)
	if err := m.Register(l.e); err != nil && !strings.Contains(err.Error(), "registered twice") {
		t.Fatal(err)
	}
	m.eng = l.e
	m.Start()
	t.Cleanup(m.Stop)
	return m
}

// caller makes an inbound channel from number.
func (l *lab) caller(number string) *pbx.Channel {
	d := &fakeDriver{tech: l.tech}
	ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "caller" + number, Driver: d, Context: "from-pstn", Exten: "100",
		CallerID: pbx.CallerID{Num: number}})
	d.ch = ch
	ch.SetState(pbx.StateRing)
	return ch
}

// run executes Queue(data) for ch, hangs ch up after, and returns the
// result and QUEUESTATUS.
func (l *lab) run(ch *pbx.Channel, data string) (pbx.Result, string) {
	res, _ := l.m.queueExec(ch, data)
	st, _ := ch.Var("QUEUESTATUS")
	ch.Hangup(pbx.CauseNormalClearing)
	return res, st
}

// queueLog returns queue_log's lines with the time column replaced by T.
func (l *lab) queueLog(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(l.dir, "queue_log"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if i := strings.IndexByte(s, '|'); i > 0 {
			s = "T" + s[i:]
		}
		out = append(out, s)
	}
	return out
}

// eventually waits for cond, failing after d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
