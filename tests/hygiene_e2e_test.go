package tests

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestProtocolHygieneE2E is issue 18's protocol hygiene on the real
// daemon: an INVITE requiring 100rel (or any tag chan_sip lacks) gets 420
// Bad extension with Unsupported, before any challenge; compact header
// forms are read; and every method the Allow header lists is one the
// daemon serves (an out-of-dialog request for it gets anything but 405 or
// 501), which keeps Allow honest as features are added.
func TestProtocolHygieneE2E(t *testing.T) {
	in, _ := startAttackTarget(t, 1, nil)
	c := newSIPClient(t, in.SIPPort)
	n := 0
	req := func(method, ruri string, extra ...string) string {
		n++
		callID := fmt.Sprintf("hy%d@test", n)
		h := append([]string{
			fmt.Sprintf("v: SIP/2.0/UDP %s;branch=z9hG4bK-hy%d-%d;rport", c.addr(), n, time.Now().UnixNano()),
			"f: <sip:7000@127.0.0.1>;tag=hy" + fmt.Sprint(n), "t: <" + ruri + ">", "i: " + callID,
			"CSeq: 1 " + method, "Max-Forwards: 70"}, extra...)
		c.send(sipMsg(method+" "+ruri+" SIP/2.0", append(h, "l: 0")...))
		return callID
	}
	for _, tc := range []struct {
		require, unsupported string
	}{
		{"Require: 100rel", "100rel"},
		{"Require: timer, precondition", "precondition"},
	} {
		id := req("INVITE", "sip:6000@127.0.0.1", tc.require, "m: <sip:7000@"+c.addr()+">")
		r := c.recv(id, 3*time.Second)
		for r != nil && r.code < 200 {
			r = c.recv(id, 3*time.Second)
		}
		if r == nil || r.code != 420 || r.headers["unsupported"] != tc.unsupported || !strings.HasPrefix(r.raw, "SIP/2.0 420 Bad extension (unsupported)\r\n") {
			t.Errorf("%s: %s, want 420 with Unsupported: %s", tc.require, r.headerSet(), tc.unsupported)
		}
	}
	waitLog(t, in, "Received SIP INVITE with unsupported required extension: 100rel")

	id := req("OPTIONS", "sip:7000@127.0.0.1")
	r := c.recv(id, 3*time.Second)
	if r == nil {
		t.Fatal("no answer to OPTIONS")
	}
	allow := strings.Split(r.headers["allow"], ", ")
	if len(allow) < 5 {
		t.Fatalf("Allow: %q", r.headers["allow"])
	}
	for _, m := range allow {
		switch m {
		case "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS":
			continue // served by the calls above and every call test
		}
		id := req(m, "sip:7000@127.0.0.1", "Event: presence", "Content-Type: text/plain")
		r := c.recv(id, 3*time.Second)
		if r == nil || r.code == 405 || r.code == 501 {
			t.Errorf("%s is in Allow but answered %s", m, r.headerSet())
		}
	}
}

// TestPRACKE2E: chan_sip sends no reliable provisional, so a PRACK (RFC
// 3262) acknowledges nothing it knows: 481, and PRACK is not in Allow.
func TestPRACKE2E(t *testing.T) {
	in, _ := startAttackTarget(t, 1, nil)
	c := newSIPClient(t, in.SIPPort)
	for i, tc := range []struct{ name, rack string }{
		{"RAck of an unknown 1xx", "RAck: 1 1 INVITE"},
		{"no RAck", ""},
	} {
		callID := fmt.Sprintf("prack%d@test", i)
		h := []string{
			fmt.Sprintf("Via: SIP/2.0/UDP %s;branch=z9hG4bK-pr%d-%d;rport", c.addr(), i, time.Now().UnixNano()),
			"From: <sip:7000@127.0.0.1>;tag=pr" + fmt.Sprint(i), "To: <sip:6000@127.0.0.1>;tag=as123", "Call-ID: " + callID,
			"CSeq: 2 PRACK", "Max-Forwards: 70"}
		if tc.rack != "" {
			h = append(h, tc.rack)
		}
		c.send(sipMsg("PRACK sip:6000@127.0.0.1 SIP/2.0", append(h, "Content-Length: 0")...))
		r := c.recv(callID, 3*time.Second)
		if r == nil || r.code != 481 || !strings.HasPrefix(r.raw, "SIP/2.0 481 Call leg/transaction does not exist\r\n") {
			t.Errorf("%s: %s, want 481", tc.name, r.headerSet())
		}
		if r != nil && strings.Contains(r.headers["allow"], "PRACK") {
			t.Errorf("%s: Allow lists PRACK: %q", tc.name, r.headers["allow"])
		}
	}
}
