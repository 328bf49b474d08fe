package mixer

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
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

// TestG711Level: the table's level of every µ-law and A-law byte is the
// absolute value of its decoded sample, and decodeG711 decodes as the
// codec does, so talk detection without decoding judges as before.
func TestG711Level(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, tc := range []struct {
		f   *media.Format
		dec func(byte) int16
	}{
		{media.ULaw, media.ULawToLinear},
		{media.ALaw, media.ALawToLinear},
	} {
		want := 0
		var samples []int16
		for _, b := range all {
			v := int(tc.dec(b))
			if v < 0 {
				v = -v
			}
			want += v
			samples = append(samples, tc.dec(b))
		}
		if got := g711Level(tc.f, all); got != want {
			t.Errorf("%s: level %d, want %d", tc.f, got, want)
		}
		if got := decodeG711(nil, tc.f, all); fmt.Sprint(got) != fmt.Sprint(samples) {
			t.Errorf("%s: decodeG711 differs from the codec", tc.f)
		}
	}
}
