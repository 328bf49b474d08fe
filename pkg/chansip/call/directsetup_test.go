package call

import (
	"net/netip"
	"testing"
	"time"
)

// TestDirectRTPSetup: with directrtpsetup=yes the INVITE to the callee
// carries the caller's RTP address and the caller's 200 the callee's, and
// neither phone is re-INVITEd once bridged. When the callee may not
// direct-media, or directrtpsetup is off, the INVITE carries our address.
func TestDirectRTPSetup(t *testing.T) {
	tests := []struct {
		name          string
		general       string
		callee        string
		caller        string
		direct        bool
		wantReinvites bool
		dpCtx         string
	}{
		{"directrtpsetup", "directmedia=yes\ndirectrtpsetup=yes", "", "", true, false, ""},
		{"callee directmedia=no", "directmedia=yes\ndirectrtpsetup=yes", "directmedia=no", "", false, false, ""},
		{"directrtpsetup off", "directmedia=yes", "", "", false, true, ""},
		// Dial(...,tT): the bridge may watch the digits (app_dial's
		// CAN_EARLY_BRIDGE says no), so the INVITE offers our address.
		// The lab's bridge has no feature map, so once bridged it goes
		// direct by re-INVITEs like any call (the e2e test
		// TestDirectRTPSetupDialFeatures sees none with features.conf).
		{"Dial with transfer keys", "directmedia=yes\ndirectrtpsetup=yes", "", "", false, true, "featdial"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabConf(t, mediaConf(tc.general, tc.callee, tc.caller))
			if tc.dpCtx != "" {
				l.setContext(tc.dpCtx)
			}
			callee := newPhone(t, "6000", "answer")
			l.register("6000", callee.addr)
			caller := newPhone(t, "6001", "")
			out := caller.invite(l, "6000", 0)
			res := out.waitFinal(5 * time.Second)
			if res.StatusCode != 200 {
				t.Fatalf("final %d\nlog:\n%s", res.StatusCode, l.log)
			}
			out.ack()
			callerRTP := netip.AddrPortFrom(caller.addr.Addr(), uint16(caller.mediaPort()))
			calleeRTP := netip.AddrPortFrom(callee.addr.Addr(), uint16(callee.mediaPort()))
			offer, _ := sdpTarget(t, callee.lastInvite().Body())
			answer, _ := sdpTarget(t, res.Body())
			if tc.direct && (offer != callerRTP || answer != calleeRTP) {
				t.Errorf("INVITE offers %s (want the caller's %s), 200 answers %s (want the callee's %s)", offer, callerRTP, answer, calleeRTP)
			}
			if !tc.direct && (offer == callerRTP || answer == calleeRTP) {
				t.Errorf("media set up direct (offer %s, answer %s)", offer, answer)
			}
			if tc.wantReinvites {
				waitFor(t, "the direct-media re-INVITEs", 5*time.Second, func() bool {
					return len(caller.reinviteList()) > 0 && len(callee.reinviteList()) > 0
				})
			} else {
				time.Sleep(600 * time.Millisecond)
				if n, m := len(caller.reinviteList()), len(callee.reinviteList()); n+m != 0 {
					t.Errorf("re-INVITEs sent: %d to the caller, %d to the callee", n, m)
				}
			}
			out.bye()
			waitFor(t, "BYE passed to the callee", 5*time.Second, func() bool { return callee.byeCount() == 1 })
		})
	}
}

// TestDirectRTPSetupFallback: the callee is offered the caller's address,
// but the caller's directmedia ACL denies the callee's: the caller is
// answered with our address and the callee is re-INVITEd back to us once
// bridged, so the relay carries the call.
func TestDirectRTPSetupFallback(t *testing.T) {
	l := newLabConf(t, mediaConf("directmedia=yes\ndirectrtpsetup=yes", "", "directmediadeny=127.0.0.0/8"))
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	res := out.waitFinal(5 * time.Second)
	if res.StatusCode != 200 {
		t.Fatalf("final %d\nlog:\n%s", res.StatusCode, l.log)
	}
	out.ack()
	callerRTP := netip.AddrPortFrom(caller.addr.Addr(), uint16(caller.mediaPort()))
	calleeRTP := netip.AddrPortFrom(callee.addr.Addr(), uint16(callee.mediaPort()))
	if offer, _ := sdpTarget(t, callee.lastInvite().Body()); offer != callerRTP {
		t.Errorf("INVITE offers %s, want the caller's %s", offer, callerRTP)
	}
	toCaller, _ := sdpTarget(t, res.Body())
	if toCaller == calleeRTP {
		t.Fatalf("caller answered with the callee's address although its ACL denies it")
	}
	waitFor(t, "the callee brought back", 5*time.Second, func() bool { return len(callee.reinviteList()) > 0 })
	toCallee, _ := sdpTarget(t, callee.reinviteList()[0].Body())
	if toCallee == callerRTP {
		t.Fatalf("callee re-INVITEd to the caller again")
	}
	relay(t, caller, toCaller, callee, 0x7101)
	relay(t, callee, toCallee, caller, 0x7102)
	out.bye()
}
