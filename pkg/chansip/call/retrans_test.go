package call

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// The 2xx of an answered INVITE goes out after its server transaction is
// ended, so a late retransmission of that INVITE finds no transaction: it
// must get the 200 again and must not start a second call.
func TestRetransmittedInviteAfterAnswer(t *testing.T) {
	l := newLab(t)
	caller, callee, out := answeredCall(t, l)
	again := make(chan int, 4)
	out.tx.OnRetransmission(func(r *sip.Response) { again <- r.StatusCode })
	if err := caller.client.WriteRequest(out.req.Clone()); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-again:
		if code != 200 {
			t.Fatalf("retransmitted INVITE answered %d, want the 200 again", code)
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("no answer to the retransmitted INVITE; log:\n%s", l.log)
	}
	time.Sleep(100 * time.Millisecond)
	callee.mu.Lock()
	n := len(callee.invites)
	callee.mu.Unlock()
	if n != 1 {
		t.Fatalf("the callee got %d INVITEs, want 1", n)
	}
	if got := l.m.InUse("6001"); got != 1 {
		t.Errorf("caller in use = %d, want 1", got)
	}
	if res := out.bye(); res.StatusCode != 200 {
		t.Fatalf("BYE answered %d", res.StatusCode)
	}
	waitFor(t, "BYE to the callee", 3*time.Second, func() bool { return callee.byeCount() == 1 })
	// A retransmitted BYE has no transaction to absorb it either: it is
	// answered again while the dialog lingers.
	if res := out.bye(); res.StatusCode != 200 {
		t.Fatalf("second BYE answered %d, want 200", res.StatusCode)
	}
	if got := callee.byeCount(); got != 1 {
		t.Errorf("callee got %d BYEs, want 1", got)
	}
}

// A CANCEL that crosses our 200 finds the INVITE's transaction already
// ended: it gets 200 and the call stays up; a CANCEL of another
// transaction of the dialog gets 481.
func TestCancelAfterAnswer(t *testing.T) {
	l := newLab(t)
	caller, callee, out := answeredCall(t, l)
	defer caller.close()
	defer callee.close()
	for _, tc := range []struct {
		name   string
		branch string
		want   int
	}{
		{"same branch", "", 200},
		{"other branch", "z9hG4bK-not-the-invite", 481},
	} {
		c := newCancel(out.req)
		if tc.branch != "" {
			c.Via().Params.Add("branch", tc.branch)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		res, err := caller.client.Do(ctx, c, sipgo.ClientRequestBuild)
		cancel()
		if err != nil {
			t.Fatalf("%s: CANCEL: %v", tc.name, err)
		}
		if res.StatusCode != tc.want {
			t.Errorf("%s: CANCEL answered %d, want %d", tc.name, res.StatusCode, tc.want)
		}
	}
	if got := l.m.InUse("6001"); got != 1 {
		t.Errorf("caller in use = %d after the CANCELs, want 1 (the call stays up)", got)
	}
	if res := out.bye(); res.StatusCode != 200 {
		t.Fatalf("BYE answered %d", res.StatusCode)
	}
}
