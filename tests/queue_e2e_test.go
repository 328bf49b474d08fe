package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// queueAgents are the sipp agents of the queue tests, as sip.conf peers
// (6000 is the sample's; 6002 and 6003 are added alike).
var queueAgents = []string{"6000", "6002", "6003"}

// queueSetup adds the agents' peers, queues.conf and the queue dialplan
// to the sample configuration.
func queueSetup(queues, work string) func(map[string]string) {
	return func(f map[string]string) {
		sip := regexp.MustCompile(`(?m)^register\s*=>.*$`).ReplaceAllString(f["sip.conf"], "")
		for _, p := range queueAgents[1:] {
			sip += fmt.Sprintf("\n[%s]\ntype=friend\nhost=dynamic\nallow=ulaw\nsecret=test\ncontext=work\n", p)
		}
		f["sip.conf"] = sip
		callCounter(f) // ringinuse=no needs the agents' INUSE
		f["queues.conf"] = queues
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n", "[work]\n"+work, 1)
		f["asterisk.conf"] = strings.Replace(f["asterisk.conf"], "astdatadir => var/lib", "astdatadir => /usr/share/asterisk", 1)
	}
}

// scenarioCopy writes a copy of a testdata scenario with replacements.
func scenarioCopy(t *testing.T, name string, repl ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer(repl...).Replace(string(b))
	p := filepath.Join(t.TempDir(), filepath.Base(name))
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// startAgents registers each agent from its own port and starts its sipp
// UAS answering calls calls times (talk 1.5 s, then BYE).
func startAgents(t *testing.T, in *harness.Instance, calls int) []func() harness.SippResult {
	t.Helper()
	var waits []func() harness.SippResult
	for _, a := range queueAgents {
		port := harness.FreePort(t)
		reg := scenarioCopy(t, "chansip/reg-6000.xml", "6000", a)
		runSipp(t, in, reg, port, 1)
		uas := harness.Sipp{Scenario: callScenario(t, "flow-uas-bye.xml"), LocalPort: port, Calls: calls, Timeout: 60 * time.Second}
		waits = append(waits, uas.Start(t))
	}
	time.Sleep(200 * time.Millisecond) // let the UASes bind
	return waits
}

// queueCaller runs one sipp caller (6001) to exten until the far end's BYE.
func queueCaller(t *testing.T, in *harness.Instance, exten string) harness.SippResult {
	t.Helper()
	sf := scenarioCopy(t, "flow-uac-callee-bye.xml", "sip:6000@", "sip:"+exten+"@")
	uac := harness.Sipp{Scenario: sf, Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 20 * time.Second}
	return uac.Run(t)
}

// queueLogLines reads astlogdir/queue_log, the time column masked.
func queueLogLines(t *testing.T, in *harness.Instance) []string {
	t.Helper()
	b, err := os.ReadFile(in.Path("var", "log", "queue_log"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if i := strings.IndexByte(s, '|'); i > 0 {
			if _, err := strconv.Atoi(s[:i]); err != nil {
				t.Errorf("queue_log line %q does not start with the epoch", s)
			}
			s = "T" + s[i:]
		}
		out = append(out, s)
	}
	return out
}

const queueRR = `[general]
persistentmembers = yes

[support]
strategy = rrmemory
timeout = 5
retry = 1
ringinuse = no
member => SIP/6000
member => SIP/6002
member => SIP/6003
`

// connectedAgents returns the member of each CONNECT line of queue_log.
func connectedAgents(lines []string) []string {
	var agents []string
	for _, s := range lines {
		f := strings.Split(s, "|")
		if len(f) > 4 && f[4] == "CONNECT" {
			agents = append(agents, f[3])
		}
	}
	return agents
}

// TestQueueStrategiesWithAgents: three sipp agents are the static
// members; callers in a row go to the agents the strategy picks: rrmemory
// 6000, 6002, 6003 and round again; fewestcalls and leastrecent first
// break the tie as app_queue does (the member its table walks last, 6000),
// then take the agent with fewer calls, or the one idle longest.
// queue_log has each call's enter, connect and complete lines; `queue
// show` prints Asterisk 18's layout with the calls each agent took.
func TestQueueStrategiesWithAgents(t *testing.T) {
	harness.RequireSipp(t)
	for _, tc := range []struct {
		strategy string
		want     []string
	}{
		{"rrmemory", []string{"SIP/6000", "SIP/6002", "SIP/6003", "SIP/6000", "SIP/6002", "SIP/6003"}},
		{"fewestcalls", []string{"SIP/6000", "SIP/6003", "SIP/6002", "SIP/6000"}},
		{"leastrecent", []string{"SIP/6000", "SIP/6003", "SIP/6002", "SIP/6000"}},
	} {
		t.Run(tc.strategy, func(t *testing.T) {
			conf := strings.Replace(queueRR, "strategy = rrmemory", "strategy = "+tc.strategy, 1)
			in := harness.Start(t, harness.Options{Edit: queueSetup(conf, "exten => 700,1,Answer()\n same => n,Queue(support)\n same => n,Hangup()\n"), Args: []string{"-vvv"}})
			in.DumpOnFailure()
			requireSIPCalls(t, in)
			waits := startAgents(t, in, 2)
			for i := range tc.want {
				requireSippOK(t, fmt.Sprintf("caller %d", i+1), queueCaller(t, in, "700"))
			}
			lines := queueLogLines(t, in)
			if got := connectedAgents(lines); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("agents connected %v, want %v", got, tc.want)
			}
			if tc.strategy != "rrmemory" {
				return // the agents' sipps that took one call time out: not waited for
			}
			for i, w := range waits {
				requireSippOK(t, "agent "+queueAgents[i], w())
			}
			checkOneQueueCall(t, lines)
			out := in.MustRX("queue show support")
			want := regexp.MustCompile(`^support has 0 calls \(max unlimited\) in 'rrmemory' strategy \(\d+s holdtime, \d+s talktime\), W:0, C:6, A:0, SL:0\.0%, SL2:0\.0% within 0s
   Members: 
      SIP/6002 \(ringinuse disabled\) \(Not in use\) has taken 2 calls \(last was \d+ secs ago\) \(login was \d+ secs ago\)
      SIP/6003 \(ringinuse disabled\) \(Not in use\) has taken 2 calls \(last was \d+ secs ago\) \(login was \d+ secs ago\)
      SIP/6000 \(ringinuse disabled\) \(Not in use\) has taken 2 calls \(last was \d+ secs ago\) \(login was \d+ secs ago\)
   No Callers

$`)
			if !want.MatchString(out) {
				t.Errorf("queue show support:\n%s", out)
			}
		})
	}
}

// checkOneQueueCall checks the first call of queue_log line by line:
// enter, connect, complete (the agent hung up), all about one call.
func checkOneQueueCall(t *testing.T, lines []string) {
	t.Helper()
	call := []*regexp.Regexp{
		regexp.MustCompile(`^T\|([0-9.]+)\|support\|NONE\|ENTERQUEUE\|\|6001\|1$`),
		regexp.MustCompile(`^T\|([0-9.]+)\|support\|SIP/6000\|CONNECT\|[0-2]\|[0-9.]+\|[0-2]$`),
		regexp.MustCompile(`^T\|([0-9.]+)\|support\|SIP/6000\|COMPLETEAGENT\|[0-2]\|[1-3]\|1$`),
	}
	if len(lines) < 4 || lines[0] != "T|NONE|NONE|NONE|QUEUESTART|" {
		t.Fatalf("queue_log:\n%s", strings.Join(lines, "\n"))
	}
	uid := ""
	for i, re := range call {
		m := re.FindStringSubmatch(lines[1+i])
		if m == nil {
			t.Errorf("queue_log line %d = %q, want %s", 2+i, lines[1+i], re)
			continue
		}
		if uid == "" {
			uid = m[1]
		} else if m[1] != uid {
			t.Errorf("line %d is about call %s, want %s", 2+i, m[1], uid)
		}
	}
}

// TestQueueMusicAnnouncementAndTimeout: a caller waits in a queue whose
// only member is not registered: gostrisk plays it the default class's
// music (its recording matches the MOH file), then the periodic
// announcement after 4 s (matches queue-periodic-announce), and after the
// Queue() timeout the dialplan goes on with QUEUESTATUS=TIMEOUT. As in
// app_queue the 7.8 s prompt plays to its end before the timeout is
// looked at, so the caller leaves after 7 to 12 s.
func TestQueueMusicAnnouncementAndTimeout(t *testing.T) {
	requireBaresip(t)
	music := soundFile(t, mohFile)
	announce := soundFile(t, "/usr/share/asterisk/sounds/en/queue-periodic-announce.wav")
	in := mediaInstance(t, map[string][]string{"6001": {"disallow=all", "allow=ulaw"}}, func(f map[string]string) {
		f["queues.conf"] = "[waitq]\nmusicclass = default\nperiodic-announce-frequency = 4\nmember => SIP/6000\n"
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n",
			"[work]\nexten => 7100,1,Answer()\n same => n,Queue(waitq,,,,7)\n same => n,NoOp(QS=${QUEUESTATUS})\n same => n,Hangup()\n", 1)
	})
	caller := phone(t, in, "6001", "PCMU", 0)
	dial(t, in, caller, nil, "7100")
	if err := caller.waitEvent("CALL_CLOSED", 15*time.Second); err != nil {
		t.Fatal(err)
	}
	caller.Stop()
	waitOutput(t, in, regexp.MustCompile(`NoOp\("SIP/6001-[0-9a-f]{8}", "QS=TIMEOUT"\)`))
	rec := caller.lastRecording(t)
	t.Logf("6001 recorded %.1f s", rec.seconds())
	c, lag := bestCorrelation(rec.span(1, 2), music.span(0, 6))
	t.Logf("waiting: correlation %.3f with %s at %.2f s", c, mohFile, float64(lag)/8000)
	if c < 0.8 {
		t.Errorf("the waiting caller did not hear the music file (best correlation %.2f)", c)
	}
	c, lag = bestCorrelation(rec.span(4.8, 5.8), announce.span(0, 3))
	t.Logf("announcement: correlation %.3f at %.2f s of the prompt", c, float64(lag)/8000)
	if c < 0.8 {
		t.Errorf("the waiting caller did not hear the periodic announcement (best correlation %.2f)", c)
	}
	lines := queueLogLines(t, in)
	if n := len(lines); n < 3 || !regexp.MustCompile(`^T\|[0-9.]+\|waitq\|NONE\|EXITWITHTIMEOUT\|1\|1\|([7-9]|1[0-2])$`).MatchString(lines[n-1]) {
		t.Errorf("queue_log does not end with the timeout:\n%s", strings.Join(lines, "\n"))
	}
	checkPortsReleased(t, in)
}

// TestQueueDynamicMemberSurvivesRestart: AddQueueMember from the
// dialplan stores the member in astdb as app_queue does; after a restart
// the member is in the queue again (dynamic), and queue_log has the
// ADDMEMBER line.
func TestQueueDynamicMemberSurvivesRestart(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Edit: queueSetup(queueRR,
		"exten => 702,1,Answer()\n same => n,AddQueueMember(support,SIP/7777,2,,Bob)\n same => n,NoOp(AQM=${AQMSTATUS})\n same => n,Hangup()\n"),
		Args: []string{"-vvv"}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	requireSippOK(t, "caller 6001 to 702", queueCaller(t, in, "702"))
	waitOutput(t, in, regexp.MustCompile(`AQM=ADDED`))
	if out := in.MustRX("database show Queue"); !strings.Contains(out, "/Queue/PersistentMembers/support") || !strings.Contains(out, "SIP/7777;2;0;Bob;SIP/7777;;0") {
		t.Errorf("database show Queue:\n%s", out)
	}
	in.MustRX("core stop now")
	if !in.Wait(10 * time.Second) {
		t.Fatal("the daemon did not stop")
	}
	in.StartDaemon("-vvv")
	out := in.MustRX("queue show support")
	if !strings.Contains(out, "      Bob (SIP/7777) with penalty 2 (ringinuse disabled) (dynamic) (") {
		t.Errorf("after the restart, queue show support:\n%s", out)
	}
	found := false
	for _, s := range queueLogLines(t, in) {
		if regexp.MustCompile(`^T\|[0-9.]+\|support\|SIP/7777\|ADDMEMBER\|$`).MatchString(s) {
			found = true
		}
	}
	if !found {
		t.Errorf("no ADDMEMBER line in queue_log:\n%s", strings.Join(queueLogLines(t, in), "\n"))
	}
}

// TestQueueBusyAgentSkipped: 6000 is on a direct call (6001 dialed it);
// with ringinuse=no the queue does not ring it: the first queue caller
// of the rrmemory queue, which would start with 6000, gets 6002.
func TestQueueBusyAgentSkipped(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Edit: queueSetup(queueRR, "exten => 700,1,Answer()\n same => n,Queue(support)\n same => n,Hangup()\n"), Args: []string{"-vvv"}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	var waits []func() harness.SippResult
	for _, a := range queueAgents {
		port := harness.FreePort(t)
		runSipp(t, in, scenarioCopy(t, "chansip/reg-6000.xml", "6000", a), port, 1)
		if a == "6003" {
			continue // registered; the queue caller must get 6002 before it
		}
		sf := callScenario(t, "flow-uas-bye.xml")
		if a == "6000" {
			// 6000 talks long enough on the direct call.
			sf = scenarioCopy(t, "flow-uas-bye.xml", `<pause milliseconds="1500"/>`, `<pause milliseconds="5000"/>`)
		}
		uas := harness.Sipp{Scenario: sf, LocalPort: port, Timeout: 30 * time.Second}
		waits = append(waits, uas.Start(t))
	}
	time.Sleep(200 * time.Millisecond)
	direct := make(chan harness.SippResult, 1)
	go func() { direct <- queueCaller(t, in, "6000") }()
	if !harness.PollUntil(5*time.Second, func() bool {
		out, _ := in.RX("queue show support")
		return strings.Contains(out, "SIP/6000 (ringinuse disabled) (In use)")
	}) {
		t.Fatalf("6000 never showed in use:\n%s", in.MustRX("queue show support"))
	}
	requireSippOK(t, "queue caller", queueCaller(t, in, "700"))
	requireSippOK(t, "direct caller", <-direct)
	for i, w := range waits {
		requireSippOK(t, "agent "+queueAgents[i], w())
	}
	for _, s := range queueLogLines(t, in) {
		f := strings.Split(s, "|")
		if len(f) > 4 && f[3] == "SIP/6000" {
			t.Errorf("the busy agent appears in queue_log: %s", s)
		}
		if len(f) > 4 && f[4] == "CONNECT" && f[3] != "SIP/6002" {
			t.Errorf("connected to %s, want SIP/6002: %s", f[3], s)
		}
	}
}
