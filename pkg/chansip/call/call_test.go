package call

import (
	"bytes"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cdr"
)

// answeredCall sets up 6001 -> 6000 through the lab up to the ACK and
// checks media flows both ways.
func answeredCall(t *testing.T, l *lab) (caller, callee *phone, out *outgoing) {
	t.Helper()
	callee = newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller = newPhone(t, "6001", "")
	out = caller.invite(l, "6000", 0)
	res := out.waitFinal(5 * time.Second)
	if res.StatusCode != 200 {
		t.Fatalf("final response %d %s; log:\n%s", res.StatusCode, res.Reason, l.log)
	}
	if !containsInt(out.prov, 180) {
		t.Errorf("caller saw provisional %v, want a 180", out.prov)
	}
	out.ack()
	toCallee := mediaTarget(t, callee.lastInvite().Body()) // gostrisk's port facing 6000
	toCaller := mediaTarget(t, res.Body())                 // gostrisk's port facing 6001
	if toCallee == toCaller {
		t.Fatalf("both legs use %s", toCaller)
	}
	relay(t, caller, toCaller, callee, 0x6001)
	relay(t, callee, toCallee, caller, 0x6000)
	return caller, callee, out
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func showChannels(l *lab) string {
	var b bytes.Buffer
	WriteChannels(&b, l.m.allChannels())
	return b.String()
}

// maskCallIDs blanks the Call ID column so output compares across runs.
func maskCallIDs(s string) string {
	lines := strings.Split(s, "\n")
	for i, ln := range lines {
		if len(ln) > 49 && i > 0 && !strings.HasSuffix(ln, "dialogs") {
			lines[i] = ln[:34] + "<call-id>      " + ln[49:]
		}
	}
	return strings.Join(lines, "\n")
}

func waitCDR(t *testing.T, l *lab, n int) []*cdr.Record {
	t.Helper()
	waitFor(t, "CDR", 5*time.Second, func() bool { return len(l.records()) >= n })
	return l.records()
}

func TestAnsweredCallCallerHangsUp(t *testing.T) {
	l := newLab(t)
	freeBefore := l.alloc.Free()
	caller, callee, out := answeredCall(t, l)

	waitFor(t, "ACK bookkeeping", 2*time.Second, func() bool {
		return strings.Contains(showChannels(l), "Rx: ACK")
	})
	got := maskCallIDs(showChannels(l))
	want := "Peer             User/ANR         Call ID          Format           Hold     Last Message    Expiry     Peer      \n" +
		"127.0.0.1        asadek           <call-id>        (ulaw)           No       Tx: ACK                    6000      \n" +
		"127.0.0.1        choucheh         <call-id>        (ulaw)           No       Rx: ACK                    6001      \n" +
		"2 active SIP dialogs\n"
	if got != want {
		t.Errorf("sip show channels during the call:\n%s\nwant:\n%s", got, want)
	}
	if n := l.m.InUse("6000") + l.m.InUse("6001"); n != 2 {
		t.Errorf("in use = %d, want 2", n)
	}

	if res := out.bye(); res.StatusCode != 200 {
		t.Fatalf("BYE answered %d", res.StatusCode)
	}
	waitFor(t, "BYE to the callee", 3*time.Second, func() bool { return callee.byeCount() == 1 })
	recs := waitCDR(t, l, 1)
	r := recs[0]
	if r.Disposition != cdr.Answered || r.Channel != "SIP/6001-00000000" || r.DstChannel != "SIP/6000-00000001" ||
		r.Src != "6001" || r.Dst != "6000" || r.DContext != "work" || r.LastApp != "Dial" || r.CLID != `"Choucheh Sadek" <6001>` {
		t.Errorf("CDR = %+v", *r)
	}
	waitFor(t, "channels gone", 3*time.Second, func() bool { return len(l.e.Channels()) == 0 })
	waitFor(t, "ports back", 3*time.Second, func() bool { return l.alloc.Free() == freeBefore })

	// The caller's dialog lingers like chan_sip's, the callee's (ended by
	// our answered BYE) is gone.
	want = "Peer             User/ANR         Call ID          Format           Hold     Last Message    Expiry     Peer      \n" +
		"127.0.0.1        choucheh         <call-id>        (nothing)        No       Rx: BYE                    6001      \n" +
		"1 active SIP dialog\n"
	deadline := time.Now().Add(3 * time.Second)
	for got = maskCallIDs(showChannels(l)); got != want && time.Now().Before(deadline); got = maskCallIDs(showChannels(l)) {
		time.Sleep(5 * time.Millisecond)
	}
	if got != want {
		t.Errorf("sip show channels after the call:\n%s\nwant:\n%s", got, want)
	}
	waitFor(t, "linger over", 3*time.Second, func() bool { return len(l.m.Channels()) == 0 })
	if l.m.InUse("6000")+l.m.InUse("6001") != 0 {
		t.Errorf("call-limit slots still taken")
	}
	_ = caller
}

// A forking proxy passes a second phone's 200 after the first: the call
// keeps the first and ends the other dialog with an ACK and a BYE (RFC
// 3261 13.2.2.4), without touching its own.
func TestForkedSecondAnswerIsHungUp(t *testing.T) {
	l := newLab(t)
	callee := newPhone(t, "6000", "fork")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	out.answered()
	waitFor(t, "BYE to the forked answer", 3*time.Second, func() bool {
		tags := callee.byeTags()
		return len(tags) == 1 && tags[0] == "fork6000"
	})
	time.Sleep(100 * time.Millisecond)
	if tags := callee.byeTags(); len(tags) != 1 {
		t.Fatalf("BYEs to the callee: %v, want only the forked dialog's", tags)
	}
	if res := out.bye(); res.StatusCode != 200 {
		t.Fatalf("BYE answered %d", res.StatusCode)
	}
	waitFor(t, "BYE to the callee", 3*time.Second, func() bool {
		tags := callee.byeTags()
		return len(tags) == 2 && tags[1] == "uas6000"
	})
}

func TestAnsweredCallCalleeHangsUp(t *testing.T) {
	l := newLab(t)
	caller, callee, _ := answeredCall(t, l)
	if res := callee.hangupAsCallee(l); res.StatusCode != 200 {
		t.Fatalf("callee BYE answered %d", res.StatusCode)
	}
	waitFor(t, "BYE to the caller", 3*time.Second, func() bool { return caller.byeCount() == 1 })
	recs := waitCDR(t, l, 1)
	if recs[0].Disposition != cdr.Answered {
		t.Errorf("disposition %q, want ANSWERED", recs[0].Disposition)
	}
	waitFor(t, "channels gone", 3*time.Second, func() bool { return len(l.e.Channels()) == 0 })
	if !l.log.has("  == Spawn extension (work, 6000, 1) exited non-zero on 'SIP/6001-00000000'") {
		t.Errorf("missing spawn line; log:\n%s", l.log)
	}
}

func TestCancelWhileRinging(t *testing.T) {
	l := newLab(t)
	callee := newPhone(t, "6000", "ring")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	out.waitProvisional(180, 3*time.Second)
	out.cancel()
	if res := out.waitFinal(3 * time.Second); res.StatusCode != 487 {
		t.Fatalf("final %d, want 487", res.StatusCode)
	}
	waitFor(t, "CANCEL to the callee", 3*time.Second, func() bool { return callee.cancelCount() == 1 })
	recs := waitCDR(t, l, 1)
	if recs[0].Disposition != cdr.NoAnswer {
		t.Errorf("disposition %q, want NO ANSWER", recs[0].Disposition)
	}
	waitFor(t, "channels gone", 3*time.Second, func() bool { return len(l.e.Channels()) == 0 })
}

func TestBusy(t *testing.T) {
	l := newLab(t)
	callee := newPhone(t, "6000", "busy")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	if res := out.waitFinal(3 * time.Second); res.StatusCode != 486 {
		t.Fatalf("final %d %s, want 486", res.StatusCode, res.Reason)
	}
	waitFor(t, "dialplan", 3*time.Second, func() bool {
		return l.log.has(`    -- Executing [6000@work:2] NoOp("SIP/6001-00000000", "DIALSTATUS=BUSY") in new stack`)
	})
	if !l.log.has(`    -- Got SIP response 486 "Busy Here" back from ` + callee.addr.String()) {
		t.Errorf("missing response line; log:\n%s", l.log)
	}
	recs := waitCDR(t, l, 1)
	if recs[0].Disposition != cdr.Busy {
		t.Errorf("disposition %q, want BUSY", recs[0].Disposition)
	}
}

func TestNoAnswer(t *testing.T) {
	l := newLab(t)
	l.setContext("short")
	callee := newPhone(t, "6000", "ring")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	res := out.waitFinal(5 * time.Second)
	if res.StatusCode < 400 {
		t.Fatalf("final %d, want a failure", res.StatusCode)
	}
	if !l.log.has(`    -- Executing [6000@short:2] NoOp("SIP/6001-00000000", "DIALSTATUS=NOANSWER") in new stack`) {
		t.Errorf("no NOANSWER; log:\n%s", l.log)
	}
	waitFor(t, "CANCEL to the callee", 3*time.Second, func() bool { return callee.cancelCount() == 1 })
	recs := waitCDR(t, l, 1)
	if recs[0].Disposition != cdr.NoAnswer {
		t.Errorf("disposition %q, want NO ANSWER", recs[0].Disposition)
	}
}

func TestRejections(t *testing.T) {
	tests := []struct {
		name   string
		exten  string
		pts    []int
		noConn bool // the offer has no c= line
		code   int
		notice string
	}{
		{"unknown extension", "9999", []int{0}, false, 404,
			"NOTICE: Call from '6001' (UDP:127.0.0.1:%d) to extension '9999' rejected because extension not found in context 'work'."},
		{"no common codec", "6000", []int{3}, false, 488, "NOTICE: No compatible codecs, not accepting this offer!"},
		{"no c= line", "6000", []int{0}, true, 488, "WARNING: Insufficient information in SDP (c=)..."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t)
			free := l.alloc.Free()
			caller := newPhone(t, "6001", "")
			body := caller.sdpBody(tc.pts...)
			if tc.noConn {
				body = withoutConnLine(body)
			}
			out := caller.inviteBody(l, tc.exten, body)
			res := out.waitFinal(3 * time.Second)
			if res.StatusCode != tc.code {
				t.Fatalf("final %d %s, want %d", res.StatusCode, res.Reason, tc.code)
			}
			notice := tc.notice
			if strings.Contains(notice, "%d") {
				notice = strings.Replace(notice, "%d", strconv.Itoa(int(caller.addr.Port())), 1)
			}
			if !l.log.has(notice) {
				t.Errorf("log lacks %q:\n%s", notice, l.log)
			}
			if len(l.e.Channels()) != 0 || l.alloc.Free() != free {
				t.Errorf("rejected call left a channel or an RTP port")
			}
			if len(l.records()) != 0 {
				t.Errorf("rejected call wrote a CDR")
			}
		})
	}
}

func TestCallLimit(t *testing.T) {
	l := newLab(t)
	callee := newPhone(t, "6000", "ring")
	l.register("6000", callee.addr)
	first := newPhone(t, "6002", "")
	out1 := first.invite(l, "6000", 0)
	out1.waitProvisional(180, 3*time.Second)
	second := newPhone(t, "6002", "")
	out2 := second.invite(l, "6000", 0)
	res := out2.waitFinal(3 * time.Second)
	if res.StatusCode != 480 {
		t.Fatalf("second call from 6002: %d %s, want 480", res.StatusCode, res.Reason)
	}
	if !l.log.has("NOTICE: Call from peer '6002' rejected due to usage limit of 1") {
		t.Errorf("log:\n%s", l.log)
	}
	out1.cancel()
	if res := out1.waitFinal(3 * time.Second); res.StatusCode != 487 {
		t.Fatalf("cancelled call: %d", res.StatusCode)
	}
}

// TestTeardown checks that a finished call leaves no goroutine and no
// RTP port behind: the ports can be bound again.
func TestTeardown(t *testing.T) {
	l := newLab(t)
	callee := newPhone(t, "6000", "answer")
	caller := newPhone(t, "6001", "")
	l.register("6000", callee.addr)
	time.Sleep(50 * time.Millisecond)
	base := runtime.NumGoroutine()
	free := l.alloc.Free()

	out := caller.invite(l, "6000", 0)
	res := out.waitFinal(5 * time.Second)
	if res.StatusCode != 200 {
		t.Fatalf("final %d", res.StatusCode)
	}
	out.ack()
	ports := []netip.AddrPort{mediaTarget(t, res.Body()), mediaTarget(t, callee.lastInvite().Body())}
	relay(t, caller, ports[0], callee, 1)
	out.bye()
	waitFor(t, "channels gone", 3*time.Second, func() bool { return len(l.e.Channels()) == 0 })
	waitFor(t, "ports back", 3*time.Second, func() bool { return l.alloc.Free() == free })
	for _, p := range ports {
		for _, port := range []uint16{p.Port(), p.Port() + 1} {
			c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.Addr(), port)))
			if err != nil {
				t.Errorf("port %d still bound: %v", port, err)
				continue
			}
			c.Close()
		}
	}
	// sipgo keeps finished transactions on timers (not goroutines); the
	// call's own goroutines (dialplan, relay, INVITE/BYE transactions)
	// must all be gone.
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after the call, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

// withoutConnLine drops the c= line of an SDP body.
func withoutConnLine(body []byte) []byte {
	var out []string
	for _, l := range strings.SplitAfter(string(body), "\r\n") {
		if !strings.HasPrefix(l, "c=") {
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, ""))
}
