package chansip

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
)

// REGISTER is answered without a transaction, so a retransmission is
// processed again: it must get the answer the original got.
func TestRegisterRetransmissionsGetTheSameAnswer(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	p := newPhone(t, env.addr)
	me := p.addr()

	first := registerMsg(me, env.addr, "nat", 2, "")
	p.send(first)
	c1 := p.recv()
	p.send(first)
	c2 := p.recv()
	if c1.code != 401 || c2.code != 401 {
		t.Fatalf("unauthenticated REGISTER and its retransmission: %d, %d; want 401 twice", c1.code, c2.code)
	}
	// The nonce may differ only when the two cross a nonce bucket.
	if c1.raw != c2.raw && normalize(c1.raw, me) != normalize(c2.raw, me) {
		t.Errorf("retransmitted challenge differs:\n%s\n---\n%s", c1.raw, c2.raw)
	}
	tag := reTag.FindAllString(c1.headers["to"], -1)
	if len(tag) != 1 || c2.headers["to"] != c1.headers["to"] {
		t.Errorf("challenge To headers %q and %q: want one and the same tag", c1.headers["to"], c2.headers["to"])
	}

	// Either challenge's nonce is valid: answer the first one and send the
	// answer three times, as a phone that lost the 200s would.
	ans, err := digest.Answer(c1.headers["www-authenticate"], "REGISTER", "sip:"+env.addr.String(), "nat", "test", 1)
	if err != nil {
		t.Fatal(err)
	}
	second := registerMsg(me, env.addr, "nat", 3, ans)
	var oks []*response
	for range 3 {
		p.send(second)
		oks = append(oks, p.recv())
	}
	for i, r := range oks {
		if r.code != 200 {
			t.Fatalf("authenticated REGISTER #%d: %d, want 200:\n%s", i+1, r.code, r.raw)
		}
		if r.headers["to"] != c1.headers["to"] {
			t.Errorf("answer #%d To %q, the challenge's was %q: one registration, one tag", i+1, r.headers["to"], c1.headers["to"])
		}
		if r.headers["contact"] != oks[0].headers["contact"] || r.headers["expires"] != oks[0].headers["expires"] {
			t.Errorf("answer #%d grants %q/%q, the first granted %q/%q", i+1,
				r.headers["contact"], r.headers["expires"], oks[0].headers["contact"], oks[0].headers["expires"])
		}
	}
	out := env.rx(t, "sip show peers")
	if !regexp.MustCompile(`(?m)^nat\s+127\.0\.0\.1 `).MatchString(out) {
		t.Errorf("peer not registered after the exchange:\n%s", out)
	}
	if lines := env.log.take(); len(lines) > 1 {
		// One "Registered SIP 'nat'" line: the repeats are refreshes.
		n := 0
		for _, l := range lines {
			if strings.Contains(l, "Registered SIP 'nat'") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d 'Registered' lines for one registration and its retransmissions: %q", n, lines)
		}
	}
}

func TestNonceSigner(t *testing.T) {
	t0 := time.Unix(1_700_000_003, 0) // 3 s into a 16 s bucket
	s := newNonceSignerAt(32*time.Second, time.Unix(1_700_000_000, 0))
	other := newNonceSigner(32 * time.Second)
	req := func(callID, fromTag string, cseq int) *sip.Request {
		raw := fmt.Sprintf("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK1\r\n"+
			"From: <sip:6000@127.0.0.1>;tag=%s\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: %s\r\nCSeq: %d REGISTER\r\n"+
			"Content-Length: 0\r\n\r\n", fromTag, callID, cseq)
		m, err := sip.ParseMessage([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return m.(*sip.Request)
	}
	n := s.issue(t0, req("a", "f", 1))
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(n) {
		t.Fatalf("nonce %q: want 32 hex digits", n)
	}
	flip := []byte(n)
	flip[20] ^= 1
	tests := []struct {
		name  string
		nonce string
		req   *sip.Request // the answer that presents it
		at    time.Time
		want  nonceState
	}{
		{"fresh", n, req("a", "f", 2), t0, nonceFresh},
		{"end of lifetime", n, req("a", "f", 2), t0.Add(29 * time.Second), nonceFresh},
		{"past lifetime", n, req("a", "f", 2), t0.Add(30 * time.Second), nonceExpired},
		{"long past", n, req("a", "f", 2), t0.Add(24 * time.Hour), nonceExpired},
		{"from the future", n, req("a", "f", 2), t0.Add(-time.Hour), nonceExpired},
		// chan_sip matches an answer to its dialog by Call-ID alone.
		{"new From tag after the 401", n, req("a", "g", 2), t0, nonceFresh},
		{"another dialog", n, req("b", "f", 2), t0, nonceForeign},
		{"tampered", string(flip), req("a", "f", 2), t0, nonceForeign},
		{"other key", other.issue(t0, req("a", "f", 1)), req("a", "f", 2), t0, nonceForeign},
		{"short", n[:31], req("a", "f", 2), t0, nonceForeign},
		{"not hex", "zz" + n[2:], req("a", "f", 2), t0, nonceForeign},
		{"empty", "", req("a", "f", 2), t0, nonceForeign},
	}
	for _, tc := range tests {
		if got, _ := s.check(tc.nonce, tc.at, tc.req); got != tc.want {
			t.Errorf("%s: state %v, want %v", tc.name, got, tc.want)
		}
	}
	if again := s.issue(t0.Add(4*time.Second), req("a", "f", 1)); again != n {
		t.Errorf("retransmission in the same bucket: nonce %q, want %q", again, n)
	}
	for _, r := range []*sip.Request{req("b", "f", 1), req("a", "g", 1), req("a", "f", 2)} {
		if m := s.issue(t0, r); m == n {
			t.Errorf("request %s/%d got the same nonce as another dialog or transaction", r.CallID().Value(), r.CSeq().SeqNo)
		}
	}
	if s.dialogTag(req("a", "f", 1)) != s.dialogTag(req("a", "f", 2)) {
		t.Error("dialog tag changes with the CSeq")
	}
	if s.dialogTag(req("a", "f", 1)) == s.dialogTag(req("b", "f", 1)) {
		t.Error("two dialogs share a tag")
	}
	if tag := s.dialogTag(req("a", "f", 1)); !regexp.MustCompile(`^as[0-9a-f]{8}$`).MatchString(tag) {
		t.Errorf("tag %q: want chan_sip's shape as%%08x", tag)
	}
}

func TestCheckRequest(t *testing.T) {
	base := map[string]string{
		"Via":     "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK1",
		"From":    "<sip:6000@127.0.0.1>;tag=a",
		"To":      "<sip:6000@127.0.0.1>",
		"Call-ID": "c1",
		"CSeq":    "1 REGISTER",
	}
	order := []string{"Via", "From", "To", "Call-ID", "CSeq"}
	tests := []struct {
		name   string
		change map[string]string // "" removes the header
		bad    bool
	}{
		{"complete", nil, false},
		{"no From", map[string]string{"From": ""}, true},
		{"no To", map[string]string{"To": ""}, true},
		{"no Call-ID", map[string]string{"Call-ID": ""}, true},
		{"CSeq of another method", map[string]string{"CSeq": "1 INVITE"}, true},
		{"Via port too big", map[string]string{"Via": "SIP/2.0/UDP 127.0.0.1:99999;branch=z9hG4bK1"}, true},
		{"Via without port", map[string]string{"Via": "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1"}, false},
	}
	for _, tc := range tests {
		var b strings.Builder
		b.WriteString("REGISTER sip:127.0.0.1 SIP/2.0\r\n")
		for _, k := range order {
			v := base[k]
			if nv, ok := tc.change[k]; ok {
				v = nv
			}
			if v != "" {
				fmt.Fprintf(&b, "%s: %s\r\n", k, v)
			}
		}
		b.WriteString("Content-Length: 0\r\n\r\n")
		msg, err := sip.ParseMessage([]byte(b.String()))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err = checkRequest(msg.(*sip.Request))
		if (err != nil) != tc.bad {
			t.Errorf("%s: checkRequest = %v, want bad=%v", tc.name, err, tc.bad)
		}
	}
	// CSeq is checked too, though sipgo refuses to build a transaction
	// without one and answers 400 before the registrar sees the request.
	msg, err := sip.ParseMessage([]byte("REGISTER sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:a@h>\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if checkRequest(msg.(*sip.Request)) == nil {
		t.Error("no CSeq: accepted")
	}
}

// An INVITE challenge is answered without a transaction too: a caller
// whose INVITE crossed the 401 gets the same bytes again, which it takes
// for a retransmission (sipp, and phones, drop the call on an answer
// that differs, such as a new To tag).
func TestInviteChallengeRetransmissionGetsTheSameAnswer(t *testing.T) {
	d := fuzzDriver(t)
	server := d.LocalAddr()
	p := newPhone(t, server)
	me := p.addr()
	invite := fmt.Sprintf("INVITE sip:6000@%s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-inv1;rport\r\n"+
		"From: <sip:6000@%s>;tag=caller1\r\nTo: <sip:6000@%s>\r\n"+
		"Call-ID: invite-retrans@test\r\nCSeq: 1 INVITE\r\n"+
		"Contact: <sip:6000@%s>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		server, me, server.Addr(), server.Addr(), me)
	p.send(invite)
	c1 := p.recv()
	p.send(invite)
	c2 := p.recv()
	if c1.code != 401 || c2.code != 401 {
		t.Fatalf("INVITE and its retransmission: %d, %d; want 401 twice", c1.code, c2.code)
	}
	if c2.headers["to"] != c1.headers["to"] || len(reTag.FindAllString(c1.headers["to"], -1)) != 1 {
		t.Errorf("challenge To headers %q and %q: want one and the same tag", c1.headers["to"], c2.headers["to"])
	}
	// The nonce may differ only when the two cross a nonce bucket.
	if c1.raw != c2.raw && normalize(c1.raw, me) != normalize(c2.raw, me) {
		t.Errorf("retransmitted challenge differs:\n%s\n---\n%s", c1.raw, c2.raw)
	}
}
