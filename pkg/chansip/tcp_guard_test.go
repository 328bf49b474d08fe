package chansip

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
)

func streamMsg(start string, headers ...string) string {
	var b strings.Builder
	b.WriteString(start + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

var okHeaders = []string{"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-1", "From: <sip:a@127.0.0.1>;tag=1",
	"To: <sip:b@127.0.0.1>", "Call-ID: c1", "CSeq: 1 OPTIONS"}

func options(extra ...string) string {
	return streamMsg("OPTIONS sip:127.0.0.1 SIP/2.0", append(append(okHeaders[:len(okHeaders):len(okHeaders)], extra...), "Content-Length: 0")...)
}

func withBody(body string, lengthHeader string) string {
	return streamMsg("MESSAGE sip:b@127.0.0.1 SIP/2.0", append(okHeaders[:len(okHeaders):len(okHeaders)],
		"Content-Type: text/plain", fmt.Sprintf("%s: %d", lengthHeader, len(body)))...) + body
}

func TestSIPFramer(t *testing.T) {
	big := withBody(strings.Repeat("x", maxStreamMessage), "Content-Length")
	tests := []struct {
		name   string
		stream string
		chunk  int    // bytes per read; 0 = all at once
		keep   int    // bytes that reach sipgo; -1 = all
		reason string // "" = nothing refused
	}{
		{"one message", options(), 0, -1, ""},
		{"byte by byte", options() + options(), 1, -1, ""},
		{"keep-alives between messages", "\r\n\r\n" + options() + "\r\n" + options() + "\r\n\r\n", 7, -1, ""},
		{"body counted by Content-Length", withBody("hello\r\n\r\nINVITE", "Content-Length") + options(), 5, -1, ""},
		{"compact l", withBody(strings.Repeat("y", 100), "l") + options(), 0, -1, ""},
		{"Content-Length spelt oddly", withBody("abc", "content-LENGTH ") + options(), 3, -1, ""},
		{"body just under the limit", withBody(strings.Repeat("z", maxStreamMessage-400), "Content-Length"), 4096, -1, ""},
		{"60 KB header", options("Subject: " + strings.Repeat("a", 60000)), 4096, 0, "way too large"},
		{"10,000 headers", options(strings.Split(strings.Repeat("X-A: b\n", 10000), "\n")[:10000]...), 4096, 0, "way too large"},
		{"10,000 tiny headers", options(strings.Split(strings.Repeat("a:\n", 10000), "\n")[:10000]...), 0, 0, "way too large"},
		{"8 KB Request-URI", strings.Replace(options(), "sip:127.0.0.1", "sip:"+strings.Repeat("a", 8192)+"@127.0.0.1", 1), 4096, 0, "first line is way too long"},
		{"announced body too large", strings.Replace(withBody("", "Content-Length"), "Content-Length: 0", "Content-Length: 99999999999", 1), 0, 0, "way too large"},
		{"body too large", big, 4096, 0, "way too large"},
		{"NUL in a header", options("Subject: a\x00b"), 0, 0, "NUL byte"},
		{"NUL in a body", withBody("a\x00b", "Content-Length") + options(), 2, -1, ""},
		{"good message, then one with a NUL in the same read", options() + options("Call-ID: \x00"), 0, len(options()), "NUL byte"},
		{"good message, then an oversized one in the same read", options() + options("Subject: "+strings.Repeat("a", 30000)), 0, len(options()), "way too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var f sipFramer
			data := []byte(tc.stream)
			chunk := tc.chunk
			if chunk == 0 {
				chunk = len(data)
			}
			kept := 0
			var err error
			for off := 0; off < len(data) && err == nil; off += chunk {
				part := data[off:min(off+chunk, len(data))]
				var n int
				n, err = f.scan(part)
				kept += n
				if err == nil && n != len(part) {
					t.Fatalf("scan kept %d of %d bytes without refusing", n, len(part))
				}
			}
			want := tc.keep
			if want < 0 {
				want = len(data)
			}
			var rej *errStreamRejected
			switch {
			case tc.reason == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.reason != "" && (!errors.As(err, &rej) || !strings.Contains(rej.reason, tc.reason)):
				t.Fatalf("error %v, want a refusal %q", err, tc.reason)
			}
			// Bytes of a refused message's earlier reads reached sipgo
			// already; count only what the refusing read passed on.
			if tc.reason == "" && kept != want {
				t.Errorf("%d bytes passed on, want %d", kept, want)
			}
			if tc.reason != "" && tc.chunk == 0 && kept != want {
				t.Errorf("%d bytes passed on, want %d", kept, want)
			}
		})
	}
}

// FuzzSIPFramer: the framer never passes on more than it was given, and
// how the stream is cut into reads does not change whether a message is
// refused, nor that the messages before it are passed on.
func FuzzSIPFramer(f *testing.F) {
	f.Add([]byte(options()+withBody("hi", "l")), uint16(7))
	f.Add([]byte("\r\n\r\n"+options("Subject: "+strings.Repeat("a", 30000))), uint16(4096))
	f.Add([]byte(strings.Replace(withBody("abc", "Content-Length"), ": 3", ": 99999999999999999999", 1)), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		var whole sipFramer
		wholeKept, wholeErr := whole.scan(data)
		if wholeKept < 0 || wholeKept > len(data) || (wholeErr == nil && wholeKept != len(data)) {
			t.Fatalf("scan of %d bytes kept %d, error %v", len(data), wholeKept, wholeErr)
		}
		var parts sipFramer
		step := int(chunk)%997 + 1
		passed := 0
		var err error
		for off := 0; off < len(data) && err == nil; off += step {
			part := data[off:min(off+step, len(data))]
			var n int
			n, err = parts.scan(part)
			if n < 0 || n > len(part) {
				t.Fatalf("scan of %d bytes kept %d", len(part), n)
			}
			passed = off + n
		}
		if (err == nil) != (wholeErr == nil) {
			t.Fatalf("reads of %d bytes: error %v; all at once: %v", step, err, wholeErr)
		}
		// Whole messages before the refused one reach sipgo either way
		// (in pieces, so do the earlier reads of the refused one).
		if err != nil && passed < wholeKept {
			t.Fatalf("reads of %d bytes passed %d bytes on before refusing, all at once %d", step, passed, wholeKept)
		}
	})
}

// flakyListener fails its first accepts with err, then hands out conns.
type flakyListener struct {
	mu     sync.Mutex
	fails  int
	err    error
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (l *flakyListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if l.fails > 0 {
		l.fails--
		l.mu.Unlock()
		return nil, l.err
	}
	l.mu.Unlock()
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *flakyListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *flakyListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5060} }

func TestAcceptRetriesAfterErrors(t *testing.T) {
	emfile := &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	tests := []struct {
		name    string
		err     error
		warning string
	}{
		{"descriptors exhausted", emfile, "SIP TCP listener on 127.0.0.1:5060 cannot accept connections: accept tcp: accept4: too many open files; raise maxfiles in asterisk.conf or the service's LimitNOFILE (retrying)"},
		{"other error", errors.New("something odd"), "SIP TCP listener on 127.0.0.1:5060 cannot accept connections: something odd (retrying)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log := &logRec{}
			ct := newConnTracker()
			ct.configure(log, nil)
			fl := &flakyListener{fails: 6, err: tc.err, conns: make(chan net.Conn, 1), closed: make(chan struct{})}
			l := ct.listener(fl, "TCP")
			server, client := net.Pipe()
			defer client.Close()
			fl.conns <- server
			start := time.Now()
			c, err := l.Accept()
			if err != nil {
				t.Fatalf("Accept: %v", err)
			}
			c.Close()
			// 5+10+20+40+80+160 ms of back-off.
			if d := time.Since(start); d < 300*time.Millisecond || d > 5*time.Second {
				t.Errorf("six failures took %s, want the back-off's 315 ms", d)
			}
			lines := log.take()
			if len(lines) != 2 || lines[0] != "WARNING: "+tc.warning ||
				!strings.HasPrefix(lines[1], "NOTICE: SIP TCP listener on 127.0.0.1:5060 accepting connections again (6 failed attempts in ") {
				t.Errorf("log:\n%s\nwant one WARNING %q and one NOTICE", strings.Join(lines, "\n"), tc.warning)
			}
		})
	}
}

// A listener closed while it waits to retry returns at once, with
// net.ErrClosed (so that serve does not log it as a failure).
func TestAcceptRetryEndsOnClose(t *testing.T) {
	ct := newConnTracker()
	fl := &flakyListener{fails: 1 << 30, err: syscall.EMFILE, conns: make(chan net.Conn), closed: make(chan struct{})}
	l := ct.listener(fl, "TLS")
	done := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		done <- err
	}()
	time.Sleep(1500 * time.Millisecond) // into the 1 s waits
	l.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(500 * time.Millisecond):
		t.Fatal("Accept still waiting after Close")
	}
}

const tcpAuthConf = `[general]
context=default
bindaddr=127.0.0.1
tcpenable=yes
tcpbindaddr=127.0.0.1:0
transport=udp,tcp
allowguest=no
tcpauthtimeout=1
tcpauthlimit=2

[6000]
type=friend
host=dynamic
secret=test
context=work
`

// tcpPhone is a client on a plain TCP connection.
type tcpPhone struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialTCPPhone(t *testing.T, addr netip.AddrPort) *tcpPhone {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &tcpPhone{t: t, conn: c, r: bufio.NewReader(c)}
}

// closedWithin says whether the server closes the connection within d
// (reading nothing but the end of the stream).
func (p *tcpPhone) closedWithin(d time.Duration) bool {
	p.conn.SetReadDeadline(time.Now().Add(d))
	_, err := p.r.ReadByte()
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

func (p *tcpPhone) request(msg string) string {
	p.t.Helper()
	if _, err := p.conn.Write([]byte(msg)); err != nil {
		p.t.Fatal(err)
	}
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
		if l = strings.TrimRight(l, "\r\n"); l == "" {
			break
		}
		k, v, _ := strings.Cut(l, ":")
		hs[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	if n, _ := strconv.Atoi(hs["content-length"]); n > 0 {
		io.CopyN(io.Discard, p.r, int64(n))
	}
	if strings.HasPrefix(first, "SIP/2.0 401") {
		return strings.TrimSpace(first) + "\n" + hs["www-authenticate"]
	}
	return strings.TrimSpace(first)
}

func (p *tcpPhone) register(cseq int, auth string) string {
	var b strings.Builder
	b.WriteString("REGISTER sip:127.0.0.1 SIP/2.0\r\n")
	fmt.Fprintf(&b, "Via: SIP/2.0/TCP %s;branch=z9hG4bK-tcp-%d\r\n", p.conn.LocalAddr(), cseq)
	b.WriteString("From: <sip:6000@127.0.0.1>;tag=tcpph\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: tcp-reg@test\r\n")
	fmt.Fprintf(&b, "CSeq: %d REGISTER\r\nContact: <sip:6000@%s;transport=TCP>\r\n", cseq, p.conn.LocalAddr())
	if auth != "" {
		fmt.Fprintf(&b, "Authorization: %s\r\n", auth)
	}
	b.WriteString("Max-Forwards: 70\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n")
	return p.request(b.String())
}

// TestTCPAuthTimeoutAndLimit: with tcpauthlimit=2, a third unauthenticated
// connection is closed at once; a REGISTER that authenticates frees its
// connection's place and keeps it open past tcpauthtimeout=1, while the
// others are closed after it.
func TestTCPAuthTimeoutAndLimit(t *testing.T) {
	env := startDriver(t, loadConf(t, tcpAuthConf), nil)
	addr, ok := env.d.ListenAddr("TCP")
	if !ok {
		t.Fatal("no TCP listener")
	}
	a, b := dialTCPPhone(t, addr), dialTCPPhone(t, addr)
	if got := a.request(options()); got != "SIP/2.0 200 OK" { // a is in the server's hands
		t.Fatalf("OPTIONS on a: %q", got)
	}
	c := dialTCPPhone(t, addr)
	if !c.closedWithin(500 * time.Millisecond) {
		t.Fatal("a third unauthenticated connection stays open with tcpauthlimit=2")
	}
	env.log.waitFor(t, "refused: 2 unauthenticated TCP/TLS connections are open (tcpauthlimit)", time.Second)

	chal := a.register(1, "")
	status, www, _ := strings.Cut(chal, "\n")
	if !strings.HasPrefix(status, "SIP/2.0 401") {
		t.Fatalf("first REGISTER: %q", chal)
	}
	ans, err := digest.Answer(www, "REGISTER", "sip:127.0.0.1", "6000", "test", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.register(2, ans); got != "SIP/2.0 200 OK" {
		t.Fatalf("second REGISTER: %q", got)
	}
	d := dialTCPPhone(t, addr) // a's place is free now
	if d.closedWithin(300 * time.Millisecond) {
		t.Fatal("a connection is refused although a authenticated")
	}
	for name, p := range map[string]*tcpPhone{"b": b, "d": d} {
		if !p.closedWithin(2 * time.Second) {
			t.Errorf("unauthenticated connection %s still open after tcpauthtimeout=1", name)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if got := a.request(options()); got != "SIP/2.0 200 OK" {
		t.Fatalf("OPTIONS on the authenticated connection after tcpauthtimeout: %q", got)
	}
	conns := env.d.Connections()
	if len(conns) != 1 || conns[0].Remote != a.conn.LocalAddr().(*net.TCPAddr).AddrPort() {
		t.Errorf("connections %v, want only a's", conns)
	}
	if n := env.d.tp.conns.unauth.Load(); n != 0 {
		t.Errorf("%d connections counted unauthenticated, want 0", n)
	}
}

// TestTCPOversizedMessageClosesConnection: a message past chan_sip's
// 20480 bytes gets no answer, the connection is closed with chan_sip's
// WARNING, and the listener serves the next connection.
func TestTCPOversizedMessageClosesConnection(t *testing.T) {
	env := startDriver(t, loadConf(t, tcpAuthConf), nil)
	addr, _ := env.d.ListenAddr("TCP")
	p := dialTCPPhone(t, addr)
	if _, err := p.conn.Write([]byte(options("Subject: " + strings.Repeat("a", 60000)))); err != nil {
		t.Fatal(err)
	}
	if !p.closedWithin(2 * time.Second) {
		t.Fatal("connection still open (or answered) after a 60 KB header")
	}
	env.log.waitFor(t, "WARNING: Rejecting TCP/TLS packet from '"+p.conn.LocalAddr().String()+"' because way too large: ", time.Second)
	if got := dialTCPPhone(t, addr).request(options()); got != "SIP/2.0 200 OK" {
		t.Fatalf("OPTIONS on a new connection: %q", got)
	}
}
