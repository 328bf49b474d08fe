package apps_test

import (
	"context"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const xferPlan = `
[t]
exten => call,1,Dial(SIP/6000,20)
 same => n,NoOp(not transferred)
exten => next,1,NoOp(transferred by ${BLINDTRANSFER})
`

func TestBlindTransferApp(t *testing.T) {
	l := newLab(t, loadPlan(t, "extensions.conf", []byte(xferPlan)), map[string]behaviour{"6000": answerAndStay})
	d := &fakeDriver{tech: l.tech}
	ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Driver: d, Context: "t", Exten: "call"})
	d.ch = ch
	// Not bridged: INVALID.
	if _, err := l.e.ExecApp(ch, "BlindTransfer", "next"); err != nil {
		t.Fatal(err)
	}
	if v, _ := ch.Var("BLINDTRANSFERSTATUS"); v != "INVALID" {
		t.Errorf("unbridged: BLINDTRANSFERSTATUS=%q", v)
	}
	if _, _ = l.e.ExecApp(ch, "BlindTransfer", ""); true {
		if v, _ := ch.Var("BLINDTRANSFERSTATUS"); v != "FAILURE" {
			t.Errorf("no argument: BLINDTRANSFERSTATUS=%q", v)
		}
	}
	done := make(chan struct{})
	go func() { defer close(done); l.e.Run(context.Background(), ch, "t", "call", 1) }()
	deadline := time.Now().Add(3 * time.Second)
	for ch.BridgeID() == "" {
		if time.Now().After(deadline) {
			t.Fatal("never bridged")
		}
		time.Sleep(time.Millisecond)
	}
	peer := l.tech.outbound()[0]
	if _, err := l.e.ExecApp(peer, "BlindTransfer", "next,t"); err != nil {
		t.Fatal(err)
	}
	if v, _ := peer.Var("BLINDTRANSFERSTATUS"); v != "SUCCESS" {
		t.Errorf("BLINDTRANSFERSTATUS=%q", v)
	}
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("the transferee's dialplan did not end")
	}
	l.tech.wg.Wait()
	l.log.has(t, `    -- Executing [next@t:1] NoOp("SIP/6001-00000000", "transferred by SIP/6000-00000001") in new stack`)
	if countHas(l.log.Lines(), "not transferred") > 0 {
		t.Error("the caller went on after Dial instead of being transferred")
	}
}

func TestAttendedTransferApp(t *testing.T) {
	defer func(old func(*pbx.Channel) string) { apps.AtxferCode = old }(apps.AtxferCode)
	l := newLab(t, loadPlan(t, "extensions.conf", []byte(xferPlan)), nil)
	for _, tc := range []struct {
		name, data, xferCtx, code, want string
	}{
		{"no argument", "", "t", "*2", "FAILURE"},
		{"no TRANSFER_CONTEXT", "6002", "", "*2", "NOTPERMITTED"},
		{"no atxfer code", "6002", "t", "", "NOTPERMITTED"},
		{"queued", "6002", "t", "*2", "SUCCESS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apps.AtxferCode = func(*pbx.Channel) string { return tc.code }
			phone := pbxtest.NewPhone(media.ULaw)
			ch := phone.NewChannel(l.e, "6001", "t", "call")
			if tc.xferCtx != "" {
				ch.SetVar("TRANSFER_CONTEXT", tc.xferCtx)
			}
			if _, err := l.e.ExecApp(ch, "AttendedTransfer", tc.data); err != nil {
				t.Fatal(err)
			}
			if v, _ := ch.Var("ATTENDEDTRANSFERSTATUS"); v != tc.want {
				t.Errorf("ATTENDEDTRANSFERSTATUS=%q, want %q", v, tc.want)
			}
			if tc.want == "SUCCESS" {
				// The keys are queued on the channel's read side, as if pressed.
				var got []rune
				for len(got) < 7 {
					d, err := ch.WaitDigit(time.Second)
					if err != nil || d == 0 {
						break
					}
					got = append(got, d)
				}
				if string(got) != "*26002#" {
					t.Errorf("read %q, want the atxfer code, the extension and #", string(got))
				}
			}
			ch.Hangup(pbx.CauseNormalClearing)
		})
	}
}
