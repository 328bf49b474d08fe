package dsp

import (
	"math"
	"testing"
)

func TestToneShare(t *testing.T) {
	sine := func(freqs ...float64) []int16 {
		s := make([]int16, 8000)
		for i := range s {
			var v float64
			for _, f := range freqs {
				v += 8000 * math.Sin(2*math.Pi*f*float64(i)/8000)
			}
			s[i] = int16(v)
		}
		return s
	}
	for _, tc := range []struct {
		name     string
		samples  []int16
		freq     float64
		min, max float64
	}{
		{"the tone itself", sine(1000), 1000, 0.95, 1.05},
		{"another tone", sine(600), 1000, 0, 0.01},
		{"one of two equal tones", sine(600, 1000), 1000, 0.45, 0.55},
		{"silence", make([]int16, 800), 1000, 0, 0},
	} {
		if got := ToneShare(tc.samples, tc.freq, 8000); got < tc.min || got > tc.max {
			t.Errorf("%s: %.3f, want %.2f..%.2f", tc.name, got, tc.min, tc.max)
		}
	}
}
