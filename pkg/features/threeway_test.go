package features

import (
	"math"
	"strconv"
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
