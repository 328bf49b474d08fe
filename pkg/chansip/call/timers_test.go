package call

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// stUnit is the session-timer second of these tests: 90 "seconds" (the
// smallest Min-SE) pass in 0.9 s.
const stUnit = 10 * time.Millisecond

func newTimerLab(t *testing.T, conf string) *lab {
	t.Helper()
	return newLabDeps(t, conf, func(_ *lab, d *Deps) { d.SessionTimerUnit = stUnit })
}

// inviteWith places the caller's INVITE with extra headers.
func inviteWith(t *testing.T, l *lab, caller *phone, exten string, hdrs ...string) *outgoing {
	t.Helper()
	var extra []sip.Header
	for _, h := range hdrs {
		name, value, _ := strings.Cut(h, ":")
		extra = append(extra, sip.NewHeader(name, strings.TrimSpace(value)))
	}
	l.mu.Lock()
	l.onInvite = nil
	l.mu.Unlock()
	caller.mu.Lock()
	caller.extra = extra
	caller.mu.Unlock()
	return caller.invite(l, exten, 0)
}

func TestSessionTimerParse(t *testing.T) {
	for _, tc := range []struct {
		in  string
		n   int
		ref string
		bad bool
	}{
		{"1800", 1800, "", false},
		{"90;refresher=uac", 90, "uac", false},
		{" 600 ; refresher = UAS", 600, "uas", false},
		{"90;refresher=foo", 0, "", true},
		{"abc", 0, "", true},
		{"120;x=1", 120, "", false},
	} {
		n, ref, err := parseSessionExpires(tc.in)
		if (err != nil) != tc.bad || n != tc.n || ref != tc.ref {
			t.Errorf("%q: %d %q %v", tc.in, n, ref, err)
		}
	}
}

// The UAS side: what the 2xx says and who refreshes, per the INVITE's
// Session-Expires/Min-SE/Supported and session-timers; refusals are
// chan_sip's (422 with our Min-SE, 420 Option Disabled, 400).
func TestSessionTimerUASNegotiation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		general string
		hdrs    []string
		code    int
		se      string // Session-Expires of the 200
		require string
		extra   string // another header the answer must carry
	}{
		{"no timer asked, accept", "", nil, 200, "", "", ""},
		{"refresher uac", "", []string{"Supported: timer", "Session-Expires: 120;refresher=uac"}, 200, "120;refresher=uac", "timer", ""},
		{"refresher unsaid: us", "", []string{"Supported: timer", "Session-Expires: 600"}, 200, "600;refresher=uas", "timer", ""},
		{"no Session-Expires: ours", "", []string{"Supported: timer"}, 200, "1800;refresher=uas", "timer", ""},
		{"capped at session-expires", "session-expires=300\n", []string{"Supported: timer", "Session-Expires: 3600"}, 200, "300;refresher=uas", "timer", ""},
		{"too small", "", []string{"Supported: timer", "Session-Expires: 60"}, 422, "", "", "Min-SE: 90"},
		{"originate without timer", "session-timers=originate\n", nil, 200, "1800;refresher=uas", "", ""},
		{"refuse, supported", "session-timers=refuse\n", []string{"Supported: timer", "Session-Expires: 120"}, 200, "", "", ""},
		{"refuse, required", "session-timers=refuse\n", []string{"Require: timer", "Session-Expires: 120"}, 420, "", "", "Unsupported: timer"},
		{"bad syntax", "", []string{"Supported: timer", "Session-Expires: soon"}, 400, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := strings.Replace(testSIPConf, "[general]\n", "[general]\n"+tc.general, 1)
			l := newTimerLab(t, conf)
			callee := newPhone(t, "6000", "answer")
			l.register("6000", callee.addr)
			caller := newPhone(t, "6001", "")
			out := inviteWith(t, l, caller, "6000", tc.hdrs...)
			res := out.waitFinal(5 * time.Second)
			if res.StatusCode != tc.code {
				t.Fatalf("final %d %s, want %d", res.StatusCode, res.Reason, tc.code)
			}
			se, req := "", ""
			if h := res.GetHeader("Session-Expires"); h != nil {
				se = h.Value()
			}
			if h := res.GetHeader("Require"); h != nil {
				req = h.Value()
			}
			if se != tc.se || req != tc.require {
				t.Errorf("Session-Expires %q Require %q, want %q %q", se, req, tc.se, tc.require)
			}
			if tc.extra != "" && !strings.Contains(res.String(), tc.extra+"\r\n") {
				t.Errorf("no %q in\n%s", tc.extra, res)
			}
			if tc.code == 200 {
				out.ack()
				out.bye()
			}
		})
	}
}

// The far end refreshes (refresher=uac) but never does: chan_sip sends
// BYE at the interval less a third (60 of 90 s) and logs the WARNING.
func TestSessionTimerMissedRefreshHangsUp(t *testing.T) {
	l := newTimerLab(t, testSIPConf)
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := inviteWith(t, l, caller, "6000", "Supported: timer", "Session-Expires: 90;refresher=uac")
	if res := out.answered(); res.GetHeader("Session-Expires") == nil {
		t.Fatalf("no Session-Expires in\n%s", res)
	}
	start := time.Now()
	waitFor(t, "BYE to the caller", 3*time.Second, func() bool { return caller.byeCount() == 1 })
	if el := time.Since(start); el < 50*stUnit {
		t.Errorf("BYE after %v, want about %v", el, 60*stUnit)
	}
	waitFor(t, "the WARNING", time.Second, func() bool { return l.log.has("WARNING: Session-Timer expired - " + out.req.CallID().Value()) })
	waitFor(t, "BYE to the callee", 3*time.Second, func() bool { return callee.byeCount() == 1 })
}

// A refresh re-INVITE from the far end restarts the timer: the call
// outlives the interval.
func TestSessionTimerRefreshKeepsCall(t *testing.T) {
	l := newTimerLab(t, testSIPConf)
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := inviteWith(t, l, caller, "6000", "Supported: timer", "Session-Expires: 90;refresher=uac")
	out.answered()
	for i := range 4 {
		time.Sleep(25 * stUnit) // well before the 60 the far end has, even on a loaded machine
		reinv := out.inDialog(sip.INVITE, out.req.CSeq().SeqNo+uint32(i)+1)
		reinv.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "6001", Host: caller.addr.Addr().String(), Port: int(caller.addr.Port())}})
		reinv.AppendHeader(sip.NewHeader("Supported", "timer"))
		reinv.AppendHeader(sip.NewHeader("Session-Expires", "90;refresher=uac"))
		if i%2 == 1 {
			// RFC 4028 lets UPDATE refresh as well.
			reinv = out.inDialog(sip.UPDATE, out.req.CSeq().SeqNo+uint32(i)+1)
		} else {
			reinv.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
			reinv.SetBody(caller.sdpBody(0))
		}
		res := doRequest(t, caller, reinv)
		if res.StatusCode != 200 {
			t.Fatalf("refresh %d: %d", i, res.StatusCode)
		}
		if reinv.Method == sip.INVITE {
			ack := out.inDialog(sip.ACK, reinv.CSeq().SeqNo)
			_ = caller.client.WriteRequest(ack)
		}
	}
	if caller.byeCount() != 0 || l.log.has("Session-Timer expired") {
		t.Fatalf("the call ended although refreshed:\n%s", l.log)
	}
	out.bye()
}

// We refresh (refresher=uas): a re-INVITE with our last SDP at half the
// interval, again and again.
func TestSessionTimerWeRefresh(t *testing.T) {
	l := newTimerLab(t, testSIPConf)
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := inviteWith(t, l, caller, "6000", "Supported: timer", "Session-Expires: 90;refresher=uas")
	res := out.answered()
	waitFor(t, "two refreshes", 3*time.Second, func() bool { return len(caller.reinviteList()) >= 2 })
	re := caller.reinviteList()[0]
	if string(re.Body()) != string(res.Body()) {
		t.Errorf("refresh SDP differs from the answer:\n%s\nvs\n%s", re.Body(), res.Body())
	}
	if caller.byeCount() != 0 {
		t.Error("the call ended")
	}
	out.bye()
}

// The UAC side: session-timers=originate asks for timers in our INVITE;
// the callee's 2xx decides; with no Session-Expires in it we refresh.
// A 422 makes us ask again with its Min-SE.
func TestSessionTimerUAC(t *testing.T) {
	conf := strings.Replace(testSIPConf, "[6000]\n", "[6000]\nsession-timers=originate\nsession-expires=100\n", 1)
	l := newTimerLab(t, conf)
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	var seen []string
	callee.mu.Lock()
	callee.reject422 = 1
	callee.mu.Unlock()
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	out.answered()
	for _, inv := range callee.invitesSeen() {
		se, minSE := "", ""
		if h := inv.GetHeader("Session-Expires"); h != nil {
			se = h.Value()
		}
		if h := inv.GetHeader("Min-SE"); h != nil {
			minSE = h.Value()
		}
		seen = append(seen, se+"/"+minSE)
	}
	if strings.Join(seen, " ") != "100/90 150/150" {
		t.Errorf("INVITEs asked %v, want [100/90 150/150] (the second after the 422)", seen)
	}
	// The callee's 200 had no Session-Expires: originate makes us the
	// refresher, at half of 150.
	waitFor(t, "a refresh to the callee", 3*time.Second, func() bool { return len(callee.reinviteList()) >= 1 })
	out.bye()
}
