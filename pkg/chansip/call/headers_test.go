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
