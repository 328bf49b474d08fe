package call

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// send sends an in-dialog request of the caller with a body (none when
// ctype is "") and returns the final response; a 2xx to INVITE is ACKed.
func (o *outgoing) send(method sip.RequestMethod, cseq uint32, ctype string, body []byte) *sip.Response {
	o.p.t.Helper()
	r := o.inDialog(method, cseq)
	r.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: o.p.name, Host: o.p.addr.Addr().String(), Port: int(o.p.addr.Port())}})
	if ctype != "" {
		r.AppendHeader(sip.NewHeader("Content-Type", ctype))
		r.SetBody(body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := o.p.client.Do(ctx, r)
	if err != nil {
		o.p.t.Fatalf("%s: %v\nlog:\n%s", method, err, o.lab.log)
	}
	if method == sip.INVITE && res.IsSuccess() {
		ack := o.inDialog(sip.ACK, cseq)
		if err := o.p.client.WriteRequest(ack); err != nil {
			o.p.t.Fatal(err)
		}
	}
	return res
}

// moveMedia gives the phone a new RTP socket on ip (its next SDP carries
// it), as a phone that changes network or port.
func (p *phone) moveMedia(t *testing.T, ip string) {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(ip), 0)))
	if err != nil {
		t.Skipf("no socket on %s: %v", ip, err)
	}
	old := p.media
	p.media = c
	_ = old.Close()
}

// movedBody is the phone's SDP offer for its current media socket, with
// the direction given ("" for none) and an o= version above the first.
func movedBody(p *phone, version, dir string) []byte {
	ip := p.media.LocalAddr().(*net.UDPAddr).IP.String()
	s := "v=0\r\no=user1 53655765 " + version + " IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\n" +
		"m=audio " + itoa(p.mediaPort()) + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	if dir != "" {
		s += "a=" + dir + "\r\n"
	}
	return []byte(s)
}

func sdpDirection(t *testing.T, body []byte) string {
	t.Helper()
	for _, d := range []string{"sendrecv", "sendonly", "recvonly", "inactive"} {
		if strings.Contains(string(body), "a="+d+"\r\n") {
			return d
		}
	}
	return "sendrecv"
}

// TestUpdateWithSDP: in a confirmed dialog an UPDATE with SDP (RFC 3311)
// moves the relay to the phone's new port, holds (sendonly: our answer is
// recvonly and the channel is held) and resumes; an UPDATE without a body
// is a session refresh (200 without SDP); a body that is not SDP gets 415.
func TestUpdateWithSDP(t *testing.T) {
	l := newLab(t)
	caller, callee, out := answeredCall(t, l)
	toCallee := mediaTarget(t, callee.lastInvite().Body())
	cseq := out.req.CSeq().SeqNo

	caller.moveMedia(t, "127.0.0.1")
	cseq++
	res := out.send(sip.UPDATE, cseq, "application/sdp", movedBody(caller, "2353687638", ""))
	if res.StatusCode != 200 || len(res.Body()) == 0 {
		t.Fatalf("UPDATE with a new port: %d, body %q\nlog:\n%s", res.StatusCode, res.Body(), l.log)
	}
	if ct := res.ContentType(); ct == nil || ct.Value() != "application/sdp" {
		t.Errorf("200 to UPDATE: Content-Type %v", ct)
	}
	relay(t, callee, toCallee, caller, 0x7001) // reaches the caller's new socket

	cseq++
	res = out.send(sip.UPDATE, cseq, "application/sdp", movedBody(caller, "2353687639", "sendonly"))
	if res.StatusCode != 200 || sdpDirection(t, res.Body()) != "recvonly" {
		t.Fatalf("hold by UPDATE: %d, direction %s", res.StatusCode, sdpDirection(t, res.Body()))
	}
	waitFor(t, "the caller's channel held", 3*time.Second, func() bool {
		return l.e.DeviceState("SIP/6001") == pbx.DeviceOnHold
	})
	cseq++
	res = out.send(sip.UPDATE, cseq, "application/sdp", movedBody(caller, "2353687640", "sendrecv"))
	if res.StatusCode != 200 || sdpDirection(t, res.Body()) != "sendrecv" {
		t.Fatalf("resume by UPDATE: %d, direction %s", res.StatusCode, sdpDirection(t, res.Body()))
	}
	waitFor(t, "the caller's channel resumed", 3*time.Second, func() bool {
		return l.e.DeviceState("SIP/6001") != pbx.DeviceOnHold
	})

	cseq++
	if res = out.send(sip.UPDATE, cseq, "", nil); res.StatusCode != 200 || len(res.Body()) != 0 {
		t.Errorf("UPDATE without SDP: %d, body %q", res.StatusCode, res.Body())
	}
	cseq++
	if res = out.send(sip.UPDATE, cseq, "text/plain", []byte("hello")); res.StatusCode != 415 {
		t.Errorf("UPDATE with text/plain: %d, want 415", res.StatusCode)
	}
	relay(t, callee, toCallee, caller, 0x7002)
	cseq++
	if res = out.send(sip.BYE, cseq, "", nil); res.StatusCode != 200 {
		t.Errorf("BYE: %d", res.StatusCode)
	}
}

// TestUpdateEarlyDialog: an UPDATE, with SDP or without, before the call
// is answered gets chan_sip's 501 Method Not Implemented, and the call
// goes on.
func TestUpdateEarlyDialog(t *testing.T) {
	l := newLab(t)
	callee := newPhone(t, "6000", "early")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	var early *sip.Response
	timeout := time.After(3 * time.Second)
	for early == nil {
		select {
		case r := <-out.tx.Responses():
			if r.StatusCode == 183 {
				early = r
			}
		case <-timeout:
			t.Fatalf("no 183\nlog:\n%s", l.log)
		}
	}
	out.final = early // the early dialog's To tag
	res := out.send(sip.UPDATE, out.req.CSeq().SeqNo+1, "application/sdp", movedBody(caller, "2353687638", ""))
	if res.StatusCode != 501 || res.Reason != "Method Not Implemented" {
		t.Errorf("early UPDATE: %d %s, want 501 Method Not Implemented", res.StatusCode, res.Reason)
	}
	if res := out.send(sip.UPDATE, out.req.CSeq().SeqNo+2, "", nil); res.StatusCode != 501 {
		t.Errorf("early UPDATE without SDP: %d, want 501", res.StatusCode)
	}
	close(callee.answerNow)
	if res := out.waitFinal(5 * time.Second); res.StatusCode != 200 {
		t.Fatalf("final %d", res.StatusCode)
	}
	out.ack()
}

// TestDirectMediaFollowsMove: while the phones talk directly, the caller
// re-INVITEs (or UPDATEs) with a new RTP port: our answer keeps the
// callee's address and the callee is re-INVITEd to the caller's new port.
// When the new address is one the callee's directmedia ACL denies, the
// answer brings the caller to us and the callee follows: the relay
// carries the call.
func TestDirectMediaFollowsMove(t *testing.T) {
	tests := []struct {
		name   string
		method sip.RequestMethod
		ip     string
		direct bool
	}{
		{"re-INVITE, same network", sip.INVITE, "127.0.0.1", true},
		{"UPDATE, same network", sip.UPDATE, "127.0.0.1", true},
		{"re-INVITE to a denied address", sip.INVITE, "127.0.0.2", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabConf(t, mediaConf("directmedia=yes", "directmediadeny=127.0.0.2/32", ""))
			caller, callee, out := answeredCall(t, l)
			waitFor(t, "both phones re-INVITEd", 5*time.Second, func() bool {
				return len(caller.reinviteList()) > 0 && len(callee.reinviteList()) > 0
			})
			calleeMedia := netip.AddrPortFrom(callee.addr.Addr(), uint16(callee.mediaPort()))
			// Our port facing the callee, where its media comes back to.
			ours := mediaTarget(t, callee.lastInvite().Body())
			caller.moveMedia(t, tc.ip)
			moved := netip.AddrPortFrom(netip.MustParseAddr(tc.ip), uint16(caller.mediaPort()))
			res := out.send(tc.method, out.req.CSeq().SeqNo+1, "application/sdp", movedBody(caller, "2353687700", ""))
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d\nlog:\n%s", tc.method, res.StatusCode, l.log)
			}
			answer, _ := sdpTarget(t, res.Body())
			if tc.direct && answer != calleeMedia {
				t.Errorf("answer to the moved caller points at %s, want the callee's %s", answer, calleeMedia)
			}
			if !tc.direct && answer == calleeMedia {
				t.Errorf("answer to the caller on a denied address keeps it direct (%s)", answer)
			}
			waitFor(t, "the callee re-INVITEd again", 5*time.Second, func() bool { return len(callee.reinviteList()) >= 2 })
			got, _ := sdpTarget(t, callee.reinviteList()[1].Body())
			want := moved
			if !tc.direct {
				want = ours
			}
			if got != want {
				t.Errorf("callee told to send to %s, want %s", got, want)
			}
			if !tc.direct {
				relay(t, callee, ours, caller, 0x7003) // the relay reaches the caller's new address
			}
			out.send(sip.BYE, out.req.CSeq().SeqNo+2, "", nil)
		})
	}
}

// TestUpdateRPID: chan_sip's connected-line UPDATE (X-Asterisk-rpid-update)
// from a trustrpid peer sets the connected line of the party bridged to
// it, and is answered 200; from a peer it does not trust it changes
// nothing.
func TestUpdateRPID(t *testing.T) {
	for _, trust := range []bool{true, false} {
		t.Run(map[bool]string{true: "trustrpid", false: "untrusted"}[trust], func(t *testing.T) {
			caller := ""
			if trust {
				caller = "trustrpid=yes"
			}
			l := newLabConf(t, mediaConf("", "", caller))
			_, _, out := answeredCall(t, l)
			r := out.inDialog(sip.UPDATE, out.req.CSeq().SeqNo+1)
			r.AppendHeader(sip.NewHeader("X-Asterisk-rpid-update", "Yes"))
			r.AppendHeader(sip.NewHeader("Remote-Party-ID", `"Transferred Bob" <sip:555@127.0.0.1>;party=calling;privacy=off;screen=no`))
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			res, err := out.p.client.Do(ctx, r)
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("rpid UPDATE: %v %v", res, err)
			}
			var callee *pbx.Channel
			for _, c := range l.e.Channels() {
				if strings.HasPrefix(c.Name(), "SIP/6000-") {
					callee = c
				}
			}
			if callee == nil {
				t.Fatal("no callee channel")
			}
			got := callee.Connected()
			if trust && (got.Num != "555" || got.Name != "Transferred Bob") {
				t.Errorf("callee's connected line %+v, want 555 Transferred Bob", got)
			}
			if !trust && got.Num == "555" {
				t.Errorf("an untrusted peer changed the connected line: %+v", got)
			}
		})
	}
}
