package tests

import (
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
