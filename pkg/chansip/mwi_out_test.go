package chansip

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// vmServer is a remote voicemail server on a UDP socket: it reads
// SUBSCRIBEs and answers them as told, and sends NOTIFYs.
type vmServer struct {
	t    *testing.T
	conn *net.UDPConn
	peer netip.AddrPort // where gostrisk's requests come from
}

func newVMServer(t *testing.T) *vmServer {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &vmServer{t: t, conn: c}
}

func (s *vmServer) port() uint16 { return s.conn.LocalAddr().(*net.UDPAddr).AddrPort().Port() }

// read returns the next SIP message's start line and headers (lower-case
// names), skipping retransmissions of what was answered already.
func (s *vmServer) read(timeout time.Duration) (first string, h map[string]string, raw string) {
	s.t.Helper()
	buf := make([]byte, 65535)
	s.conn.SetReadDeadline(time.Now().Add(timeout))
	n, from, err := s.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		s.t.Fatalf("vm server: nothing received: %v", err)
	}
	s.peer = from
	raw = string(buf[:n])
	lines := strings.Split(raw, "\r\n")
	h = map[string]string{}
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok {
			h[strings.ToLower(k)] = strings.TrimSpace(v)
		}
	}
	return lines[0], h, raw
}

// answer replies to the request whose headers are h.
func (s *vmServer) answer(h map[string]string, status string, extra ...string) {
	var b strings.Builder
	b.WriteString("SIP/2.0 " + status + "\r\n")
	b.WriteString("Via: " + h["via"] + "\r\nFrom: " + h["from"] + "\r\nTo: " + h["to"])
	if !strings.Contains(h["to"], "tag=") {
		b.WriteString(";tag=vm1")
	}
	b.WriteString("\r\nCall-ID: " + h["call-id"] + "\r\nCSeq: " + h["cseq"] + "\r\n")
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	s.conn.WriteToUDPAddrPort([]byte(b.String()), s.peer)
}

// TestRemoteMWI: an "mwi =>" line subscribes to message-summary at the
// server, answers its digest challenge, keeps the counts of its NOTIFY as
// 1234@SIP_Remote (a peer with mailbox=1234@SIP_Remote gets them in its
// own NOTIFY), shows as subscribed, and re-subscribes inside the dialog.
func TestRemoteMWI(t *testing.T) {
	vm := newVMServer(t)
	eng := pbx.New(pbx.Config{})
	cfg := loadConf(t, fmt.Sprintf("[general]\nmwi => 1234:s3cret@127.0.0.1:%d/1234\n"+
		"[6000]\ntype=friend\nhost=dynamic\nsecret=test\nmailbox=1234@SIP_Remote\n", vm.port()))
	env := &testEnv{log: &logRec{}, store: newMemStore(), reg: cli.NewRegistry()}
	d, err := New(Options{Config: cfg, Log: env.log, Store: env.store, Version: "18.26.4", Engine: eng, Registry: env.reg})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)

	first, h, raw := vm.read(5 * time.Second)
	wantURI := fmt.Sprintf("SUBSCRIBE sip:1234@127.0.0.1:%d SIP/2.0", vm.port())
	if first != wantURI || h["event"] != "message-summary" || h["accept"] != "application/simple-message-summary" || h["expires"] != "3600" {
		t.Fatalf("first SUBSCRIBE:\n%s", raw)
	}
	vm.answer(h, "401 Unauthorized", `WWW-Authenticate: Digest algorithm=MD5, realm="vm", nonce="n0nce"`)
	first, h, raw = vm.read(5 * time.Second)
	creds, err := digest.Parse(h["authorization"])
	if first != wantURI || err != nil || creds.Username != "1234" ||
		!digest.Check(digest.HA1("1234", "vm", "s3cret"), "SUBSCRIBE", creds) {
		t.Fatalf("authenticated SUBSCRIBE (%v):\n%s", err, raw)
	}
	if out := env.rx(t, "sip show mwi"); !strings.Contains(out, "No") {
		t.Errorf("sip show mwi before 200:\n%s", out)
	}
	vm.answer(h, "200 OK", "Expires: 3")
	callID, fromTag := h["call-id"], h["from"]

	ph := newPhone(t, d.LocalAddr())
	if _, ok := ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test", expires: "3600"}); ok == nil || ok.code != 200 {
		t.Fatal("registration failed")
	}
	if raw := ph.recvRequest("NOTIFY"); !strings.Contains(raw, "Voice-Message: 0/0 (0/0)") {
		t.Fatalf("NOTIFY before the server's:\n%s", raw)
	}

	body := "Messages-Waiting: yes\r\nMessage-Account: sip:1234@vm\r\nVoice-Message: 2/1 (0/0)\r\n"
	notify := fmt.Sprintf("NOTIFY sip:1234@%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKvm1\r\n"+
		"From: <sip:1234@127.0.0.1>;tag=vm1\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 NOTIFY\r\nEvent: message-summary\r\n"+
		"Subscription-State: active;expires=2\r\nContent-Type: application/simple-message-summary\r\nContent-Length: %d\r\n\r\n%s",
		d.LocalAddr(), vm.port(), fromTag, callID, len(body), body)
	vm.conn.WriteToUDPAddrPort([]byte(notify), d.LocalAddr())
	if first, _, raw := vm.read(5 * time.Second); first != "SIP/2.0 200 OK" {
		t.Fatalf("answer to the NOTIFY:\n%s", raw)
	}
	if c, ok := eng.MailboxCounts("1234@SIP_Remote"); !ok || c.New != 2 || c.Old != 1 {
		t.Errorf("1234@SIP_Remote = %+v, %v", c, ok)
	}
	if raw := ph.recvRequest("NOTIFY"); !strings.Contains(raw, "Voice-Message: 2/1 (0/0)") || !strings.Contains(raw, "Messages-Waiting: yes") {
		t.Fatalf("phone's NOTIFY:\n%s", raw)
	}
	out := env.rx(t, "sip show mwi")
	if !strings.Contains(out, fmt.Sprintf("127.0.0.1:%d", vm.port())) || !strings.Contains(out, "Yes") {
		t.Errorf("sip show mwi:\n%s\nlog: %q", out, env.log.take())
	}

	// The refresh, in the dialog, after the 3 s the server granted.
	first, h, raw = vm.read(10 * time.Second)
	if first != wantURI || h["call-id"] != callID || !strings.Contains(h["to"], "tag=vm1") {
		t.Fatalf("refresh:\n%s", raw)
	}
	vm.answer(h, "200 OK", "Expires: 3600")
}

// TestUnsolicitedMailbox: a NOTIFY message-summary a peer sends unasked
// sets its unsolicited_mailbox@SIP_Remote; from an address no such peer
// has, chan_sip's 489 Bad event.
func TestUnsolicitedMailbox(t *testing.T) {
	vm := newVMServer(t)
	eng := pbx.New(pbx.Config{})
	cfg := loadConf(t, fmt.Sprintf("[general]\n[vmbox]\ntype=peer\nhost=127.0.0.1\nport=%d\nunsolicited_mailbox=777\n", vm.port()))
	env := &testEnv{log: &logRec{}, store: newMemStore()}
	d, err := New(Options{Config: cfg, Log: env.log, Store: env.store, Version: "18.26.4", Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	notify := func(conn *net.UDPConn, n int) {
		body := "Messages-Waiting: yes\r\nVoice-Message: 3/4 (1/0)\r\n"
		port := conn.LocalAddr().(*net.UDPAddr).Port
		msg := fmt.Sprintf("NOTIFY sip:asterisk@%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKu%d\r\n"+
			"From: <sip:777@127.0.0.1>;tag=u%d\r\nTo: <sip:asterisk@127.0.0.1>\r\nCall-ID: unsol%d\r\nCSeq: 1 NOTIFY\r\n"+
			"Event: message-summary\r\nContent-Type: application/simple-message-summary\r\nContent-Length: %d\r\n\r\n%s",
			d.LocalAddr(), port, n, n, n, len(body), body)
		conn.WriteToUDPAddrPort([]byte(msg), d.LocalAddr())
	}
	notify(vm.conn, 1)
	if first, _, raw := vm.read(5 * time.Second); first != "SIP/2.0 200 OK" {
		t.Fatalf("answer:\n%s", raw)
	}
	if c, ok := eng.MailboxCounts("777@SIP_Remote"); !ok || c.New != 3 || c.Old != 4 {
		t.Errorf("777@SIP_Remote = %+v, %v", c, ok)
	}
	stranger := newVMServer(t)
	notify(stranger.conn, 2)
	if first, _, raw := stranger.read(5 * time.Second); first != "SIP/2.0 489 Bad event" {
		t.Fatalf("answer to a stranger:\n%s", raw)
	}
}
