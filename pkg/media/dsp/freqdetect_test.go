package dsp

import (
	"math"
	"testing"
)

func sine(freq float64, ms int, amp float64) []int16 {
	n := ms * 8
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/8000))
	}
	return out
}

func TestFreqDetector(t *testing.T) {
	tests := []struct {
		name    string
		freq    int
		dur     int
		signals [][]int16
		want    int
	}{
		{"tone long enough", 1000, 500, [][]int16{sine(1000, 700, 8000)}, 1},
		{"too short", 1000, 500, [][]int16{sine(1000, 300, 8000)}, 0},
		{"other frequency", 1000, 500, [][]int16{sine(1400, 700, 8000)}, 0},
		{"two tones", 1000, 200, [][]int16{sine(1000, 300, 8000), make([]int16, 800), sine(1000, 300, 8000)}, 2},
		{"too quiet", 1000, 200, [][]int16{sine(1000, 400, 20)}, 0},
		{"tone plus loud noise", 2100, 200, [][]int16{mix(sine(2100, 400, 4000), sine(700, 400, 4000))}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewFreqDetector(tc.freq, tc.dur, 16, 8000)
			got := 0
			for _, s := range tc.signals {
				for len(s) > 0 { // 20 ms frames
					n := min(160, len(s))
					got += d.Process(s[:n])
					s = s[n:]
				}
			}
			if got != tc.want {
				t.Errorf("detected %d, want %d", got, tc.want)
			}
		})
	}
}

func mix(a, b []int16) []int16 {
	out := make([]int16, len(a))
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return out
}
