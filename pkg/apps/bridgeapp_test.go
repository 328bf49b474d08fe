package apps_test

import (
	"context"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const bridgePlan = `
[b]
exten => park,1,Answer()
 same => n,Wait(20)
 same => n,NoOp(parked went on)
exten => next,1,NoOp(sent by F)
exten => br,1,Bridge(Test/6002)
 same => n,NoOp(bridger ${BRIDGERESULT})
exten => brx,1,Bridge(Test/6002,x)
 same => n,NoOp(bridger ${BRIDGERESULT})
exten => brf,1,Bridge(Test/6002,F(b^next^1))
 same => n,NoOp(bridger ${BRIDGERESULT})
exten => none,1,Bridge(Test/nobody)
 same => n,NoOp(bridger ${BRIDGERESULT})
exten => self,1,Bridge(Test/6001)
 same => n,NoOp(bridger ${BRIDGERESULT})
`

func TestBridgeApp(t *testing.T) {
	tests := []struct {
		name, exten  string
		hangBridger  bool     // the bridger hangs up (else the parked party)
		wantBridger  []string // log lines of the bridger
		wantParked   []string
		parkedHungUp bool
	}{
		{name: "parked party hangs up", exten: "br",
			wantBridger: []string{`NoOp("Test/6001-00000001", "bridger SUCCESS")`}, parkedHungUp: true},
		{name: "bridger hangs up, parked goes on", exten: "br", hangBridger: true,
			wantParked: []string{`NoOp("Test/6002-00000000", "parked went on")`}},
		{name: "x", exten: "brx", hangBridger: true, parkedHungUp: true},
		{name: "F", exten: "brf", hangBridger: true,
			wantParked: []string{`NoOp("Test/6002-00000000", "sent by F")`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, bridgePlan, apps.Config{})
			bridge.Install(l.e, bridge.Options{})
			parked := pbxtest.NewPhone(media.ULaw)
			parked.Pace = true
			pc := l.startAs(t, parked, "6002", "b", "park")
			if !parked.WaitHeard(0, time.Second) || !waitUp(pc.ch) {
				t.Fatal("parked party not answered")
			}
			bridger := pbxtest.NewPhone(media.ULaw)
			bridger.Pace = true
			bc := l.start(t, bridger, "b", tc.exten)
			deadline := time.Now().Add(3 * time.Second)
			for bc.ch.BridgeID() == "" {
				if time.Now().After(deadline) {
					t.Fatalf("never bridged; log:\n%v", l.log.Lines())
				}
				time.Sleep(5 * time.Millisecond)
			}
			// Audio crosses the bridge: the bridger hears the parked party's tone.
			if err := parked.Say(toneFrames(t, "700", 400*time.Millisecond, media.ULaw)...); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			pcm, err := bridger.HeardPCM()
			if err != nil {
				t.Fatal(err)
			}
			if hz := dominantHz(pcm, 8000); len(pcm) < 800 || hz < 680 || hz > 720 {
				t.Errorf("bridger heard %d samples at %.0f Hz, want 700", len(pcm), hz)
			}
			if tc.hangBridger {
				bc.ch.SoftHangup(pbx.CauseNormalClearing)
			} else {
				pc.ch.SoftHangup(pbx.CauseNormalClearing)
			}
			bc.wait(t, l, 5*time.Second)
			for _, w := range tc.wantBridger {
				l.log.has(t, "    -- Executing [br@b:2] "+w+" in new stack")
			}
			for _, w := range tc.wantParked {
				l.waitLog(t, w, 3*time.Second)
			}
			pc.wait(t, l, 3*time.Second)
			if tc.parkedHungUp && countHas(l.log.Lines(), "parked went on") > 0 {
				t.Errorf("the parked party went on in its dialplan; log:\n%v", l.log.Lines())
			}
		})
	}
}

func TestBridgeAppFailures(t *testing.T) {
	l := newMediaLab(t, bridgePlan, apps.Config{})
	bridge.Install(l.e, bridge.Options{})
	for _, tc := range []struct{ exten, want string }{
		{"none", "NONEXISTENT"},
		{"self", "LOOP"},
	} {
		c := l.run(t, pbxtest.NewPhone(media.ULaw), "b", tc.exten)
		if got, _ := c.ch.Var("BRIDGERESULT"); got != tc.want {
			t.Errorf("%s: BRIDGERESULT=%q, want %q", tc.exten, got, tc.want)
		}
	}
}

// startAs is start with the channel's resource (its name's middle).
func (l *mediaLab) startAs(t *testing.T, phone *pbxtest.Phone, resource, dpContext, exten string) *call {
	t.Helper()
	ch := phone.NewChannel(l.e, resource, dpContext, exten)
	ch.SetState(pbx.StateRing)
	c := &call{ch: ch, phone: phone, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		l.e.Run(context.Background(), ch, dpContext, exten, 1)
	}()
	t.Cleanup(func() {
		ch.SoftHangup(pbx.CauseNormalClearing)
		<-c.done
	})
	return c
}

// waitUp waits until ch is answered.
func waitUp(ch *pbx.Channel) bool {
	deadline := time.Now().Add(2 * time.Second)
	for ch.State() != pbx.StateUp {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}
