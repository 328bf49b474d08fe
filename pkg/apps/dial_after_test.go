package apps_test

import (
	"strings"
	"testing"
	"time"
)

const afterAnswerPlan = `
[t]
exten => limit,1,Dial(SIP/6000,20,S(1))
 same => n,Set(AFTER=reached)
exten => limitms,1,Dial(SIP/6000,20,L(600))
 same => n,Set(AFTER=reached)
exten => sub,1,Dial(SIP/6000,20,U(callee^hello^world))
 same => n,Set(AFTER=reached)
exten => abort,1,Dial(SIP/6000,20,U(callee-abort))
 same => n,Set(AFTER=reached)
exten => cont,1,Dial(SIP/6000,20,U(callee-continue))
 same => n,Set(AFTER=${DIALSTATUS})

[callee]
exten => s,1,Set(SEEN=${ARG1}-${ARG2})
 same => n,Return()

[callee-abort]
exten => s,1,Set(GOSUB_RESULT=ABORT)
 same => n,Return()

[callee-continue]
exten => s,1,Set(GOSUB_RESULT=CONTINUE)
 same => n,Return()
`

// Dial's S/L limits end the answered call; U runs a subroutine on the
// callee with its arguments, whose GOSUB_RESULT decides what follows.
func TestDialAfterAnswerOptions(t *testing.T) {
	for _, tc := range []struct {
		exten     string
		wantAfter string
		minTime   time.Duration
		maxTime   time.Duration
		peerSeen  string
	}{
		{"limit", "", 900 * time.Millisecond, 6 * time.Second, ""},
		{"limitms", "", 500 * time.Millisecond, 6 * time.Second, ""},
		{"sub", "", 0, 6 * time.Second, "hello-world"},
		{"abort", "", 0, 6 * time.Second, ""},
		{"cont", "ANSWER", 0, 6 * time.Second, ""},
	} {
		t.Run(tc.exten, func(t *testing.T) {
			l := newLab(t, loadPlan(t, "extensions.conf", []byte(afterAnswerPlan)), map[string]behaviour{"6000": answerThenHangup})
			l.tech.hold = 300 * time.Millisecond
			if strings.HasPrefix(tc.exten, "limit") {
				l.tech.hold = 10 * time.Second // the limit, not the callee, ends the call
			}
			start := time.Now()
			ch, _ := l.call(t, "t", tc.exten)
			took := time.Since(start)
			if took < tc.minTime || took > tc.maxTime {
				t.Errorf("the call took %v, want %v..%v", took, tc.minTime, tc.maxTime)
			}
			if got, _ := ch.Var("AFTER"); got != tc.wantAfter {
				t.Errorf("AFTER=%q, want %q", got, tc.wantAfter)
			}
			if tc.peerSeen != "" {
				peer := l.tech.outbound()[0]
				if got, _ := peer.Var("SEEN"); got != tc.peerSeen {
					t.Errorf("the callee's subroutine saw %q, want %q", got, tc.peerSeen)
				}
			}
			for _, p := range l.tech.outbound() {
				if !p.Gone() {
					t.Errorf("%s was not hung up", p.Name())
				}
			}
		})
	}
}
