package chansip

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/emiago/sipgo/siptest"
)

func TestBadHead(t *testing.T) {
	const hdrs = "\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\nCall-ID: x\r\n\r\n"
	tests := []struct {
		name string
		data string
		bad  bool
	}{
		{"request", "OPTIONS sip:a SIP/2.0" + hdrs, false},
		{"lower-case version, as chan_sip accepts", "OPTIONS sip:a sip/2.0" + hdrs, false},
		{"response", "SIP/2.0 200 OK" + hdrs, false},
		{"SIP/7.0 request", "OPTIONS sip:a SIP/7.0" + hdrs, true},
		{"SIP/3.0 request", "REGISTER sip:a SIP/3.0" + hdrs, true},
		{"HTTP request", "GET / HTTP/1.1" + hdrs, true},
		{"SIP/7.0 response", "SIP/7.0 200 OK" + hdrs, true},
		{"trailing blanks after the version", "OPTIONS sip:a SIP/2.0 \t" + hdrs, false},
		{"start line sipgo cannot split", "HELLO" + hdrs, false},
		{"keep-alive", "\r\n\r\n", false},
		{"NUL in a header", "OPTIONS sip:a SIP/2.0\r\nCall-ID: a\x00b\r\n\r\n", true},
		{"NUL in the start line", "OPTIONS sip:a\x00 SIP/2.0\r\n\r\n", true},
		{"NUL in a headers-only packet without its blank line", "OPTIONS sip:a SIP/2.0\r\nCall-ID: a\x00", true},
		{"NUL in the body", "MESSAGE sip:a SIP/2.0\r\nContent-Length: 3\r\n\r\na\x00b", false},
		{"NUL padding after the message", "OPTIONS sip:a SIP/2.0\r\nCall-ID: a\r\n\r\n\x00\x00\x00\x00", false},
	}
	for _, tc := range tests {
		if got := badHead([]byte(tc.data)) != ""; got != tc.bad {
			t.Errorf("%s: badHead = %q, want bad %v", tc.name, badHead([]byte(tc.data)), tc.bad)
		}
	}
}

// recvWithin is recv that reports nothing when no answer comes in d.
func (p *phone) recvWithin(d time.Duration) *response {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 65535)
	n, _, err := p.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		return nil
	}
	p.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	return parseResponse(string(buf[:n]))
}

func parseResponse(raw string) *response {
	r := &response{raw: raw, headers: map[string]string{}}
	lines := strings.Split(raw, "\r\n")
	fmt.Sscanf(lines[0], "SIP/2.0 %d", &r.code)
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok {
			r.headers[strings.ToLower(k)] = strings.TrimSpace(v)
		}
	}
	return r
}

// request is an out-of-dialog request from the phone with the given start
// line method and protocol, and extra header lines.
func (p *phone) request(method, proto string, extra ...string) string {
	p.n++
	me := p.addr()
	return fmt.Sprintf("%s sip:%s %s\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-p%d;rport\r\n"+
		"From: <sip:probe@%s>;tag=f%d\r\nTo: <sip:%s>\r\nCall-ID: p%d@test\r\nCSeq: 1 %s\r\n%sMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		method, p.to, proto, me, p.n, me.Addr(), p.n, p.to, p.n, method, strings.Join(append(extra, ""), "\r\n"))
}

// A request chan_sip would skip gets no answer at all; the same request
// well formed right after is answered, so the silence is the drop.
func TestMalformedRequestsDropped(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	ph := newPhone(t, env.addr)
	for _, tc := range []struct{ name, msg string }{
		{"SIP/7.0", ph.request("OPTIONS", "SIP/7.0")},
		{"SIP/7.0 REGISTER", ph.request("REGISTER", "SIP/7.0")},
		{"NUL in a header", ph.request("OPTIONS", "SIP/2.0", "Subject: a\x00b")},
		{"NUL in a REGISTER", ph.request("REGISTER", "SIP/2.0", "User-Agent: a\x00b")},
	} {
		ph.send(tc.msg)
		if r := ph.recvWithin(300 * time.Millisecond); r != nil {
			t.Errorf("%s: answered, want dropped:\n%s", tc.name, r.raw)
		}
		ph.send(ph.request("OPTIONS", "SIP/2.0"))
		if r := ph.recvWithin(3 * time.Second); r == nil || r.code != 200 {
			t.Fatalf("%s: a valid OPTIONS afterwards got %+v, want 200", tc.name, r)
		}
	}
}

// Every answer carries Allow, as chan_sip's do; RFC 3261 requires it on a
// 405. A method chan_sip knows but the driver does not take is refused
// with 405, one it does not know at all with chan_sip's 501 and NOTICE.
func TestNoRouteAnswersCarryAllow(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	ph := newPhone(t, env.addr)
	for _, tc := range []struct {
		method string
		code   int
		notice bool
	}{
		{"PRACK", 405, false},
		{"FROB", 501, true},
	} {
		ph.send(ph.request(tc.method, "SIP/2.0"))
		r := ph.recvWithin(3 * time.Second)
		if r == nil || r.code != tc.code || r.headers["allow"] != env.d.allowHeader() {
			t.Errorf("%s: got %+v, want %d with Allow: %s", tc.method, r, tc.code, env.d.allowHeader())
		}
		notice := fmt.Sprintf("NOTICE: Unknown SIP command '%s' from '%s'", tc.method, ph.addr())
		if tc.notice {
			env.log.waitFor(t, notice, 2*time.Second)
		}
	}
	// An ACK nobody routes is never answered.
	ph.send(ph.request("ACK", "SIP/2.0"))
	if r := ph.recvWithin(300 * time.Millisecond); r != nil {
		t.Errorf("ACK answered:\n%s", r.raw)
	}
}

// Over TCP and TLS the read hook sees stream reads, not messages, so the
// handlers drop a parsed request that names another protocol themselves.
// (Driven here as UDP requests that skipped the hook: 6000 may register
// over UDP only, so a TCP REGISTER would be dropped for its transport.)
func TestHandlersDropOtherProtocolVersions(t *testing.T) {
	d := fuzzDriver(t)
	routes := routeTable(d)
	for _, method := range []string{"REGISTER", "OPTIONS", "INVITE", "BYE", "PRACK", "FROB"} {
		raw := fmt.Sprintf("%s sip:6000@127.0.0.1 SIP/7.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-v%s\r\n"+
			"From: <sip:6000@127.0.0.1>;tag=v1\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: v-%s@test\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n",
			method, method, method, method)
		msg, err := sip.ParseMessage([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		req := msg.(*sip.Request)
		req.SetTransport("UDP")
		req.SetSource("127.0.0.1:5061")
		handle := routes[req.Method]
		if handle == nil {
			handle = d.handleNoRoute
		}
		rec := siptest.NewServerTxRecorder(req)
		handle(req, rec)
		rec.Terminate()
		if res := rec.Result(); len(res) != 0 {
			t.Errorf("%s SIP/7.0 answered %d, want dropped", method, res[0].StatusCode)
		}
	}
}
