package apps_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const bridgeWaitPlan = `
[w]
exten => part,1,BridgeWait(room,,e(r)S(3))
 same => n,NoOp(participant after the wait)
exten => annc,1,BridgeWait(room,announcer,S(2))
 same => n,NoOp(announcer after the wait)
exten => badrole,1,BridgeWait(room,boss)
 same => n,NoOp(not reached)
`

// TestBridgeWait: a participant hears its entertainment (ringing, here a
// 440 Hz "ring" tone) until an announcer comes, then the announcer's
// voice; both leave when their S() time is up and go on in the dialplan.
func TestBridgeWait(t *testing.T) {
	noLeaks(t)
	cfg := apps.Config{Tone: func(ch *pbx.Channel, name string) (dsp.ToneList, bool) {
		l, err := dsp.ParseToneList("440")
		return l, err == nil && name == "ring"
	}}
	l := newMediaLab(t, bridgeWaitPlan, cfg)
	part := pbxtest.NewPhone(media.ULaw)
	part.Pace = true
	pc := l.start(t, part, "w", "part")
	l.waitLog(t, "-- Test/6001-00000000 is entering waiting bridge room:", 2*time.Second)
	time.Sleep(600 * time.Millisecond)
	before, err := part.HeardPCM()
	if err != nil {
		t.Fatal(err)
	}
	if hz := dominantHz(before, 8000); len(before) < 2000 || hz < 430 || hz > 450 {
		t.Errorf("participant heard %d samples at %.0f Hz before the announcer, want the ring tone", len(before), hz)
	}
	annc := pbxtest.NewPhone(media.ULaw)
	annc.Pace = true
	ac := l.start(t, annc, "w", "annc")
	l.waitLog(t, "-- Test/6001-00000001 is entering waiting bridge room:", 2*time.Second)
	time.Sleep(100 * time.Millisecond)
	if err := annc.Say(toneFrames(t, "1000", 600*time.Millisecond, media.ULaw)...); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	all, _ := part.HeardPCM()
	after := all[len(before)+800:]
	if hz := dominantHz(after, 8000); len(after) < 1600 || hz < 980 || hz > 1020 {
		t.Errorf("participant heard %d samples at %.0f Hz with the announcer, want 1000 Hz", len(after), hz)
	}
	ac.wait(t, l, 4*time.Second)
	pc.wait(t, l, 4*time.Second)
	l.log.has(t,
		`    -- Channel Test/6001-00000001 timed out.`,
		`    -- Executing [annc@w:2] NoOp("Test/6001-00000001", "announcer after the wait") in new stack`,
		`    -- Channel Test/6001-00000000 timed out.`,
		`    -- Executing [part@w:2] NoOp("Test/6001-00000000", "participant after the wait") in new stack`)

	c := l.run(t, pbxtest.NewPhone(media.ULaw), "w", "badrole")
	_ = c
	l.waitLog(t, "Requested waiting bridge role 'boss' is invalid.", time.Second)
	if countHas(l.log.Lines(), "not reached") > 0 {
		t.Error("an invalid role went on")
	}
}
