package tests

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// amiInstance starts gostrisk with a manager.conf on a free port (user
// admin/amp111, every class) and sip.conf peers edited by peers.
func amiInstance(t *testing.T, peers map[string][]string, extra string, edits ...func(map[string]string)) (*harness.Instance, int) {
	t.Helper()
	port := harness.FreePort(t)
	in := harness.Start(t, harness.Options{Edit: func(f map[string]string) {
		sip := regexp.MustCompile(`(?m)^register\s*=>.*$`).ReplaceAllString(f["sip.conf"], "")
		for peer, lines := range peers {
			sip = setPeer(sip, peer, lines...)
		}
		f["sip.conf"] = sip
		f["manager.conf"] = fmt.Sprintf("[general]\nenabled = yes\nport = %d\nbindaddr = 127.0.0.1\n\n"+
			"[admin]\nsecret = amp111\nread = all\nwrite = all\n%s", port, extra)
		f["logger.conf"] = "[general]\n[logfiles]\nmessages => notice,warning,error,security\nconsole => notice,warning,error,verbose\n"
		for _, e := range edits {
			e(f)
		}
	}})
	in.DumpOnFailure()
	return in, port
}

// runClient runs a client program (python3/perl) with a deadline and
// returns its output.
func runClient(t *testing.T, timeout time.Duration, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// debianPython is the system's python3, whose dist-packages hold the
// Debian client libraries (a pyenv shim earlier in PATH has none).
func debianPython() string {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return "python3"
}

func requireTool(t *testing.T, check ...string) {
	t.Helper()
	if err := exec.Command(check[0], check[1:]...).Run(); err != nil {
		t.Skipf("%v not available (make test-deps installs it): %v", check, err)
	}
}

const perlAMIScript = `
use strict; use warnings;
use Telephony::Asterisk::AMI;
my @events;
my $ami = Telephony::Asterisk::AMI->new(Host => '127.0.0.1', Port => $ARGV[0],
  Username => 'admin', Secret => 'amp111', Event_Callback => sub { push @events, $_[0] });
$ami->connect or die "connect: " . $ami->error;
print "PROTOCOL $ami->{protocol}\n";
my $r = $ami->action(Action => 'Command', Command => 'sip show peers');
print "COMMAND $r->{Response}\n";
my $out = $r->{Output};
for my $l (ref $out ? @$out : ($out)) { print "OUT $l\n" }
$r = $ami->action(Action => 'SIPpeers');
print "SIPPEERS $r->{Response} $r->{EventList} $r->{Message}\n";
my $id = $r->{ActionID};
while (1) {
  my $e = $ami->read_response;
  next unless defined $e->{ActionID} && $e->{ActionID} eq $id;
  if ($e->{Event} eq 'PeerEntry') { print "PEER $e->{ObjectName} $e->{IPaddress} $e->{Dynamic} $e->{Status}\n"; next }
  print "END $e->{Event} $e->{EventList} $e->{ListItems}\n"; last;
}
$ami->disconnect or die "logoff: " . $ami->error;
my $bad = Telephony::Asterisk::AMI->new(Host => '127.0.0.1', Port => $ARGV[0], Username => 'admin', Secret => 'wrong');
print "BAD ", ($bad->connect ? "connected" : $bad->error), "\n";
`

// TestAMIPerlClient: Telephony::Asterisk::AMI logs in, runs "sip show
// peers" through Command and lists SIPpeers; a wrong secret is refused
// and logged as fail2ban's asterisk filter expects.
func TestAMIPerlClient(t *testing.T) {
	requireTool(t, "perl", "-MTelephony::Asterisk::AMI", "-e1")
	in, port := amiInstance(t, nil, "")
	script := filepath.Join(t.TempDir(), "ami.pl")
	os.WriteFile(script, []byte(perlAMIScript), 0o644)
	out := runClient(t, 30*time.Second, "perl", script, strconv.Itoa(port))
	cli := in.MustRX("sip show peers")
	var want []string
	want = append(want, "PROTOCOL 7.0.3", "COMMAND Success")
	for _, l := range strings.Split(strings.TrimSuffix(cli, "\n"), "\n") {
		want = append(want, "OUT "+l)
	}
	want = append(want,
		"SIPPEERS Success start Peer status list will follow",
		"PEER 6000 -none- yes Unmonitored",
		"PEER 6001 -none- yes Unmonitored",
		"PEER 6002 -none- yes Unmonitored",
		"PEER trunk-ovh 127.0.0.1 no (UNKNOWN|UNREACHABLE)",
		"END PeerlistComplete Complete 4",
		"BAD Login failed: Authentication failed")
	for i := range want {
		if !strings.Contains(want[i], "(UNKNOWN|") {
			// the qualify of the trunk may end between the two listings
			want[i] = strings.ReplaceAll(regexp.QuoteMeta(want[i]), "UNKNOWN    ", "(UNKNOWN    |UNREACHABLE)")
		}
	}
	// the client keeps the banner's CR (it splits it on LF)
	want[0] = `PROTOCOL 7\.0\.3\r?`
	if got := strings.TrimSpace(out); !regexp.MustCompile("^" + strings.Join(want, "\n") + "$").MatchString(got) {
		t.Errorf("perl client printed\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	// the failed login: manager.c's NOTICE (fail2ban's asterisk filter)
	// and the AMI security event
	var msgs string
	harness.PollUntil(5*time.Second, func() bool {
		msgs = in.ReadFile("var/log/messages")
		return strings.Contains(msgs, "InvalidPassword") && strings.Contains(msgs, "failed to authenticate as 'admin'")
	})
	if !regexp.MustCompile(`(?m)^\[.*\] NOTICE\[\d+\] .*: 127\.0\.0\.1 failed to authenticate as 'admin'$`).MatchString(msgs) {
		t.Errorf("no fail2ban-shaped NOTICE in messages:\n%s", msgs)
	}
	if !strings.Contains(msgs, `SecurityEvent="InvalidPassword"`) || !strings.Contains(msgs, `Service="AMI"`) {
		t.Errorf("no AMI InvalidPassword security event in messages:\n%s", msgs)
	}
	if fb, err := exec.LookPath("fail2ban-regex"); err == nil {
		res, _ := exec.Command(fb, in.Path("var", "log", "messages"), "/etc/fail2ban/filter.d/asterisk.conf").CombinedOutput()
		if !regexp.MustCompile(`Failregex: [1-9]\d* total`).Match(res) {
			t.Errorf("fail2ban's asterisk filter matched nothing:\n%s", res)
		}
	}
	if got := in.MustRX("manager show users"); got != "\nusername\n--------\nadmin\n-------------------\n1 manager users configured.\n" {
		t.Errorf("manager show users: %q", got)
	}
}

const panoramiskScript = `
import asyncio, sys, json
from panoramisk import Manager

port = int(sys.argv[1])
events = []

async def main():
    m = Manager(host='127.0.0.1', port=port, username='admin', secret='amp111', ping_delay=0)
    bridged = asyncio.Event()
    gone = asyncio.Event()
    enters = [0]
    hangups = [0]
    def on_event(manager, msg):
        name = msg.event
        if name in ('Newchannel', 'DialBegin', 'DialEnd', 'BridgeEnter', 'BridgeLeave', 'Hangup', 'OriginateResponse', 'Newstate'):
            events.append({'Event': name, 'Channel': msg.get('Channel', ''), 'DestChannel': msg.get('DestChannel', ''),
                           'Response': msg.get('Response', ''), 'ChannelStateDesc': msg.get('ChannelStateDesc', '')})
        if name == 'BridgeEnter':
            enters[0] += 1
            if enters[0] == 2: bridged.set()
        if name == 'Hangup':
            hangups[0] += 1
            if hangups[0] == 2: gone.set()
    m.register_event('*', on_event)
    await m.connect()
    resp = await asyncio.wait_for(m.send_action({'Action': 'Originate', 'Channel': 'SIP/6000', 'Context': 'work',
        'Exten': '6001', 'Priority': '1', 'CallerID': 'Click <5555>', 'Async': 'true', 'Timeout': '15000'}), 20)
    if isinstance(resp, list):
        # the ack, then OriginateResponse (same ActionID) for SIP/6000
        print('ORIGINATE', ' '.join(r.get('Response', '') for r in resp), resp[-1].event, resp[-1].get('Channel', '')[:9])
    else:
        print('ORIGINATE', resp.get('Response'))
    await asyncio.wait_for(bridged.wait(), 20)
    st = await asyncio.wait_for(m.send_action({'Action': 'CoreShowChannels'}), 10)
    chans = sorted(r.get('Channel') for r in st if r.event == 'CoreShowChannel')
    print('CHANNELS', len(chans))
    caller = [e['Channel'] for e in events if e['Event'] == 'Newchannel'][0]
    r = await asyncio.wait_for(m.send_action({'Action': 'Hangup', 'Channel': caller}), 10)
    print('HANGUP', r.get('Response'), r.get('Message'))
    await asyncio.wait_for(gone.wait(), 20)
    m.close()
    print('EVENTS', json.dumps(events))

asyncio.run(main())
`

// TestAMIPanoramiskOriginate: panoramisk originates a call from sipp
// phone 6000 to extension 6001 (another sipp phone), sees
// Newchannel/DialBegin/BridgeEnter/Hangup in order, lists the channels
// and hangs the call up through the manager.
func TestAMIPanoramiskOriginate(t *testing.T) {
	requireTool(t, debianPython(), "-c", "import panoramisk")
	harness.RequireSipp(t)
	p6000, p6001 := harness.FreePort(t), harness.FreePort(t)
	in, port := amiInstance(t, map[string][]string{
		"6000": {"host=127.0.0.1", "port=" + strconv.Itoa(p6000), "directmedia=no", "qualify=no"},
		"6001": {"host=127.0.0.1", "port=" + strconv.Itoa(p6001), "directmedia=no", "qualify=no"},
	}, "")
	requireSIPCalls(t, in)
	uas := callScenario(t, "call-uas-6000.xml")
	wait6000 := (&harness.Sipp{Scenario: uas, LocalPort: p6000, Timeout: 40 * time.Second}).Start(t)
	wait6001 := (&harness.Sipp{Scenario: uas, LocalPort: p6001, Timeout: 40 * time.Second}).Start(t)
	time.Sleep(300 * time.Millisecond)
	script := filepath.Join(t.TempDir(), "orig.py")
	os.WriteFile(script, []byte(panoramiskScript), 0o644)
	out := runClient(t, 60*time.Second, debianPython(), script, strconv.Itoa(port))
	for _, w := range []string{"ORIGINATE Success Success OriginateResponse SIP/6000-", "CHANNELS 2", "HANGUP Success Channel Hungup"} {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("client output lacks %q:\n%s", w, out)
		}
	}
	_, evs, _ := strings.Cut(out, "EVENTS ")
	// the order a CRM relies on
	order := []string{`"Event": "Newchannel", "Channel": "SIP/6000-`, `"Event": "Newchannel", "Channel": "SIP/6001-`,
		`"Event": "DialBegin", "Channel": "SIP/6000-`, `"Event": "BridgeEnter"`, `"Event": "Hangup"`}
	pos := 0
	for _, o := range order {
		i := strings.Index(evs[pos:], o)
		if i < 0 {
			t.Fatalf("event %s missing or out of order in %s", o, evs)
		}
		pos += i + len(o)
	}
	for i, w := range []func() harness.SippResult{wait6000, wait6001} {
		if r := w(); r.ExitCode != 0 {
			t.Errorf("sipp UAS %d exit %d:\n%s\n%s", i, r.ExitCode, r.Output, r.ErrLog)
		}
	}
}

// TestAMIPeerStatus: a phone registering gives chan_sip's PeerStatus
// event to a manager client reading the system class.
func TestAMIPeerStatus(t *testing.T) {
	harness.RequireSipp(t)
	in, port := amiInstance(t, nil, "")
	requireSIPDriver(t, in)
	c := amiLogin(t, port)
	br := bufio.NewReader(c)
	regPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), regPort, 1)
	want := fmt.Sprintf("Event: PeerStatus\r\nPrivilege: system,all\r\nChannelType: SIP\r\nPeer: SIP/6000\r\nPeerStatus: Registered\r\nAddress: 127.0.0.1:%d\r\n", regPort)
	var msg strings.Builder
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("no PeerStatus event: %v", err)
		}
		if line != "\r\n" {
			msg.WriteString(line)
			continue
		}
		if strings.HasPrefix(msg.String(), "Event: PeerStatus") {
			if msg.String() != want {
				t.Errorf("PeerStatus\n%q\nwant\n%q", msg.String(), want)
			}
			return
		}
		msg.Reset()
	}
}

// TestAMIRedirect: a call waiting in the dialplan is sent elsewhere by the
// manager's Redirect and continues there (Newexten in the new context).
func TestAMIRedirect(t *testing.T) {
	harness.RequireSipp(t)
	in, port := amiInstance(t, map[string][]string{"6001": {"context=redirtest"}}, "", func(f map[string]string) {
		f["sip.conf"] = regexp.MustCompile(`(?ms)^\[trunk-ovh\].*?(^\[)`).ReplaceAllString(f["sip.conf"], "$1")
		f["extensions.conf"] += "\n[redirtest]\nexten => 7200,1,Answer()\nsame => n,Wait(20)\n" +
			"[elsewhere]\nexten => 7300,1,Set(MOVED=yes)\nsame => n,Wait(1)\nsame => n,Hangup()\n"
	})
	requireSIPCalls(t, in)
	src, err := os.ReadFile(callScenario(t, "ports-uac-6001-to-6000.xml"))
	if err != nil {
		t.Fatal(err)
	}
	scen := filepath.Join(t.TempDir(), "uac-7200.xml")
	os.WriteFile(scen, []byte(strings.ReplaceAll(string(src), "sip:6000@", "sip:7200@")), 0o644)
	c := amiLogin(t, port)
	br := bufio.NewReader(c)
	// the call ends on our side; sipp is killed when the test ends
	(&harness.Sipp{Scenario: scen, Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Extra: []string{"-d", "15000"},
		Timeout: 30 * time.Second}).Start(t)
	// read messages until pred accepts one
	next := func(pred func(string) bool) string {
		t.Helper()
		var msg strings.Builder
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if line != "\r\n" {
				msg.WriteString(line)
				continue
			}
			if pred(msg.String()) {
				return msg.String()
			}
			msg.Reset()
		}
	}
	ev := next(func(m string) bool {
		return strings.HasPrefix(m, "Event: Newexten") && strings.Contains(m, "Application: Wait\r\n")
	})
	name := regexp.MustCompile(`(?m)^Channel: (\S+)\r$`).FindStringSubmatch(ev)[1]
	fmt.Fprintf(c, "Action: Redirect\r\nActionID: r1\r\nChannel: %s\r\nContext: elsewhere\r\nExten: 7300\r\nPriority: 1\r\n\r\n", name)
	if got := next(func(m string) bool { return strings.Contains(m, "ActionID: r1") }); got != "Response: Success\r\nActionID: r1\r\nMessage: Redirect successful\r\n" {
		t.Fatalf("Redirect: %q", got)
	}
	moved := next(func(m string) bool {
		return strings.HasPrefix(m, "Event: Newexten") && strings.Contains(m, "Context: elsewhere\r\n")
	})
	if !strings.Contains(moved, "Channel: "+name+"\r\n") || !strings.Contains(moved, "Application: Set\r\nAppData: MOVED=yes\r\n") {
		t.Errorf("after the redirect: %q", moved)
	}
	next(func(m string) bool {
		return strings.HasPrefix(m, "Event: Hangup") && strings.Contains(m, "Channel: "+name+"\r\n")
	})
}

// TestAMIBlindTransfer: in a call 6001 -> 6000, the manager's
// BlindTransfer on 6000's channel sends 6001 (the party bridged with it)
// to 7300@elsewhere, where its dialplan goes on with BLINDTRANSFER set.
func TestAMIBlindTransfer(t *testing.T) {
	harness.RequireSipp(t)
	in, port := amiInstance(t, nil, "", noDirectMedia, func(f map[string]string) {
		f["sip.conf"] = regexp.MustCompile(`(?ms)^\[trunk-ovh\].*?(^\[)`).ReplaceAllString(f["sip.conf"], "$1")
		f["extensions.conf"] += "\n[elsewhere]\nexten => 7300,1,Set(MOVED=${BLINDTRANSFER})\nsame => n,Wait(1)\nsame => n,Hangup()\n"
	})
	requireSIPCalls(t, in)
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	(&harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalPort: uasPort, Timeout: 30 * time.Second}).Start(t)
	time.Sleep(200 * time.Millisecond)
	c := amiLogin(t, port)
	br := bufio.NewReader(c)
	(&harness.Sipp{Scenario: callScenario(t, "ports-uac-6001-to-6000.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		Extra: []string{"-d", "15000"}, Timeout: 30 * time.Second}).Start(t)
	next := func(pred func(string) bool) string {
		t.Helper()
		var msg strings.Builder
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if line != "\r\n" {
				msg.WriteString(line)
				continue
			}
			if pred(msg.String()) {
				return msg.String()
			}
			msg.Reset()
		}
	}
	chanOf := func(m string) string {
		return regexp.MustCompile(`(?m)^Channel: (\S+)\r$`).FindStringSubmatch(m)[1]
	}
	callee := chanOf(next(func(m string) bool {
		return strings.HasPrefix(m, "Event: BridgeEnter") && strings.Contains(m, "Channel: SIP/6000-")
	}))
	fmt.Fprintf(c, "Action: BlindTransfer\r\nActionID: b1\r\nChannel: %s\r\nContext: elsewhere\r\nExten: 7300\r\n\r\n", callee)
	if got := next(func(m string) bool { return strings.Contains(m, "ActionID: b1") }); got != "Response: Success\r\nActionID: b1\r\nMessage: Transfer succeeded\r\n" {
		t.Fatalf("BlindTransfer: %q", got)
	}
	var blind string // the BlindTransfer event, whenever it comes
	seen := func(m string) {
		if strings.HasPrefix(m, "Event: BlindTransfer\r\n") {
			blind = m
		}
	}
	moved := next(func(m string) bool {
		seen(m)
		return strings.HasPrefix(m, "Event: Newexten") && strings.Contains(m, "Context: elsewhere\r\n")
	})
	if !strings.Contains(moved, "Channel: SIP/6001-") || !strings.Contains(moved, "AppData: MOVED="+callee+"\r\n") {
		t.Errorf("after the transfer: %q", moved)
	}
	// The transferee's dialplan ends the call.
	next(func(m string) bool {
		seen(m)
		return strings.HasPrefix(m, "Event: Hangup") && strings.Contains(m, "Channel: SIP/6001-")
	})
	// Asterisk's BlindTransfer: the transferer, the transferee, the
	// bridge, IsExternal (the manager is outside the bridge), the target.
	re := `(?s)^Event: BlindTransfer\r\nPrivilege: call,all\r\nResult: Success\r\nTransfererChannel: ` + regexp.QuoteMeta(callee) +
		`\r\n.*TransfereeChannel: SIP/6001-\S+\r\n.*BridgeUniqueid: \S+\r\nBridgeType: basic\r\n.*BridgeNumChannels: 2\r\n.*` +
		`IsExternal: Yes\r\nContext: elsewhere\r\nExtension: 7300\r\n$`
	if !regexp.MustCompile(re).MatchString(blind) {
		t.Errorf("BlindTransfer event %q does not match %s", blind, re)
	}
	if out := in.MustRX("core show channels"); !strings.Contains(out, "0 active channels") {
		t.Errorf("channels left after the transfer:\n%s", out)
	}
}
