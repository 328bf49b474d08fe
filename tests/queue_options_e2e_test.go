package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

const queueRecorded = `[general]
monitor-type = MixMonitor

[support]
strategy = ringall
timeout = 5
retry = 1
monitor-format = wav
membergosub = qsub
member => SIP/6000
`

// TestQueueRecordingAndMemberGosub: a sipp agent answers a queue with
// monitor-type=MixMonitor and monitor-format=wav: the call is recorded to
// astspooldir/monitor/<caller's uniqueid>.wav, a complete WAV file once
// the call is over; membergosub runs on the agent's channel before the
// bridge.
func TestQueueRecordingAndMemberGosub(t *testing.T) {
	harness.RequireSipp(t)
	work := "exten => 700,1,Answer()\n same => n,Queue(support,tT)\n same => n,Hangup()\n" +
		"[qsub]\nexten => s,1,Verbose(1,QSUB ran on ${CHANNEL(name)})\n same => n,Return()\n[work]\n"
	in := harness.Start(t, harness.Options{Edit: queueSetup(queueRecorded, work), Args: []string{"-vvv"}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	port := harness.FreePort(t)
	runSipp(t, in, scenarioCopy(t, "chansip/reg-6000.xml"), port, 1)
	uas := harness.Sipp{Scenario: callScenario(t, "flow-uas-bye.xml"), LocalPort: port, Timeout: 30 * time.Second}
	wait := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	// The member commands through the daemon's CLI, in app_queue's words.
	for _, c := range []struct{ cmd, want string }{
		{"queue add member SIP/6002 to support penalty 1 as Bob", "Added interface 'SIP/6002' to queue 'support'\n"},
		{"queue pause member SIP/6002 queue support reason lunch", "paused interface 'SIP/6002' in queue 'support' for reason 'lunch'\n"},
		{"queue remove member SIP/6000 from support", "Unable to remove interface 'SIP/6000' from queue 'support': Member is not dynamic\n"},
		{"queue set ringinuse no on SIP/6000 in support", "Set ringinuse on interface 'SIP/6000' from queue 'support'\n"},
		{"queue remove member SIP/6002 from support", "Removed interface SIP/6002 from queue 'support'\n"},
	} {
		if got := in.MustRX(c.cmd); got != c.want {
			t.Errorf("%s:\n%q\nwant %q", c.cmd, got, c.want)
		}
	}
	requireSippOK(t, "queue caller", queueCaller(t, in, "700"))
	requireSippOK(t, "agent", wait())

	if !strings.Contains(in.Output(), "QSUB ran on SIP/6000-") {
		t.Errorf("membergosub did not run on the agent's channel")
	}
	var connect []string
	for _, s := range queueLogLines(t, in) {
		if f := strings.Split(s, "|"); len(f) > 4 && f[4] == "CONNECT" {
			connect = f
		}
	}
	if connect == nil {
		t.Fatal("no CONNECT in queue_log")
	}
	// queue_log's second column is the caller's uniqueid: the file's name.
	file := in.Path("var", "spool", "monitor", connect[1]+".wav")
	var info os.FileInfo
	if !harness.PollUntil(5*time.Second, func() bool {
		var err error
		info, err = os.Stat(file)
		return err == nil
	}) {
		entries, _ := os.ReadDir(filepath.Dir(file))
		t.Fatalf("no recording %s (monitor holds %v)", file, entries)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() < 44 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Errorf("%s is not a WAV file (%d bytes)", file, info.Size())
	}
}
