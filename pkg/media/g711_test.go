package media

import "testing"

// Reference values of ITU-T G.711 (tables 1a/2a), scaled to 16 bits.
func TestG711Golden(t *testing.T) {
	ulaw := []struct {
		code byte
		lin  int16
	}{
		{0xFF, 0}, {0x7F, 0}, {0xFE, 8}, {0x7E, -8}, {0xF0, 120}, {0xEF, 132},
		{0xF2, 104}, {0x80, 32124}, {0x00, -32124}, {0xDF, 396}, {0x5F, -396}, {0xBF, 1980},
	}
	for _, c := range ulaw {
		if got := ULawToLinear(c.code); got != c.lin {
			t.Errorf("ULawToLinear(%#02x) = %d, want %d", c.code, got, c.lin)
		}
	}
	alaw := []struct {
		code byte
		lin  int16
	}{
		{0xD5, 8}, {0x55, -8}, {0xD4, 24}, {0xAA, 32256}, {0x2A, -32256},
		{0xC5, 264}, {0x45, -264}, {0xFA, 1008}, {0xA5, 16896},
	}
	for _, c := range alaw {
		if got := ALawToLinear(c.code); got != c.lin {
			t.Errorf("ALawToLinear(%#02x) = %d, want %d", c.code, got, c.lin)
		}
	}
	enc := []struct {
		lin        int16
		ulaw, alaw byte
	}{
		{0, 0xFF, 0xD5},
		{-1, 0x7F, 0x55},
		{8, 0xFE, 0xD5},
		{100, 0xF2, 0xD3},
		{32767, 0x80, 0xAA},
		{-32768, 0x00, 0x2A},
		{32124, 0x80, 0xAA},
		{-32124, 0x00, 0x2A},
	}
	for _, c := range enc {
		if got := LinearToULaw(c.lin); got != c.ulaw {
			t.Errorf("LinearToULaw(%d) = %#02x, want %#02x", c.lin, got, c.ulaw)
		}
		if got := LinearToALaw(c.lin); got != c.alaw {
			t.Errorf("LinearToALaw(%d) = %#02x, want %#02x", c.lin, got, c.alaw)
		}
	}
}

// Every code decodes to a level that encodes back to the same code (µ-law's
// negative zero 0x7F excepted: it decodes to 0, which encodes as 0xFF).
func TestG711RoundTrip(t *testing.T) {
	for i := range 256 {
		b := byte(i)
		if got := LinearToULaw(ULawToLinear(b)); got != b && b != 0x7F {
			t.Errorf("ulaw %#02x -> %d -> %#02x", b, ULawToLinear(b), got)
		}
		if got := LinearToALaw(ALawToLinear(b)); got != b {
			t.Errorf("alaw %#02x -> %d -> %#02x", b, ALawToLinear(b), got)
		}
	}
}

// Encoding is monotonic and lands within half a quantisation step of the
// input: a step is 8<<segment for µ-law and 16<<(segment-1) for A-law (16
// in its first segment), in 16-bit units, over the whole unclipped range.
func TestG711Quantisation(t *testing.T) {
	for _, c := range []struct {
		name   string
		enc    func(int16) byte
		dec    func(byte) int16
		step   func(byte) int
		maxAbs int
	}{
		{"ulaw", LinearToULaw, ULawToLinear, func(u byte) int { return 8 << ((^u & 0x70) >> 4) }, 32124},
		{"alaw", LinearToALaw, ALawToLinear, func(a byte) int {
			seg := ((a ^ 0x55) & 0x70) >> 4
			if seg == 0 {
				return 16
			}
			return 16 << (seg - 1)
		}, 32256},
	} {
		prev := -1 << 30
		for x := -c.maxAbs; x <= c.maxAbs; x++ {
			code := c.enc(int16(x))
			got := int(c.dec(code))
			if got < prev {
				t.Fatalf("%s: not monotonic at %d: %d after %d", c.name, x, got, prev)
			}
			prev = got
			if abs(got-x) > c.step(code)/2 {
				t.Fatalf("%s: %d decodes as %d, more than half a step (%d) away", c.name, x, got, c.step(code))
			}
		}
	}
}

func TestULawALawDirect(t *testing.T) {
	for i := range 256 {
		u := byte(i)
		if got, want := ULawToALaw(u), LinearToALaw(ULawToLinear(u)); got != want {
			t.Errorf("ULawToALaw(%#02x) = %#02x, want %#02x", u, got, want)
		}
		if got, want := ALawToULaw(u), LinearToULaw(ALawToLinear(u)); got != want {
			t.Errorf("ALawToULaw(%#02x) = %#02x, want %#02x", u, got, want)
		}
	}
	if got := ULawToALaw(0xFF); got != 0xD5 {
		t.Errorf("ulaw silence -> alaw %#02x, want 0xd5", got)
	}
}

func TestSLinRoundTrip(t *testing.T) {
	s := []int16{0, 1, -1, 32767, -32768, 0x1234}
	b := EncodeSLin(nil, s)
	want := []byte{0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0x80, 0x34, 0x12}
	if string(b) != string(want) {
		t.Fatalf("EncodeSLin = % x, want % x", b, want)
	}
	got := DecodeSLin(nil, append(b, 0x99)) // trailing odd byte ignored
	if len(got) != len(s) {
		t.Fatalf("DecodeSLin gave %d samples, want %d", len(got), len(s))
	}
	for i := range s {
		if got[i] != s[i] {
			t.Errorf("sample %d = %d, want %d", i, got[i], s[i])
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
