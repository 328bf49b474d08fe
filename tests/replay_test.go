package tests

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/tests/harness"
)

// Replay attacks as an eavesdropper on the path would try them: capture a
// phone's authenticated requests, send them again from another port, in
// another dialog or to another destination. Real Asterisk 18 refuses all
// of them (chan_sip keeps one nonce per dialog and takes each answer
// once); so must gostrisk, while the phone itself keeps working.

// rawReq is a SIP request written out byte by byte, so that a test can
// send exactly what was captured.
type rawReq struct {
	method, uri   string
	via           string // sent-by of the Via
	branch        string
	from, fromTag string // From user and tag
	to, toTag     string // To user, and tag in a dialog
	callID        string
	cseq          int
	contact       string // Contact user@host:port, "" for none
	auth          string
	sdp           string
	extra         []string // more header lines
}

func (r rawReq) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", r.method, r.uri)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", r.via, r.branch)
	fmt.Fprintf(&b, "From: <sip:%s@127.0.0.1>;tag=%s\r\n", r.from, r.fromTag)
	if r.toTag != "" {
		fmt.Fprintf(&b, "To: <sip:%s@127.0.0.1>;tag=%s\r\n", r.to, r.toTag)
	} else {
		fmt.Fprintf(&b, "To: <sip:%s@127.0.0.1>\r\n", r.to)
	}
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: %d %s\r\n", r.callID, r.cseq, r.method)
	if r.contact != "" {
		fmt.Fprintf(&b, "Contact: <sip:%s>\r\n", r.contact)
	}
	if r.auth != "" {
		fmt.Fprintf(&b, "Authorization: %s\r\n", r.auth)
	}
	for _, h := range r.extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Max-Forwards: 70\r\nUser-Agent: replay-test\r\n")
	if r.sdp == "" {
		b.WriteString("Content-Length: 0\r\n\r\n")
		return b.String()
	}
	fmt.Fprintf(&b, "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", len(r.sdp), r.sdp)
	return b.String()
}

func offer(ip string, port int, dir string) string {
	return fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=%s\r\n",
		ip, ip, port, dir)
}

// final reads the answers to a request until a final one (nil on timeout).
func (c *sipClient) final(callID string, timeout time.Duration) *sipResp {
	for {
		r := c.recv(callID, timeout)
		if r == nil || r.code >= 200 {
			return r
		}
	}
}

// quiet reads what comes back for callID within d: nothing is expected.
func (c *sipClient) quiet(callID string, d time.Duration) []*sipResp {
	var got []*sipResp
	for r := c.recv(callID, d); r != nil; r = c.recv(callID, d) {
		got = append(got, r)
	}
	return got
}

func stale(r *sipResp) bool {
	return r != nil && strings.HasSuffix(r.headers["www-authenticate"], ", stale=true")
}

func toTag(r *sipResp) string {
	_, tag, _ := strings.Cut(r.headers["to"], ";tag=")
	tag, _, _ = strings.Cut(tag, ";")
	return tag
}

// contactOf is the URI inside a response's Contact.
func contactOf(r *sipResp) string {
	v := r.headers["contact"]
	if i, j := strings.IndexByte(v, '<'), strings.IndexByte(v, '>'); i >= 0 && j > i {
		return v[i+1 : j]
	}
	return v
}

// fakePhone answers calls on a raw socket (the callee, or a trunk):
// every INVITE gets a 200 with SDP, BYE a 200; it records the requests.
type fakePhone struct {
	c    *sipClient
	mu   sync.Mutex
	reqs []string // "METHOD Request-URI CSeq"
	done chan struct{}
}

func startFakePhone(t *testing.T, c *sipClient) *fakePhone {
	p := &fakePhone{c: c, done: make(chan struct{})}
	go p.serve()
	t.Cleanup(func() {
		c.conn.Close()
		<-p.done
	})
	return p
}

var reStartLine = regexp.MustCompile(`^([A-Z]+) (\S+) SIP/2.0`)

func (p *fakePhone) serve() {
	defer close(p.done)
	buf := make([]byte, 65535)
	for {
		p.c.conn.SetReadDeadline(time.Time{})
		n, from, err := p.c.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		msg := string(buf[:n])
		m := reStartLine.FindStringSubmatch(msg)
		if m == nil {
			continue // a response
		}
		head, _, _ := strings.Cut(msg, "\r\n\r\n")
		hdr := map[string][]string{}
		for _, l := range strings.Split(head, "\r\n")[1:] {
			if k, v, ok := strings.Cut(l, ":"); ok {
				k = strings.ToLower(strings.TrimSpace(k))
				hdr[k] = append(hdr[k], strings.TrimSpace(v))
			}
		}
		first := func(k string) string {
			if len(hdr[k]) == 0 {
				return ""
			}
			return hdr[k][0]
		}
		if m[1] == "ACK" {
			continue
		}
		p.mu.Lock()
		p.reqs = append(p.reqs, m[1]+" "+m[2]+" "+first("cseq"))
		p.mu.Unlock()
		var b strings.Builder
		b.WriteString("SIP/2.0 200 OK\r\n")
		for _, v := range hdr["via"] {
			fmt.Fprintf(&b, "Via: %s\r\n", v)
		}
		to := first("to")
		if !strings.Contains(to, "tag=") {
			to += ";tag=callee1"
		}
		fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n", first("from"), to, first("call-id"), first("cseq"))
		if m[1] == "INVITE" {
			local := p.c.conn.LocalAddr().(*net.UDPAddr)
			sdp := offer("127.0.0.1", local.Port+1, "sendrecv")
			fmt.Fprintf(&b, "Contact: <sip:callee@%s>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", local, len(sdp), sdp)
		} else {
			b.WriteString("Content-Length: 0\r\n\r\n")
		}
		p.c.conn.WriteToUDP([]byte(b.String()), from)
	}
}

// count is how many requests of method the phone received.
func (p *fakePhone) count(method string) int { return p.countPrefix(method + " ") }

// countPrefix is how many requests whose "METHOD Request-URI CSeq" starts
// with prefix the phone received.
func (p *fakePhone) countPrefix(prefix string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, r := range p.reqs {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func (p *fakePhone) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.reqs, "\n")
}

// peerLine is a peer's line in `sip show peers`, blanks squeezed.
func peerLine(t *testing.T, in *harness.Instance, peer string) string {
	t.Helper()
	line := strings.Join(strings.Fields(firstLineWith(in.MustRX("sip show peers"), peer+" ")), " ")
	if line == "" {
		t.Fatalf("no line for %s in sip show peers", peer)
	}
	return line
}

// answerTo sends req and reads the final answer to it (same Via branch),
// skipping others, such as retransmissions of earlier answers. A final
// answer to an INVITE is acknowledged.
func (c *sipClient) answerTo(req rawReq, timeout time.Duration) *sipResp {
	c.send(req.String())
	for {
		r := c.final(req.callID, timeout)
		if r == nil {
			return nil
		}
		if !strings.Contains(r.headers["via"], "branch="+req.branch+";") {
			continue
		}
		if req.method == "INVITE" && r.code >= 300 {
			c.ack(reqOpts{callee: req.to, callID: req.callID, cseq: req.cseq}, r)
		}
		return r
	}
}

// finalFor reads the answers on callID until the final one to the
// request with the given CSeq ("3 INVITE"), skipping others.
func (c *sipClient) finalFor(callID, cseq string, timeout time.Duration) *sipResp {
	for {
		r := c.final(callID, timeout)
		if r == nil || r.headers["cseq"] == cseq {
			return r
		}
	}
}

// hangUp acknowledges the 200 of a call placed by sipClient.exchange and
// ends it with a BYE.
func (c *sipClient) hangUp(ok *sipResp) {
	callID := ok.headers["call-id"]
	var seq int
	fmt.Sscanf(ok.headers["cseq"], "%d", &seq)
	for i, method := range []string{"ACK", "BYE"} {
		msg := fmt.Sprintf("%s sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-hangup-%d-%d;rport\r\n"+
			"From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			method, contactOf(ok), c.addr(), seq, i, ok.headers["from"], ok.headers["to"], callID, seq+i, method)
		c.send(msg)
	}
	c.finalFor(callID, fmt.Sprintf("%d BYE", seq+1), 3*time.Second)
}

// TestAttackReplayCall: a call from 7000 to 6000 goes through the trunk
// stand-in (a raw UAS registered as 6000 and 6001), then everything the
// caller sent is replayed from another port. Replays of the INVITE's
// Authorization (new Call-ID, other Request-URI, same dialog) get 401 and
// never reach the callee; a replayed re-INVITE or an older BYE in the call
// get 500 and change nothing; after the call a replayed re-INVITE gets 481
// and a replayed BYE reaches no one; a SUBSCRIBE with the captured
// credentials is not accepted. The caller then places a second call.
func TestAttackReplayCall(t *testing.T) {
	in, _ := startAttackTarget(t, 1, nil)
	requireSIPCalls(t, in)
	port := in.SIPPort
	server := fmt.Sprintf("127.0.0.1:%d", port)

	calleeSock := newSIPClient(t, port)
	for _, peer := range []string{"6000", "6001"} {
		if _, ok := calleeSock.exchange("REGISTER", peer, "", "test"); ok == nil || ok.code != 200 {
			t.Fatalf("callee registering as %s: %+v", peer, ok)
		}
	}
	callee := startFakePhone(t, calleeSock)

	caller := newSIPClient(t, port)
	attacker := newSIPClient(t, port)
	inv := rawReq{method: "INVITE", uri: "sip:6000@" + server, via: caller.addr(), branch: "z9hG4bK-call1-1",
		from: "7000", fromTag: "c1", to: "6000", callID: "replay-call-1@test", cseq: 1,
		contact: "7000@" + caller.addr(), sdp: offer("127.0.0.1", 4000, "sendrecv")}
	caller.send(inv.String())
	ch := caller.final(inv.callID, 3*time.Second)
	if ch == nil || ch.code != 401 {
		t.Fatalf("INVITE without credentials: %+v", ch)
	}
	caller.ack(reqOpts{callee: "6000", callID: inv.callID, cseq: 1}, ch)
	ans, err := digest.Answer(ch.headers["www-authenticate"], "INVITE", inv.uri, "7000", "right", 1)
	if err != nil {
		t.Fatal(err)
	}
	inv.cseq, inv.branch, inv.auth = 2, "z9hG4bK-call1-2", ans
	captured := inv
	caller.send(inv.String())
	ok := caller.final(inv.callID, 10*time.Second)
	if ok == nil || ok.code != 200 {
		t.Fatalf("authenticated INVITE: %+v\ncallee saw:\n%s", ok, callee.log())
	}
	dialog := rawReq{uri: "sip:" + contactOf(ok), via: caller.addr(), from: "7000", fromTag: "c1",
		to: "6000", toTag: toTag(ok), callID: inv.callID, contact: "7000@" + caller.addr()}
	ack := dialog
	ack.method, ack.cseq, ack.branch = "ACK", 2, "z9hG4bK-call1-ack"
	caller.send(ack.String())
	if n := callee.count("INVITE"); n != 1 {
		t.Fatalf("callee got %d INVITEs for one call:\n%s", n, callee.log())
	}

	// The captured INVITE's Authorization, replayed from another port.
	replays := []struct {
		name string
		req  rawReq
	}{
		{"new Call-ID", func() rawReq {
			r := captured
			r.via, r.callID, r.fromTag, r.branch = attacker.addr(), "attacker-1@test", "a1", "z9hG4bK-att-1"
			r.contact = "7000@" + attacker.addr()
			return r
		}()},
		{"new Call-ID, Request-URI never signed", func() rawReq {
			r := captured
			r.via, r.callID, r.fromTag, r.branch = attacker.addr(), "attacker-2@test", "a2", "z9hG4bK-att-2"
			r.uri, r.to = "sip:6001@"+server, "6001"
			return r
		}()},
		{"same dialog, next CSeq, Request-URI never signed", func() rawReq {
			r := captured
			r.via, r.cseq, r.branch = attacker.addr(), 3, "z9hG4bK-att-3"
			r.uri, r.to = "sip:6001@"+server, "6001"
			return r
		}()},
		{"same dialog, next CSeq", func() rawReq {
			r := captured
			r.via, r.cseq, r.branch = attacker.addr(), 4, "z9hG4bK-att-4"
			return r
		}()},
	}
	for _, tc := range replays {
		r := attacker.answerTo(tc.req, 3*time.Second)
		if r == nil || r.code != 401 {
			t.Errorf("INVITE replay (%s): %+v, want 401", tc.name, r)
		} else if tc.req.callID != inv.callID && stale(r) {
			t.Errorf("INVITE replay (%s): stale=true in a dialog the nonce was never issued in", tc.name)
		}
	}
	// The exact bytes again from another port: a retransmission of the
	// call's INVITE as far as the dialog can tell, which gets the call's
	// answer again (sent to the caller) and starts nothing.
	attacker.send(captured.String())
	time.Sleep(300 * time.Millisecond)
	if got := attacker.quiet(captured.callID, 300*time.Millisecond); len(got) > 0 && got[0].code != 401 {
		t.Errorf("captured INVITE replayed as it was: answered %d to the attacker", got[0].code)
	}

	// In the call: a hold re-INVITE, then its replay and an old BYE.
	hold := dialog
	hold.method, hold.cseq, hold.branch = "INVITE", 3, "z9hG4bK-call1-hold"
	hold.sdp = offer("127.0.0.1", 4000, "sendonly")
	caller.send(hold.String())
	if r := caller.finalFor(inv.callID, "3 INVITE", 5*time.Second); r == nil || r.code != 200 {
		t.Fatalf("hold re-INVITE: %+v", r)
	}
	ack.cseq, ack.branch = 3, "z9hG4bK-call1-ack3"
	caller.send(ack.String())
	// Hold is the core's (music on hold to the callee), not a re-INVITE to it.
	time.Sleep(300 * time.Millisecond)
	if n := callee.count("INVITE"); n != 1 {
		t.Fatalf("the hold re-INVITEd the callee (INVITEs: %d):\n%s", n, callee.log())
	}
	replayHold := hold
	replayHold.via, replayHold.branch = attacker.addr(), "z9hG4bK-att-hold"
	if r := attacker.answerTo(replayHold, 3*time.Second); r == nil || r.code != 500 {
		t.Errorf("re-INVITE replayed in the call: %+v, want 500", r)
	}
	oldBye := dialog
	oldBye.method, oldBye.cseq, oldBye.branch, oldBye.via = "BYE", 2, "z9hG4bK-att-bye", attacker.addr()
	if r := attacker.answerTo(oldBye, 3*time.Second); r == nil || r.code != 500 {
		t.Errorf("BYE with an old CSeq in the call: %+v, want 500", r)
	}
	time.Sleep(300 * time.Millisecond)
	if n, b := callee.count("INVITE"), callee.count("BYE"); n != 1 || b != 0 {
		t.Errorf("after the replays in the call the callee got %d INVITEs and %d BYEs, want 1 and 0:\n%s", n, b, callee.log())
	}
	if !strings.Contains(in.MustRX("core show channels"), "2 active channels") {
		t.Errorf("the call is not up any more:\n%s", in.MustRX("core show channels"))
	}

	// The caller hangs up; then everything is replayed.
	bye := dialog
	bye.method, bye.cseq, bye.branch = "BYE", 4, "z9hG4bK-call1-bye"
	caller.send(bye.String())
	if r := caller.finalFor(inv.callID, "4 BYE", 5*time.Second); r == nil || r.code != 200 {
		t.Fatalf("BYE: %+v", r)
	}
	harness.PollUntil(3*time.Second, func() bool { return callee.count("BYE") == 1 })
	replayHold.branch += "-after"
	if r := attacker.answerTo(replayHold, 3*time.Second); r == nil || r.code != 481 {
		t.Errorf("re-INVITE replayed after the call: %+v, want 481", r)
	}
	replayBye := bye
	replayBye.via, replayBye.branch = attacker.addr(), "z9hG4bK-att-bye2"
	if r := attacker.answerTo(replayBye, 3*time.Second); r == nil || r.code >= 300 {
		t.Errorf("BYE replayed after the call: %+v, want its 200 again", r)
	}
	for _, tc := range replays[:2] {
		tc.req.branch += "-after"
		if r := attacker.answerTo(tc.req, 3*time.Second); r == nil || r.code != 401 {
			t.Errorf("INVITE replay after the call (%s): %+v, want 401", tc.name, r)
		}
	}
	attacker.send(captured.String())
	if got := attacker.quiet(captured.callID, 500*time.Millisecond); len(got) > 0 && got[0].code != 401 {
		t.Errorf("captured INVITE replayed as it was after the call: answered %d", got[0].code)
	}

	// SUBSCRIBE with the captured credentials.
	sub := rawReq{method: "SUBSCRIBE", uri: "sip:6000@" + server, via: attacker.addr(), branch: "z9hG4bK-att-sub",
		from: "7000", fromTag: "s1", to: "6000", callID: inv.callID, cseq: 5, contact: "7000@" + attacker.addr(),
		auth: captured.auth, extra: []string{"Event: presence", "Accept: application/pidf+xml", "Expires: 3600"}}
	for i := range 2 {
		if r := attacker.answerTo(sub, 3*time.Second); r == nil || r.code < 300 {
			t.Errorf("SUBSCRIBE #%d with a captured Authorization: %+v, want it refused", i+1, r)
		}
		sub.callID, sub.branch = "attacker-sub@test", "z9hG4bK-att-sub2"
	}

	time.Sleep(300 * time.Millisecond)
	if n, b := callee.count("INVITE"), callee.count("BYE"); n != 1 || b != 1 {
		t.Fatalf("after every replay the callee got %d INVITEs and %d BYEs, want 1 (the call) and 1:\n%s", n, b, callee.log())
	}

	// The caller still calls.
	first, second := caller.exchange("INVITE", "7000", "6001", "right")
	if first == nil || first.code != 401 || second == nil || second.code != 200 {
		t.Fatalf("the caller's next call: %+v then %+v\ncallee saw:\n%s", first, second, callee.log())
	}
	if n := callee.countPrefix("INVITE sip:6001@"); n != 1 {
		t.Errorf("the caller's second call reached the callee %d times, want once:\n%s", n, callee.log())
	}
	caller.hangUp(second)
}

// TestAttackReplayRegister: a REGISTER captured on the wire, sent again
// from another port (as it was, or with the attacker's Contact), gets a
// new challenge (stale, the answer being right) and the phone stays
// where it registered; in a new dialog it gets a plain challenge. The
// phone's own retransmission gets its 200, and it refreshes in its
// dialog with the used nonce through a stale challenge.
func TestAttackReplayRegister(t *testing.T) {
	in, _ := startAttackTarget(t, 1, nil)
	port := in.SIPPort
	server := fmt.Sprintf("127.0.0.1:%d", port)
	phone, attacker := newSIPClient(t, port), newSIPClient(t, port)
	reg := rawReq{method: "REGISTER", uri: "sip:" + server, via: phone.addr(), branch: "z9hG4bK-reg-1",
		from: "7000", fromTag: "r1", to: "7000", callID: "replay-reg@test", cseq: 1,
		contact: "7000@" + phone.addr(), extra: []string{"Expires: 3600"}}
	phone.send(reg.String())
	ch := phone.final(reg.callID, 3*time.Second)
	if ch == nil || ch.code != 401 {
		t.Fatalf("REGISTER: %+v", ch)
	}
	ans, err := digest.Answer(ch.headers["www-authenticate"], "REGISTER", reg.uri, "7000", "right", 1)
	if err != nil {
		t.Fatal(err)
	}
	reg.cseq, reg.branch, reg.auth = 2, "z9hG4bK-reg-2", ans
	for i := range 2 { // the answer and its retransmission
		phone.send(reg.String())
		if r := phone.final(reg.callID, 3*time.Second); r == nil || r.code != 200 {
			t.Fatalf("authenticated REGISTER #%d: %+v", i+1, r)
		}
	}
	where := peerLine(t, in, "7000")
	if !strings.Contains(where, fmt.Sprintf(" %d ", phone.conn.LocalAddr().(*net.UDPAddr).Port)) {
		t.Fatalf("7000 registered as %q, want the phone's port", where)
	}

	attacker.send(reg.String())
	if r := attacker.final(reg.callID, 3*time.Second); r == nil || r.code != 401 || !stale(r) {
		t.Errorf("captured REGISTER from another port: %+v, want 401 stale=true", r)
	}
	hijack := reg
	hijack.via, hijack.contact = attacker.addr(), "7000@"+attacker.addr()
	attacker.send(hijack.String())
	if r := attacker.final(reg.callID, 3*time.Second); r == nil || r.code != 401 {
		t.Errorf("captured Authorization with the attacker's Contact: %+v, want 401", r)
	}
	hijack.callID, hijack.fromTag = "attacker-reg@test", "x1"
	attacker.send(hijack.String())
	if r := attacker.final(hijack.callID, 3*time.Second); r == nil || r.code != 401 || stale(r) {
		t.Errorf("captured Authorization in a new dialog: %+v, want a plain 401", r)
	}
	if got := peerLine(t, in, "7000"); got != where {
		t.Errorf("after the replays 7000 is %q, was %q", got, where)
	}
	if out := in.MustRX("sip show peer 7000"); !strings.Contains(out, "Addr->IP     : "+phone.addr()+"\n") ||
		!strings.Contains(out, "Reg. Contact : sip:7000@"+phone.addr()+"\n") {
		t.Errorf("sip show peer 7000 does not show the phone's contact %s:\n%s", phone.addr(), out)
	}

	// The phone refreshes in its dialog with the nonce it holds.
	reg.cseq, reg.branch = 3, "z9hG4bK-reg-3"
	phone.send(reg.String())
	r := phone.final(reg.callID, 3*time.Second)
	if r == nil || r.code != 401 || !stale(r) {
		t.Fatalf("refresh with the used nonce: %+v, want 401 stale=true", r)
	}
	if reg.auth, err = digest.Answer(r.headers["www-authenticate"], "REGISTER", reg.uri, "7000", "right", 1); err != nil {
		t.Fatal(err)
	}
	reg.cseq, reg.branch = 4, "z9hG4bK-reg-4"
	phone.send(reg.String())
	if r := phone.final(reg.callID, 3*time.Second); r == nil || r.code != 200 {
		t.Fatalf("refresh with the new nonce: %+v", r)
	}
	// A new registration from scratch works too.
	if _, ok := phone.exchange("REGISTER", "7000", "", "right"); ok == nil || ok.code != 200 {
		t.Fatalf("a fresh registration: %+v", ok)
	}
	if got := peerLine(t, in, "7000"); got != where {
		t.Errorf("7000 is %q after its own refreshes, was %q", got, where)
	}
}

// TestAttackSvcrackQop: svcrack answers our challenges (which offer no
// qop) naming qop=auth without cnonce or nc, and hashes chan_sip's form.
// chan_sip accepts such answers, so svcrack finds a password in a
// dictionary; gostrisk must too, or it refuses those old phones that do
// the same.
func TestAttackSvcrackQop(t *testing.T) {
	svcrack, err := exec.LookPath("svcrack")
	if err != nil {
		t.Skip("svcrack (Debian package sipvicious) not installed; make test-deps installs it")
	}
	in, _ := startAttackTarget(t, 1, nil)
	dict := filepath.Join(t.TempDir(), "dict.txt")
	if err := os.WriteFile(dict, []byte("1234\nwrong\nsecret\nright\nnever\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, svcrack, "-u", "7000", "-d", dict, "-p", fmt.Sprint(in.SIPPort),
		"-b", "127.0.0.1", "-P", fmt.Sprint(harness.FreePort(t)), "127.0.0.1")
	cmd.Dir = t.TempDir() // svcrack keeps its sessions under the working directory
	cmd.Env = append(os.Environ(), "HOME="+cmd.Dir)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("svcrack did not finish in 30 s:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^\|\s*7000\s*\|\s*right\s*\|`).Match(out) {
		t.Fatalf("svcrack did not find 7000's password (exit %v):\n%s", err, out)
	}
	if got := countLines(t, in.Path("var", "log", "messages"), "Registration from '"); got != 3 {
		t.Errorf("%d failed registrations logged for the 3 wrong guesses", got)
	}
}
