package queue

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// The member commands print app_queue's lines (wording from its CLI
// handlers), for success, each failure and bad usage; their effect shows
// in `queue show` and queue_log.
func TestMemberCommandsGolden(t *testing.T) {
	l := newLab(t, `
[support]
strategy = ringall
member => SIP/6000,0,Alice

[sales]
strategy = ringall
member => SIP/6000
`, map[string]agent{"6000": noAnswer, "6001": noAnswer, "6002": noAnswer})
	reg := cli.NewRegistry()
	var reloads []string
	if err := l.m.RegisterCLI(reg, func(p, mem, r bool, names []string) error {
		reloads = append(reloads, fmt.Sprint(p, mem, r, names))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	run := func(line string) {
		fmt.Fprintf(&out, "*CLI> %s\n", line)
		_ = reg.Execute(cli.NewSession(3), line, &out)
	}
	for _, line := range []string{
		"queue add member SIP/6001 to support",
		"queue add member SIP/6001 to support",
		"queue add member SIP/6001 to nosuch",
		"queue add member SIP/6002 to support penalty 2 as Bob state_interface SIP/6002",
		"queue add member SIP/6002 to sales penalty -1",
		"queue add member SIP/6003 to sales penalty x",
		"queue add member SIP/6004 into sales",
		"queue remove member SIP/6003 from sales",
		"queue remove member SIP/6000 from support",
		"queue remove member SIP/6009 from support",
		"queue remove member SIP/6001 from nosuch",
		"queue remove member SIP/6001 support",
		"queue pause member SIP/6000",
		"queue unpause member SIP/6000 queue support",
		"queue pause member SIP/6002 queue support reason lunch",
		"queue pause member SIP/6009 queue support",
		"queue pause member SIP/6000 support",
		"queue set penalty 3 on SIP/6000 in sales",
		"queue set penalty 4 on SIP/6000",
		"queue set penalty 4 on SIP/6009 in support",
		"queue set penalty 4 SIP/6000",
		"queue set ringinuse no on SIP/6001 in support",
		"queue set ringinuse yes on SIP/6001",
		"queue set ringinuse maybe on SIP/6001",
		"queue set ringinuse no on SIP/6009 in support",
		"queue priority caller SIP/caller-1 on nosuch to 5",
		"queue priority caller SIP/caller-1 on support to 5",
		"queue priority caller SIP/caller-1 on support to x",
		"queue priority caller SIP/caller-1 on support to 5 later",
		"queue reload members",
		"queue reload all",
		"queue reload parameters support sales",
		"queue reset stats support",
		"queue show support",
		"queue show sales",
	} {
		run(line)
	}
	got := stripTimes(out.String())
	goldenfile.Check(t, "testdata/cli-members.txt", got)
	if strings.Join(reloads, ";") != "false true false [];true true true [];true false false [support sales]" {
		t.Errorf("reloads %q", reloads)
	}
	goldenfile.Check(t, "testdata/cli-members-queue_log.txt", strings.Join(l.queueLog(t), "\n")+"\n")
}

// stripTimes hides the seconds counters of queue show that depend on the
// test's speed ("(login was 0 secs ago)").
func stripTimes(s string) string {
	return secsAgo.ReplaceAllString(s, "was N secs ago)")
}

var secsAgo = regexp.MustCompile(`was [0-9]+ secs ago\)`)

// queue priority caller moves a waiting caller at once with immediate,
// and only changes its priority without.
func TestPriorityCaller(t *testing.T) {
	l := newLab(t, "[support]\nstrategy = ringall\njoinempty = yes\nmember => SIP/6000\n", map[string]agent{"6000": isBusy})
	var chans []*pbx.Channel
	for _, n := range []string{"100", "101", "102"} {
		ch := l.caller(n)
		c := &caller{ch: ch, start: l.m.now(), x: &extras{}}
		if _, ok := l.m.join("support", c, 0); !ok {
			t.Fatal("join failed")
		}
		chans = append(chans, ch)
	}
	order := func() string {
		l.m.mu.Lock()
		defer l.m.mu.Unlock()
		var names []string
		for _, c := range l.m.queues["support"].callers {
			names = append(names, fmt.Sprintf("%s:%d:%d", c.ch.CallerID().Num, c.pos, c.prio))
		}
		return strings.Join(names, " ")
	}
	for _, tc := range []struct {
		ch        int
		prio      int
		immediate bool
		want      string
	}{
		{2, 5, false, "100:1:0 101:2:0 102:3:5"},
		{2, 5, true, "102:1:5 100:2:0 101:3:0"},
		{0, 1, true, "102:1:5 100:2:1 101:3:0"},
		{1, 9, true, "101:1:9 102:2:5 100:3:1"},
		{1, -1, true, "102:1:5 100:2:1 101:3:-1"},
	} {
		if r := l.m.ChangePriority("support", chans[tc.ch].Name(), tc.prio, tc.immediate); r != ResOK {
			t.Fatalf("ChangePriority: %v", r)
		}
		if got := order(); got != tc.want {
			t.Errorf("after %+v: %s, want %s", tc, got, tc.want)
		}
	}
	for _, ch := range chans {
		ch.Hangup(pbx.CauseNormalClearing)
	}
}

// Events are built only for their subscribers: a subscriber of
// QueueMemberRinginuse gets it from `queue set ringinuse` (and
// QUEUE_MEMBER's write), and no other member event is built.
func TestEventsOnlyWhenWanted(t *testing.T) {
	l := newLab(t, "[support]\nstrategy = ringall\nmember => SIP/6000\n", map[string]agent{"6000": noAnswer})
	sub := l.e.Bus().SubscribeTo("QueueMemberRinginuse")
	defer sub.Close()
	if !l.m.SetRingInUse("", "SIP/6000", false) {
		t.Fatal("member not found")
	}
	if l.m.SetRingInUse("support", "SIP/6009", false) {
		t.Error("unknown member found")
	}
	var evs []pbx.BusEvent
	eventually(t, time.Second, "the event", func() bool { evs = append(evs, sub.Take()...); return len(evs) > 0 })
	f := map[string]string{}
	for _, kv := range evs[0].Fields {
		f[kv.Key] = kv.Value
	}
	if evs[0].Type != "QueueMemberRinginuse" || f["Interface"] != "SIP/6000" || f["Ringinuse"] != "0" {
		t.Errorf("event %+v", evs[0])
	}
	l.m.mu.Lock()
	ev := l.m.memberEvent("QueueMemberPause", l.m.queues["support"], l.m.queues["support"].member("SIP/6000"))
	l.m.mu.Unlock()
	if ev.Type != "" || ev.Fields != nil {
		t.Errorf("an event nobody reads was built: %+v", ev)
	}
}

// `queue reload parameters <queuenames>` reloads only the queues named:
// changed, added or removed; the others stay as they were.
func TestReloadNamedQueues(t *testing.T) {
	l := newLab(t, "[support]\ntimeout = 5\nmember => SIP/6000\n[sales]\ntimeout = 7\nmember => SIP/6000\n",
		map[string]agent{"6000": noAnswer})
	next, _ := Load(parseConf(t, "queues.conf", "[support]\ntimeout = 9\nmember => SIP/6000\n[other]\nmember => SIP/6000\n"), nil)
	state := func() string {
		l.m.mu.Lock()
		defer l.m.mu.Unlock()
		var out []string
		for _, q := range l.m.sortedLocked() {
			out = append(out, fmt.Sprintf("%s:%d", q.name, q.conf().Timeout))
		}
		var cfg []string
		for _, q := range l.m.cfg.Queues {
			cfg = append(cfg, q.Name)
		}
		return strings.Join(out, " ") + " / " + strings.Join(cfg, " ")
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"support"}, "sales:7 support:9 / sales support"},
		{[]string{"sales", "other"}, "other:15 support:9 / support other"},
	} {
		l.m.Reload(next, true, false, tc.names...)
		if got := state(); got != tc.want {
			t.Errorf("reload %v: %s, want %s", tc.names, got, tc.want)
		}
	}
}
