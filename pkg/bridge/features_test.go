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
