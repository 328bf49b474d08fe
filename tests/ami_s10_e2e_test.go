package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestAMISIPnotifySubscription: SIPnotify's Call-ID also finds a SUBSCRIBE
// dialog, as chan_sip searches all its dialogs: 6001's message-summary
// subscription receives the NOTIFY inside it (sipp checks Call-ID, its
// tag in To, Event, Subscription-State and body), then ends normally.
func TestAMISIPnotifySubscription(t *testing.T) {
	harness.RequireSipp(t)
	in, port := amiInstance(t, map[string][]string{"6001": {"mailbox=6001@default"}}, "")
	s := newAMIStream(t, port)
	wait := (&harness.Sipp{Scenario: callScenario(t, "ami-subnotify-6001.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		Extra: []string{"-cid_str", "ami-subnotify-%u@h23"}, Timeout: 30 * time.Second}).Start(t)
	defer func() {
		if t.Failed() {
			r := wait()
			t.Logf("sipp exit %d\n%s\n%s", r.ExitCode, r.Output, r.ErrLog)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(in.MustRX("sip show subscriptions"), "1 active SIP subscription") {
		if time.Now().After(deadline) {
			t.Fatalf("no subscription:\n%s", in.MustRX("sip show subscriptions"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := s.do("n1", "Action: SIPnotify", "Channel: SIP/6001", "Call-ID: ami-subnotify-1@h23",
		"Variable: Event=check-sync,Content-Type=text/plain", "Variable: Content=reboot=now"); got != "Response: Success\r\nActionID: n1\r\nMessage: Notify Sent\r\n" {
		t.Fatalf("SIPnotify: %q", got)
	}
	if r := wait(); r.ExitCode != 0 {
		t.Fatalf("sipp exit %d (the NOTIFY did not come in the subscription's dialog)\n%s\n%s", r.ExitCode, r.Output, r.ErrLog)
	}
}

// TestAMIMonitorTwice: in a call 6001 -> 6000, Monitor of 6001 to first,
// then a second Monitor to second: res_monitor answers success both times
// (the second start fails and it renames the running recording), and when
// the call ends the files are second-in/out.wav, with no first-*.
func TestAMIMonitorTwice(t *testing.T) {
	harness.RequireSipp(t)
	in, port := amiParkInstance(t)
	s := newAMIStream(t, port)
	caller, _ := amiBridgedCall(t, in, s, 3000)
	for i, file := range []string{"first", "second"} {
		id := "m" + strconv.Itoa(i)
		if got, want := s.do(id, "Action: Monitor", "Channel: "+caller, "File: "+file),
			"Response: Success\r\nActionID: "+id+"\r\nMessage: Started monitoring channel\r\n"; got != want {
			t.Fatalf("Monitor %s: %q, want %q", file, got, want)
		}
	}
	s.event("Hangup", "Channel: "+caller+"\r\n")
	mon := in.Path("var", "spool", "monitor")
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, errIn := os.Stat(filepath.Join(mon, "second-in.wav"))
		_, errOut := os.Stat(filepath.Join(mon, "second-out.wav"))
		if errIn == nil && errOut == nil {
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(mon)
			t.Fatalf("no second-in/out.wav in %s: %v", mon, entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if left, _ := filepath.Glob(filepath.Join(mon, "first*")); len(left) != 0 {
		t.Errorf("the first name is left: %v", left)
	}
}
