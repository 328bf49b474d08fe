package mixer

import (
	"slices"
	"testing"
)

func TestAdjustVolume(t *testing.T) {
	for _, tc := range []struct {
		level int
		in    []int16
		want  []int16
	}{
		{0, []int16{100, -100}, []int16{100, -100}},
		{1, []int16{100, -100}, []int16{200, -200}},
		{4, []int16{10000, -10000, 1}, []int16{32767, -32768, 5}},
		{-1, []int16{101, -101}, []int16{50, -50}},
		{-4, []int16{1000, -7}, []int16{200, -1}},
	} {
		s := slices.Clone(tc.in)
		AdjustVolume(s, tc.level)
		if !slices.Equal(s, tc.want) {
			t.Errorf("AdjustVolume(%v, %d) = %v, want %v", tc.in, tc.level, s, tc.want)
		}
	}
}
