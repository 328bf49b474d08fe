package chansip

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
)

const tlsSIPConf = `[general]
context=default
bindaddr=127.0.0.1
tlsenable=yes
transport=udp,tls
allowguest=no

[6000]
type=friend
host=dynamic
secret=test
transport=tls
qualify=yes
context=work
`

// tlsPhone is a phone on a TLS connection: SIP over a byte stream.
type tlsPhone struct {
	t    *testing.T
	conn *tls.Conn
	r    *bufio.Reader
}

func dialTLSPhone(t *testing.T, addr netip.AddrPort, ca *testCA) *tlsPhone {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.pem)
	c, err := tls.Dial("tcp", addr.String(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("TLS dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return &tlsPhone{t: t, conn: c, r: bufio.NewReader(c)}
}

func (p *tlsPhone) local() netip.AddrPort {
	return p.conn.LocalAddr().(*net.TCPAddr).AddrPort()
}

// read returns the next message: its first line and headers.
func (p *tlsPhone) read() (string, map[string]string) {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	first, err := p.r.ReadString('\n')
	if err != nil {
		p.t.Fatalf("read: %v", err)
	}
	hs := map[string]string{}
	for {
		l, err := p.r.ReadString('\n')
		if err != nil {
			p.t.Fatalf("read: %v", err)
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		k, v, _ := strings.Cut(l, ":")
		hs[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	if n, _ := strconv.Atoi(hs["content-length"]); n > 0 {
		io.CopyN(io.Discard, p.r, int64(n))
	}
	return strings.TrimSpace(first), hs
}

func (p *tlsPhone) register(cseq int, auth string) (string, map[string]string) {
	p.t.Helper()
	me := p.local()
	var b strings.Builder
	fmt.Fprintf(&b, "REGISTER sip:127.0.0.1 SIP/2.0\r\n")
	fmt.Fprintf(&b, "Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-tls-%d;rport\r\n", cseq)
	b.WriteString("From: <sip:6000@127.0.0.1>;tag=tlsph\r\nTo: <sip:6000@127.0.0.1>\r\n")
	b.WriteString("Call-ID: tls-reg@test\r\n")
	fmt.Fprintf(&b, "CSeq: %d REGISTER\r\n", cseq)
	fmt.Fprintf(&b, "Contact: <sip:6000@%s;transport=TLS>\r\n", me)
	if auth != "" {
		fmt.Fprintf(&b, "Authorization: %s\r\n", auth)
	}
	b.WriteString("Max-Forwards: 70\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n")
	if _, err := p.conn.Write([]byte(b.String())); err != nil {
		p.t.Fatal(err)
	}
	return p.read()
}

func tlsTestConf(t *testing.T, certFile string) *testEnv {
	t.Helper()
	cfg := loadConf(t, tlsSIPConf)
	cfg.General.TLSBind = netip.MustParseAddrPort("127.0.0.1:0")
	cfg.General.TLSCertFile = certFile
	env := startDriver(t, cfg, nil)
	env.d.UseConnections(env.d.client)
	return env
}

// TestTLSRegisterAndQualify registers a phone over TLS and checks that the
// registration records TLS, that "sip show tcp" lists the connection and
// that the qualify OPTIONS comes back over that same connection.
func TestTLSRegisterAndQualify(t *testing.T) {
	ca := newTestCA(t)
	cert, key := ca.leaf(t, false, time.Now().Add(time.Hour))
	env := tlsTestConf(t, writeFile(t, t.TempDir(), "asterisk.pem", cert, key))
	tlsAddr := env.d.TLSAddr()
	if !tlsAddr.IsValid() || tlsAddr.Port() == 0 {
		t.Fatalf("TLS not bound: %v", tlsAddr)
	}
	ph := dialTLSPhone(t, tlsAddr, ca)

	status, hs := ph.register(1, "")
	if !strings.HasPrefix(status, "SIP/2.0 401") {
		t.Fatalf("first REGISTER: %s", status)
	}
	ans, err := digest.Answer(hs["www-authenticate"], "REGISTER", "sip:127.0.0.1", "6000", "test", 1)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ = ph.register(2, ans); !strings.HasPrefix(status, "SIP/2.0 200") {
		t.Fatalf("second REGISTER: %s", status)
	}
	r := env.d.regs.get("6000")
	if r == nil || r.Transport != "TLS" || r.Addr != ph.local() {
		t.Fatalf("registration %+v, want TLS from %v", r, ph.local())
	}

	want := fmt.Sprintf("%-47.47s %9.9s %6.6s\n%-47.47s %-9.9s %-6.6s\n",
		"Address", "Transport", "Type", ph.local().String(), "TLS", "Server")
	if out := env.rx(t, "sip show tcp"); out != want {
		t.Errorf("sip show tcp:\n%q\nwant\n%q", out, want)
	}

	// qualify=yes: the registration triggers an OPTIONS, which must
	// come over the phone's own connection.
	first, hs := ph.read()
	if !strings.HasPrefix(first, "OPTIONS ") {
		t.Fatalf("expected OPTIONS over the TLS connection, got %q", first)
	}
	if !strings.HasPrefix(hs["via"], "SIP/2.0/TLS 127.0.0.1:"+strconv.Itoa(int(tlsAddr.Port()))) {
		t.Errorf("Via %q, want our TLS address", hs["via"])
	}
	if !strings.Contains(hs["contact"], ";transport=tls") || !strings.Contains(hs["contact"], ":"+strconv.Itoa(int(tlsAddr.Port()))) {
		t.Errorf("Contact %q, want our TLS listener with transport=tls", hs["contact"])
	}
	var resp strings.Builder
	resp.WriteString("SIP/2.0 200 OK\r\n")
	for _, h := range []string{"via", "from", "to", "call-id", "cseq"} {
		fmt.Fprintf(&resp, "%s: %s\r\n", h, hs[h])
	}
	resp.WriteString("Content-Length: 0\r\n\r\n")
	if _, err := ph.conn.Write([]byte(resp.String())); err != nil {
		t.Fatal(err)
	}
	env.log.waitFor(t, "Peer '6000' is now Reachable", 3*time.Second)

	peer := env.rx(t, "sip show peer 6000")
	for _, line := range []string{"  Prim.Transp. : TLS\n", "  Allowed.Trsp : TLS\n",
		"  Reg. Contact : sip:6000@" + ph.local().String() + ";transport=TLS\n"} {
		if !strings.Contains(peer, line) {
			t.Errorf("sip show peer 6000 lacks %q:\n%s", line, peer)
		}
	}

	// The phone hangs up its connection: it leaves "sip show tcp".
	ph.conn.Close()
	deadline := time.Now().Add(3 * time.Second)
	for len(env.d.Connections()) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if c := env.d.Connections(); len(c) != 0 {
		t.Errorf("connections after close: %v", c)
	}
}

func TestTLSStartFailsOnUnreadableCertificate(t *testing.T) {
	cfg := loadConf(t, tlsSIPConf)
	cfg.General.TLSBind = netip.MustParseAddrPort("127.0.0.1:0")
	missing := filepath.Join(t.TempDir(), "missing.pem")
	cfg.General.TLSCertFile = missing
	d, err := New(Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Start(context.Background())
	if err == nil {
		d.Stop()
		t.Fatal("Start succeeded without a certificate")
	}
	if !strings.Contains(err.Error(), "tlsenable=yes") || !strings.Contains(err.Error(), missing) {
		t.Errorf("error %q should name tlsenable and the file", err)
	}
	// The UDP socket was released: binding the same config again works.
	cfg.General.TLSEnable = false
	d2, err := New(Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if err := d2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	d2.Stop()
}
