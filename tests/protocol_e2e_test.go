package tests

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
)

// inviteWithSDP places an INVITE from user to callee carrying sdp,
// answers the challenge with password, and returns the final answer to
// the authenticated INVITE (nil when none came), acknowledging it.
func (c *sipClient) inviteWithSDP(user, callee, password, sdp string) *sipResp {
	c.t.Helper()
	o := reqOpts{method: "INVITE", user: user, callee: callee, callID: fmt.Sprintf("sdp-%d-%d@test", c.seq, time.Now().UnixNano()),
		cseq: 1, fromTag: fmt.Sprintf("sdp%d", c.seq)}
	withBody := func(o reqOpts) string {
		head, _, _ := strings.Cut(c.build(o), "Content-Type: application/sdp\r\n")
		return head + fmt.Sprintf("Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", len(sdp), sdp)
	}
	final := func() *sipResp {
		r := c.recv(o.callID, 3*time.Second)
		for r != nil && r.code < 200 {
			r = c.recv(o.callID, 3*time.Second)
		}
		return r
	}
	c.send(withBody(o))
	first := final()
	if first == nil || first.code != 401 {
		c.t.Fatalf("INVITE from %s: %s, want a challenge", user, first.headerSet())
	}
	c.ack(o, first)
	uri := fmt.Sprintf("sip:%s@%s:%d", callee, c.to.IP, c.to.Port)
	ans, err := digest.Answer(first.headers["www-authenticate"], "INVITE", uri, user, password, 1)
	if err != nil {
		c.t.Fatal(err)
	}
	o.cseq, o.auth = 2, ans
	c.send(withBody(o))
	res := final()
	if res != nil && res.code >= 300 {
		c.ack(o, res)
	}
	return res
}

// refOptionsCode is chan_sip's answer to an OPTIONS out of a dialog on
// the reference configuration: its default context ([general]
// context=default) has no extension at all, so neither the Request-URI's
// user nor "s" exists there (handle_request_options: 404 Not Found).
const refOptionsCode = 404

// TestProtocolErrorsE2E sends, over UDP to the real daemon, what issue 15
// found answered 200 or answered without Allow: a request line naming
// SIP/7.0 and a request with NUL bytes (chan_sip skips both: no answer,
// and a valid request right after is answered, so the silence is the
// drop), an INVITE from an authenticated peer whose SDP has no c= line
// (488), and methods no handler takes (405 for one chan_sip knows, 501
// for one it does not, both with Allow).
func TestProtocolErrorsE2E(t *testing.T) {
	in, _ := startAttackTarget(t, 1, nil)
	c := newSIPClient(t, in.SIPPort)
	via := func(i int) string {
		return fmt.Sprintf("Via: SIP/2.0/UDP %s;branch=z9hG4bK-pe%d-%d;rport", c.addr(), i, time.Now().UnixNano())
	}
	from := "From: <sip:7000@127.0.0.1>;tag=pe"
	to := "To: <sip:7000@127.0.0.1>"
	options := func(i int, proto string, extra ...string) string {
		headers := append([]string{via(i), from, to, fmt.Sprintf("Call-ID: pe%d@test", i), "CSeq: 1 OPTIONS", "Max-Forwards: 70"},
			append(extra, "Content-Length: 0")...)
		return sipMsg("OPTIONS sip:7000@127.0.0.1 "+proto, headers...)
	}
	for i, tc := range []struct{ name, msg string }{
		{"OPTIONS SIP/7.0", options(1, "SIP/7.0")},
		{"REGISTER SIP/7.0", sipMsg("REGISTER sip:127.0.0.1 SIP/7.0", via(2), from, to, "Call-ID: pe2@test", "CSeq: 1 REGISTER",
			"Contact: <sip:7000@"+c.addr()+">", "Content-Length: 0")},
		{"NUL in a header", options(3, "SIP/2.0", "Subject: a\x00b")},
		{"NUL in the request URI", sipMsg("OPTIONS sip:70\x0000@127.0.0.1 SIP/2.0", via(4), from, to, "Call-ID: pe4@test", "CSeq: 1 OPTIONS", "Content-Length: 0")},
	} {
		c.send(tc.msg)
		if r := c.recv("", 500*time.Millisecond); r != nil {
			t.Errorf("%s: answered %d, want no answer:\n%s", tc.name, r.code, r.raw)
		}
		c.send(options(100+i, "SIP/2.0"))
		if r := c.recv(fmt.Sprintf("pe%d@test", 100+i), 3*time.Second); r == nil || r.code != refOptionsCode {
			t.Fatalf("%s: a valid OPTIONS right after got %s, want %d", tc.name, r.headerSet(), refOptionsCode)
		}
	}

	noConn := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
	if r := c.inviteWithSDP("7000", "6000", "right", noConn); r == nil || r.code != 488 {
		t.Errorf("INVITE whose SDP has no c= line: %s, want 488", r.headerSet())
	}
	waitLog(t, in, "Insufficient information in SDP (c=)...")

	for i, tc := range []struct {
		method string
		code   int
	}{
		{"PRACK", 481}, // chan_sip: a PRACK matches no dialog it could take
		{"FROB", 501},
	} {
		callID := fmt.Sprintf("pm%d@test", i)
		c.send(sipMsg(tc.method+" sip:7000@127.0.0.1 SIP/2.0", via(200+i), from, to, "Call-ID: "+callID,
			"CSeq: 1 "+tc.method, "Max-Forwards: 70", "Content-Length: 0"))
		r := c.recv(callID, 3*time.Second)
		if r == nil || r.code != tc.code || !strings.Contains(r.headers["allow"], "INVITE") {
			t.Errorf("%s: %s, want %d with an Allow header", tc.method, r.headerSet(), tc.code)
		}
	}
	waitLog(t, in, "Unknown SIP command 'FROB' from '"+c.addr()+"'")
}
