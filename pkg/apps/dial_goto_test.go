package apps_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const dialGotoPlan = `
[t]
exten => macro,1,Dial(SIP/6000,20,M(mm^hello^world))
 same => n,Set(AFTER=reached)
exten => macroabort,1,Dial(SIP/6000,20,M(mabort))
 same => n,Set(AFTER=reached)
exten => macrobusy,1,Dial(SIP/6000,20,M(mbusy))
 same => n,Set(AFTER=${DIALSTATUS})
exten => goto,1,Dial(SIP/6000,20,G(t^both^1))
 same => n,Set(AFTER=not-here)
exten => both,1,Goto(callerside,1)
exten => both,2,Set(SEEN=callee-side)
exten => callerside,1,Set(AFTER=caller-side)
exten => fwd,1,Dial(SIP/6000,20,F(t^calleeafter^1))
exten => fwdnext,1,Dial(SIP/6000,20,F)
 same => n,Set(SEEN=next-priority)
exten => calleeafter,1,Set(SEEN=continued)
exten => pre,1,Dial(SIP/6000,20,b(presub^s^1(callee))B(presub^s^1(caller)))
exten => group,1,Dial(SIP/6000&SIP/6002,20)
exten => groupq,1,Dial(SIP/6000&SIP/6002,20,Q(USER_BUSY))
exten => timeout,1,Dial(SIP/6002,1)
exten => timeoutc,1,Dial(SIP/6002,1,c)

[th]
exten => hpeer,1,Dial(SIP/6000,20,e)
exten => nohpeer,1,Dial(SIP/6000,20)
exten => h,1,Set(SEEN=h-ran)

[presub]
exten => s,1,Set(PRE=${ARG1})
 same => n,Return()

[macro-mm]
exten => s,1,Set(SEEN=${ARG1}-${ARG2})

[macro-mabort]
exten => s,1,Set(MACRO_RESULT=ABORT)

[macro-mbusy]
exten => s,1,Set(MACRO_RESULT=BUSY)
`

// M runs a macro on the callee (MACRO_RESULT as U's GOSUB_RESULT); G
// sends both parties into the dialplan at the answer; e runs the h
// extension on the callee after the call.
func TestDialMacroAndGoto(t *testing.T) {
	for _, tc := range []struct {
		exten, wantAfter, peerSeen string
	}{
		{"macro", "", "hello-world"},
		{"macroabort", "", ""},
		{"macrobusy", "BUSY", ""},
		{"goto", "caller-side", "callee-side"},
		{"th/hpeer", "", "h-ran"},
		{"th/nohpeer", "", ""},
	} {
		t.Run(tc.exten, func(t *testing.T) {
			l := newLab(t, loadPlan(t, "extensions.conf", []byte(dialGotoPlan)), map[string]behaviour{"6000": answerThenHangup})
			l.tech.hold = 300 * time.Millisecond
			dpc, exten, ok := strings.Cut(tc.exten, "/")
			if !ok {
				dpc, exten = "t", tc.exten
			}
			ch, _ := l.call(t, dpc, exten)
			if got, _ := ch.Var("AFTER"); got != tc.wantAfter {
				t.Errorf("AFTER=%q, want %q\n%s", got, tc.wantAfter, strings.Join(l.log.Lines(), "\n"))
			}
			peer := l.tech.outbound()[0]
			if got, _ := peer.Var("SEEN"); got != tc.peerSeen {
				t.Errorf("the callee saw %q, want %q", got, tc.peerSeen)
			}
			if !peer.Gone() {
				t.Errorf("%s was not hung up", peer.Name())
			}
		})
	}
}

// F: when the caller hangs up, the callee goes on at the location (or
// the caller's next priority).
func TestDialContinueCallee(t *testing.T) {
	for _, tc := range []struct{ exten, want string }{
		{"fwd", "continued"},
		{"fwdnext", "next-priority"},
	} {
		t.Run(tc.exten, func(t *testing.T) {
			l := newLab(t, loadPlan(t, "extensions.conf", []byte(dialGotoPlan)), map[string]behaviour{"6000": answerAndStay})
			d := &fakeDriver{tech: l.tech}
			ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Driver: d, Context: "t", Exten: tc.exten,
				CallerID: pbx.CallerID{Num: "6001"}})
			d.ch = ch
			ch.SetState(pbx.StateRing)
			done := make(chan struct{})
			go func() {
				defer close(done)
				l.e.Run(context.Background(), ch, "t", tc.exten, 1)
			}()
			deadline := time.Now().Add(5 * time.Second)
			for ch.Peer() == nil {
				if time.Now().After(deadline) {
					t.Fatalf("no bridge:\n%s", strings.Join(l.log.Lines(), "\n"))
				}
				time.Sleep(5 * time.Millisecond)
			}
			ch.HungUp(pbx.CauseNormalClearing)
			<-done
			l.e.Wait()
			l.tech.wg.Wait()
			peer := l.tech.outbound()[0]
			if got, _ := peer.Var("SEEN"); got != tc.want {
				t.Errorf("the callee saw %q, want %q\n%s", got, tc.want, strings.Join(l.log.Lines(), "\n"))
			}
			if !peer.Gone() {
				t.Errorf("%s was not hung up after its dialplan", peer.Name())
			}
		})
	}
}

// b and B run a subroutine on each new channel and on the caller before
// the call; the legs that lose are hung up answered elsewhere when one
// answered (Q(cause) sets another cause), normally on a timeout unless c.
func TestDialPredialAndCancelCauses(t *testing.T) {
	for _, tc := range []struct {
		exten      string
		callerPre  string
		calleePre  string
		loserCause int // of SIP/6002's leg
	}{
		{exten: "pre", callerPre: "caller", calleePre: "callee"},
		{exten: "group", loserCause: pbx.CauseAnsweredElsewhere},
		{exten: "groupq", loserCause: pbx.CauseBusy},
		{exten: "timeout", loserCause: pbx.CauseNormalClearing},
		{exten: "timeoutc", loserCause: pbx.CauseAnsweredElsewhere},
	} {
		t.Run(tc.exten, func(t *testing.T) {
			l := newLab(t, loadPlan(t, "extensions.conf", []byte(dialGotoPlan)),
				map[string]behaviour{"6000": answerThenHangup, "6002": ringForever})
			l.tech.hold = 100 * time.Millisecond
			ch, _ := l.call(t, "t", tc.exten)
			if got, _ := ch.Var("PRE"); got != tc.callerPre {
				t.Errorf("caller's PRE=%q, want %q", got, tc.callerPre)
			}
			found := map[string]bool{}
			for _, p := range l.tech.outbound() {
				found[p.Name()[:8]] = true
				switch {
				case strings.HasPrefix(p.Name(), "SIP/6000-"):
					if got, _ := p.Var("PRE"); got != tc.calleePre {
						t.Errorf("callee's PRE=%q, want %q", got, tc.calleePre)
					}
				case strings.HasPrefix(p.Name(), "SIP/6002-"):
					if p.HangupCause() != tc.loserCause {
						t.Errorf("the losing leg's cause %d, want %d", p.HangupCause(), tc.loserCause)
					}
				}
			}
			if tc.loserCause != 0 && !found["SIP/6002"] || tc.calleePre != "" && !found["SIP/6000"] {
				t.Errorf("legs %v", found)
			}
		})
	}
}

// d: a one-digit extension the caller dials while the callee rings
// cancels the call and takes the caller there (EXITCONTEXT, else its own
// context); a digit that is no extension is ignored.
func TestDialOneDigitExit(t *testing.T) {
	const plan = `
[td]
exten => digit,1,Dial(SIP/6002,5,d)
 same => n,Set(AFTER=timed-out)
exten => 5,1,Set(AFTER=left-by-5)
exten => exitctx,1,Set(EXITCONTEXT=other)
 same => n,Dial(SIP/6002,5,d)

[other]
exten => 5,1,Set(AFTER=other-5)
`
	for _, tc := range []struct{ exten, keys, want string }{
		{"digit", "95", "left-by-5"},
		{"exitctx", "5", "other-5"},
	} {
		t.Run(tc.exten, func(t *testing.T) {
			l := newLab(t, loadPlan(t, "extensions.conf", []byte(plan)), map[string]behaviour{"6002": ringForever})
			ph := pbxtest.NewPhone(media.ULaw)
			ch := ph.NewChannel(l.e, "6001", "td", tc.exten)
			done := make(chan struct{})
			go func() {
				defer close(done)
				l.e.Run(context.Background(), ch, "td", tc.exten, 1)
			}()
			deadline := time.Now().Add(3 * time.Second)
			for len(l.tech.outbound()) == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the callee was never called")
				}
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond)
			for _, k := range tc.keys {
				if err := ph.Press(k); err != nil {
					t.Fatal(err)
				}
				time.Sleep(30 * time.Millisecond)
			}
			select {
			case <-done:
			case <-time.After(4 * time.Second):
				t.Fatalf("the call did not end:\n%s", strings.Join(l.log.Lines(), "\n"))
			}
			l.e.Wait()
			l.tech.wg.Wait()
			if got, _ := ch.Var("AFTER"); got != tc.want {
				t.Errorf("AFTER=%q, want %q\n%s", got, tc.want, strings.Join(l.log.Lines(), "\n"))
			}
			if got, _ := ch.Var("DIALSTATUS"); got != "CANCEL" {
				t.Errorf("DIALSTATUS=%q, want CANCEL", got)
			}
			if p := l.tech.outbound()[0]; !p.Gone() {
				t.Errorf("%s still rings", p.Name())
			}
		})
	}
}
