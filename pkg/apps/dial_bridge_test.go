package apps_test

import (
	"context"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

const interruptPlan = `
[t]
exten => g,1,Dial(SIP/6000,20,g)
 same => n,Set(AFTER=${DIALSTATUS})
exten => plain,1,Dial(SIP/6000,20)
 same => n,Set(AFTER=${DIALSTATUS})
`

// An interruption takes one party out of Dial's bridge alive: an
// interrupted callee is not hung up (whoever interrupted it owns it), an
// interrupted caller goes on in its dialplan while the callee's call ends.
func TestDialBridgeInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name, exten     string
		interruptCaller bool
		wantAfter       string
		wantPeerHungUp  bool
	}{
		{"callee, g", "g", false, "ANSWER", false},
		{"callee", "plain", false, "", false},
		{"caller", "plain", true, "ANSWER", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, loadPlan(t, "extensions.conf", []byte(interruptPlan)), map[string]behaviour{"6000": answerAndStay})
			d := &fakeDriver{tech: l.tech}
			ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Driver: d, Context: "t", Exten: tc.exten})
			d.ch = ch
			done := make(chan struct{})
			go func() { defer close(done); l.e.Run(context.Background(), ch, "t", tc.exten, 1) }()
			deadline := time.Now().Add(3 * time.Second)
			for ch.BridgeID() == "" {
				if time.Now().After(deadline) {
					t.Fatal("call never bridged")
				}
				time.Sleep(time.Millisecond)
			}
			peer := l.tech.outbound()[0]
			if tc.interruptCaller {
				ch.Interrupt()
			} else {
				peer.Interrupt()
			}
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				t.Fatal("dialplan did not end after the interruption")
			}
			if got, _ := ch.Var("AFTER"); got != tc.wantAfter {
				t.Fatalf("AFTER=%q, want %q", got, tc.wantAfter)
			}
			if peer.HangupRequested() != tc.wantPeerHungUp {
				t.Fatalf("callee hung up: %v, want %v", peer.HangupRequested(), tc.wantPeerHungUp)
			}
			peer.Hangup(pbx.CauseNormalClearing)
			l.tech.wg.Wait()
		})
	}
}
