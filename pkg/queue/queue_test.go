package queue

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

const threeAgents = `
[general]
persistentmembers = yes

[support]
strategy = %s
timeout = 1
retry = 1
ringinuse = no
member => SIP/6000
member => SIP/6001
member => SIP/6002
`

func agents3() map[string]agent {
	return map[string]agent{"6000": answers, "6001": answers, "6002": answers}
}

// connected returns the member of each CONNECT line, in order.
func connected(lines []string) []string {
	var out []string
	for _, s := range lines {
		f := strings.Split(s, "|")
		if len(f) > 4 && f[4] == "CONNECT" {
			out = append(out, f[3])
		}
	}
	return out
}

func TestStrategiesPickTheRightAgent(t *testing.T) {
	tests := []struct {
		strategy string
		prepare  func(l *lab)
		callers  int
		want     []string
	}{
		{"rrmemory", nil, 6, []string{"SIP/6000", "SIP/6001", "SIP/6002", "SIP/6000", "SIP/6001", "SIP/6002"}},
		{"rrordered", nil, 4, []string{"SIP/6000", "SIP/6001", "SIP/6002", "SIP/6000"}},
		{"linear", nil, 3, []string{"SIP/6000", "SIP/6000", "SIP/6000"}},
		{"fewestcalls", func(l *lab) {
			l.m.mu.Lock()
			defer l.m.mu.Unlock()
			q := l.m.queues["support"]
			q.member("SIP/6000").calls = 5
			q.member("SIP/6001").calls = 1
			q.member("SIP/6002").calls = 3
		}, 2, []string{"SIP/6001", "SIP/6001"}},
		{"leastrecent", func(l *lab) {
			l.m.mu.Lock()
			defer l.m.mu.Unlock()
			q := l.m.queues["support"]
			now := time.Now()
			q.member("SIP/6000").lastCall = now.Add(-10 * time.Second)
			q.member("SIP/6001").lastCall = now.Add(-5 * time.Second)
			q.member("SIP/6002").lastCall = now.Add(-100 * time.Second)
		}, 3, []string{"SIP/6002", "SIP/6000", "SIP/6001"}},
	}
	for _, tc := range tests {
		t.Run(tc.strategy, func(t *testing.T) {
			l := newLab(t, fmt.Sprintf(threeAgents, tc.strategy), agents3())
			l.tech.talk = 5 * time.Millisecond
			if tc.prepare != nil {
				tc.prepare(l)
			}
			for i := 0; i < tc.callers; i++ {
				if res, st := l.run(l.caller(fmt.Sprint(100+i)), "support"); res.Action != pbx.ActHangup || st != "" {
					t.Fatalf("caller %d: result %+v, QUEUESTATUS %q; want hangup after the call, no status", i, res, st)
				}
				// leastrecent's clock has one-second steps: the agent
				// just used must be the most recent by a whole second.
				if tc.strategy == "leastrecent" {
					l.m.mu.Lock()
					for _, mem := range l.m.queues["support"].members {
						if !mem.lastCall.IsZero() && time.Since(mem.lastCall) < time.Second {
							mem.lastCall = time.Now().Add(-time.Duration(i) * time.Millisecond)
						}
					}
					l.m.mu.Unlock()
				}
			}
			if got := connected(l.queueLog(t)); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("agents connected: %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBusyAgentIsSkipped(t *testing.T) {
	l := newLab(t, fmt.Sprintf(threeAgents, "rrmemory"), agents3())
	l.tech.talk = 5 * time.Millisecond
	// 6000 is on another call: its device is in use.
	other := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6000", Driver: &fakeDriver{tech: l.tech}})
	other.SetState(pbx.StateUp)
	defer other.Hangup(pbx.CauseNormalClearing)
	l.run(l.caller("100"), "support")
	if got := connected(l.queueLog(t)); len(got) != 1 || got[0] != "SIP/6001" {
		t.Errorf("connected %v, want [SIP/6001] (6000 is in use, ringinuse=no)", got)
	}
	for _, d := range l.tech.rungList() {
		if d == "6000" {
			t.Errorf("the busy agent 6000 was rung: %v", l.tech.rungList())
		}
	}
}

func TestTimeoutSetsQueuestatusAndLogsEachStep(t *testing.T) {
	l := newLab(t, `
[support]
strategy = rrmemory
timeout = 1
retry = 1
member => SIP/6000
member => SIP/6001
`, map[string]agent{"6000": noAnswer, "6001": noAnswer})
	ch := l.caller("0611223344")
	uid := ch.UniqueID()
	res, st := l.run(ch, "support,,,,3")
	if st != "TIMEOUT" || res.Action != pbx.ActContinue {
		t.Fatalf("QUEUESTATUS=%q result %+v, want TIMEOUT and the dialplan going on", st, res)
	}
	if v, _ := ch.Var("ABANDONED"); v != "TRUE" {
		t.Errorf("ABANDONED=%q, want TRUE", v)
	}
	lines := l.queueLog(t)
	want := []*regexp.Regexp{
		regexp.MustCompile(`^T\|NONE\|NONE\|NONE\|QUEUESTART\|$`),
		regexp.MustCompile(`^T\|` + regexp.QuoteMeta(uid) + `\|support\|NONE\|ENTERQUEUE\|\|0611223344\|1$`),
		regexp.MustCompile(`^T\|` + regexp.QuoteMeta(uid) + `\|support\|SIP/6000\|RINGNOANSWER\|1000$`),
		regexp.MustCompile(`^T\|` + regexp.QuoteMeta(uid) + `\|support\|SIP/6001\|RINGNOANSWER\|\d+$`),
		regexp.MustCompile(`^T\|` + regexp.QuoteMeta(uid) + `\|support\|NONE\|EXITWITHTIMEOUT\|1\|1\|3$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("queue_log has %d lines, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d = %q, want %s", i+1, lines[i], re)
		}
	}
	if n := len(l.e.Channels()); n != 0 {
		t.Errorf("%d channels left behind: %v", n, l.e.Channels())
	}
}

func TestFullScenarioQueueLog(t *testing.T) {
	// 6000 does not answer, 6001 does and hangs up: enter, ring no
	// answer, connect, complete (agent).
	l := newLab(t, `
[support]
strategy = linear
timeout = 1
retry = 1
member => SIP/6000
member => SIP/6001
`, map[string]agent{"6000": noAnswer, "6001": answers})
	l.tech.talk = 1100 * time.Millisecond
	ch := l.caller("100")
	uid := ch.UniqueID()
	l.run(ch, "support")
	lines := l.queueLog(t)
	q := regexp.QuoteMeta
	want := []string{
		`^T\|NONE\|NONE\|NONE\|QUEUESTART\|$`,
		`^T\|` + q(uid) + `\|support\|NONE\|ENTERQUEUE\|\|100\|1$`,
		`^T\|` + q(uid) + `\|support\|SIP/6000\|RINGNOANSWER\|1000$`,
		`^T\|` + q(uid) + `\|support\|SIP/6001\|CONNECT\|[1-4]\|[0-9.]+\|[0-2]$`,
		`^T\|` + q(uid) + `\|support\|SIP/6001\|COMPLETEAGENT\|[1-4]\|[1-3]\|1$`,
	}
	if len(lines) != len(want) {
		t.Fatalf("queue_log:\n%s\nwant %d lines", strings.Join(lines, "\n"), len(want))
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(lines[i]) {
			t.Errorf("line %d = %q, want %s", i+1, lines[i], w)
		}
	}
}

func TestCallerHangsUpWhileRinging(t *testing.T) {
	l := newLab(t, `
[support]
strategy = ringall
timeout = 30
member => SIP/6000
member => SIP/6001
`, map[string]agent{"6000": noAnswer, "6001": noAnswer})
	ch := l.caller("100")
	done := make(chan pbx.Result, 1)
	go func() {
		res, _ := l.m.queueExec(ch, "support")
		done <- res
	}()
	eventually(t, 2*time.Second, "both agents rung", func() bool { return len(l.e.Channels()) == 3 })
	ch.HungUp(pbx.CauseNormalClearing)
	var res pbx.Result
	select {
	case res = <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Queue did not return after the caller hung up")
	}
	ch.Hangup(0)
	if res.Action != pbx.ActHangup {
		t.Errorf("result %+v, want hangup", res)
	}
	eventually(t, time.Second, "every leg hung up", func() bool { return len(l.e.Channels()) == 0 })
	log := strings.Join(l.queueLog(t), "\n")
	for _, w := range []string{"|support|SIP/6000|RINGCANCELED|", "|support|SIP/6001|RINGCANCELED|", "|support|NONE|ABANDON|1|1|"} {
		if !strings.Contains(log, w) {
			t.Errorf("queue_log lacks %q:\n%s", w, log)
		}
	}
	if st := l.m.Show("support"); !strings.Contains(st, "No Callers") {
		t.Errorf("the caller stayed in the queue:\n%s", st)
	}
}

func TestJoinConditions(t *testing.T) {
	tests := []struct {
		name, conf, data, want string
	}{
		{"no such queue", "[support]\n", "nosuch", "UNKNOWN"},
		{"joinempty", "[support]\njoinempty = no\nmember => SIP/9999\n", "support", "JOINEMPTY"},
		{"full", "[support]\nmaxlen = 1\nmember => SIP/6000\n", "support", "FULL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, tc.conf, map[string]agent{"6000": noAnswer})
			if tc.want == "FULL" {
				first := l.caller("1")
				go l.m.queueExec(first, "support,,,,1")
				eventually(t, time.Second, "first caller queued", func() bool { return strings.Contains(l.m.Show("support"), "1. ") })
				defer func() { first.HungUp(0); first.Hangup(0) }()
			}
			res, st := l.run(l.caller("100"), tc.data)
			if st != tc.want || res.Action != pbx.ActContinue {
				t.Errorf("QUEUESTATUS=%q result %+v, want %s and continue", st, res, tc.want)
			}
			if tc.want == "UNKNOWN" && !strings.Contains(l.log.text(), "WARNING: Unable to join queue 'nosuch'") {
				t.Errorf("no warning for the missing queue; log:\n%s", l.log.text())
			}
		})
	}
}

func TestDynamicMembersSurviveARestart(t *testing.T) {
	conf := "[general]\npersistentmembers = yes\n\n[support]\nmember => SIP/6000\n"
	l := newLab(t, conf, map[string]agent{"6000": answers, "7000": answers})
	ch := l.caller("100")
	if _, err := l.m.addExec(ch, "support,SIP/7000,3,,Alice"); err != nil {
		t.Fatal(err)
	}
	if v, _ := ch.Var("AQMSTATUS"); v != "ADDED" {
		t.Fatalf("AQMSTATUS=%q", v)
	}
	l.m.SetPaused("support", "SIP/7000", "lunch", true)
	if got, _ := l.db.Get("Queue/PersistentMembers", "support"); got != "SIP/7000;3;1;Alice;SIP/7000;lunch;0" {
		t.Errorf("astdb row %q, want app_queue's format", got)
	}
	// A new module on the same database: the member is back, paused.
	m2 := l.start(t, conf)
	show := m2.Show("support")
	if !strings.Contains(show, "      Alice (SIP/7000) with penalty 3 (ringinuse enabled) (dynamic) (paused:lunch was 0 secs ago) (Not in use) has taken no calls yet") {
		t.Errorf("after restart:\n%s", show)
	}
	if res, _ := m2.RemoveMember("support", "SIP/6000"); res != ResNotDynamic {
		t.Errorf("removing a static member: %v, want ResNotDynamic", res)
	}
	if res, _ := m2.RemoveMember("support", "SIP/7000"); res != ResOK {
		t.Errorf("RemoveMember: %v", res)
	}
	if _, ok := l.db.Get("Queue/PersistentMembers", "support"); ok {
		t.Error("the astdb row stayed after the last dynamic member left")
	}
}

func TestQueueShowLayout(t *testing.T) {
	l := newLab(t, `
[support]
strategy = rrmemory
maxlen = 5
servicelevel = 60
member => SIP/6000,0,Bob
member => SIP/6001,2
member => SIP/6002,,,Custom:lamp
`, agents3())
	now := time.Unix(1_700_000_000, 0)
	l.m.now = func() time.Time { return now }
	l.m.mu.Lock()
	q := l.m.queues["support"]
	for _, mem := range q.members {
		mem.login = now.Add(-90 * time.Second)
	}
	q.member("SIP/6001").calls, q.member("SIP/6001").lastCall = 4, now.Add(-12*time.Second)
	q.completed, q.completedSL, q.abandoned, q.holdtime, q.talktime = 4, 3, 1, 7, 42
	l.m.mu.Unlock()
	l.e.SetCustomDeviceState("lamp", pbx.DeviceInUse)
	l.m.SetPaused("support", "SIP/6000", "", true)
	if r := l.m.AddMember("support", "SIP/7000", "", 0, false, "", "", 0); r != ResOK {
		t.Fatal(r)
	}
	got := l.m.Show("")
	want := "support has 0 calls (max 5) in 'rrmemory' strategy (7s holdtime, 42s talktime), W:0, C:4, A:1, SL:75.0%, SL2:60.0% within 60s\n" +
		"   Members: \n" +
		"      SIP/6002 (ringinuse enabled) (In use) has taken no calls yet (login was 90 secs ago)\n" +
		"      SIP/7000 (ringinuse enabled) (dynamic) (Invalid) has taken no calls yet (login was 0 secs ago)\n" +
		"      Bob (SIP/6000) (ringinuse enabled) (paused was 0 secs ago) (Not in use) has taken no calls yet (login was 90 secs ago)\n" +
		"      SIP/6001 with penalty 2 (ringinuse enabled) (Not in use) has taken 4 calls (last was 12 secs ago) (login was 90 secs ago)\n" +
		"   No Callers\n\n"
	if got != want {
		t.Errorf("queue show:\n%s\nwant:\n%s", got, want)
	}
	if got := l.m.Show("nosuch"); got != "No such queue: nosuch.\n" {
		t.Errorf("queue show nosuch = %q", got)
	}
}

func TestMemberHashOrder(t *testing.T) {
	// app_queue's member_hash_fn on "/6000" etc., and the bucket order of
	// its 37-bucket table: /6002 (5), /6000 (22), /6001 (32).
	if h := memberHash("SIP/6000"); h != 272696719 {
		t.Errorf("memberHash(SIP/6000) = %d", h)
	}
	q := &queue{}
	q.cfg.Store(&Queue{Strategy: RRMemory})
	for _, i := range []string{"SIP/6000", "SIP/6001", "SIP/6002"} {
		q.addMember(&member{iface: i})
	}
	var got []string
	for _, m := range q.memberOrder() {
		got = append(got, m.iface)
	}
	if strings.Join(got, " ") != "SIP/6002 SIP/6000 SIP/6001" {
		t.Errorf("order %v", got)
	}
	q.cfg.Store(&Queue{Strategy: Linear})
	got = got[:0]
	for _, m := range q.memberOrder() {
		got = append(got, m.iface)
	}
	if strings.Join(got, " ") != "SIP/6000 SIP/6001 SIP/6002" {
		t.Errorf("linear order %v", got)
	}
}

func TestFunctions(t *testing.T) {
	l := newLab(t, fmt.Sprintf(threeAgents, "ringall"), agents3())
	l.m.SetPaused("support", "SIP/6001", "", true)
	ch := l.caller("1")
	tests := []struct{ fn, args, want string }{
		{"QUEUE_EXISTS", "support", "1"},
		{"QUEUE_EXISTS", "nosuch", "0"},
		{"QUEUE_MEMBER", "support,count", "3"},
		{"QUEUE_MEMBER", "support,logged", "3"},
		{"QUEUE_MEMBER", "support,free", "2"},
		{"QUEUE_MEMBER", "support,paused,SIP/6001", "1"},
		{"QUEUE_MEMBER_COUNT", "support", "3"},
		{"QUEUE_MEMBER_LIST", "support", "SIP/6002,SIP/6000,SIP/6001"},
		{"QUEUE_MEMBER_PENALTY", "support,SIP/6000", "0"},
		{"QUEUE_WAITING_COUNT", "support", "0"},
		{"QUEUE_GET_CHANNEL", "support,1", ""},
	}
	for _, tc := range tests {
		got, _ := l.e.ReadFunction(ch, tc.fn, tc.args)
		if got != tc.want {
			t.Errorf("%s(%s) = %q, want %q", tc.fn, tc.args, got, tc.want)
		}
	}
	if err := l.e.WriteFunction(ch, "QUEUE_MEMBER_PENALTY", "support,SIP/6000", "4"); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.e.ReadFunction(ch, "QUEUE_MEMBER", "support,penalty,SIP/6000"); got != "4" {
		t.Errorf("penalty after write = %q", got)
	}
	if _, err := l.e.ReadFunction(ch, "QUEUE_MEMBER", "support,bogus"); err == nil {
		t.Error("an invalid option gave no error")
	}
}

func TestReloadWhileCallersWait(t *testing.T) {
	l := newLab(t, "[support]\nstrategy = rrmemory\ntimeout = 1\nretry = 1\nmember => SIP/6000\n",
		map[string]agent{"6000": noAnswer, "6001": answers})
	l.tech.talk = 10 * time.Millisecond
	ch := l.caller("100")
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.run(ch, "support")
	}()
	eventually(t, 2*time.Second, "the caller queued", func() bool { return strings.Contains(l.m.Show("support"), "1. ") })
	cfg, _ := Load(parseConf(t, "queues.conf", "[support]\nstrategy = rrmemory\ntimeout = 1\nretry = 1\nmember => SIP/6001\n"), nil)
	l.m.Reload(cfg, true, true)
	select {
	case <-done:
	case <-time.After(6 * time.Second):
		t.Fatal("the waiting caller was not served after the reload")
	}
	if got := connected(l.queueLog(t)); len(got) != 1 || got[0] != "SIP/6001" {
		t.Errorf("connected %v, want [SIP/6001] (the member the reload added)", got)
	}
	if show := l.m.Show("support"); strings.Contains(show, "SIP/6000") {
		t.Errorf("the member the reload removed is still listed:\n%s", show)
	}
}

func TestMemberStatusEvents(t *testing.T) {
	l := newLab(t, fmt.Sprintf(threeAgents, "ringall"), agents3())
	sub := l.e.Bus().Subscribe()
	defer sub.Close()
	other := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6000", Driver: &fakeDriver{tech: l.tech}})
	other.SetState(pbx.StateUp)
	var got []string
	eventually(t, 2*time.Second, "QueueMemberStatus for 6000 in use then free", func() bool {
		for _, ev := range sub.Take() {
			if ev.Type != "QueueMemberStatus" {
				continue
			}
			f := map[string]string{}
			for _, kv := range ev.Fields {
				f[kv.Key] = kv.Value
			}
			got = append(got, f["Interface"]+"="+f["Status"])
			if f["Status"] == "2" {
				other.Hangup(pbx.CauseNormalClearing)
			}
		}
		return strings.Join(got, " ") == "SIP/6000=2 SIP/6000=1"
	})
	if ev := l.m.memberEvent("X", l.m.queues["support"], l.m.queues["support"].member("SIP/6000")); ev.Fields[0].Key != "Queue" || len(ev.Fields) != 16 {
		t.Errorf("member event fields %v", ev.Fields)
	}
}
