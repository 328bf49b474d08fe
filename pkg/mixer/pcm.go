package mixer

import "github.com/gostrisk/gostrisk/pkg/media"

// ulawAbs and alawAbs are the absolute sample value of each G.711 byte:
// a frame's level is their sum, without decoding it.
var ulawAbs, alawAbs [256]uint16

func init() {
	for b := 0; b < 256; b++ {
		ulawAbs[b] = absSample(media.ULawToLinear(byte(b)))
		alawAbs[b] = absSample(media.ALawToLinear(byte(b)))
	}
}

func absSample(v int16) uint16 {
	if v < 0 {
		return uint16(-int32(v))
	}
	return uint16(v)
}

// g711Level is the sum of the absolute sample values of a µ-law or A-law
// payload (what the silence detector averages).
func g711Level(f *media.Format, payload []byte) int {
	t := &ulawAbs
	if f == media.ALaw {
		t = &alawAbs
	}
	sum := 0
	for _, b := range payload {
		sum += int(t[b])
	}
	return sum
}

// decodeG711 appends the samples of a µ-law or A-law payload to dst.
func decodeG711(dst []int16, f *media.Format, payload []byte) []int16 {
	if f == media.ALaw {
		for _, b := range payload {
			dst = append(dst, media.ALawToLinear(b))
		}
		return dst
	}
	for _, b := range payload {
		dst = append(dst, media.ULawToLinear(b))
	}
	return dst
}

// AdjustVolume applies a volume level to signed-linear samples in place:
// positive levels multiply by level+1, negative ones divide by 1-level
// (ast_frame_adjust_volume's shape). Conference talk/listen volumes and
// MixMonitor's v/V/W options use it.
func AdjustVolume(s []int16, level int) {
	switch {
	case level > 0:
		f := int32(level + 1)
		for i, v := range s {
			s[i] = Clip(int32(v) * f)
		}
	case level < 0:
		d := int32(1 - level)
		for i, v := range s {
			s[i] = int16(int32(v) / d)
		}
	}
}

// Clip saturates a sum of samples to the signed 16-bit range.
func Clip(v int32) int16 {
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return int16(v)
}
