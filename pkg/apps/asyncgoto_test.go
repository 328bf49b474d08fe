package apps_test

import (
	"context"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/funcs"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

const asyncGotoPlan = `
[t]
exten => wait,1,Wait(30)
 same => n,Set(AFTER=not-redirected)
exten => ring,1,Dial(SIP/ringer,30)
 same => n,Set(AFTER=not-redirected)
exten => talk,1,Dial(SIP/6000,30)
 same => n,Set(AFTER=not-redirected)
exten => macro,1,Macro(waiter)
 same => n,Set(AFTER=not-redirected)
exten => dest,1,Set(AFTER=redirected)
 same => n,Set(WHERE=${CONTEXT},${EXTEN},${PRIORITY})

[macro-waiter]
exten => s,1,Wait(30)

[callee]
exten => 7000,1,Set(CALLEE=arrived)
 same => n,Wait(30)
`

// AsyncGoto takes a channel wherever its dialplan is (an application
// waiting, Dial ringing or bridged, a Macro) to the new place; a dialed
// leg with no dialplan of its own is given one there.
func TestAsyncGoto(t *testing.T) {
	for _, exten := range []string{"wait", "ring", "talk", "macro"} {
		t.Run(exten, func(t *testing.T) {
			l := newLab(t, loadPlan(t, "extensions.conf", []byte(asyncGotoPlan)), map[string]behaviour{"6000": answerAndStay, "ringer": ringForever})
			d := &fakeDriver{tech: l.tech}
			ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Driver: d, Context: "t", Exten: exten})
			d.ch = ch
			done := make(chan struct{})
			go func() { defer close(done); l.e.Run(context.Background(), ch, "t", exten, 1) }()
			waitFor(t, func() bool {
				app, _ := ch.Application()
				switch exten {
				case "talk":
					return ch.BridgeID() != ""
				case "ring":
					return app == "Dial" && len(l.tech.outbound()) == 1
				}
				return app == "Wait"
			})
			if err := ch.AsyncGoto("t", "dest", 1); err != nil {
				t.Fatal(err)
			}
			waitFor(t, func() bool { v, _ := ch.Var("WHERE"); return v != "" })
			if got, _ := ch.Var("AFTER"); got != "redirected" {
				t.Fatalf("AFTER=%q", got)
			}
			if got, _ := ch.Var("WHERE"); got != "t,dest,2" {
				t.Fatalf("WHERE=%q", got)
			}
			if exten == "ring" || exten == "talk" {
				if peer := l.tech.outbound()[0]; !peer.HangupRequested() {
					t.Fatal("the dialed leg is still up after its caller left")
				}
			}
			ch.SoftHangup(pbx.CauseNormalClearing)
			<-done
			l.tech.wg.Wait()
		})
	}
}

// A dialed leg redirected out of its bridge gets a dialplan of its own at
// the new place, and its caller's Dial ends as if it had hung up.
func TestAsyncGotoDialedLeg(t *testing.T) {
	l := newLab(t, loadPlan(t, "extensions.conf", []byte(asyncGotoPlan)), map[string]behaviour{"6000": answerAndStay})
	d := &fakeDriver{tech: l.tech}
	ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Driver: d, Context: "t", Exten: "talk"})
	d.ch = ch
	done := make(chan struct{})
	go func() { defer close(done); l.e.Run(context.Background(), ch, "t", "talk", 1) }()
	waitFor(t, func() bool { return ch.BridgeID() != "" })
	peer := l.tech.outbound()[0]
	if err := peer.AsyncGoto("callee", "7000", 1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { v, _ := peer.Var("CALLEE"); return v == "arrived" })
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("the caller's dialplan did not end when its callee was taken away")
	}
	if peer.HangupRequested() {
		t.Fatal("the redirected leg was hung up")
	}
	peer.SoftHangup(pbx.CauseNormalClearing)
	waitFor(t, func() bool { return peer.Gone() })
	l.tech.wg.Wait()

	// Nobody can take a channel that runs no dialplan and is in no bridge.
	lone := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "x", Driver: &fakeDriver{tech: l.tech}})
	if err := lone.AsyncGoto("t", "dest", 1); err != pbx.ErrNoDialplan {
		t.Fatalf("AsyncGoto on a lone channel: %v", err)
	}
	lone.Hangup(pbx.CauseNormalClearing)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

const absoluteTimeoutPlan = `
[t]
exten => withT,1,Set(TIMEOUT(absolute)=0.2)
 same => n,Dial(SIP/6000,30)
 same => n,Set(AFTER=not-timed-out)
exten => T,1,Set(TIMEDOUT=${EXTEN})
 same => n,Wait(30)

[noT]
exten => s,1,Set(TIMEOUT(absolute)=0.2)
 same => n,Wait(30)
 same => n,Set(AFTER=still-here)

[withE]
exten => s,1,Set(TIMEOUT(absolute)=0.2)
 same => n,Wait(30)
 same => n,Set(AFTER=still-here)
exten => e,1,Set(WHY=${EXCEPTION(reason)}@${EXCEPTION(exten)})
`

// TIMEOUT(absolute) sends a channel to its context's T extension (out of
// its bridge, the callee hung up), or hangs it up when there is none.
func TestAbsoluteTimeoutGoesToT(t *testing.T) {
	l := newLab(t, loadPlan(t, "extensions.conf", []byte(absoluteTimeoutPlan)), map[string]behaviour{"6000": answerAndStay})
	if err := funcs.Register(l.e, funcs.Deps{}); err != nil {
		t.Fatal(err)
	}
	d := &fakeDriver{tech: l.tech}
	ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Driver: d, Context: "t", Exten: "withT"})
	d.ch = ch
	done := make(chan struct{})
	go func() { defer close(done); l.e.Run(context.Background(), ch, "t", "withT", 1) }()
	waitFor(t, func() bool { v, _ := ch.Var("TIMEDOUT"); return v == "T" })
	if peer := l.tech.outbound()[0]; !peer.HangupRequested() {
		t.Fatal("the callee is still up after its caller timed out")
	}
	if v := l.e.Substitute(ch, "${TIMEOUT(absolute)}"); v != "0" {
		t.Fatalf("TIMEOUT(absolute) after it fired = %q, want 0", v)
	}
	ch.SoftHangup(pbx.CauseNormalClearing)
	<-done

	ch2, _ := l.call(t, "noT", "s")
	if v, ok := ch2.Var("AFTER"); ok {
		t.Fatalf("without T the dialplan went on (AFTER=%q)", v)
	}
	// Without T but with e, the timeout is an exception.
	ch3, _ := l.call(t, "withE", "s")
	if v, _ := ch3.Var("WHY"); v != "ABSOLUTETIMEOUT@s" {
		t.Fatalf("with e: WHY=%q, want ABSOLUTETIMEOUT@s", v)
	}
	l.tech.wg.Wait()
}
