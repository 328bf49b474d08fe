package tests

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/tests/harness"
)

// streamTarget is a daemon listening for SIP on UDP, TCP and TLS, with
// extension 7000 (secret "right") allowed on all three.
type streamTarget struct {
	in       *harness.Instance
	tcp, tls string // listener addresses
	roots    *x509.CertPool
}

// startStreamTarget starts the reference setup with TCP and TLS on, the
// [general] lines in general added, and maxfiles in asterisk.conf when
// not 0.
func startStreamTarget(t *testing.T, general string, maxfiles int) *streamTarget {
	t.Helper()
	files := makeTLSFiles(t, t.TempDir())
	st := &streamTarget{
		tcp: fmt.Sprintf("127.0.0.1:%d", harness.FreePort(t)),
		tls: fmt.Sprintf("127.0.0.1:%d", harness.FreePort(t)),
	}
	ca, err := os.ReadFile(files.CA)
	if err != nil {
		t.Fatal(err)
	}
	st.roots = x509.NewCertPool()
	st.roots.AppendCertsFromPEM(ca)
	st.in = harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		attackConf(1)(f)
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n", fmt.Sprintf(
			"[general]\ntcpenable=yes\ntcpbindaddr=%s\ntlsenable=yes\ntlsbindaddr=%s\ntlscertfile=%s\ntransport=udp,tcp,tls\n%s",
			st.tcp, st.tls, files.Server, general), 1)
		if maxfiles > 0 {
			f["asterisk.conf"] = strings.Replace(f["asterisk.conf"], "[options]\n", fmt.Sprintf("[options]\nmaxfiles = %d\n", maxfiles), 1)
		}
	}})
	st.in.DumpOnFailure()
	requireSIPDriver(t, st.in)
	return st
}

// streamPhone is a SIP client on one TCP or TLS connection.
type streamPhone struct {
	t         *testing.T
	conn      net.Conn
	r         *bufio.Reader
	transport string
	seq       int
}

// dial connects over "TCP" or "TLS" (handshake done); err when the
// connection could not be made.
func (st *streamTarget) dial(t *testing.T, transport string) (*streamPhone, error) {
	t.Helper()
	var c net.Conn
	var err error
	if transport == "TLS" {
		d := &net.Dialer{Timeout: 2 * time.Second}
		c, err = tls.DialWithDialer(d, "tcp", st.tls, &tls.Config{RootCAs: st.roots, ServerName: "127.0.0.1"})
	} else {
		c, err = net.DialTimeout("tcp", st.tcp, 2*time.Second)
	}
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	return &streamPhone{t: t, conn: c, r: bufio.NewReader(c), transport: transport}, nil
}

func (st *streamTarget) mustDial(t *testing.T, transport string) *streamPhone {
	t.Helper()
	p, err := st.dial(t, transport)
	if err != nil {
		t.Fatalf("%s connection: %v", transport, err)
	}
	return p
}

// msg builds a request from this phone: Via and Contact name its
// connection; extra header lines go before Content-Length.
func (p *streamPhone) msg(method, uri string, extra ...string) string {
	p.seq++
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", method, uri)
	fmt.Fprintf(&b, "Via: SIP/2.0/%s %s;branch=z9hG4bK-st-%d-%d\r\n", p.transport, p.conn.LocalAddr(), p.seq, time.Now().UnixNano())
	// One dialog per connection, as a phone keeps one Call-ID for its
	// registrations: the registrar binds a nonce to its Call-ID.
	fmt.Fprintf(&b, "From: <sip:7000@127.0.0.1>;tag=st-%s\r\nTo: <sip:7000@127.0.0.1>\r\n", p.conn.LocalAddr())
	fmt.Fprintf(&b, "Call-ID: st-%s@test\r\nCSeq: %d %s\r\n", p.conn.LocalAddr(), p.seq, method)
	fmt.Fprintf(&b, "Contact: <sip:7000@%s;transport=%s>\r\nMax-Forwards: 70\r\n", p.conn.LocalAddr(), strings.ToLower(p.transport))
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// exchange writes msg and returns the first final answer (nil when none
// came within timeout, or the connection ended).
func (p *streamPhone) exchange(msg string, timeout time.Duration) *sipResp {
	if _, err := p.conn.Write([]byte(msg)); err != nil {
		return nil
	}
	p.conn.SetReadDeadline(time.Now().Add(timeout))
	for {
		var head strings.Builder
		for {
			l, err := p.r.ReadString('\n')
			if err != nil {
				return nil
			}
			if head.Len() == 0 && strings.TrimSpace(l) == "" {
				continue // keep-alive
			}
			head.WriteString(l)
			if l == "\r\n" {
				break
			}
		}
		r := parseResp(head.String())
		if n, _ := strconv.Atoi(r.headers["content-length"]); n > 0 {
			io.CopyN(io.Discard, p.r, int64(n))
		}
		if r.code >= 200 {
			return r
		}
	}
}

func (p *streamPhone) options() *sipResp {
	return p.exchange(p.msg("OPTIONS", "sip:127.0.0.1"), 3*time.Second)
}

// register registers 7000 over the connection, answering the challenge.
func (p *streamPhone) register() {
	p.t.Helper()
	r := p.exchange(p.msg("REGISTER", "sip:127.0.0.1", "Expires: 600"), 3*time.Second)
	if r == nil || r.code != 401 {
		p.t.Fatalf("REGISTER over %s: %+v, want 401", p.transport, r)
	}
	ans, err := digest.Answer(r.headers["www-authenticate"], "REGISTER", "sip:127.0.0.1", "7000", "right", 1)
	if err != nil {
		p.t.Fatal(err)
	}
	if r = p.exchange(p.msg("REGISTER", "sip:127.0.0.1", "Expires: 600", "Authorization: "+ans), 3*time.Second); r == nil || r.code != 200 {
		p.t.Fatalf("authenticated REGISTER over %s: %+v, want 200", p.transport, r)
	}
}

// closedWithin says whether the server ends the connection within d.
func (p *streamPhone) closedWithin(d time.Duration) bool {
	p.conn.SetReadDeadline(time.Now().Add(d))
	for {
		_, err := p.r.ReadByte()
		if err == nil {
			continue
		}
		var ne net.Error
		return !(errors.As(err, &ne) && ne.Timeout())
	}
}

// TestTCPTLSFdExhaustionRecovers: with maxfiles=256 and tcpauthlimit out
// of the way, idle TCP connections take every descriptor the daemon has;
// both listeners log one WARNING naming the cause, a console waiting on
// the control socket is not lost, and once the connections go, TCP and
// TLS answer again (sipgo's accept loop used to end on the first
// "too many open files", and TCP stayed dead until a restart).
func TestTCPTLSFdExhaustionRecovers(t *testing.T) {
	st := startStreamTarget(t, "tcpauthlimit=100000\ntcpauthtimeout=600\n", 256)
	for _, tr := range []string{"TCP", "TLS"} {
		if r := st.mustDial(t, tr).options(); r == nil || r.code != refOptionsCode {
			t.Fatalf("OPTIONS over %s before the flood: %+v", tr, r)
		}
	}
	messages := st.in.Path("var", "log", "messages")
	exhausted := func(tr, addr string) string {
		return fmt.Sprintf("SIP %s listener on %s cannot accept connections: accept tcp4 %s: accept4: too many open files; raise maxfiles in asterisk.conf or the service's LimitNOFILE (retrying)", tr, addr, addr)
	}
	var flood []net.Conn
	defer func() {
		for _, c := range flood {
			c.Close()
		}
	}()
	connect := func(addr string, n int) {
		for range n {
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				t.Fatalf("flood connection %d: %v", len(flood), err)
			}
			flood = append(flood, c)
		}
	}
	// 256 descriptors: 400 connections are more than the daemon can take.
	for len(flood) < 400 && countLines(t, messages, exhausted("TCP", st.tcp)) == 0 {
		connect(st.tcp, 50)
		time.Sleep(50 * time.Millisecond)
	}
	if !harness.PollUntil(3*time.Second, func() bool { return countLines(t, messages, exhausted("TCP", st.tcp)) > 0 }) {
		t.Errorf("no WARNING for the TCP listener after %d connections", len(flood))
	}
	connect(st.tls, 10) // the TLS listener cannot accept either
	if !harness.PollUntil(3*time.Second, func() bool { return countLines(t, messages, exhausted("TLS", st.tls)) > 0 }) {
		t.Error("no WARNING for the TLS listener")
	}
	// A console asking for something now waits for a descriptor.
	var rxOut atomic.Value
	rxDone := make(chan error, 1)
	go func() {
		out, err := st.in.RX("sip show settings")
		rxOut.Store(out)
		rxDone <- err
	}()
	time.Sleep(1500 * time.Millisecond) // several failed accepts per listener
	t.Logf("%d idle connections took the daemon's descriptors", len(flood))
	for _, c := range flood {
		c.Close()
	}
	flood = nil

	for _, tr := range []string{"TCP", "TLS"} {
		ok := harness.PollUntil(10*time.Second, func() bool {
			p, err := st.dial(t, tr)
			if err != nil {
				return false
			}
			defer p.conn.Close()
			r := p.options()
			return r != nil && r.code == refOptionsCode
		})
		if !ok {
			t.Fatalf("%s does not answer after the flood", tr)
		}
	}
	select {
	case err := <-rxDone:
		if out, _ := rxOut.Load().(string); err != nil || !strings.Contains(out, "TCP SIP Bindaddress:    "+st.tcp) {
			t.Errorf("the console that waited during the flood: %v\n%s", err, out)
		}
	case <-time.After(10 * time.Second):
		t.Error("the console that waited during the flood got no answer")
	}
	for _, tr := range []string{"TCP", "TLS"} {
		addr := map[string]string{"TCP": st.tcp, "TLS": st.tls}[tr]
		warned := countLines(t, messages, exhausted(tr, addr))
		again := countLines(t, messages, fmt.Sprintf("SIP %s listener on %s accepting connections again (", tr, addr))
		// One WARNING a run of failures, not one per attempt; a run can
		// be cut short when a descriptor comes free for a moment.
		if warned < 1 || warned > 3 || again < 1 || again > warned {
			t.Errorf("%s: %d WARNING and %d NOTICE lines for the flood, want one of each a run of failures", tr, warned, again)
		}
	}
	st.mustDial(t, "TCP").register()
}

// TestTCPTLSAuthTimeoutAndLimit: tcpauthtimeout=2 and tcpauthlimit=4 as
// chan_sip applies them. Connections that registered (with the digest
// answer) over TCP and TLS stay open past the timeout and do not count;
// four idle connections (TCP and TLS alike) are kept until the timeout,
// a fifth is closed at once, and once the idle ones are gone a new
// connection is accepted again. "sip show tcp" lists what is open.
func TestTCPTLSAuthTimeoutAndLimit(t *testing.T) {
	st := startStreamTarget(t, "tcpauthtimeout=2\ntcpauthlimit=4\n", 0)
	phones := []*streamPhone{st.mustDial(t, "TCP"), st.mustDial(t, "TLS")}
	for _, p := range phones {
		p.register()
	}
	idleSince := time.Now()
	idle := []*streamPhone{st.mustDial(t, "TCP"), st.mustDial(t, "TLS"), st.mustDial(t, "TCP"), st.mustDial(t, "TLS")}
	for _, tr := range []string{"TCP", "TLS"} {
		// A TLS handshake the server closes at once fails or ends at
		// the first read; either way the connection is refused.
		if p, err := st.dial(t, tr); err == nil && !p.closedWithin(time.Second) {
			t.Errorf("a fifth unauthenticated connection (%s) stays open with tcpauthlimit=4", tr)
		}
	}
	for i, p := range idle {
		if time.Since(idleSince) < 1500*time.Millisecond && p.closedWithin(1500*time.Millisecond-time.Since(idleSince)) {
			t.Errorf("idle connection %d (%s) closed before tcpauthtimeout=2", i, p.transport)
		}
	}
	for i, p := range idle {
		if !p.closedWithin(4*time.Second - time.Since(idleSince)) {
			t.Errorf("idle connection %d (%s) still open %s after it connected (tcpauthtimeout=2)", i, p.transport, time.Since(idleSince).Round(time.Millisecond))
		}
	}
	for _, p := range phones {
		if r := p.options(); r == nil || r.code != refOptionsCode {
			t.Errorf("the registered %s connection after tcpauthtimeout: %+v", p.transport, r)
		}
	}
	var want strings.Builder
	fmt.Fprintf(&want, "%-47.47s %9.9s %6.6s\n", "Address", "Transport", "Type")
	listed := slices.Clone(phones) // by address, as the listing is
	slices.SortFunc(listed, func(a, b *streamPhone) int {
		return a.conn.LocalAddr().(*net.TCPAddr).AddrPort().Compare(b.conn.LocalAddr().(*net.TCPAddr).AddrPort())
	})
	for _, p := range listed {
		fmt.Fprintf(&want, "%-47.47s %-9.9s %-6.6s\n", p.conn.LocalAddr(), p.transport, "Server")
	}
	if out := st.in.MustRX("sip show tcp"); out != want.String() {
		t.Errorf("sip show tcp:\n%s\nwant\n%s", out, want.String())
	}
	if p := st.mustDial(t, "TCP"); p.closedWithin(500 * time.Millisecond) {
		t.Error("a new connection is refused after the idle ones were closed")
	}
	if n := countLines(t, st.in.Path("var", "log", "messages"), "unauthenticated TCP/TLS connections are open (tcpauthlimit)"); n < 1 {
		t.Error("no WARNING for the connections tcpauthlimit refused")
	}
}

// TestTCPOversizedMessages: what chan_sip refuses on a stream (a message
// over 20480 bytes: a 60 KB header, 10,000 headers; here also an 8 KB
// Request-URI) gets no 200: the connection is closed with chan_sip's
// WARNING, and the daemon goes on serving TCP and TLS.
func TestTCPOversizedMessages(t *testing.T) {
	st := startStreamTarget(t, "", 0)
	tests := []struct {
		name, transport string
		build           func(p *streamPhone) string
	}{
		{"60 KB header", "TCP", func(p *streamPhone) string {
			return p.msg("OPTIONS", "sip:127.0.0.1", "Subject: "+strings.Repeat("a", 60000))
		}},
		{"10,000 headers", "TCP", func(p *streamPhone) string {
			return p.msg("OPTIONS", "sip:127.0.0.1", strings.Split(strings.Repeat("X-H: b\n", 10000), "\n")[:10000]...)
		}},
		{"8 KB Request-URI", "TCP", func(p *streamPhone) string {
			return p.msg("OPTIONS", "sip:"+strings.Repeat("a", 8192)+"@127.0.0.1")
		}},
		{"60 KB header over TLS", "TLS", func(p *streamPhone) string {
			return p.msg("REGISTER", "sip:127.0.0.1", "Subject: "+strings.Repeat("a", 60000))
		}},
	}
	messages := st.in.Path("var", "log", "messages")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := st.mustDial(t, tc.transport)
			if r := p.exchange(tc.build(p), 2*time.Second); r != nil {
				t.Errorf("answered %d, want the connection closed", r.code)
			}
			if !p.closedWithin(time.Second) {
				t.Error("the connection stays open")
			}
			line := "Rejecting TCP/TLS packet from '" + p.conn.LocalAddr().String() + "' because "
			if !harness.PollUntil(2*time.Second, func() bool { return countLines(t, messages, line) == 1 }) {
				t.Errorf("no WARNING %q in messages", line)
			}
			for _, tr := range []string{"TCP", "TLS"} {
				if r := st.mustDial(t, tr).options(); r == nil || r.code != refOptionsCode {
					t.Errorf("OPTIONS over %s afterwards: %+v", tr, r)
				}
			}
		})
	}
	st.mustDial(t, "TCP").register()
}
