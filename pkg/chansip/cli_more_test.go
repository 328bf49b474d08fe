package chansip

import (
	"bytes"
	"context"
	"flag"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/cli"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/cli")

// moreSIPConf has something for each of the less common commands to show:
// domains, an MWI subscription, a registration, a qualified trunk.
const moreSIPConf = `[general]
context=default
bindaddr=127.0.0.1
allowguest=no
domain=example.org
domain=pbx.example.org,internal
mwi => 1234:secret@mail.example.org/1234
mwi => 1235:secret:auth1235@voicemail.example.org:5070/8000
register => 0033972124831:secretpw@127.0.0.1:5070/0033972124831
disallow=all
allow=ulaw

[trunk]
type=peer
host=127.0.0.1
port=5070
qualify=yes

[6000]
type=friend
host=dynamic
secret=test

[lone]
type=user
secret=test
`

// emptySIPConf has none of them.
const emptySIPConf = `[general]
bindaddr=127.0.0.1
`

// newCLIDriver builds a driver (not started) whose config dir holds the
// given sip.conf and sip_notify.conf ("" = no file).
func newCLIDriver(t *testing.T, sipConf, notifyConf string) (*Driver, *cli.Registry, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sip.conf"), []byte(sipConf), 0o644); err != nil {
		t.Fatal(err)
	}
	if notifyConf != "" {
		if err := os.WriteFile(filepath.Join(dir, "sip_notify.conf"), []byte(notifyConf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reg := cli.NewRegistry()
	cli.RegisterBuiltins(reg)
	now := time.Date(2024, 11, 22, 11, 49, 18, 0, time.UTC)
	d, err := New(Options{Config: loadConf(t, sipConf), Registry: reg, Version: "18.26.4",
		ConfigDir: dir, Now: func() time.Time { return now }, Log: &logRec{}})
	if err != nil {
		t.Fatal(err)
	}
	return d, reg, dir
}

func execute(t *testing.T, reg *cli.Registry, line string) string {
	t.Helper()
	var b bytes.Buffer
	if err := reg.Execute(nil, line, &b); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return b.String()
}

// run is execute for lines that may fail: the output either way.
func run(reg *cli.Registry, line string) string {
	var b bytes.Buffer
	reg.Execute(nil, line, &b)
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "cli", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("differs from %s\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// TestHelpMatchesAsterisk lists the sip commands through the real registry
// and compares with Asterisk 18's "core show help" transcripts.
func TestHelpMatchesAsterisk(t *testing.T) {
	_, reg, _ := newCLIDriver(t, emptySIPConf, "")
	for _, tc := range []struct{ cmd, file string }{
		{"core show help sip", "core-show-help-sip.txt"},
		{"core show help sip show", "core-show-help-sip-show.txt"},
	} {
		want, err := os.ReadFile(filepath.Join("testdata", "cli", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := execute(t, reg, tc.cmd); got != string(want) {
			t.Errorf("%s\n--- got\n%s--- want\n%s", tc.cmd, got, want)
		}
	}
}

func TestMoreCommandsGolden(t *testing.T) {
	_, emptyReg, _ := newCLIDriver(t, emptySIPConf, "")
	full, fullReg, _ := newCLIDriver(t, moreSIPConf, "")
	full.regs.set(&Registration{Peer: "6000", Addr: netip.MustParseAddrPort("127.0.0.1:5061"), Expiry: 3600,
		Contact: "sip:6000@127.0.0.1:5061", Transport: "UDP", Expires: full.now().Add(time.Hour)})
	for _, tc := range []struct {
		reg       *cli.Registry
		cmd, file string
	}{
		{emptyReg, "sip show domains", "domains-empty.txt"},
		{fullReg, "sip show domains", "domains.txt"},
		{emptyReg, "sip show mwi", "mwi-empty.txt"},
		{fullReg, "sip show mwi", "mwi.txt"},
		{emptyReg, "sip show objects", "objects-empty.txt"},
		{fullReg, "sip show objects", "objects.txt"},
		{emptyReg, "sip show sched", "sched-empty.txt"},
		{fullReg, "sip show sched", "sched.txt"},
		{emptyReg, "sip show channelstats", "channelstats-empty.txt"},
		{emptyReg, "sip show tcp", "tcp-empty.txt"},
		{emptyReg, "sip show history abc", "history-off.txt"},
		{emptyReg, "core show help sip show tcp", "help-tcp.txt"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			golden(t, tc.file, execute(t, tc.reg, tc.cmd))
		})
	}
}

func TestPruneRealtime(t *testing.T) {
	_, reg, _ := newCLIDriver(t, moreSIPConf, "")
	usage := execute(t, reg, "core show help sip prune realtime")
	for _, tc := range []struct{ cmd, want string }{
		{"sip prune realtime all", "No peers found to prune.\n"},
		{"sip prune realtime peer all", "No peers found to prune.\n"},
		{"sip prune realtime like ^6", "No peers found to prune.\n"},
		{"sip prune realtime peer like ^t", "No peers found to prune.\n"},
		{"sip prune realtime 6000", "Peer '6000' is not a Realtime peer, cannot be pruned.\n"},
		{"sip prune realtime peer trunk", "Peer 'trunk' is not a Realtime peer, cannot be pruned.\n"},
		{"sip prune realtime peer nobody", "Peer 'nobody' not found.\n"},
		{"sip prune realtime", usage},
		{"sip prune realtime peer", usage},
		{"sip prune realtime peer like", usage},
		{"sip prune realtime like (", usage},
		{"sip prune realtime user 6000", usage},
	} {
		if got := run(reg, tc.cmd); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

func TestSetHistory(t *testing.T) {
	d, reg, _ := newCLIDriver(t, emptySIPConf, "")
	for _, tc := range []struct {
		cmd, want string
		on        bool
	}{
		{"sip set history on", "SIP History Recording Enabled (use 'sip show history')\n", true},
		{"sip set history off", "SIP History Recording Disabled\n", false},
		{"sip set history ON", "SIP History Recording Enabled (use 'sip show history')\n", true},
		{"sip set history", "No such command 'sip set history' (type 'core show help sip set history' for other possible commands)\n", true},
	} {
		if got := run(reg, tc.cmd); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.cmd, got, tc.want)
		}
		if d.more.history.on.Load() != tc.on {
			t.Errorf("after %s recording is %v", tc.cmd, !tc.on)
		}
	}
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		raw                        string
		part1, part2, callID, cseq string
		ok                         bool
	}{
		{"INVITE sip:6000@127.0.0.1 SIP/2.0\r\nCall-ID: abc@h\r\nCSeq: 1 INVITE\r\n\r\nv=0\r\n", "INVITE", "sip:6000@127.0.0.1", "abc@h", "1 INVITE", true},
		{"SIP/2.0 401 Unauthorized\r\ni: x1\r\nCSEQ:  2 REGISTER\r\n\r\n", "SIP/2.0", "401 Unauthorized", "x1", "2 REGISTER", true},
		{"\r\n\r\n", "", "", "", "", false},
		{"OPTIONS sip:a SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n", "OPTIONS", "sip:a", "", "1 OPTIONS", false},
	} {
		p1, p2, id, cseq, ok := summarize([]byte(tc.raw))
		if p1 != tc.part1 || p2 != tc.part2 || id != tc.callID || cseq != tc.cseq || ok != tc.ok {
			t.Errorf("summarize(%q) = %q %q %q %q %v", tc.raw, p1, p2, id, cseq, ok)
		}
	}
}

func TestHistoryBounds(t *testing.T) {
	var h historyLog
	now := time.Now()
	h.add("a", "Rx", "ignored while off", now)
	if ids, _, _ := h.snapshot(); len(ids) != 0 {
		t.Fatalf("recorded while off: %v", ids)
	}
	h.on.Store(true)
	for i := 0; i < maxHistoryEntries+5; i++ {
		h.add("a", "Rx", strings.Repeat("x", i)+"\r\nsecond line", now)
	}
	_, ev, _ := h.snapshot()
	if len(ev["a"]) != maxHistoryEntries {
		t.Errorf("%d entries kept, want %d", len(ev["a"]), maxHistoryEntries)
	}
	for _, e := range ev["a"] {
		if len(e) > maxHistoryEvent || strings.ContainsAny(e, "\r\n") {
			t.Fatalf("entry %q not cut to one line of %d bytes", e, maxHistoryEvent)
		}
	}
	if want := "Rx              xxxxx"; ev["a"][0] != want {
		t.Errorf("oldest kept entry %q, want %q", ev["a"][0], want)
	}
	for i := 0; i < maxHistoryDialogs+10; i++ {
		h.add(string(rune('A'+i%26))+strings.Repeat("z", i), "Rx", "x", now)
	}
	ids, _, _ := h.snapshot()
	if len(ids) != maxHistoryDialogs || ids[0] == "a" {
		t.Errorf("%d dialogs kept (first %q), want %d without the oldest", len(ids), ids[0], maxHistoryDialogs)
	}
}

const notifyConfText = `[clear-mwi]
Event=>message-summary
Content-type=>application/simple-message-summary
Content=>Messages-Waiting: no
Content=>Message-Account: sip:asterisk@127.0.0.1
Content=>Voice-Message: 0/0 (0/0)
Content=>

[empty]
`

// TestNotifyAndHistory sends "sip notify" to a peer listening on a UDP
// socket, checks the NOTIFY it gets, answers it, and reads the dialog's
// history.
func TestNotifyAndHistory(t *testing.T) {
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	conf := strings.ReplaceAll(moreSIPConf, "port=5070\nqualify=yes", "port="+strconv.Itoa(port))
	conf = strings.ReplaceAll(conf, "register =>", ";register =>")
	d, reg, _ := newCLIDriver(t, conf, notifyConfText)
	d.cfg.Load().General.UDPBind = netip.MustParseAddrPort("127.0.0.1:0")
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer d.Stop()

	for _, tc := range []struct{ cmd, want string }{
		{"sip notify nosuch trunk", "Unable to find notify type 'nosuch'\nCommand 'sip notify nosuch trunk' failed.\n"},
		{"sip notify empty trunk", "Unable to find notify type 'empty'\nCommand 'sip notify empty trunk' failed.\n"},
		{"sip notify clear-mwi 6000", "Could not create address for '6000'\n"},
		{"sip notify clear-mwi", execute(t, reg, "core show help sip notify")},
	} {
		if got := run(reg, tc.cmd); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.cmd, got, tc.want)
		}
	}

	execute(t, reg, "sip set history on")
	if got, want := execute(t, reg, "sip notify clear-mwi trunk"), "Sending NOTIFY of type 'clear-mwi' to 'trunk'\n"; got != want {
		t.Fatalf("sip notify = %q, want %q", got, want)
	}
	buf := make([]byte, 65535)
	pc.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, from, err := pc.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("no NOTIFY: %v", err)
	}
	msg := string(buf[:n])
	head, body, _ := strings.Cut(msg, "\r\n\r\n")
	if !strings.HasPrefix(head, "NOTIFY sip:127.0.0.1:"+strconv.Itoa(port)+" SIP/2.0\r\n") {
		t.Errorf("request line: %q", head)
	}
	order := []string{"Via:", "Max-Forwards: 70", "From:", "To:", "Contact:", "Call-ID:", "CSeq: 102 NOTIFY",
		"User-Agent:", "Date:", "Allow:", "Supported:", "Subscription-State: terminated", "Event: message-summary",
		"Content-type: application/simple-message-summary", "Content-Length: "}
	at := 0
	for _, h := range order {
		i := strings.Index(head[at:], "\r\n"+h)
		if i < 0 {
			t.Fatalf("header %q missing or out of chan_sip's order in\n%s", h, head)
		}
		at += i + 2
	}
	if want := "Messages-Waiting: no\r\nMessage-Account: sip:asterisk@127.0.0.1\r\nVoice-Message: 0/0 (0/0)\r\n"; body != want {
		t.Errorf("body %q, want %q", body, want)
	}

	// Answer 200 OK so the transaction (and its goroutine) ends.
	var callID, via, fromH, toH, cseq string
	for _, l := range strings.Split(head, "\r\n") {
		switch {
		case strings.HasPrefix(l, "Call-ID:"):
			callID = strings.TrimSpace(strings.TrimPrefix(l, "Call-ID:"))
			fallthrough
		case strings.HasPrefix(l, "Via:"):
			if via == "" && strings.HasPrefix(l, "Via:") {
				via = l
			}
		}
		if strings.HasPrefix(l, "From:") {
			fromH = l
		}
		if strings.HasPrefix(l, "To:") {
			toH = l
		}
		if strings.HasPrefix(l, "CSeq:") {
			cseq = l
		}
	}
	ok := strings.Join([]string{"SIP/2.0 200 OK", via, fromH, toH + ";tag=peer1", "Call-ID: " + callID, cseq, "Content-Length: 0", "", ""}, "\r\n")
	if _, err := pc.WriteToUDP([]byte(ok), from); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for d.more.notifies.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := d.more.notifies.Load(); n != 0 {
		t.Errorf("%d NOTIFY transactions still waiting after the 200", n)
	}

	want := "\n  * SIP Call\n" +
		"1. TxReqRel        NOTIFY / 102 NOTIFY - NOTIFY\n" +
		"2. Rx              SIP/2.0 / 102 NOTIFY / 200 OK\n"
	if got := execute(t, reg, "sip show history "+callID[:6]); got != want {
		t.Errorf("sip show history:\n got %q\nwant %q", got, want)
	}
	if got, want := execute(t, reg, "sip show history nosuchcall"), "No such SIP Call ID starting with 'nosuchcall'\n"; got != want {
		t.Errorf("unknown call: %q, want %q", got, want)
	}
	execute(t, reg, "sip set history off")
	if got, want := execute(t, reg, "sip show history "+callID), "\n***Note: History recording is currently DISABLED.  Use 'sip set history on' to ENABLE.\nNo such SIP Call ID starting with '"+callID+"'\n"; got != want {
		t.Errorf("after off: %q, want %q", got, want)
	}
}

// TestShowTCP connects to the TCP listener and lists the session.
func TestShowTCP(t *testing.T) {
	conf := strings.Replace(emptySIPConf, "[general]\n", "[general]\ntcpenable=yes\n", 1)
	d, reg, _ := newCLIDriver(t, conf, "")
	g := &d.cfg.Load().General
	g.UDPBind = netip.MustParseAddrPort("127.0.0.1:0")
	g.TCPBind = netip.MustParseAddrPort("127.0.0.1:0")
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	d.mu.Lock()
	tcpAddr := d.tp.tcp.Addr().String()
	d.mu.Unlock()
	c, err := net.Dial("tcp4", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().String()
	opts := "OPTIONS sip:" + tcpAddr + " SIP/2.0\r\nVia: SIP/2.0/TCP " + local + ";branch=z9hG4bK-tcp1\r\n" +
		"From: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:" + tcpAddr + ">\r\nCall-ID: tcp-probe-1\r\n" +
		"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(opts)); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Read(make([]byte, 4096)); err != nil {
		t.Fatalf("no answer to OPTIONS over TCP: %v", err)
	}
	want := "Address                                         Transport   Type\n" +
		padRight(local, 47) + " TCP       Server\n"
	if got := execute(t, reg, "sip show tcp"); got != want {
		t.Errorf("sip show tcp\n got %q\nwant %q", got, want)
	}
	c.Close()
	deadline := time.Now().Add(3 * time.Second)
	for len(d.tcpConnections()) != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := execute(t, reg, "sip show tcp"); got != "Address                                         Transport   Type\n" {
		t.Errorf("closed session still listed: %q", got)
	}
}

func padRight(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }

// TestRegisterLineFallback rebuilds a register line when sip.conf's raw
// text is not at hand (no config dir, or the line came from users.conf).
func TestRegisterLineFallback(t *testing.T) {
	for _, line := range []string{
		"0033972124831:secretpw@127.0.0.1:5070/0033972124831",
		"trunk?tcp://user@example.org:secret:auth@10.0.0.1:5090/100",
		"user:pw@host.example.org:5060",
	} {
		r, err := sipconf.ParseRegister(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if got := registerLine(r, nil); got != line {
			t.Errorf("registerLine(%q) = %q", line, got)
		}
	}
}
