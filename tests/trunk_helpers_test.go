package tests

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/tests/harness"
)

// trunkMode is how the stand-in trunk answers REGISTER.
type trunkMode int

const (
	trunkChallenge trunkMode = iota // 401, then 407, then 200 when both digests check out
	trunkForbidden                  // 403 to everything
	trunkSilent                     // answers nothing
)

// fakeTrunk is a minimal SIP registrar on a loopback address, standing in
// for the OVH trunk: it checks digest answers with the reference
// credentials and records every request it receives.
type fakeTrunk struct {
	t    *testing.T
	conn *net.UDPConn
	mode trunkMode
	user string
	pass string

	mu         sync.Mutex
	reqs       []string
	streamReqs int // of reqs, those read from a TLS connection
	done       chan struct{}

	// Media of an answered INVITE: the stand-in sends G.711 packets to the
	// address in the INVITE's SDP and counts what comes back.
	rtp     *net.UDPConn
	rtpDone chan struct{}
	rtpSent int
	rtpGot  int
	// tone and packets, when set, make the answered call's media a sine
	// at tone Hz for that many 20 ms packets (default: 50 of silence).
	tone    float64
	packets int
}

func startFakeTrunk(t *testing.T, ip string, mode trunkMode) *fakeTrunk {
	t.Helper()
	// "udp" binds an IPv4 socket for an IPv4 address and an IPv6 one for
	// an IPv6 address (the IPv6 trunk test).
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatal(err)
	}
	rtp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeTrunk{t: t, conn: conn, mode: mode, user: "0033972124831", pass: "secretpw",
		done: make(chan struct{}), rtp: rtp, rtpDone: make(chan struct{})}
	go f.serve()
	go f.countRTP()
	t.Cleanup(func() {
		conn.Close()
		rtp.Close()
		<-f.done
		<-f.rtpDone
	})
	return f
}

// countRTP counts the packets that reach the stand-in's media port.
func (f *fakeTrunk) countRTP() {
	defer close(f.rtpDone)
	buf := make([]byte, 2048)
	for {
		if _, _, err := f.rtp.ReadFromUDP(buf); err != nil {
			return
		}
		f.mu.Lock()
		f.rtpGot++
		f.mu.Unlock()
	}
}

// rtpCounts returns packets sent and received by the stand-in.
func (f *fakeTrunk) rtpCounts() (sent, got int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rtpSent, f.rtpGot
}

var reSDPMedia = regexp.MustCompile(`(?m)^c=IN IP[46] (\S+)\r?$[\s\S]*^m=audio (\d+) `)

// sendRTP plays 50 packets of 20 ms PCMU to the SDP address of an INVITE.
func (f *fakeTrunk) sendRTP(invite string) {
	m := reSDPMedia.FindStringSubmatch(invite)
	if m == nil {
		f.t.Errorf("fake trunk: no audio address in the INVITE's SDP:\n%s", invite)
		return
	}
	dst, err := net.ResolveUDPAddr("udp", net.JoinHostPort(m[1], m[2]))
	if err != nil {
		f.t.Errorf("fake trunk: %v", err)
		return
	}
	pkt := make([]byte, 12+160)
	pkt[0], pkt[1] = 0x80, 0 // RTP v2, PCMU
	for i := range pkt[12:] {
		pkt[12+i] = 0xff
	}
	packets := 50
	if f.packets > 0 {
		packets = f.packets
	}
	for seq := 0; seq < packets; seq++ {
		if f.tone > 0 {
			for i := range pkt[12:] {
				pkt[12+i] = media.LinearToULaw(int16(8000 * math.Sin(2*math.Pi*f.tone*float64(seq*160+i)/8000)))
			}
		}
		pkt[2], pkt[3] = byte(seq>>8), byte(seq)
		ts := uint32(seq * 160)
		pkt[4], pkt[5], pkt[6], pkt[7] = byte(ts>>24), byte(ts>>16), byte(ts>>8), byte(ts)
		pkt[8], pkt[9], pkt[10], pkt[11] = 0x12, 0x34, 0x56, 0x78
		if _, err := f.rtp.WriteToUDP(pkt, dst); err != nil {
			return
		}
		f.mu.Lock()
		f.rtpSent++
		f.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *fakeTrunk) port() int { return f.conn.LocalAddr().(*net.UDPAddr).Port }

func (f *fakeTrunk) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reqs...)
}

// registers counts the REGISTER requests received.
func (f *fakeTrunk) registers() []string {
	var out []string
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "REGISTER ") {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeTrunk) serve() {
	defer close(f.done)
	buf := make([]byte, 65535)
	for {
		n, from, err := f.conn.ReadFromUDP(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				f.t.Logf("fake trunk: %v", err)
			}
			return
		}
		msg := string(buf[:n])
		if strings.HasPrefix(msg, "SIP/2.0") {
			continue
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, msg)
		f.mu.Unlock()
		if resp := f.answer(msg); resp != "" {
			f.conn.WriteToUDP([]byte(resp), from)
		}
	}
}

func (f *fakeTrunk) answer(msg string) string {
	method, _, _ := strings.Cut(msg, " ")
	if method == "ACK" || f.mode == trunkSilent {
		return ""
	}
	if method == "INVITE" && f.mode == trunkChallenge {
		return f.answerInvite(msg)
	}
	if method != "REGISTER" {
		return sipReply(msg, 200, "OK")
	}
	if f.mode == trunkForbidden {
		return sipReply(msg, 403, "Forbidden")
	}
	switch {
	case f.checks(msg, "Proxy-Authorization", "proxy.sip-domain.io"):
		expires := sipHeader(msg, "Expires")
		return sipReply(msg, 200, "OK", "Contact: "+sipHeader(msg, "Contact")+";expires="+expires, "Expires: "+expires)
	case f.checks(msg, "Authorization", "sip-domain.io"):
		return sipReply(msg, 407, "Proxy Authentication Required",
			`Proxy-Authenticate: Digest realm="proxy.sip-domain.io", nonce="proxynonce42", algorithm=MD5`)
	default:
		return sipReply(msg, 401, "Unauthorized",
			`WWW-Authenticate: Digest realm="sip-domain.io", nonce="fakeovhnonce1", algorithm=MD5`)
	}
}

// answerInvite challenges with 401 then 407 like the REGISTER path, then
// answers with an SDP pointing at the stand-in's media port and starts
// playing RTP.
func (f *fakeTrunk) answerInvite(msg string) string {
	switch {
	case f.checks(msg, "Proxy-Authorization", "proxy.sip-domain.io"):
		ip := f.rtp.LocalAddr().(*net.UDPAddr)
		family := "IP4"
		if ip.IP.To4() == nil {
			family = "IP6"
		}
		body := fmt.Sprintf("v=0\r\no=ovh 1 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
			family, ip.IP, family, ip.IP, ip.Port)
		go f.sendRTP(msg)
		return sipReplyBody(msg, 200, "OK", body, fmt.Sprintf("Contact: <sip:0972124831@%s>", f.conn.LocalAddr()))
	case f.checks(msg, "Authorization", "sip-domain.io"):
		return sipReply(msg, 407, "Proxy Authentication Required",
			`Proxy-Authenticate: Digest realm="proxy.sip-domain.io", nonce="proxynonce43", algorithm=MD5`)
	default:
		return sipReply(msg, 401, "Unauthorized",
			`WWW-Authenticate: Digest realm="sip-domain.io", nonce="fakeovhnonce2", algorithm=MD5`)
	}
}

// invites returns the INVITE requests received.
func (f *fakeTrunk) invites() []string {
	var out []string
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "INVITE ") {
			out = append(out, r)
		}
	}
	return out
}

var reDigestParam = regexp.MustCompile(`(\w+)="?([^",]*)"?`)

// checks verifies the digest in header hdr against the trunk's credentials.
func (f *fakeTrunk) checks(msg, hdr, realm string) bool {
	v := sipHeader(msg, hdr)
	if v == "" {
		return false
	}
	p := map[string]string{}
	for _, m := range reDigestParam.FindAllStringSubmatch(strings.TrimPrefix(v, "Digest "), -1) {
		p[m[1]] = m[2]
	}
	if p["username"] != f.user || p["realm"] != realm {
		return false
	}
	md := func(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }
	ha1 := md(f.user + ":" + realm + ":" + f.pass)
	method, _, _ := strings.Cut(msg, " ")
	ha2 := md(method + ":" + p["uri"])
	want := md(ha1 + ":" + p["nonce"] + ":" + ha2)
	if p["qop"] != "" {
		want = md(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":" + p["qop"] + ":" + ha2)
	}
	return p["response"] == want
}

// sipHeader is the value of the first header with that name.
func sipHeader(msg, name string) string {
	for _, l := range strings.Split(msg, "\r\n") {
		k, v, ok := strings.Cut(l, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func sipReply(req string, code int, reason string, extra ...string) string {
	lines := []string{fmt.Sprintf("SIP/2.0 %d %s", code, reason)}
	for _, l := range strings.Split(req, "\r\n")[1:] {
		k, _, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "via", "from", "call-id", "cseq":
			lines = append(lines, l)
		case "to":
			if !strings.Contains(l, ";tag=") {
				l += ";tag=fakeovh1"
			}
			lines = append(lines, l)
		}
	}
	lines = append(lines, extra...)
	lines = append(lines, "Server: fake-ovh", "Content-Length: 0", "", "")
	return strings.Join(lines, "\r\n")
}

// sipReplyBody is sipReply with an SDP body.
func sipReplyBody(req string, code int, reason, body string, extra ...string) string {
	head := sipReply(req, code, reason, extra...)
	head = strings.TrimSuffix(head, "Content-Length: 0\r\n\r\n")
	return head + "Content-Type: application/sdp\r\n" + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body
}

// trunkConf edits the reference sip.conf so that the registration and
// the trunk peer point at the stand-in on ip:port.
func trunkConf(ip string, port int, general string) func(map[string]string) {
	return func(f map[string]string) {
		s := f["sip.conf"]
		s = strings.Replace(s, "register => 0033972124831:secretpw@127.0.0.1:5070/0033972124831",
			fmt.Sprintf("register => 0033972124831:secretpw@%s:%d/0033972124831", ip, port), 1)
		s = strings.Replace(s, "[trunk-ovh]\ntype=peer\nhost=127.0.0.1\nport=5070",
			fmt.Sprintf("[trunk-ovh]\ntype=peer\nhost=%s\nport=%d", ip, port), 1)
		if general != "" {
			s = strings.Replace(s, "[general]\n", "[general]\n"+general, 1)
		}
		f["sip.conf"] = s
	}
}

var (
	reRegistryHost = regexp.MustCompile(`(?m)^127\.0\.0\.\d+:\d+ +`)
	reRegistryTime = regexp.MustCompile(`[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d`)
)

// maskRegistry blanks what depends on the run: the trunk's port and the
// registration time.
func maskRegistry(s string) string {
	s = reRegistryHost.ReplaceAllString(s, "HOST                                    ")
	return reRegistryTime.ReplaceAllString(s, "Day, DD Mon YYYY hh:mm:ss")
}

// waitRegistry polls "sip show registry" until its state column says want.
func waitRegistry(t *testing.T, in *harness.Instance, want string, timeout time.Duration) string {
	t.Helper()
	var out string
	harness.PollUntil(timeout, func() bool {
		out = in.MustRX("sip show registry")
		return strings.Contains(out, " "+want+" ")
	})
	if !strings.Contains(out, " "+want+" ") {
		t.Fatalf("sip show registry never showed %q:\n%s", want, out)
	}
	return out
}

// logLine waits for a line of the messages log with that text and checks
// it is logged at that level (the file and line after the level are
// gostrisk's own, so they are not compared).
func logLine(t *testing.T, in *harness.Instance, level, text string) {
	t.Helper()
	all := waitLog(t, in, text)
	for _, l := range strings.Split(all, "\n") {
		if strings.Contains(l, text) {
			if !strings.Contains(l, "] "+level+"[") || !strings.HasSuffix(l, ": "+text) {
				t.Errorf("log line %q: want level %s", l, level)
			}
			return
		}
	}
}
