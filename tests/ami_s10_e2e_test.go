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

// TestAMIParkDTMF: in a Dial(...,kK) call 6001 -> 6000, 6000 presses
// parkcall (#72): 6001 is parked where it is, as Asterisk moves it into
// the parking bridge: ParkedCall gives its own Context/Exten/Priority
// (work, 6000, 1), no Newexten takes it to the parking extension, and
// `core show channels` shows it at 6000@work in Park.
func TestAMIParkDTMF(t *testing.T) {
	requireBaresip(t)
	port := harness.FreePort(t)
	in := transferInstance(t, func(f map[string]string) {
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "Dial(SIP/${EXTEN},20)", "Dial(SIP/${EXTEN},20,kK)", 1)
		f["features.conf"] = "[featuremap]\nparkcall => #72\n"
		f["manager.conf"] = "[general]\nenabled = yes\nport = " + strconv.Itoa(port) + "\nbindaddr = 127.0.0.1\n\n" +
			"[admin]\nsecret = amp111\nread = all\nwrite = all\n"
	})
	s := newAMIStream(t, port)
	b := phone(t, in, "6000", "PCMU", 1000)
	a := phone(t, in, "6001", "PCMU", 440)
	dial(t, in, a, b, "6000")
	caller := amiChannelOf(s.event("BridgeEnter", "Channel: SIP/6001-"))
	sendDigits(b, "#72", 300*time.Millisecond)
	parked := s.next(func(m string) bool {
		if strings.HasPrefix(m, "Event: Newexten\r\n") && strings.Contains(m, "Channel: "+caller+"\r\n") {
			t.Errorf("the parked call moved in the dialplan:\n%s", m)
		}
		return strings.HasPrefix(m, "Event: ParkedCall\r\n")
	})
	for _, want := range []string{"ParkeeChannel: " + caller + "\r\n", "ParkeeContext: work\r\n", "ParkeeExten: 6000\r\n",
		"ParkeePriority: 1\r\n", "ParkerDialString: SIP/6000\r\n", "ParkingSpace: 701\r\n"} {
		if !strings.Contains(parked, want) {
			t.Errorf("ParkedCall lacks %q:\n%s", want, parked)
		}
	}
	if err := b.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Errorf("the parker's call: %v", err)
	}
	if chans := in.MustRX("core show channels"); !strings.Contains(chans, "6000@work:1") || !strings.Contains(chans, "Park(default)") {
		t.Errorf("core show channels: the parked call is not in Park at its own 6000@work:\n%s", chans)
	}
	a.command("hangup", "")
	s.event("ParkedCallGiveUp", "ParkeeChannel: "+caller+"\r\n")
	for _, p := range []*baresip{a, b} {
		p.Stop()
	}
}
