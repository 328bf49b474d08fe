package tests

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// amiStream reads a logged-in manager connection message by message.
type amiStream struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
	// held are the events read while do waited for its response: an
	// action's events may come before its response (Asterisk sends both
	// from different threads, and so do we), and next sees them first.
	held []string
}

func newAMIStream(t *testing.T, port int) *amiStream {
	c := amiLogin(t, port)
	return &amiStream{t: t, c: c, br: bufio.NewReader(c)}
}

// next reads messages until pred accepts one, within 10 s, starting with
// those held: they are the stream's next messages, passed over like any.
func (s *amiStream) next(pred func(string) bool) string {
	s.t.Helper()
	for i, m := range s.held {
		if pred(m) {
			s.held = s.held[i+1:]
			return m
		}
	}
	s.held = nil
	return s.read(pred, false)
}

// read reads messages until pred accepts one, within 10 s; with hold, the
// messages it passes over are held for next.
func (s *amiStream) read(pred func(string) bool, hold bool) string {
	s.t.Helper()
	var msg strings.Builder
	s.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		line, err := s.br.ReadString('\n')
		if err != nil {
			s.t.Fatalf("read: %v", err)
		}
		if line != "\r\n" {
			msg.WriteString(line)
			continue
		}
		if pred(msg.String()) {
			return msg.String()
		}
		if hold {
			s.held = append(s.held, msg.String())
		}
		msg.Reset()
	}
}

// do sends an action with ActionID id and returns its response.
func (s *amiStream) do(id string, lines ...string) string {
	s.t.Helper()
	fmt.Fprintf(s.c, "%s\r\nActionID: %s\r\n\r\n", strings.Join(lines, "\r\n"), id)
	return s.read(func(m string) bool {
		return strings.HasPrefix(m, "Response: ") && strings.Contains(m, "ActionID: "+id+"\r\n")
	}, true)
}

// event waits for an event of that type whose text contains every part.
func (s *amiStream) event(typ string, parts ...string) string {
	s.t.Helper()
	return s.next(func(m string) bool {
		if !strings.HasPrefix(m, "Event: "+typ+"\r\n") {
			return false
		}
		for _, p := range parts {
			if !strings.Contains(m, p) {
				return false
			}
		}
		return true
	})
}

func amiChannelOf(m string) string {
	return regexp.MustCompile(`(?m)^Channel: (\S+)\r$`).FindStringSubmatch(m)[1]
}

// TestAMISIPnotifyDialog: SIPnotify with the Call-ID of a call sends the
// NOTIFY inside that dialog (sipp checks Call-ID, its tag in To, Event,
// Subscription-State and the body, answers 200 and hangs up); an unknown
// Call-ID is chan_sip's "Call-ID not found".
func TestAMISIPnotifyDialog(t *testing.T) {
	harness.RequireSipp(t)
	in, port := amiInstance(t, map[string][]string{"6001": {"context=notifytest"}}, "", func(f map[string]string) {
		f["sip.conf"] = regexp.MustCompile(`(?ms)^\[trunk-ovh\].*?(^\[)`).ReplaceAllString(f["sip.conf"], "$1")
		f["extensions.conf"] += "\n[notifytest]\nexten => 7200,1,Answer()\nsame => n,Wait(20)\n"
	})
	requireSIPCalls(t, in)
	s := newAMIStream(t, port)
	// -cid_str: a Call-ID the test knows (sipp matches answers by it).
	wait := (&harness.Sipp{Scenario: callScenario(t, "notify-uac-6001-indialog.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		Extra: []string{"-cid_str", "ami-notify-%u@h23"}, Timeout: 30 * time.Second}).Start(t)
	defer func() {
		if t.Failed() {
			r := wait()
			t.Logf("sipp exit %d\n%s\n%s", r.ExitCode, r.Output, r.ErrLog)
		}
	}()
	s.event("Newexten", "Application: Wait\r\n")
	if got := s.do("n0", "Action: SIPnotify", "Channel: SIP/6001", "Call-ID: nosuchcall@h23", "Variable: Event=check-sync"); got != "Response: Error\r\nActionID: n0\r\nMessage: Call-ID not found\r\n" {
		t.Errorf("unknown Call-ID: %q", got)
	}
	if got := s.do("n1", "Action: SIPnotify", "Channel: SIP/6001", "Call-ID: ami-notify-1@h23",
		"Variable: Event=check-sync,Content-Type=text/plain", "Variable: Content=reboot=now"); got != "Response: Success\r\nActionID: n1\r\nMessage: Notify Sent\r\n" {
		t.Fatalf("SIPnotify: %q", got)
	}
	if r := wait(); r.ExitCode != 0 {
		t.Fatalf("sipp exit %d (the NOTIFY did not come in the dialog as expected)\n%s\n%s", r.ExitCode, r.Output, r.ErrLog)
	}
	s.event("Hangup", "Channel: SIP/6001-")
}

// amiBridgedCall starts the reference call 6001 -> 6000 (6000 answered by
// sipp, 6001 hanging up after hold ms) and returns both channel names
// once they are bridged.
func amiBridgedCall(t *testing.T, in *harness.Instance, s *amiStream, hold int) (caller, callee string) {
	t.Helper()
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	(&harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalPort: uasPort, Timeout: 30 * time.Second}).Start(t)
	time.Sleep(200 * time.Millisecond)
	(&harness.Sipp{Scenario: callScenario(t, "ports-uac-6001-to-6000.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		Extra: []string{"-d", strconv.Itoa(hold)}, Timeout: 30 * time.Second}).Start(t)
	dial := s.event("DialBegin", "Channel: SIP/6001-", "DestChannel: SIP/6000-")
	caller = amiChannelOf(dial)
	callee = regexp.MustCompile(`(?m)^DestChannel: (\S+)\r$`).FindStringSubmatch(dial)[1]
	s.event("BridgeEnter", "Channel: "+callee+"\r\n")
	s.event("BridgeEnter", "Channel: "+caller+"\r\n")
	return caller, callee
}

// amiParkInstance is gostrisk with the manager and plain SIP calls.
func amiParkInstance(t *testing.T) (*harness.Instance, int) {
	in, port := amiInstance(t, nil, "", noDirectMedia, func(f map[string]string) {
		f["sip.conf"] = regexp.MustCompile(`(?ms)^\[trunk-ovh\].*?(^\[)`).ReplaceAllString(f["sip.conf"], "$1")
	})
	requireSIPCalls(t, in)
	return in, port
}

// TestAMIPark: in a call 6001 -> 6000, the manager's Park of 6001 with
// 6000 as TimeoutChannel parks 6001 at 701 (ParkedCall with 6000 as the
// parker, ParkedCalls lists it), 6000 hears the space and is hung up, and
// 6001 hanging up while parked is ParkedCallGiveUp; nothing is left.
func TestAMIPark(t *testing.T) {
	harness.RequireSipp(t)
	in, port := amiParkInstance(t)
	s := newAMIStream(t, port)
	caller, callee := amiBridgedCall(t, in, s, 6000)
	if got := s.do("p1", "Action: Park", "Channel: "+caller, "TimeoutChannel: "+callee); got != "Response: Success\r\nActionID: p1\r\nMessage: Park successful\n" {
		t.Fatalf("Park: %q", got)
	}
	// The parked call and the parker run on their own goroutines: their
	// events come in either order.
	// Neither moves in the dialplan (Asterisk moves them between bridges):
	// no Newexten for either, no park-manager context anywhere.
	var parked string
	var gone bool
	s.next(func(m string) bool {
		switch {
		case strings.HasPrefix(m, "Event: ParkedCall\r\n") && strings.Contains(m, "ParkeeChannel: "+caller+"\r\n"):
			parked = m
		case strings.HasPrefix(m, "Event: Newexten\r\n") && (strings.Contains(m, "Channel: "+callee+"\r\n") || strings.Contains(m, "Channel: "+caller+"\r\n")):
			t.Errorf("a Newexten for a parked or parking channel:\n%s", m)
		case strings.HasPrefix(m, "Event: Hangup\r\n") && strings.Contains(m, "Channel: "+callee+"\r\n"):
			gone = true
		}
		if strings.Contains(m, "park-manager") {
			t.Errorf("park-manager seen:\n%s", m)
		}
		return parked != "" && gone
	})
	for _, want := range []string{"ParkeeContext: work\r\n", "ParkeeExten: 6000\r\n", "ParkeePriority: 1\r\n"} {
		if !strings.Contains(parked, want) {
			t.Errorf("the parked call moved in the dialplan (want %q):\n%s", want, parked)
		}
	}
	if out := in.MustRX("core show channels concise"); !strings.Contains(out, caller+"!work!6000!1!Up!Park!default!") {
		t.Errorf("core show channels concise: the parked call is not at its Dial:\n%s", out)
	}
	for _, want := range []string{"ParkerDialString: SIP/6000\r\n", "Parkinglot: default\r\n", "ParkingSpace: 701\r\n", "ParkingTimeout: 45\r\n"} {
		if !strings.Contains(parked, want) {
			t.Errorf("ParkedCall lacks %q:\n%s", want, parked)
		}
	}
	if out := in.MustRX("parking show default"); !strings.Contains(out, caller) {
		t.Errorf("parking show default:\n%s", out)
	}
	s.event("ParkedCallGiveUp", "ParkeeChannel: "+caller+"\r\n")
	s.event("Hangup", "Channel: "+caller+"\r\n")
	time.Sleep(300 * time.Millisecond)
	if out := in.MustRX("core show channels"); !strings.Contains(out, "0 active channels") {
		t.Errorf("channels left after the park:\n%s", out)
	}
}

// TestAMIAtxfer: in a Dial(...,tT) call 6001 -> 6000, the manager's
// Atxfer on 6000's channel starts the attended transfer as if 6000 had
// pressed atxfer and dialed 6002: 6002 rings and answers, 6000 hangs up
// (atxferdropcall=no completes it) and 6001 talks with 6002 (each hears
// the other's tone). The refusals are action_atxfer's.
func TestAMIAtxfer(t *testing.T) {
	requireBaresip(t)
	const toneA, toneC = 440.0, 1500.0
	port := harness.FreePort(t)
	in := transferInstance(t, func(f map[string]string) {
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "Dial(SIP/${EXTEN},20)", "Dial(SIP/${EXTEN},20,tT)", 1)
		f["features.conf"] = "[general]\n[featuremap]\natxfer => *2\n"
		f["manager.conf"] = fmt.Sprintf("[general]\nenabled = yes\nport = %d\nbindaddr = 127.0.0.1\n\n"+
			"[admin]\nsecret = amp111\nread = all\nwrite = all\n", port)
	})
	s := newAMIStream(t, port)
	b := phone(t, in, "6000", "PCMU", 1000)
	a := phone(t, in, "6001", "PCMU", toneA)
	c := phone(t, in, "6002", "PCMU", toneC)
	dial(t, in, a, b, "6000")
	enter := s.event("BridgeEnter", "Channel: SIP/6000-")
	callee := amiChannelOf(enter)
	orig := regexp.MustCompile(`(?m)^BridgeUniqueid: (\S+)\r$`).FindStringSubmatch(enter)[1]
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"Exten: 6002"}, "No channel specified"},
		{[]string{"Channel: " + callee}, "No extension specified"},
		{[]string{"Channel: SIP/nobody-00000009", "Exten: 6002"}, "Channel specified does not exist"},
	} {
		if got := s.do("e", append([]string{"Action: Atxfer"}, tc.lines...)...); got != "Response: Error\r\nActionID: e\r\nMessage: "+tc.want+"\r\n" {
			t.Errorf("%v: %q", tc.lines, got)
		}
	}
	if got := s.do("x", "Action: Atxfer", "Channel: "+callee, "Exten: 6002", "Context: work"); got != "Response: Success\r\nActionID: x\r\nMessage: Atxfer successfully queued\r\n" {
		t.Fatalf("Atxfer: %q", got)
	}
	if err := c.waitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	b.command("hangup", "")
	if err := b.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	// The AttendedTransfer event, as a DTMF transfer's, and the bridges as
	// Asterisk's merge shows them: 6001 stays in the bridge it was in
	// (no BridgeLeave, no BridgeDestroy of it), 6002 enters that bridge,
	// which is the transfer's destination.
	var ev string
	var targetIn bool
	s.next(func(m string) bool {
		inOrig := strings.Contains(m, "BridgeUniqueid: "+orig+"\r\n")
		switch {
		case strings.HasPrefix(m, "Event: AttendedTransfer\r\n"):
			ev = m
		case strings.HasPrefix(m, "Event: BridgeLeave\r\n") && inOrig && strings.Contains(m, "Channel: SIP/6001-"):
			t.Errorf("the transferee left its bridge:\n%s", m)
		case (strings.HasPrefix(m, "Event: BridgeDestroy\r\n") || strings.HasPrefix(m, "Event: BridgeCreate\r\n")) && inOrig:
			t.Errorf("the transferee's bridge was destroyed or created again:\n%s", m)
		case strings.HasPrefix(m, "Event: BridgeEnter\r\n") && strings.Contains(m, "Channel: SIP/6002-") && inOrig:
			targetIn = true
			if !strings.Contains(m, "BridgeNumChannels: 2\r\n") {
				t.Errorf("the target's BridgeEnter:\n%s", m)
			}
		}
		return ev != "" && targetIn
	})
	t.Logf("%s", ev)
	if !strings.Contains(ev, "OrigBridgeUniqueid: "+orig+"\r\n") || !strings.HasSuffix(ev, "DestBridgeUniqueid: "+orig+"\r\n") {
		t.Errorf("AttendedTransfer: want %s as OrigBridgeUniqueid and DestBridgeUniqueid", orig)
	}
	for _, re := range []string{`Result: Success\r\nOrigTransfererChannel: ` + regexp.QuoteMeta(callee) + `\r\n`,
		`OrigBridgeUniqueid: \S+\r\nOrigBridgeType: basic\r\n`, `SecondTransfererChannel: ` + regexp.QuoteMeta(callee) + `\r\n`,
		`SecondBridgeUniqueid: \S+\r\n`, `TransfereeChannel: SIP/6001-\S+\r\n`, `TransferTargetChannel: SIP/6002-\S+\r\n`,
		`IsExternal: No\r\nDestType: Bridge\r\nDestBridgeUniqueid: \S+\r\n$`} {
		if !regexp.MustCompile(re).MatchString(ev) {
			t.Errorf("AttendedTransfer does not match %s", re)
		}
	}
	time.Sleep(1500 * time.Millisecond)
	chans := in.MustRX("core show channels")
	if strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6001 and 6002 only:\n%s", chans)
	}
	hangup(t, a, c)
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, toneC)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, toneA)
}

// perlVoicemailScript lists the mailboxes with Telephony::Asterisk::AMI:
// VoicemailUsersList's entries, then VoicemailUserStatus for one box.
const perlVoicemailScript = `
use strict; use warnings;
use Telephony::Asterisk::AMI;
my $ami = Telephony::Asterisk::AMI->new(Host => '127.0.0.1', Port => $ARGV[0],
  Username => 'admin', Secret => 'amp111', Events => 'off');
$ami->connect or die "connect: " . $ami->error;
for my $act ([Action => 'VoicemailUsersList'], [Action => 'VoicemailUserStatus', Context => 'default', Mailbox => '6001']) {
  my $r = $ami->action(@$act);
  print "$act->[1] $r->{Response}: $r->{Message}\n";
  while (1) {
    my $e = $ami->read_response;
    next unless defined $e->{ActionID} && $e->{ActionID} eq $r->{ActionID};
    if (($e->{EventList} // '') eq 'Complete') { print "END $e->{Event} $e->{ListItems}\n"; last }
    print join(' ', map { "$_=" . ($e->{$_} // '') } qw(Event VMContext VoiceMailbox Fullname Email TimeZone NewMessageCount OldMessageCount MaxMessageCount CanMarkUrgent)), "\n";
  }
}
$ami->disconnect;
`

// TestAMIVoicemailUsersList: a real client (Telephony::Asterisk::AMI)
// lists voicemail.conf's mailboxes with their counts from the spool.
func TestAMIVoicemailUsersList(t *testing.T) {
	requireTool(t, "perl", "-MTelephony::Asterisk::AMI", "-e1")
	in, port := amiInstance(t, nil, "", func(f map[string]string) {
		f["voicemail.conf"] = "[general]\nformat=wav\nleaveurgent=no\n[zonemessages]\neu=Europe/Paris|'vm-received' q 'digits/at' kM\n" +
			"[default]\n6000 => 1234,Alice Martin,alice@example.com,,tz=eu\n6001 => 4321,Bob Durand\n[other]\n7000 => 1,Carol\n"
	})
	inbox := in.Path("var", "spool", "voicemail", "default", "6001", "INBOX")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inbox, "msg0000.txt"), []byte("[message]\norigmailbox=6001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "vm.pl")
	os.WriteFile(script, []byte(perlVoicemailScript), 0o644)
	got := strings.TrimSpace(runClient(t, 30*time.Second, "perl", script, strconv.Itoa(port)))
	want := strings.Join([]string{
		"VoicemailUsersList Success: Voicemail user list will follow",
		"Event=VoicemailUserEntry VMContext=default VoiceMailbox=6000 Fullname=Alice Martin Email=alice@example.com TimeZone=eu NewMessageCount=0 OldMessageCount=0 MaxMessageCount=100 CanMarkUrgent=No",
		"Event=VoicemailUserEntry VMContext=default VoiceMailbox=6001 Fullname=Bob Durand Email= TimeZone= NewMessageCount=1 OldMessageCount=0 MaxMessageCount=100 CanMarkUrgent=No",
		"Event=VoicemailUserEntry VMContext=other VoiceMailbox=7000 Fullname=Carol Email= TimeZone= NewMessageCount=0 OldMessageCount=0 MaxMessageCount=100 CanMarkUrgent=No",
		"END VoicemailUserEntryComplete 3",
		"VoicemailUserStatus Success: Voicemail user detail will follow",
		"Event=VoicemailUserDetail VMContext=default VoiceMailbox=6001 Fullname=Bob Durand Email= TimeZone= NewMessageCount=1 OldMessageCount=0 MaxMessageCount=100 CanMarkUrgent=No",
		"END VoicemailUserDetailComplete 1",
	}, "\n")
	if got != want {
		t.Errorf("perl client printed\n%s\nwant\n%s", got, want)
	}
}
