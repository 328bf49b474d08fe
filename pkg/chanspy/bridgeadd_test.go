package chanspy

import (
	"context"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestBridgeAddResults: BRIDGERESULT for a missing channel, the caller
// itself and a channel in no bridge.
func TestBridgeAddResults(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	if err := Register(eng); err != nil {
		t.Fatal(err)
	}
	x := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "x", "default", "s")
	lone := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "lone", "default", "s")
	for _, tc := range []struct{ arg, want string }{
		{"Test/nobody", "NONEXISTENT"},
		{"", "NONEXISTENT"},
		{x.Name(), "LOOP"},
		{"Test/lo", "FAILURE"}, // a prefix of the lone channel's name
		{lone.UniqueID(), "FAILURE"},
	} {
		x.SetVar("BRIDGERESULT", "")
		if r, err := eng.ExecApp(x, "BridgeAdd", tc.arg); err != nil || r != pbx.Continue {
			t.Errorf("%q: %v %v", tc.arg, r, err)
		}
		if v, _ := x.Var("BRIDGERESULT"); v != tc.want {
			t.Errorf("BridgeAdd(%s): BRIDGERESULT %q, want %q", tc.arg, v, tc.want)
		}
	}
}

// TestBridgeAddJoins: x joins the bridge of a (with b): x hears what a
// says and what a is sent, a and b both hear x; the join ends with
// SUCCESS when b hangs up.
func TestBridgeAddJoins(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	if err := Register(eng); err != nil {
		t.Fatal(err)
	}
	aPhone, bPhone, xPhone := pbxtest.NewPhone(media.ULaw), pbxtest.NewPhone(media.ULaw), pbxtest.NewPhone(media.ULaw)
	a := aPhone.NewChannel(eng, "a", "default", "s")
	b := bPhone.NewChannel(eng, "b", "default", "s")
	x := xPhone.NewChannel(eng, "x", "default", "s")
	bridged := make(chan struct{})
	go func() {
		defer close(bridged)
		_, _ = eng.Bridge(context.Background(), a, b)
	}()
	speak := func(p *pbxtest.Phone, tone string) {
		frames, _ := pbxtest.ToneFrames(tone, 3*time.Second, media.ULaw)
		go func() {
			for _, fr := range frames {
				if p.Say(fr) != nil {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	// a says 600 Hz and is sent 1000 Hz; b is read and written too (its
	// writes carry the whisper).
	speak(aPhone, "600")
	runCall(t, a, "1000")
	runCall(t, b, "400")
	for a.Peer() != b {
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = eng.ExecApp(x, "BridgeAdd", "Test/a")
	}()
	speak(xPhone, "1800")
	time.Sleep(2 * time.Second)
	b.SoftHangup(pbx.CauseNormalClearing)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("BridgeAdd did not end when the bridge ended")
	}
	if v, _ := x.Var("BRIDGERESULT"); v != "SUCCESS" {
		t.Errorf("BRIDGERESULT %q", v)
	}
	heard, _ := xPhone.HeardPCM()
	for _, f := range []float64{600, 1000} {
		if p := dsp.ToneShare(heard, f, 8000); p < 0.1 {
			t.Errorf("the joiner hears %.0f Hz at %.3f (%d samples)", f, p, len(heard))
		}
	}
	for name, ph := range map[string]*pbxtest.Phone{"a": aPhone, "b": bPhone} {
		pcm, _ := ph.HeardPCM()
		if p := dsp.ToneShare(pcm, 1800, 8000); p < 0.05 {
			t.Errorf("%s hears the joiner at %.3f", name, p)
		}
	}
	<-bridged
}
