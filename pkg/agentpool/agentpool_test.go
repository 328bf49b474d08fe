package agentpool

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func init() {
	// The holding bridge's clocks, shortened for the tests.
	loginWait = 100 * time.Millisecond
	heartbeat = 10 * time.Millisecond
}

type testLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *testLog) add(s string) { l.mu.Lock(); l.lines = append(l.lines, s); l.mu.Unlock() }
func (l *testLog) Verbose(level int, f string, a ...any) {
	l.add(fmt.Sprintf("VERBOSE[%d] ", level) + fmt.Sprintf(f, a...))
}
func (l *testLog) Notice(f string, a ...any)  { l.add("NOTICE " + fmt.Sprintf(f, a...)) }
func (l *testLog) Warning(f string, a ...any) { l.add("WARNING " + fmt.Sprintf(f, a...)) }
func (l *testLog) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.lines {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

func parse(t *testing.T, text string) *confparse.Config {
	t.Helper()
	cfg, diags := confparse.Parse("agents.conf", []byte(text), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return cfg
}

const sample = `[general]
[agent-standard](!)
ackcall=no
musiconhold=default
[1001](agent-standard)
fullname=Mark Spencer
[1002](agent-standard)
fullname=Will Meadows
ackcall=yes
acceptdtmf=##
autologoff=15
wrapuptime=2500
custom_beep=beeperr
recordagentcalls=yes
goodbye=vm-goodbye
[0900]
fullname=Night
musiconhold=jazz
bogus=1
wrapuptime=-3
`

func TestLoad(t *testing.T) {
	c, diags := Load(parse(t, sample))
	if got := c.IDs(); strings.Join(got, ",") != "0900,1001,1002" {
		t.Fatalf("ids %v", got)
	}
	for _, tc := range []struct {
		id   string
		want Agent
	}{
		{"1001", Agent{ID: "1001", FullName: "Mark Spencer", AcceptDTMF: "#", MusicClass: "default", Beep: "beep"}},
		{"1002", Agent{ID: "1002", FullName: "Will Meadows", AckCall: true, AcceptDTMF: "##", AutoLogoff: 15, WrapUpTime: 2500,
			MusicClass: "default", RecordCalls: true, Beep: "beeperr", Goodbye: "vm-goodbye"}},
		{"0900", Agent{ID: "0900", FullName: "Night", AcceptDTMF: "#", MusicClass: "jazz", Beep: "beep"}},
	} {
		got := *c.Lookup(tc.id)
		got.File, got.Line = "", 0
		if got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.id, got, tc.want)
		}
	}
	var ds []string
	for _, d := range diags {
		ds = append(ds, d.String())
	}
	want := "agents.conf:19: warning: Could not find option suitable for category '0900' named 'bogus' in agents.conf|" +
		"agents.conf:20: warning: Error parsing wrapuptime=-3 in agents.conf: not an unsigned number"
	if strings.Join(ds, "|") != want {
		t.Errorf("diagnostics:\n%s\nwant\n%s", strings.Join(ds, "\n"), strings.ReplaceAll(want, "|", "\n"))
	}
	if m, _ := Load(nil); !m.Missing || len(m.Agents) != 0 {
		t.Errorf("missing file: %+v", m)
	}
}

// fixture is a module on an engine with its log.
type fixture struct {
	m   *Module
	eng *pbx.Engine
	log *testLog
}

func newFixture(t *testing.T, conf string) *fixture {
	t.Helper()
	c, _ := Load(parse(t, conf))
	log := &testLog{}
	f := &fixture{m: New(Options{Log: log}, c), eng: pbx.New(pbx.Config{}), log: log}
	if err := f.m.Register(f.eng); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) channel(name string) *pbx.Channel {
	ch := f.eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: name})
	_ = ch.Answer()
	return ch
}

// login runs AgentLogin on a new channel; the returned channel gets the
// application's result once it returns.
func (f *fixture) login(t *testing.T, id, resource string) (*pbx.Channel, chan pbx.Result) {
	t.Helper()
	ch := f.channel(resource)
	res := make(chan pbx.Result, 1)
	go func() {
		r, _ := f.m.loginExec(ch, id+",s")
		res <- r
	}()
	return ch, res
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) read(t *testing.T, ch *pbx.Channel, fn, args string) string {
	t.Helper()
	v, err := f.eng.ReadFunction(ch, fn, args)
	if err != nil {
		t.Fatalf("%s(%s): %v", fn, args, err)
	}
	return v
}

// TestLoginRequestLogoff follows one agent through a login, a call and a
// logoff: AGENT(), the Agent: device state, AGENT_STATUS and the events.
func TestLoginRequestLogoff(t *testing.T) {
	f := newFixture(t, sample)
	sub := f.eng.Bus().SubscribeTo("AgentLogin", "AgentLogoff")
	defer sub.Close()
	probe := f.channel("probe")
	if got := f.read(t, probe, "AGENT", "1001"); got != "LOGGEDOUT" {
		t.Errorf("status before login %q", got)
	}
	if got := f.eng.DeviceState("Agent:1001"); got != pbx.DeviceUnavailable {
		t.Errorf("devstate before login %v", got)
	}
	if got := f.eng.DeviceState("Agent:9999"); got != pbx.DeviceInvalid {
		t.Errorf("unknown agent devstate %v", got)
	}
	caller := f.channel("6001")
	if r, _ := f.m.requestExec(caller, "1001"); r != pbx.Continue {
		t.Errorf("request before login: %v", r)
	}
	if v, _ := caller.Var("AGENT_STATUS"); v != "NOT_LOGGED_IN" {
		t.Errorf("AGENT_STATUS %q, want NOT_LOGGED_IN", v)
	}

	agentCh, done := f.login(t, "1001", "6000")
	waitFor(t, "login", func() bool { return f.read(t, probe, "AGENT", "1001:status") == "LOGGEDIN" })
	if got := f.read(t, probe, "AGENT", "1001:fullchannel"); got != agentCh.Name() {
		t.Errorf("fullchannel %q", got)
	}
	if got := f.read(t, probe, "AGENT", "1001:channel"); got != "SIP/6000" {
		t.Errorf("channel %q", got)
	}
	if got := f.read(t, probe, "AGENT", "1001:name"); got != "Mark Spencer" {
		t.Errorf("name %q", got)
	}
	// Probation: busy for the login wait.
	second := f.channel("6002")
	if _, _ = f.m.requestExec(second, "1001"); true {
		if v, _ := second.Var("AGENT_STATUS"); v != "BUSY" {
			t.Errorf("request during probation: AGENT_STATUS %q, want BUSY", v)
		}
	}
	waitFor(t, "ready", func() bool { return f.eng.DeviceState("Agent:1001") == pbx.DeviceNotInUse })
	if _, _ = f.m.loginExec(f.channel("6009"), "1001,s"); true {
		// A second login of the same agent is refused.
	}

	res := make(chan pbx.Result, 1)
	go func() {
		r, _ := f.m.requestExec(caller, "1001")
		res <- r
	}()
	waitFor(t, "bridge", func() bool { return caller.Peer() == agentCh })
	if got := f.eng.DeviceState("Agent:1001"); got != pbx.DeviceInUse {
		t.Errorf("devstate on call %v", got)
	}
	if v, _ := caller.Var("AGENT_STATUS"); v != "" {
		t.Errorf("AGENT_STATUS on call %q, want empty", v)
	}
	show := f.m.ShowAgents(true)
	if !strings.Contains(show, "Talking: 1") || !strings.Contains(show, caller.Name()) {
		t.Errorf("agent show online on call:\n%s", show)
	}
	third := f.channel("6003")
	_, _ = f.m.requestExec(third, "1001")
	if v, _ := third.Var("AGENT_STATUS"); v != "BUSY" {
		t.Errorf("request on call: %q, want BUSY", v)
	}
	caller.SoftHangup(pbx.CauseNormalClearing)
	if r := <-res; r != pbx.HangupResult {
		t.Errorf("caller after the call: %v", r)
	}
	waitFor(t, "ready after the call", func() bool { return f.eng.DeviceState("Agent:1001") == pbx.DeviceNotInUse })

	if !f.m.Logoff("1001", false) {
		t.Fatal("logoff refused")
	}
	select {
	case r := <-done:
		if r != pbx.HangupResult {
			t.Errorf("AgentLogin returned %v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("AgentLogin did not return after the logoff")
	}
	if got := f.read(t, probe, "AGENT", "1001"); got != "LOGGEDOUT" {
		t.Errorf("status after logoff %q", got)
	}
	if got := f.eng.DeviceState("Agent:1001"); got != pbx.DeviceUnavailable {
		t.Errorf("devstate after logoff %v", got)
	}
	if f.m.Logoff("nope", false) {
		t.Error("logoff of an unknown agent accepted")
	}
	var evs []string
	for len(evs) < 2 {
		select {
		case <-sub.Ready():
			for _, ev := range sub.Take() {
				line := string(ev.Type) + " " + ev.Channel.Name()
				for _, fl := range ev.Fields {
					if fl.Key == "Agent" {
						line += " Agent=" + fl.Value
					}
				}
				evs = append(evs, line)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("events: %v", evs)
		}
	}
	want := []string{"AgentLogin " + agentCh.Name() + " Agent=1001", "AgentLogoff " + agentCh.Name() + " Agent=1001"}
	if strings.Join(evs, "|") != strings.Join(want, "|") {
		t.Errorf("events %v, want %v", evs, want)
	}
	for _, l := range []string{
		"VERBOSE[2] Agent '1001' logged in (format",
		"VERBOSE[3] Agent '1001' already logged in.",
		"VERBOSE[3] Agent '1001' is busy.",
		"VERBOSE[3] Agent '1001' not logged in.",
		"VERBOSE[2] Agent '1001' logged out.  Logged in for 0 seconds.",
	} {
		if !f.log.has(l) {
			t.Errorf("log lacks %q:\n%s", l, strings.Join(f.log.lines, ""))
		}
	}
}

// TestAckTimeout: an ackcall agent that does not press acceptdtmf within
// autologoff is logged off; the caller goes on with NOT_CONNECTED.
func TestAckTimeout(t *testing.T) {
	f := newFixture(t, "[2001]\nackcall=yes\nautologoff=1\n")
	_, done := f.login(t, "2001", "6000")
	waitFor(t, "ready", func() bool { return f.eng.DeviceState("Agent:2001") == pbx.DeviceNotInUse })
	caller := f.channel("6001")
	start := time.Now()
	r, _ := f.m.requestExec(caller, "2001")
	if r != pbx.Continue {
		t.Errorf("caller result %v", r)
	}
	if v, _ := caller.Var("AGENT_STATUS"); v != "NOT_CONNECTED" {
		t.Errorf("AGENT_STATUS %q", v)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("gave up after %v, before autologoff", d)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("agent still logged in")
	}
	if got := f.eng.DeviceState("Agent:2001"); got != pbx.DeviceUnavailable {
		t.Errorf("devstate %v", got)
	}
}

// TestSoftLogoffAndInvalid: a soft logoff waits for holding; unknown
// agents give INVALID and the AGENT() warnings.
func TestSoftLogoffAndInvalid(t *testing.T) {
	f := newFixture(t, sample)
	ch := f.channel("6000")
	if r, _ := f.m.loginExec(ch, "7777"); r != pbx.Continue {
		t.Errorf("login of unknown agent: %v", r)
	}
	if v, _ := ch.Var("AGENT_STATUS"); v != "INVALID" {
		t.Errorf("login AGENT_STATUS %q", v)
	}
	if r, _ := f.m.requestExec(ch, "7777"); r != pbx.Continue {
		t.Errorf("request of unknown agent: %v", r)
	}
	if r, _ := f.m.requestExec(ch, ""); r != pbx.HangupResult {
		t.Errorf("request without id: %v", r)
	}
	if _, err := f.eng.ReadFunction(ch, "AGENT", "7777"); err == nil || !strings.Contains(err.Error(), "Agent '7777' not found!") {
		t.Errorf("AGENT(7777): %v", err)
	}
	if _, err := f.eng.ReadFunction(ch, "AGENT", ""); err == nil {
		t.Error("AGENT() without id: no error")
	}
	agentCh, done := f.login(t, "0900", "6005")
	waitFor(t, "login", func() bool { return f.read(t, ch, "AGENT", "0900") == "LOGGEDIN" })
	f.m.Logoff("0900", true)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("soft logoff did not end the login")
	}
	if agentCh.HangupRequested() {
		t.Error("soft logoff hung the agent's channel up itself")
	}
}

// TestShow: agent show all/online/<id> in app_agent_pool's layout.
func TestShow(t *testing.T) {
	f := newFixture(t, sample)
	_, done := f.login(t, "1002", "6000")
	waitFor(t, "ready", func() bool { return f.eng.DeviceState("Agent:1002") == pbx.DeviceNotInUse })
	// The channel name's sequence and the login time vary: replace them.
	fix := func(s string) string {
		for _, a := range f.m.snapshot() {
			if a.channel != "" {
				s = strings.ReplaceAll(s, a.channel, "SIP/6000-00000000")
				s = strings.ReplaceAll(s, fmt.Sprint(a.loginStart), "1700000000")
			}
		}
		return s
	}
	out := "== agent show all\n" + fix(f.m.ShowAgents(false)) +
		"== agent show online\n" + fix(f.m.ShowAgents(true)) +
		"== agent show 1002\n" + fix(f.m.ShowAgent("1002")) +
		"== agent show 1001\n" + fix(f.m.ShowAgent("1001")) +
		"== agent show 42\n" + f.m.ShowAgent("42")
	goldenfile.Check(t, "testdata/agent-show.txt", out)
	f.m.Logoff("1002", false)
	<-done
}

// TestWrapUpAndReload: after a call the agent stays INUSE for wrapuptime
// (ms), then is offered calls again; a reload that removes the agent
// logs it out once it is back in holding.
func TestWrapUpAndReload(t *testing.T) {
	f := newFixture(t, "[3001]\nwrapuptime=300\n")
	agentCh, done := f.login(t, "3001", "6000")
	waitFor(t, "ready", func() bool { return f.eng.DeviceState("Agent:3001") == pbx.DeviceNotInUse })
	caller := f.channel("6001")
	res := make(chan pbx.Result, 1)
	go func() {
		r, _ := f.m.requestExec(caller, "3001")
		res <- r
	}()
	waitFor(t, "bridge", func() bool { return caller.Peer() == agentCh })
	caller.SoftHangup(pbx.CauseNormalClearing)
	<-res
	ended := time.Now()
	time.Sleep(100 * time.Millisecond)
	if got := f.eng.DeviceState("Agent:3001"); got != pbx.DeviceInUse {
		t.Errorf("during wrap-up: %v, want INUSE", got)
	}
	waitFor(t, "wrap-up end", func() bool { return f.eng.DeviceState("Agent:3001") == pbx.DeviceNotInUse })
	if d := time.Since(ended); d < 300*time.Millisecond {
		t.Errorf("available again %v after the call, before wrapuptime", d)
	}
	c, _ := Load(parse(t, "[3002]\n"))
	f.m.SetConfig(c)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a removed agent stayed logged in")
	}
	if got := f.eng.DeviceState("Agent:3001"); got != pbx.DeviceInvalid {
		t.Errorf("removed agent's device: %v, want INVALID", got)
	}
	if got := f.eng.DeviceState("Agent:3002"); got != pbx.DeviceUnavailable {
		t.Errorf("new agent's device: %v, want UNAVAILABLE", got)
	}
}
