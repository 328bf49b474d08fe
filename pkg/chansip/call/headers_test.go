package call

import (
	"testing"
	"time"
)

// TestSIPAddHeaderOnInvite checks that headers added with SIPAddHeader on
// the caller reach the callee's INVITE, as chan_sip adds them, and that
// SIPRemoveHeader and a value without a colon leave nothing.
func TestSIPAddHeaderOnInvite(t *testing.T) {
	l := newLab(t)
	l.mu.Lock()
	l.dpCtx = "headers"
	l.mu.Unlock()
	callee := newPhone(t, "6000", "ring")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	out.waitFinal(5 * time.Second)
	inv := callee.lastInvite()
	if inv == nil {
		t.Fatal("the callee got no INVITE")
	}
	for name, want := range map[string]string{"X-First": "one", "X-Second": "two"} {
		h := inv.GetHeader(name)
		if h == nil || h.Value() != want {
			t.Errorf("%s = %v, want %q; INVITE:\n%s", name, h, want, inv)
		}
	}
	for _, name := range []string{"P-Gone", "NoColonHere"} {
		if inv.GetHeader(name) != nil {
			t.Errorf("%s present in the INVITE", name)
		}
	}
	waitFor(t, "channels gone", 3*time.Second, func() bool { return len(l.e.Channels()) == 0 })
}

// TestSetDTMFMode checks SIPDtmfMode's driver side: a mode replaces the
// peer's dtmfmode for this dialog only, an unknown one changes nothing.
func TestSetDTMFMode(t *testing.T) {
	l := newLab(t)
	peer := l.cfg.Peer("6001")
	tests := []struct {
		set, want, err string
	}{
		{set: "info", want: "info"},
		{set: "SHORTINFO", want: "shortinfo"},
		{set: "inband", want: "inband"},
		{set: "rfc2833", want: "rfc2833"},
		{set: "auto", want: peer.DTMFMode.String(), err: "I don't know about this dtmf mode: auto"},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			d := &dialog{m: l.m, peer: peer}
			err := d.SetDTMFMode(tt.set)
			if (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
				t.Errorf("error %v, want %q", err, tt.err)
			}
			if got := d.DTMFMode(); got != tt.want {
				t.Errorf("mode %q, want %q", got, tt.want)
			}
			other := &dialog{m: l.m, peer: peer}
			if other.DTMFMode() != peer.DTMFMode.String() {
				t.Errorf("another dialog of the peer changed to %q", other.DTMFMode())
			}
		})
	}
}

// TestCDRApplications checks that the records ForkCDR, SetAMAFlags and
// NoCDR shape are the ones the driver writes.
func TestCDRApplications(t *testing.T) {
	l := newLab(t)
	l.mu.Lock()
	l.dpCtx = "cdrapps"
	l.mu.Unlock()
	callee := newPhone(t, "6000", "ring")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")

	caller.invite(l, "7000", 0).waitFinal(5 * time.Second)
	waitFor(t, "channels gone", 3*time.Second, func() bool { return len(l.e.Channels()) == 0 })
	if n := len(l.records()); n != 0 {
		t.Fatalf("NoCDR: %d records written", n)
	}

	caller.invite(l, "6000", 0).waitFinal(5 * time.Second)
	recs := waitCDR(t, l, 2)
	if len(recs) != 2 {
		t.Fatalf("%d records, want the fork and the original", len(recs))
	}
	fork, last := recs[0], recs[1]
	if fork.LastApp != "ForkCDR" || last.LastApp != "Dial" || fork.AMAFlags != "BILLING" || last.AMAFlags != "BILLING" ||
		fork.Channel != last.Channel || fork.Disposition != last.Disposition || !fork.Start.Equal(last.Start) {
		t.Errorf("records:\n%+v\n%+v", *fork, *last)
	}
}

// TestOriginateCDR checks that a call Originate places writes its own
// record (there is no inbound leg to write it) and that it reaches the
// callee as an INVITE.
func TestOriginateCDR(t *testing.T) {
	l := newLab(t)
	l.mu.Lock()
	l.dpCtx = "orig"
	l.mu.Unlock()
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	caller.invite(l, "6000", 0).waitFinal(5 * time.Second)
	waitFor(t, "dialplan", 3*time.Second, func() bool {
		return l.log.has(`    -- Executing [6000@orig:2] NoOp("SIP/6001-00000000", "ORIGINATE_STATUS=SUCCESS") in new stack`)
	})
	waitFor(t, "channels gone", 5*time.Second, func() bool { return len(l.e.Channels()) == 0 })
	var orig []string
	for _, r := range l.records() {
		if r.Channel == "SIP/6000-00000001" {
			orig = append(orig, string(r.Disposition)+"/"+r.DContext+"/"+r.Dst+"/"+r.LastApp)
		}
	}
	if len(orig) != 1 || orig[0] != "ANSWERED/origdest/s/Hangup" {
		t.Errorf("originated call's records %q; log:\n%s", orig, l.log)
	}
}

// TestChanIsAvailSIP probes real SIP peers: an unknown one is skipped, a
// registered one gives a channel that is hung up at once, without an
// INVITE and with its RTP ports given back.
func TestChanIsAvailSIP(t *testing.T) {
	l := newLab(t)
	l.mu.Lock()
	l.dpCtx = "avail"
	l.mu.Unlock()
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	free := l.alloc.Free()
	caller := newPhone(t, "6001", "")
	caller.invite(l, "6000", 0).waitFinal(5 * time.Second)
	waitFor(t, "dialplan", 3*time.Second, func() bool {
		return l.log.has(`    -- Executing [6000@avail:2] NoOp("SIP/6001-00000000", "AVAIL=SIP/6000-00000001|SIP/6000|0&0") in new stack`)
	})
	waitFor(t, "channels gone", 3*time.Second, func() bool { return len(l.e.Channels()) == 0 })
	waitFor(t, "ports back", 3*time.Second, func() bool { return l.alloc.Free() == free })
	if inv := callee.lastInvite(); inv != nil {
		t.Errorf("the probe sent an INVITE:\n%s", inv)
	}
}
