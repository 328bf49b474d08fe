package bridge_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// codeFeatures gives the party named "a-" the code *2.
type codeFeatures struct{ ran chan string }

func (c codeFeatures) Match(d string) (bridge.FeatureFunc, bool) {
	if d == "*2" {
		return func(ctx context.Context, presser, other *pbx.Channel) { c.ran <- presser.Name() }, false
	}
	return nil, strings.HasPrefix("*2", d)
}

func (codeFeatures) DigitTimeout() time.Duration { return 300 * time.Millisecond }

// TestFeatureDigitsHeldBack: a party with a feature code keeps the bridge
// on frames; the digits of its code never reach the other party and the
// feature runs; a code's first digit followed by another one, or left
// alone past the digit timeout, is passed on late but whole.
func TestFeatureDigitsHeldBack(t *testing.T) {
	ran := make(chan string, 1)
	feats := codeFeatures{ran: ran}
	eng, _ := newEngine(t, bridge.Options{Features: func(ch, other *pbx.Channel) bridge.Features {
		if strings.HasPrefix(ch.Name(), "Test/a-") {
			return feats
		}
		return nil
	}})
	a := pbxtest.NewPhone(media.ULaw)
	b := pbxtest.NewPhone(media.ULaw)
	ca := a.NewChannel(eng, "a", "default", "s")
	cb := b.NewChannel(eng, "b", "default", "s")
	startBridge(t, eng, ca, cb)
	for _, d := range "*2" {
		if err := a.Press(d); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case who := <-ran:
		if !strings.HasPrefix(who, "Test/a-") {
			t.Errorf("the feature ran for %s", who)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the feature did not run")
	}
	if h := b.Heard(); len(h) != 0 {
		t.Fatalf("the other party heard the code: %v", h)
	}
	// "*" then "5": not a code, both pass (the begin of * was held).
	for _, d := range "*5" {
		if err := a.Press(d); err != nil {
			t.Fatal(err)
		}
	}
	if !b.WaitHeard(3, 3*time.Second) {
		t.Fatalf("b heard %v, want * and 5", b.Heard())
	}
	var got []rune
	for _, fr := range b.Heard() {
		if fr.Kind == media.DTMFEnd {
			got = append(got, fr.Digit)
		}
	}
	if string(got) != "*5" {
		t.Errorf("b heard the digits %q, want \"*5\"", string(got))
	}
	// "*" alone: passed once the digit timeout ran out.
	n := len(b.Heard())
	if err := a.Press('*'); err != nil {
		t.Fatal(err)
	}
	if !b.WaitHeard(n+1, 3*time.Second) {
		t.Fatalf("a lone * was never passed on: %v", b.Heard())
	}
}

// hangupFeatures is a party's features whose OnHangup reads the other
// party's next frames, as an attended transfer plays xfersound to the
// target when the transferer hangs up.
type hangupFeatures struct {
	codeFeatures
	entered chan struct{}
	got     chan int
}

func (h hangupFeatures) OnHangup(gone, other *pbx.Channel) bool {
	close(h.entered)
	n := 0
	deadline := time.After(3 * time.Second)
	for n < 5 {
		fr, err := other.ReadUntil(deadline)
		if err != nil {
			break
		}
		if fr.Kind == media.Voice {
			n++
		}
	}
	h.got <- n
	return false
}

// TestHangupHandlerOwnsMedia: when a party with a HangupHandler hangs up
// the bridge's pumps stop before the handler runs, so the handler gets
// the other party's media to itself (no pump takes its frames).
func TestHangupHandlerOwnsMedia(t *testing.T) {
	h := hangupFeatures{codeFeatures: codeFeatures{ran: make(chan string, 1)}, entered: make(chan struct{}), got: make(chan int, 1)}
	eng, _ := newEngine(t, bridge.Options{Features: func(ch, other *pbx.Channel) bridge.Features {
		if strings.HasPrefix(ch.Name(), "Test/a-") {
			return h
		}
		return nil
	}})
	a := pbxtest.NewPhone(media.ULaw)
	b := pbxtest.NewPhone(media.ULaw)
	ca := a.NewChannel(eng, "a", "default", "s")
	cb := b.NewChannel(eng, "b", "default", "s")
	r := startBridge(t, eng, ca, cb)
	ca.Hangup(pbx.CauseNormalClearing)
	select {
	case <-h.entered:
	case <-time.After(3 * time.Second):
		t.Fatal("the hang-up handler did not run")
	}
	var phase float64
	for _, fr := range tone(t, media.ULaw, 440, 5, &phase) {
		if err := b.Say(fr); err != nil {
			t.Fatal(err)
		}
	}
	if n := <-h.got; n != 5 {
		t.Errorf("the handler got %d of the other party's 5 frames: a pump took the others", n)
	}
	if res := r.wait(t); res.end != pbx.CallerLeft {
		t.Errorf("bridge end %v, want CallerLeft", res.end)
	}
}
