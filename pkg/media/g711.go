package media

import "math/bits"

// G.711 is computed with the segment arithmetic of ITU-T G.711 rather than
// taken from a library: the bit algorithm is short, has no dependency, and
// its results are checked in the tests against the reference values of the
// recommendation. Tables built from the same arithmetic at start serve the
// hot paths: 256 entries for decoding, and 64 KiB per law for encoding,
// since every prompt played from a .wav to a G.711 phone encodes each
// sample (a table lookup is several times cheaper than the segment search,
// measured with 2,000 Playback channels).

const (
	ulawBias = 0x84 // 132: added so every segment starts at a power of two
	ulawClip = 32635
)

// LinearToULaw encodes one 16-bit sample as µ-law.
func LinearToULaw(s int16) byte { return linearToULaw[uint16(s)] }

func ulawEncode(s int16) byte {
	v := int32(s)
	var sign byte
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > ulawClip {
		v = ulawClip
	}
	v += ulawBias
	exp := bits.Len32(uint32(v>>7)) - 1 // 0..7: segment of the biased magnitude
	mant := byte(v>>(exp+3)) & 0x0F
	return ^(sign | byte(exp)<<4 | mant)
}

func ulawDecode(u byte) int16 {
	u = ^u
	t := (int32(u&0x0F)<<3 + ulawBias) << ((u & 0x70) >> 4)
	if u&0x80 != 0 {
		return int16(ulawBias - t)
	}
	return int16(t - ulawBias)
}

// LinearToALaw encodes one 16-bit sample as A-law (13-bit magnitude).
func LinearToALaw(s int16) byte { return linearToALaw[uint16(s)] }

func alawEncode(s int16) byte {
	v := int32(s) >> 3
	mask := byte(0xD5) // positive values: sign bit set, even bits inverted
	if v < 0 {
		mask = 0x55
		v = -v - 1
	}
	if v > 0xFFF {
		return 0x7F ^ mask
	}
	var a byte
	if v < 32 {
		a = byte(v>>1) & 0x0F
	} else {
		seg := bits.Len32(uint32(v)) - 5 // 1..7
		a = byte(seg)<<4 | byte(v>>seg)&0x0F
	}
	return a ^ mask
}

func alawDecode(a byte) int16 {
	a ^= 0x55
	t := int32(a&0x0F) << 4
	seg := (a & 0x70) >> 4
	switch seg {
	case 0:
		t += 8
	default:
		t = (t + 0x108) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

var (
	ulawToLinear, alawToLinear [256]int16
	linearToULaw, linearToALaw [1 << 16]byte // by the sample as uint16
)

func init() {
	for i := range 256 {
		ulawToLinear[i] = ulawDecode(byte(i))
		alawToLinear[i] = alawDecode(byte(i))
	}
	for i := range 1 << 16 {
		linearToULaw[i] = ulawEncode(int16(uint16(i)))
		linearToALaw[i] = alawEncode(int16(uint16(i)))
	}
}

// ULawToLinear decodes one µ-law byte.
func ULawToLinear(u byte) int16 { return ulawToLinear[u] }

// ALawToLinear decodes one A-law byte.
func ALawToLinear(a byte) int16 { return alawToLinear[a] }

// ULawToALaw converts without going through linear, as Asterisk's
// codec_a_mu does, via a table built from the two decoders.
func ULawToALaw(u byte) byte { return ulawToALaw[u] }

// ALawToULaw is the reverse of ULawToALaw.
func ALawToULaw(a byte) byte { return alawToULaw[a] }

var ulawToALaw, alawToULaw [256]byte

func init() {
	for i := range 256 {
		ulawToALaw[i] = LinearToALaw(ulawDecode(byte(i)))
		alawToULaw[i] = LinearToULaw(alawDecode(byte(i)))
	}
}
