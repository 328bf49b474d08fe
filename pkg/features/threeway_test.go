package features

import (
	"context"
	"github.com/gostrisk/gostrisk/pkg/bridge"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// level is the Goertzel power of freq in s (8 kHz), per sample.
func level(s []int16, freq float64) float64 {
	w := 2 * math.Pi * freq / 8000
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range s {
		s0 := float64(v) + c*s1 - s2
		s2, s1 = s1, s0
	}
	return (s1*s1 + s2*s2 - c*s1*s2) / float64(len(s)*len(s))
}

// TestMix: in atxferthreeway's mix each party hears the two others and
// not itself, and the mix ends with the first party to hang up.
func TestMix(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	freqs := []float64{440, 1000, 1700}
	var phones []*pbxtest.Phone
	var chans []*pbx.Channel
	for i, name := range []string{"a", "b", "c"} {
		p := pbxtest.NewPhone(media.ULaw)
		ch := p.NewChannel(eng, name, "default", "s")
		if err := ch.OpenMedia(); err != nil {
			t.Fatal(err)
		}
		phones, chans = append(phones, p), append(chans, ch)
		frames, err := pbxtest.ToneFrames(strconv.FormatFloat(freqs[i], 'f', -1, 64), 1500*time.Millisecond, media.ULaw)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for _, fr := range frames {
				if p.Say(fr) != nil {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	done := make(chan *pbx.Channel, 1)
	go func() { done <- mix(chans...) }()
	for _, p := range phones {
		if !p.WaitHeard(40, 5*time.Second) {
			t.Fatal("a party heard nothing of the mix")
		}
	}
	chans[1].Hangup(pbx.CauseNormalClearing)
	select {
	case gone := <-done:
		if gone != chans[1] {
			t.Errorf("mix returned %s, want %s", gone.Name(), chans[1].Name())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the mix did not end when a party hung up")
	}
	for i, p := range phones {
		if i == 1 {
			continue
		}
		pcm, err := p.HeardPCM()
		if err != nil {
			t.Fatal(err)
		}
		own := level(pcm, freqs[i])
		for j, f := range freqs {
			if j == i {
				continue
			}
			l := level(pcm, f)
			t.Logf("party %d hears %v Hz at %.0f (its own %v Hz at %.0f)", i, f, l, freqs[i], own)
			if l < 10*own || l < 100000 {
				t.Errorf("party %d: %v Hz at %.0f, its own %v Hz at %.0f; want the others' tones well above its own", i, f, l, freqs[i], own)
			}
		}
	}
	for i, ch := range chans {
		if i != 1 {
			ch.Hangup(pbx.CauseNormalClearing)
		}
	}
}

// disconnectOnly is a feature map with the one code *0.
type disconnectOnly struct{ run bridge.FeatureFunc }

func (s disconnectOnly) Match(d string) (bridge.FeatureFunc, bool) {
	if d == "*0" {
		return s.run, false
	}
	return nil, strings.HasPrefix("*0", d)
}

func (disconnectOnly) DigitTimeout() time.Duration { return 100 * time.Millisecond }

// TestMixCodes: in the three-way mix a party's feature digits are kept
// from the others and complete its code; other digits pass; a code left
// unfinished past the digit timeout passes late but whole.
func TestMixCodes(t *testing.T) {
	ran := func(context.Context, *pbx.Channel, *pbx.Channel) {}
	dtmf := func(kind media.FrameKind, d rune) media.Frame { return media.Frame{Kind: kind, Digit: d} }
	tests := []struct {
		name   string
		keys   string
		pause  int // a pause past the digit timeout before this key
		passed string
		run    bool
	}{
		{"code", "*0", -1, "", true},
		{"not a code", "*5", -1, "**55", false},
		{"plain digits", "12", -1, "1122", false},
		{"too slow", "*0", 1, "**00", false}, // "0" alone begins nothing
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &mixCodes{f: disconnectOnly{run: ran}}
			var passed string
			runs := false
			for i, d := range tc.keys {
				if i == tc.pause {
					time.Sleep(150 * time.Millisecond)
				}
				for _, kind := range []media.FrameKind{media.DTMFBegin, media.DTMFEnd} {
					pass, run := c.dtmf(dtmf(kind, d))
					for _, f := range pass {
						passed += string(f.Digit)
					}
					runs = runs || run != nil
				}
			}
			if passed != tc.passed || runs != tc.run {
				t.Errorf("passed %q, ran %v; want %q, %v", passed, runs, tc.passed, tc.run)
			}
		})
	}
}

// TestMixFeature: a feature code pressed in the mix runs (here it hangs
// its presser up) and the mix ends with the party that left.
func TestMixFeature(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	var phones []*pbxtest.Phone
	var chans []*pbx.Channel
	for _, name := range []string{"p", "a", "c"} {
		ph := pbxtest.NewPhone(media.ULaw)
		ch := ph.NewChannel(eng, name, "default", "s")
		if err := ch.OpenMedia(); err != nil {
			t.Fatal(err)
		}
		phones, chans = append(phones, ph), append(chans, ch)
	}
	feats := []bridge.Features{disconnectOnly{run: func(ctx context.Context, presser, other *pbx.Channel) {
		presser.SoftHangup(pbx.CauseNormalClearing)
	}}}
	done := make(chan *pbx.Channel, 1)
	go func() { done <- mixWith(feats, chans...) }()
	time.Sleep(100 * time.Millisecond)
	for _, d := range "*0" {
		if err := phones[0].Press(d); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case gone := <-done:
		if gone != chans[0] {
			t.Errorf("mix ended with %s, want the presser", gone.Name())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the feature did not end the mix")
	}
	for _, ph := range phones[1:] {
		for _, fr := range ph.Heard() {
			if fr.Kind == media.DTMFBegin || fr.Kind == media.DTMFEnd {
				t.Errorf("another party heard the code's digit %c", fr.Digit)
			}
		}
	}
	for _, ch := range chans {
		ch.Hangup(pbx.CauseNormalClearing)
	}
}
