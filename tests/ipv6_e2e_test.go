package tests

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// requireIPv6Loopback skips when ::1 cannot be bound (a CI machine
// without IPv6); every other failure is the test's.
func requireIPv6Loopback(t *testing.T) {
	t.Helper()
	c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Skipf("IPv6 loopback ::1 cannot be bound on this machine (%v): the IPv6 tests need it", err)
	}
	c.Close()
}

// TestChanSIPIPv6CallAcrossFamilies: gostrisk bound to [::] (both
// families, as chan_sip with udpbindaddr=::), 6000 registers from ::1
// and answers; 6001 calls it from 127.0.0.1 with audio that 6000 echoes.
// The bridge relays RTP between an IPv4 and an IPv6 leg; every message
// gostrisk sends 6000 names itself by its IPv6 address (Via, Contact,
// SDP c=/o= IN IP6) and the IPv4 phone never sees an IPv6 address.
func TestChanSIPIPv6CallAcrossFamilies(t *testing.T) {
	harness.RequireSipp(t)
	requireIPv6Loopback(t)
	dialplan := flowDialplan(20)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Args: []string{"-vvv"}, Edit: func(f map[string]string) {
		dialplan(f)
		sc := f["sip.conf"]
		if !strings.Contains(sc, "\nbindaddr=127.0.0.1\n") {
			t.Fatalf("reference sip.conf has no bindaddr=127.0.0.1 to replace:\n%s", sc)
		}
		f["sip.conf"] = strings.Replace(sc, "\nbindaddr=127.0.0.1\n", "\nudpbindaddr=::\n", 1)
	}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	v6Port := harness.FreePort(t)
	dir := t.TempDir()
	regLog := filepath.Join(dir, "reg-messages.log")
	reg := harness.Sipp{Scenario: regScenario(t), Target: "[::1]:" + strconv.Itoa(in.SIPPort), LocalIP: "::1", LocalPort: v6Port,
		Timeout: 20 * time.Second, Extra: []string{"-trace_msg", "-message_file", regLog}}
	if res := reg.Run(t); res.ExitCode != 0 {
		t.Fatalf("sipp register 6000 from ::1 exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	for _, msg := range receivedMessages(t, regLog) {
		// RFC 5118 4.5: received= carries the address without brackets.
		if !regexp.MustCompile(`(?m)^Via: SIP/2\.0/UDP \[::1\]:\d+;branch=[^\r\n]*;received=::1(;|\r?$)`).MatchString(msg) {
			t.Errorf("answer to the REGISTER from ::1 lacks Via ...;received=::1:\n%s", msg)
		}
	}
	peers := in.MustRX("sip show peers")
	if !regexp.MustCompile(`(?m)^6000/asadek\s+::1\s+D\s+`).MatchString(peers) {
		t.Errorf("sip show peers does not show 6000 at ::1:\n%s", peers)
	}

	uasLog, uacLog := filepath.Join(dir, "uas-messages.log"), filepath.Join(dir, "uac-messages.log")
	pcap := filepath.Join(dir, "pcmu-440hz.pcap")
	writePCMUPcap(t, pcap, 100)
	uas := harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalIP: "::1", LocalPort: v6Port, Timeout: 15 * time.Second,
		Extra: []string{"-rtp_echo", "-trace_msg", "-message_file", uasLog}}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: scenarioFrom(t, "flow-uac-rtp.xml.tmpl", map[string]string{"PCAP": pcap}),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 15 * time.Second,
		Extra: []string{"-trace_msg", "-message_file", uacLog}}
	waitUAC := uac.Start(t)

	waitMediaBothWays(t, in, 50)
	requireSippOK(t, "UAC 6001 (IPv4)", waitUAC())
	requireSippOK(t, "UAS 6000 (IPv6)", waitUAS())

	v6 := receivedMessages(t, uasLog)
	sdps := 0
	for _, msg := range v6 {
		if strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "0.0.0.0") {
			t.Errorf("the IPv6 phone got a message naming an IPv4 address of ours:\n%s", msg)
		}
		if strings.HasPrefix(msg, "INVITE ") {
			for _, re := range []*regexp.Regexp{
				regexp.MustCompile(`^INVITE sip:6000@\[::1\]:` + strconv.Itoa(v6Port) + `[;> ]`),
				regexp.MustCompile(`(?m)^Via: SIP/2\.0/UDP \[::1\]:` + strconv.Itoa(in.SIPPort) + `;`),
				regexp.MustCompile(`(?m)^Contact: <sip:[^@>]*@\[::1\]:` + strconv.Itoa(in.SIPPort) + `>`),
			} {
				if !re.MatchString(msg) {
					t.Errorf("INVITE to the IPv6 phone does not match %s:\n%s", re, msg)
				}
			}
		}
		if strings.Contains(msg, "\nv=0") {
			sdps++
			for _, re := range []*regexp.Regexp{
				regexp.MustCompile(`(?m)^c=IN IP6 ::1\r?$`),
				regexp.MustCompile(`(?m)^o=root \d+ \d+ IN IP6 ::1\r?$`),
			} {
				if !re.MatchString(msg) {
					t.Errorf("SDP to the IPv6 phone does not match %s:\n%s", re, msg)
				}
			}
		}
	}
	if sdps == 0 {
		t.Errorf("the IPv6 phone got no SDP from gostrisk:\n%s", strings.Join(v6, "\n----\n"))
	}
	for _, msg := range receivedMessages(t, uacLog) {
		if strings.Contains(msg, "::1") || strings.Contains(msg, "::ffff:") {
			t.Errorf("the IPv4 phone got a message naming an IPv6 (or IPv4-mapped) address:\n%s", msg)
		}
		if strings.Contains(msg, "\nv=0") && !regexp.MustCompile(`(?m)^c=IN IP4 127\.0\.0\.1\r?$`).MatchString(msg) {
			t.Errorf("SDP to the IPv4 phone lacks c=IN IP4 127.0.0.1:\n%s", msg)
		}
	}
	checkIdle(t, in, 1)

}

// TestChanSIPIPv6Check: gostrisk check takes chan_sip's IPv6 spellings in
// sip.conf without a word (bind addresses with and without brackets,
// hosts with ports, IPv6 prefixes in every ACL, localnet, externaddr,
// outboundproxy), and names the file and line of an IPv6 value that is
// really wrong.
func TestChanSIPIPv6Check(t *testing.T) {
	general := []string{
		"udpbindaddr=[::]:5062", "tcpenable=yes", "tcpbindaddr=::", "localnet=fd00::/8", "localnet=192.168.0.0/255.255.0.0",
		"externaddr=[2001:db8::7]:5080", "media_address=2001:db8::8", "contactdeny=::/0", "contactpermit=2001:db8::/32",
	}
	peer := []string{
		"[v6trunk]", "type=peer", "host=[2001:db8::10]:5070", "outboundproxy=[2001:db8::11]:5060", "context=work",
		"deny=::/0", "permit=2001:db8::/32,!2001:db8:bad::/48", "permit=2001:db8::/ffff:ffff::",
		"directmediadeny=::/0", "directmediapermit=fd00::/8", "insecure=port,invite",
		"[v6phone]", "type=friend", "host=dynamic", "secret=x", "defaultip=2001:db8::20", "context=work",
	}
	var badLine int
	ours := map[string]bool{} // "sip.conf:N:" of the lines this test wrote
	in := harness.Start(t, harness.Options{NoStart: true, Edit: func(f map[string]string) {
		head, rest, ok := strings.Cut(f["sip.conf"], "[general]\n")
		if !ok {
			t.Fatal("sample sip.conf has no [general]")
		}
		first := strings.Count(head, "\n") + 2
		for i := range general {
			ours["sip.conf:"+strconv.Itoa(first+i)+":"] = true
		}
		sc := strings.TrimRight(head+"[general]\n"+strings.Join(general, "\n")+"\n"+rest, "\n") + "\n\n"
		first = strings.Count(sc, "\n") + 1
		for i := range peer {
			ours["sip.conf:"+strconv.Itoa(first+i)+":"] = true
		}
		f["sip.conf"] = sc + strings.Join(peer, "\n") + "\n"
	}})
	res := harness.RunBinary(t, 30*time.Second, "check", "-C", in.Conf)
	if res.ExitCode != 0 {
		t.Fatalf("check exited %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	for _, ln := range strings.Split(res.Stdout, "\n") {
		if i := strings.Index(ln, ": "); i > 0 && ours[ln[:i+1]] {
			t.Errorf("check says about an IPv6 value: %s", ln)
		}
	}

	bad := harness.Start(t, harness.Options{NoStart: true, Edit: func(f map[string]string) {
		sc := strings.TrimRight(f["sip.conf"], "\n") + "\n\n[v6bad]\ntype=peer\nhost=dynamic\n"
		badLine = strings.Count(sc, "\n") + 1
		f["sip.conf"] = sc + "permit=2001:db8::/255.255.0.0\n"
	}})
	res = harness.RunBinary(t, 30*time.Second, "check", "-C", bad.Conf)
	if want := "sip.conf:" + strconv.Itoa(badLine) + ": error: "; res.ExitCode == 0 || !strings.Contains(res.Stdout, want) {
		t.Errorf("check exited %d on an IPv6 address with an IPv4 netmask, want an error at %q:\n%s", res.ExitCode, want, res.Stdout)
	}
}

// TestChanSIPIPv6OnlyCall: gostrisk bound to ::1 alone (bindaddr=::1, an
// IPv6 socket that IPv4 cannot reach), 6000 registers from ::1 and 6001
// calls it from ::1 with audio 6000 echoes. Media crosses on IPv6 RTP
// sockets both ways, sip show channels lists the IPv6 peers, no message
// names an IPv4 address, and nothing is left after the call.
func TestChanSIPIPv6OnlyCall(t *testing.T) {
	harness.RequireSipp(t)
	requireIPv6Loopback(t)
	dialplan := flowDialplan(20)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Args: []string{"-vvv"}, Edit: func(f map[string]string) {
		dialplan(f)
		sc := f["sip.conf"]
		if !strings.Contains(sc, "\nbindaddr=127.0.0.1\n") {
			t.Fatalf("reference sip.conf has no bindaddr=127.0.0.1 to replace:\n%s", sc)
		}
		sc = strings.Replace(sc, "\nbindaddr=127.0.0.1\n", "\nbindaddr=::1\ntcpenable=yes\n", 1)
		sc = strings.Replace(sc, "[6000]\ntype=friend\n", "[6000]\ntype=friend\ntransport=udp,tcp\n", 1)
		// The trunk's IPv4 registration and qualify cannot leave an IPv6 socket.
		sc = regexp.MustCompile(`(?m)^register =>.*$`).ReplaceAllString(sc, "")
		f["sip.conf"] = strings.Replace(sc, "qualify=yes", "qualify=no", 1)
	}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	target := "[::1]:" + strconv.Itoa(in.SIPPort)
	v6Port := harness.FreePort(t)
	reg := harness.Sipp{Scenario: regScenario(t), Target: target, LocalIP: "::1", LocalPort: v6Port, Timeout: 20 * time.Second}
	if res := reg.Run(t); res.ExitCode != 0 {
		t.Fatalf("sipp register 6000 from ::1 exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}

	dir := t.TempDir()
	uasLog, uacLog := filepath.Join(dir, "uas-messages.log"), filepath.Join(dir, "uac-messages.log")
	pcap := filepath.Join(dir, "pcmu-440hz.pcap")
	writePCMUPcap(t, pcap, 100)
	uas := harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalIP: "::1", LocalPort: v6Port, Timeout: 15 * time.Second,
		Extra: []string{"-rtp_echo", "-trace_msg", "-message_file", uasLog}}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: scenarioFrom(t, "flow-uac-rtp.xml.tmpl", map[string]string{"PCAP": pcap}),
		Target: target, LocalIP: "::1", Timeout: 15 * time.Second, Extra: []string{"-trace_msg", "-message_file", uacLog}}
	waitUAC := uac.Start(t)

	waitMediaBothWays(t, in, 50)
	if list := in.MustRX("sip show channels"); strings.Count(list, "\n::1 ") < 2 {
		t.Errorf("sip show channels does not list two dialogs with ::1:\n%s", list)
	}
	checkAudioIP(t, in, "::1")
	requireSippOK(t, "UAC 6001 (IPv6)", waitUAC())
	requireSippOK(t, "UAS 6000 (IPv6)", waitUAS())
	for who, log := range map[string]string{"callee 6000": uasLog, "caller 6001": uacLog} {
		sdps := 0
		for _, msg := range receivedMessages(t, log) {
			if regexp.MustCompile(`\b127\.0\.0\.1\b|0\.0\.0\.0|IN IP4`).MatchString(msg) {
				t.Errorf("%s got a message naming IPv4:\n%s", who, msg)
			}
			if strings.Contains(msg, "\nv=0") {
				sdps++
				if !regexp.MustCompile(`(?m)^c=IN IP6 ::1\r?$`).MatchString(msg) {
					t.Errorf("%s: SDP lacks c=IN IP6 ::1:\n%s", who, msg)
				}
			}
		}
		if sdps == 0 {
			t.Errorf("%s got no SDP", who)
		}
	}
	checkIdle(t, in, 1)

	// The same phone over TCP on IPv6: with no tcpbindaddr, TCP listens
	// where UDP does (bindaddr and bindport), as in chan_sip.
	tcp := harness.Sipp{Scenario: regScenario(t), Target: target, LocalIP: "::1", Timeout: 20 * time.Second, Extra: []string{"-t", "t1"}}
	if res := tcp.Run(t); res.ExitCode != 0 {
		t.Fatalf("sipp register 6000 over TCP from ::1 exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	if peer := in.MustRX("sip show peer 6000"); !regexp.MustCompile(`(?m)^  Reg\. Contact : sip:6000@\[::1\]:\d+;transport=TCP$`).MatchString(peer) {
		t.Errorf("sip show peer 6000 after the TCP registration:\n%s", peer)
	}
}

// TestChanSIPIPv6Trunk: the trunk is an IPv6 registrar and carrier at
// [::1] (register => ...@[::1]:port, host=::1), gostrisk listens on ::
// (both families). The outbound registration goes over IPv6 with
// bracketed URIs and answers the trunk's two challenges; 6001, an IPv4
// phone, then calls out through the trunk and the trunk's RTP comes back
// through gostrisk and the phone's echo: an IPv4 leg relayed to an IPv6
// one.
func TestChanSIPIPv6Trunk(t *testing.T) {
	harness.RequireSipp(t)
	requireIPv6Loopback(t)
	trunk := startFakeTrunk(t, "::1", trunkChallenge)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		s := f["sip.conf"]
		for old, repl := range map[string]string{
			"\nbindaddr=127.0.0.1\n": "\nbindaddr=::\n",
			"register => 0033972124831:secretpw@127.0.0.1:5070/0033972124831": fmt.Sprintf("register => 0033972124831:secretpw@[::1]:%d/0033972124831", trunk.port()),
			"[trunk-ovh]\ntype=peer\nhost=127.0.0.1\nport=5070":               fmt.Sprintf("[trunk-ovh]\ntype=peer\nhost=::1\nport=%d", trunk.port()),
			"username=choucheh\nsecret=test\ncontext=work":                    "username=choucheh\nsecret=test\ncontext=sortant-ovh",
		} {
			if !strings.Contains(s, old) {
				t.Fatalf("reference sip.conf lacks %q", old)
			}
			s = strings.Replace(s, old, repl, 1)
		}
		f["sip.conf"] = s
	}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	reg := waitRegistry(t, in, "Registered", 10*time.Second)
	if !strings.Contains(reg, " Registered ") {
		t.Fatalf("the IPv6 registration did not complete:\n%s", reg)
	}
	regs := trunk.registers()
	if len(regs) < 3 {
		t.Fatalf("trunk got %d REGISTERs, want 3 (plain, 401 answer, 407 answer)", len(regs))
	}
	last := regs[len(regs)-1]
	for _, want := range []string{
		fmt.Sprintf("REGISTER sip:[::1]:%d SIP/2.0\r\n", trunk.port()),
		"\r\nVia: SIP/2.0/UDP [::1]:" + strconv.Itoa(in.SIPPort) + ";",
		"\r\nContact: <sip:0033972124831@[::1]:" + strconv.Itoa(in.SIPPort) + ">",
	} {
		if !strings.Contains(last, want) {
			t.Errorf("REGISTER to the IPv6 trunk lacks %q:\n%s", want, last)
		}
	}

	uac := harness.Sipp{Scenario: callScenario(t, "trunk-uac-6001-outbound.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		Extra: []string{"-s", "0612345678", "-rtp_echo"}, Timeout: 20 * time.Second}
	if res := uac.Run(t); res.ExitCode != 0 {
		t.Fatalf("sipp UAC exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	invites := trunk.invites()
	if len(invites) != 3 {
		t.Fatalf("trunk got %d INVITEs, want 3:\n%s", len(invites), strings.Join(invites, "\n"))
	}
	inv := invites[2]
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`^INVITE sip:0612345678@\[::1\]:` + strconv.Itoa(trunk.port()) + ` SIP/2\.0\r\n`),
		regexp.MustCompile(`(?m)^c=IN IP6 ::1\r$`),
		regexp.MustCompile(`(?m)^Contact: <sip:[^@>]*@\[::1\]:` + strconv.Itoa(in.SIPPort) + `>`),
	} {
		if !re.MatchString(inv) {
			t.Errorf("INVITE to the IPv6 trunk does not match %s:\n%s", re, inv)
		}
	}
	sent, got := trunk.rtpCounts()
	if sent == 0 || got < sent/2 {
		t.Errorf("media: the IPv6 trunk sent %d RTP packets and got %d back through gostrisk and the IPv4 phone", sent, got)
	}
	// qualify=yes: the trunk answers OPTIONS over IPv6.
	var peers string
	if !harness.PollUntil(5*time.Second, func() bool {
		peers = in.MustRX("sip show peers")
		return regexp.MustCompile(`(?m)^trunk-ovh/0033972124831\s+::1\s+.*\bOK \(\d+ ms\)`).MatchString(peers)
	}) {
		var opts []string
		for _, r := range trunk.requests() {
			if strings.HasPrefix(r, "OPTIONS ") {
				opts = append(opts, r)
			}
		}
		t.Errorf("the IPv6 trunk is not reachable in sip show peers:\n%s\nOPTIONS it got:\n%s", peers, strings.Join(opts, "\n"))
	}
}
