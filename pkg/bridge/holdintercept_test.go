package bridge_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestHoldIntercept: with HOLD_INTERCEPT set on b, a's hold plays b no
// music; Hold and Unhold events name b instead (and a, its own).
func TestHoldIntercept(t *testing.T) {
	asked := make(chan string, 1)
	eng, _ := newEngine(t, bridge.Options{HoldMusic: func(l *pbx.Channel, class string) pbx.Generator {
		asked <- l.Name()
		return nil
	}})
	sub := eng.Bus().SubscribeTo(pbx.BusHold, pbx.BusUnhold)
	defer sub.Close()
	a, b := pbxtest.NewPhone(media.ULaw), pbxtest.NewPhone(media.ALaw)
	ca := a.NewChannel(eng, "a", "default", "s")
	cb := b.NewChannel(eng, "b", "default", "s")
	cb.SetHoldIntercept(true)
	startBridge(t, eng, ca, cb)
	ca.Held("jazz")
	var got []string
	deadline := time.After(3 * time.Second)
	for len(got) < 2 {
		select {
		case <-sub.Ready():
			for _, ev := range sub.Take() {
				got = append(got, string(ev.Type)+" "+ev.Channel.Name()+" "+ev.MusicClass)
			}
		case <-deadline:
			t.Fatalf("events %q", got)
		}
	}
	if got[0] != "Hold "+ca.Name()+" jazz" || got[1] != "Hold "+cb.Name()+" jazz" {
		t.Errorf("hold events %q", got)
	}
	ca.Unheld()
	got = nil
	for len(got) < 2 {
		select {
		case <-sub.Ready():
			for _, ev := range sub.Take() {
				got = append(got, string(ev.Type)+" "+ev.Channel.Name())
			}
		case <-deadline:
			t.Fatalf("events %q", got)
		}
	}
	if got[0] != "Unhold "+ca.Name() || got[1] != "Unhold "+cb.Name() {
		t.Errorf("unhold events %q", got)
	}
	select {
	case who := <-asked:
		t.Errorf("music asked for %s despite HOLD_INTERCEPT", who)
	default:
	}
}
