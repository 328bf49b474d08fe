package call

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// do sends an in-dialog request from the caller and returns the answer.
func (o *outgoing) do(t *testing.T, req *sip.Request) *sip.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res, err := o.p.client.Do(ctx, req)
	if err != nil {
		t.Fatalf("%s CSeq %d: %v", req.Method, req.CSeq().SeqNo, err)
	}
	return res
}

// reInvite is a hold re-INVITE from the caller with the given CSeq.
func (o *outgoing) reInvite(cseq uint32) *sip.Request {
	r := o.inDialog(sip.INVITE, cseq)
	r.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: o.p.name, Host: o.p.addr.Addr().String(), Port: int(o.p.addr.Port())}})
	r.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	r.SetBody(append(o.p.sdpBody(0), "a=sendonly\r\n"...))
	return r
}

// In-dialog requests replayed during a call (an older CSeq, or the
// last one again for an INVITE) are refused with chan_sip's 500 and
// change nothing; once the call has ended, a dialog takes nothing but a
// BYE: a replayed re-INVITE gets 481 and a replayed BYE its 200 again,
// with no second BYE to the other leg.
func TestInDialogReplays(t *testing.T) {
	l := newLab(t)
	caller, callee, out := answeredCall(t, l)
	defer caller.close()
	defer callee.close()
	inv := out.req.CSeq().SeqNo

	hold := out.reInvite(inv + 1)
	if res := out.do(t, hold); res.StatusCode != 200 {
		t.Fatalf("re-INVITE CSeq %d: %d", inv+1, res.StatusCode)
	}
	out.ackReinvite(inv + 1)

	for _, tc := range []struct {
		name string
		req  *sip.Request
	}{
		{"the re-INVITE again (same CSeq)", out.reInvite(inv + 1)},
		{"a re-INVITE with the INVITE's CSeq", out.reInvite(inv)},
		{"a BYE older than the re-INVITE", out.inDialog(sip.BYE, inv)},
		{"an INFO older than the re-INVITE", out.inDialog(sip.INFO, inv)},
	} {
		res := out.do(t, tc.req)
		if res.StatusCode != 500 || res.Reason != "Server error" {
			t.Errorf("%s: %d %s, want 500 Server error", tc.name, res.StatusCode, res.Reason)
		}
		if tc.req.Method == sip.INVITE {
			ra := ""
			if h := res.GetHeader("Retry-After"); h != nil {
				ra = h.Value()
			}
			if n, err := strconv.Atoi(ra); err != nil || n < 1 || n > 10 {
				t.Errorf("%s: Retry-After %q, want 1 to 10 s", tc.name, ra)
			}
		}
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(callee.reinviteList()); n != 0 {
		t.Errorf("the callee got %d re-INVITEs, want none (hold is the core's: music on hold)", n)
	}
	if got := callee.byeCount(); got != 0 || l.m.InUse("6001") != 1 {
		t.Fatalf("an old BYE ended the call: callee BYEs %d, caller in use %d", got, l.m.InUse("6001"))
	}

	info := out.inDialog(sip.INFO, inv+2)
	info.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
	info.SetBody([]byte("Signal=5\r\nDuration=160\r\n"))
	for i := range 2 { // the INFO and its retransmission, answered alike
		if res := out.do(t, info.Clone()); res.StatusCode != 200 {
			t.Errorf("INFO #%d: %d", i+1, res.StatusCode)
		}
	}

	bye := out.inDialog(sip.BYE, inv+3)
	if res := out.do(t, bye); res.StatusCode != 200 {
		t.Fatalf("BYE: %d", res.StatusCode)
	}
	waitFor(t, "BYE to the callee", 3*time.Second, func() bool { return callee.byeCount() == 1 })

	if res := out.do(t, out.reInvite(inv+4)); res.StatusCode != 481 {
		t.Errorf("re-INVITE after the call ended: %d, want 481", res.StatusCode)
	}
	if res := out.do(t, out.reInvite(inv+1)); res.StatusCode != 481 {
		t.Errorf("the hold re-INVITE replayed after the call ended: %d, want 481", res.StatusCode)
	}
	if res := out.do(t, out.inDialog(sip.BYE, inv+3)); res.StatusCode != 200 {
		t.Errorf("the BYE again: %d, want its 200 again", res.StatusCode)
	}
	if res := out.do(t, out.inDialog(sip.BYE, inv)); res.StatusCode != 500 {
		t.Errorf("an older BYE after the call ended: %d, want 500", res.StatusCode)
	}
	time.Sleep(200 * time.Millisecond)
	if got := callee.byeCount(); got != 1 {
		t.Errorf("callee got %d BYEs, want 1", got)
	}
	if n := len(callee.reinviteList()); n != 0 {
		t.Errorf("the callee got %d re-INVITEs, want none", n)
	}
}

// ackReinvite acknowledges the 2xx of a re-INVITE the caller sent.
func (o *outgoing) ackReinvite(cseq uint32) {
	o.p.t.Helper()
	if err := o.p.client.WriteRequest(o.inDialog(sip.ACK, cseq)); err != nil {
		o.p.t.Fatal(err)
	}
}
