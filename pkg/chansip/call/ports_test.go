package call

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// A call's ports are free again as soon as the call is over: once both
// channels are gone, the relay's hand-back is all that stands between
// their legs' close and the ports' return. It used to wait ~15 ms per
// call for a wake-up the kernel delays (pkg/rtp), which at thousands of
// calls a second kept that many more pairs out of the range.
func TestCallPortsBackWhenTheCallEnds(t *testing.T) {
	l := newLab(t)
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	free := l.alloc.Free()
	const calls = 9
	var took []time.Duration
	for i := range calls {
		out := caller.invite(l, "6000", 0)
		res := out.waitFinal(5 * time.Second)
		if res.StatusCode != 200 {
			t.Fatalf("call %d: final %d %s; log:\n%s", i, res.StatusCode, res.Reason, l.log)
		}
		out.ack()
		relay(t, caller, mediaTarget(t, res.Body()), callee, uint32(0x6001+i))
		// The relay runs dry and parks, as between a call's packets.
		time.Sleep(30 * time.Millisecond)
		if r := out.bye(); r.StatusCode != 200 {
			t.Fatalf("call %d: BYE answered %d", i, r.StatusCode)
		}
		waitFor(t, "channels gone", 3*time.Second, func() bool { return len(l.e.Channels()) == 0 })
		ended := time.Now()
		for l.alloc.Free() != free {
			if time.Since(ended) > 3*time.Second {
				t.Fatalf("call %d: ports not back 3 s after the call ended", i)
			}
			time.Sleep(50 * time.Microsecond) // waitFor's 5 ms would hide what is measured
		}
		took = append(took, time.Since(ended))
	}
	slices.Sort(took)
	if median := took[len(took)/2]; median > 5*time.Millisecond {
		t.Errorf("ports came back %v after the call ended (median of %d: %v), want at once", median, calls, took)
	}
}

// With rtp.conf's range full, a call with an offer gets chan_sip's 488
// (it cannot take an offer without an RTP instance), and the admin one
// WARNING that names the range, not a line per refused call; the range
// serves calls again once a call ends.
func TestFullRTPRange(t *testing.T) {
	var start, end int
	l := newLabDeps(t, testSIPConf, func(l *lab, d *Deps) {
		// Two pairs: one call's two legs.
		start, _ = freeRTPRange(t)
		end = start + 3
		a, err := rtp.NewAllocator(start, end)
		if err != nil {
			t.Fatal(err)
		}
		l.alloc, d.RTP = a, a
	})
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	first := newPhone(t, "6001", "")
	up := first.invite(l, "6000", 0)
	if res := up.waitFinal(5 * time.Second); res.StatusCode != 200 {
		t.Fatalf("first call: %d %s; log:\n%s", res.StatusCode, res.Reason, l.log)
	}
	up.ack()
	if l.alloc.Free() != 0 {
		t.Fatalf("%d pairs free with one call up, want 0", l.alloc.Free())
	}

	other := newPhone(t, "6001", "")
	for i := range 3 {
		out := other.invite(l, "6000", 0)
		res := out.waitFinal(3 * time.Second)
		if res.StatusCode != 488 {
			t.Fatalf("refused call %d: %d %s, want 488; log:\n%s", i, res.StatusCode, res.Reason, l.log)
		}
		out.ack()
	}
	want := fmt.Sprintf("WARNING: No RTP port pair free in rtp.conf's range %d-%d (2 pairs in use); raise rtpend or lower the load", start, end)
	if n := strings.Count(l.log.String(), "No RTP port pair free"); n != 1 || !l.log.has(want) {
		t.Errorf("%d range warnings for 3 refused calls, want one %q; log:\n%s", n, want, l.log)
	}
	if n := len(l.records()); n != 0 {
		t.Errorf("refused calls wrote %d CDRs", n)
	}

	if r := up.bye(); r.StatusCode != 200 {
		t.Fatalf("BYE answered %d", r.StatusCode)
	}
	waitFor(t, "ports back", 3*time.Second, func() bool { return l.alloc.Free() == 2 })
	again := other.invite(l, "6000", 0)
	if res := again.waitFinal(5 * time.Second); res.StatusCode != 200 {
		t.Fatalf("call after the range recovered: %d %s; log:\n%s", res.StatusCode, res.Reason, l.log)
	}
	again.ack()
	again.bye()
}

// A burst is refusals less than portsBurstGap apart.
func TestPortsReportBursts(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var r portsReport
	steps := []struct {
		at   time.Duration
		warn bool
	}{
		{0, true},
		{time.Millisecond, false},
		{portsBurstGap - time.Millisecond, false}, // still within the gap of the previous refusal
		{2*portsBurstGap - 2*time.Millisecond, false},
		{4 * portsBurstGap, true}, // quiet for more than the gap: a new burst
		{4*portsBurstGap + time.Second, false},
	}
	for _, s := range steps {
		if got := r.refused(t0.Add(s.at)); got != s.warn {
			t.Errorf("refusal at +%v: warn %v, want %v", s.at, got, s.warn)
		}
	}
}

func TestNoPortsWarning(t *testing.T) {
	for _, tc := range []struct {
		ex   rtp.ExhaustedError
		want string
	}{
		{rtp.ExhaustedError{Start: 10000, End: 20000, Pairs: 5000, InUse: 5000},
			"No RTP port pair free in rtp.conf's range 10000-20000 (5000 pairs in use); raise rtpend or lower the load\n"},
		{rtp.ExhaustedError{Start: 10000, End: 20000, Pairs: 5000, InUse: 4990, BindErr: errors.New("rtp: bind 127.0.0.1:10002: address already in use")},
			"No RTP port pair free in rtp.conf's range 10000-20000 (4990 of 5000 pairs in use, binding the others failed: rtp: bind 127.0.0.1:10002: address already in use); raise rtpend or lower the load\n"},
	} {
		if got := noPortsWarning(&tc.ex); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}
