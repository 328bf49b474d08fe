package queue

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/manager/managertest"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestManagerActions drives app_queue's manager actions through a real
// manager session and compares the whole exchange with a golden file.
func TestManagerActions(t *testing.T) {
	l := newLab(t, `
[support]
strategy = rrmemory
maxlen = 5
servicelevel = 60
member => SIP/6000,0,Bob
member => SIP/6001,2
`, agents3())
	now := time.Unix(1_700_000_000, 0)
	l.m.now = func() time.Time { return now }
	l.m.mu.Lock()
	q := l.m.queues["support"]
	for _, mem := range q.members {
		mem.login = now.Add(-90 * time.Second)
	}
	q.completed, q.completedSL, q.abandoned, q.holdtime, q.talktime = 4, 3, 1, 7, 42
	ch := l.caller("0612345678")
	q.callers = append(q.callers, &caller{ch: ch, q: q, pos: 1, prio: 2, start: now.Add(-15 * time.Second)})
	l.m.mu.Unlock()
	t.Cleanup(func() { ch.Hangup(pbx.CauseNormalClearing) })

	var reloads []string
	reload := func(params, members, rules bool, _ []string) error {
		reloads = append(reloads, strings.Join([]string{b2i(params), b2i(members), b2i(rules)}, ","))
		return nil
	}
	mgr := managertest.Start(t, l.e)
	if err := l.m.RegisterAMI(mgr, reload); err != nil {
		t.Fatal(err)
	}
	c := managertest.Dial(t, mgr)

	var out strings.Builder
	do := func(lines ...string) {
		out.WriteString("> " + strings.Join(lines, " | ") + "\n")
		for _, msg := range c.List(lines...) {
			out.WriteString(strings.NewReplacer(ch.Name(), "<caller>", ch.UniqueID(), "<uniqueid>").Replace(msg) + "\n")
		}
	}
	do("Action: QueueAdd", "Queue: support", "Interface: SIP/6002", "Penalty: 1", "MemberName: Carol", "Paused: yes", "Reason: lunch")
	do("Action: QueueAdd", "Queue: support", "Interface: SIP/6002")
	do("Action: QueueAdd", "Queue: nosuch", "Interface: SIP/6002")
	do("Action: QueueAdd", "Interface: SIP/6002")
	do("Action: QueueAdd", "Queue: support")
	do("Action: QueuePause", "Interface: SIP/6000", "Paused: true", "Reason: break")
	do("Action: QueuePause", "Interface: SIP/6000", "Paused: no")
	do("Action: QueuePause", "Interface: SIP/9999", "Paused: no")
	do("Action: QueuePause", "Interface: SIP/6000")
	do("Action: QueuePenalty", "Interface: SIP/6001", "Penalty: 3", "Queue: support")
	do("Action: QueuePenalty", "Interface: SIP/6001", "Penalty: -1")
	do("Action: QueuePenalty", "Interface: SIP/6001")
	do("Action: QueueMemberRingInUse", "Interface: SIP/6001", "RingInUse: no")
	do("Action: QueueMemberRingInUse", "Interface: SIP/9999", "RingInUse: no")
	do("Action: QueueLog", "Queue: support", "Event: CUSTOM", "Interface: SIP/6001", "Message: hello")
	do("Action: QueueLog", "Queue: support")
	do("Action: QueueStatus")
	do("Action: QueueStatus", "Queue: support", "Member: Bob")
	do("Action: QueueStatus", "Queue: nosuch")
	do("Action: QueueSummary")
	do("Action: QueueRemove", "Queue: support", "Interface: SIP/6000")
	do("Action: QueueRemove", "Queue: support", "Interface: SIP/9999")
	do("Action: QueueRemove", "Queue: nosuch", "Interface: SIP/6002")
	do("Action: QueueRemove", "Queue: support", "Interface: SIP/6002")
	do("Action: QueueRemove", "Queue: support")
	do("Action: QueueReset", "Queue: support")
	do("Action: QueueSummary", "Queue: support")
	do("Action: QueueReload", "Members: yes")
	do("Action: QueueReload")
	goldenfile.Check(t, "testdata/ami.golden", out.String())

	if got := strings.Join(reloads, " "); got != "0,1,0 1,1,1" {
		t.Errorf("reloads %q", got)
	}
	data, err := os.ReadFile(filepath.Join(l.dir, "queue_log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"|MANAGER|support|Carol|ADDMEMBER|PAUSED", "|NONE|support|SIP/6001|CUSTOM|hello",
		"|MANAGER|support|Carol|REMOVEMEMBER|", "|NONE|support|Bob|PAUSE|break"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("queue_log lacks %q:\n%s", want, data)
		}
	}
}
