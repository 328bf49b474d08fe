package apps_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// AsyncRun runs a function on the channel where it is (res_parking's
// move into its bridge): its location is unchanged meanwhile and, for a
// channel with a dialplan, the function's result stands for the
// interrupted application's (Continue: the next priority); a dialed leg
// taken out of its bridge gets a dialplan at the function's GotoResult.
func TestAsyncRun(t *testing.T) {
	for _, tc := range []struct {
		exten, where string
	}{
		{"wait", "t,wait,1"},
		{"talk", "t,talk,1"},
	} {
		t.Run(tc.exten, func(t *testing.T) {
			l := newLab(t, loadPlan(t, "extensions.conf", []byte(asyncGotoPlan)), map[string]behaviour{"6000": answerAndStay})
			d := &fakeDriver{tech: l.tech}
			ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Driver: d, Context: "t", Exten: tc.exten})
			d.ch = ch
			done := make(chan struct{})
			go func() { defer close(done); l.e.Run(context.Background(), ch, "t", tc.exten, 1) }()
			waitFor(t, func() bool {
				if tc.exten == "talk" {
					return ch.BridgeID() != ""
				}
				app, _ := ch.Application()
				return app == "Wait"
			})
			ran := make(chan string, 1)
			if err := ch.AsyncRun(func(c *pbx.Channel) pbx.Result {
				dpc, x, p := c.Location()
				ran <- fmt.Sprintf("%s,%s,%d", dpc, x, p)
				return pbx.Continue
			}); err != nil {
				t.Fatal(err)
			}
			if got := <-ran; got != tc.where {
				t.Errorf("ran at %s, want %s", got, tc.where)
			}
			waitFor(t, func() bool { v, _ := ch.Var("AFTER"); return v != "" })
			if got, _ := ch.Var("AFTER"); got != "not-redirected" {
				t.Errorf("AFTER=%q: the dialplan did not go on after the interrupted priority", got)
			}
			ch.SoftHangup(pbx.CauseNormalClearing)
			<-done
			l.tech.wg.Wait()
		})
	}
}

func TestAsyncRunDialedLeg(t *testing.T) {
	l := newLab(t, loadPlan(t, "extensions.conf", []byte(asyncGotoPlan)), map[string]behaviour{"6000": answerAndStay})
	d := &fakeDriver{tech: l.tech}
	ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Driver: d, Context: "t", Exten: "talk"})
	d.ch = ch
	done := make(chan struct{})
	go func() { defer close(done); l.e.Run(context.Background(), ch, "t", "talk", 1) }()
	waitFor(t, func() bool { return ch.BridgeID() != "" })
	peer := l.tech.outbound()[0]
	before := fmt.Sprint(peer.Location())
	ran := make(chan string, 1)
	if err := peer.AsyncRun(func(c *pbx.Channel) pbx.Result {
		ran <- fmt.Sprint(c.Location())
		return pbx.GotoResult("callee", "7000", 1)
	}); err != nil {
		t.Fatal(err)
	}
	if got := <-ran; got != before {
		t.Errorf("the leg ran at %s, want its own place %s", got, before)
	}
	waitFor(t, func() bool { v, _ := peer.Var("CALLEE"); return v != "" })
	peer.SoftHangup(pbx.CauseNormalClearing)
	ch.SoftHangup(pbx.CauseNormalClearing)
	<-done
	l.tech.wg.Wait()
}
