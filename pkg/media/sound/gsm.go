package sound

// GSM 06.10 framing. A GSM full-rate frame is 160 samples coded as 76
// parameters of 260 bits in all. Two byte layouts carry them:
//
//   - the "gsm" layout (libgsm, RTP payload type 3, Asterisk's .gsm files):
//     33 bytes, a 0xD signature nibble then every parameter most
//     significant bit first;
//   - Microsoft's GSM 6.10 (WAVE format tag 0x31, Asterisk's wav49): two
//     frames in 65 bytes (2 x 260 bits = 520 bits), parameters packed least
//     significant bit first into a stream that fills each byte from its
//     low bit, the second frame starting in the middle of byte 32.
//
// Going from one to the other is a matter of moving bits; no decoding.

const (
	gsmFrameSize    = 33
	gsmFrameSamples = 160
	msgsmBlockSize  = 65
	gsmSignature    = 0xD
)

// gsmParamBits are the widths of a frame's 76 parameters in order: the 8
// log-area ratios, then per 5 ms subframe the LTP lag (7), LTP gain (2),
// RPE grid position (2), block amplitude (6) and 13 RPE pulses of 3 bits.
var gsmParamBits = func() [76]uint8 {
	var w [76]uint8
	copy(w[:], []uint8{6, 6, 5, 5, 4, 4, 3, 3})
	i := 8
	for sub := 0; sub < 4; sub++ {
		w[i], w[i+1], w[i+2], w[i+3] = 7, 2, 2, 6
		i += 4
		for k := 0; k < 13; k++ {
			w[i] = 3
			i++
		}
	}
	return w
}()

type gsmParams [76]uint8

// gsmUnpack reads the parameters of a 33-byte frame. The signature nibble
// is not checked: Asterisk plays frames whatever their first nibble says.
func gsmUnpack(frame []byte) gsmParams {
	var p gsmParams
	bit := 4 // after the signature
	for i, w := range gsmParamBits {
		var v uint8
		for k := uint8(0); k < w; k++ {
			v = v<<1 | (frame[bit>>3]>>(7-uint(bit&7)))&1
			bit++
		}
		p[i] = v
	}
	return p
}

// gsmPack writes p as a 33-byte frame into dst.
func gsmPack(dst []byte, p *gsmParams) {
	for i := range dst[:gsmFrameSize] {
		dst[i] = 0
	}
	dst[0] = gsmSignature << 4
	bit := 4
	for i, w := range gsmParamBits {
		for k := int(w) - 1; k >= 0; k-- {
			if p[i]>>uint(k)&1 != 0 {
				dst[bit>>3] |= 1 << (7 - uint(bit&7))
			}
			bit++
		}
	}
}

// msgsmUnpack reads the two frames of a 65-byte Microsoft GSM block.
func msgsmUnpack(block []byte) (a, b gsmParams) {
	bit := 0
	for _, p := range []*gsmParams{&a, &b} {
		for i, w := range gsmParamBits {
			var v uint8
			for k := uint8(0); k < w; k++ {
				v |= (block[bit>>3] >> uint(bit&7) & 1) << k
				bit++
			}
			p[i] = v
		}
	}
	return a, b
}

// msgsmPack writes two frames as a 65-byte Microsoft GSM block into dst.
func msgsmPack(dst []byte, a, b *gsmParams) {
	for i := range dst[:msgsmBlockSize] {
		dst[i] = 0
	}
	bit := 0
	for _, p := range []*gsmParams{a, b} {
		for i, w := range gsmParamBits {
			for k := uint8(0); k < w; k++ {
				if p[i]>>k&1 != 0 {
					dst[bit>>3] |= 1 << uint(bit&7)
				}
				bit++
			}
		}
	}
}

// gsmSilence is libgsm's encoding of 160 zero samples by a fresh encoder
// (the first frame `sox -n -r 8000 -t gsm x.gsm trim 0 0.02` writes). A
// wav49 writer pads an odd last frame with it, since a Microsoft GSM block
// holds two frames.
var gsmSilence = [gsmFrameSize]byte{
	0xda, 0xa5, 0xcb, 0x25, 0x69, 0x50, 0x00, 0x49, 0x1c, 0x72, 0x48, 0xdc,
	0x50, 0x00, 0x47, 0x24, 0x91, 0xc9, 0x1c, 0x58, 0x00, 0x48, 0xe4, 0x92,
	0x48, 0xe4, 0x88, 0x20, 0x47, 0x23, 0x8e, 0x47, 0x23,
}
