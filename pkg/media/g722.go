package media

// G.722 (ITU-T Recommendation G.722), 64 kbit/s mode 1: 16 kHz audio is
// split by a quadrature mirror filter (QMF) into a lower (0-4 kHz) and an
// upper (4-8 kHz) sub-band, each sampled at 8 kHz and coded by its own
// adaptive differential PCM coder: 6 bits a sample for the lower band, 2 for
// the upper. One code byte carries both (upper band in bits 7-6, lower band
// in bits 5-0) and stands for two 16 kHz samples.
//
// The arithmetic follows the Recommendation's fixed-point description block
// by block (names in comments are the Recommendation's): every shift and
// saturation matters, since encoder and decoder must keep identical predictor
// states from the code bytes alone. The codec works on 16-bit linear samples
// directly (the Recommendation's 14-bit interface scaled up by two bits), as
// the usual VoIP implementations do; tests pin it to FFmpeg's bit-exact
// implementation (testdata/README.g722).

// g722QMF holds the 24 QMF coefficients h0..h23 (G.722 Table 11). The filter
// is symmetric, h[i] == h[23-i].
var g722QMF = [24]int32{
	3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876,
	3876, 951, -805, -210, 362, 32, -156, 12, 53, -11, -11, 3,
}

// Lower-band quantizer decision levels (Table 6, the Q6 column); level m
// counts when |el| >= (q6[m]*DETL)>>12.
var g722Q6 = [30]int32{
	0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650,
	714, 786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
}

// g722Q6Count[v] is how many of the levels Q6(1..29) are at most v.
var g722Q6Count = func() (c [2920]uint8) {
	k := uint8(0)
	for v := range c {
		for k < 29 && g722Q6[k+1] <= int32(v) {
			k++
		}
		c[v] = k
	}
	return c
}()

// Lower-band 6-bit codes for quantizer interval m (1..30), for a negative and
// a non-negative prediction error (Table 6, ILN and ILP).
var (
	g722ILN = [31]uint8{0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4}
	g722ILP = [31]uint8{0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32}
)

// Inverse quantizer outputs, scaled by DETL/2^15: the 6-bit one (QM6) gives
// the decoder's lower-band output at 64 kbit/s; the 4-bit one (QM4, the code
// with its two low bits dropped) drives the lower-band adaptation in both
// encoder and decoder, so the predictor works the same at every bit rate.
var g722QM6 = [64]int32{
	-136, -136, -136, -136, -24808, -21904, -19008, -16704,
	-14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
	-7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
	-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
	24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
	10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
	4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
	1688, 1360, 1040, 728, 432, 136, -432, -136,
}

var g722QM4 = [16]int32{
	0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
	20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
}

// Upper-band inverse quantizer (QM2) for the 2-bit code.
var g722QM2 = [4]int32{-7408, -1616, 7408, 1616}

// Log scale factor steps (WL via RIL, WH via IH): a large quantized error
// widens the quantizer, a small one narrows it.
var (
	g722WL = [16]int32{-60, 3042, 1198, 538, 334, 172, 58, -30, 3042, 1198, 538, 334, 172, 58, -30, -60}
	g722WH = [4]int32{798, -214, 798, -214}
)

// g722ILA is 2^(i/32) scaled by 2048 (the ILA2 table of block SCALEL): the
// fractional part of the log scale factor's antilog.
var g722ILA = [32]int32{
	2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383,
	2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
	2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
	3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
}

// Limits of the log scale factors (blocks LOGSCL and LOGSCH) and the integer
// part of their antilog that corresponds to a unit scale (SCALEL, SCALEH).
const (
	g722NBLMax   = 18432
	g722NBHMax   = 22528
	g722LowBias  = 8
	g722HighBias = 10
)

// clamp32to16 saturates to the 16-bit range, keeping the int32 type G.722's
// arithmetic works in.
func clamp32to16(v int32) int32 {
	switch {
	case v > 32767:
		return 32767
	case v < -32768:
		return -32768
	}
	return v
}

func clampI32(v, lo, hi int32) int32 {
	switch {
	case v > hi:
		return hi
	case v < lo:
		return lo
	}
	return v
}

// g722Band is one sub-band's ADPCM state: the adaptive quantizer scale
// (blocks LOGSCL/SCALEL or LOGSCH/SCALEH) and the adaptive predictor
// (block 4: a two-pole, six-zero filter). Encoder and decoder each hold a
// pair and update them identically from the codes.
type g722Band struct {
	det  int32    // quantizer scale factor DETL / DETH
	nb   int32    // its log, NBL / NBH
	s    int32    // signal estimate SL / SH, the predictor output
	sz   int32    // zero section's output SZL / SZH
	a    [2]int32 // pole coefficients AL1, AL2 (Q14)
	b    [6]int32 // zero coefficients BL1..BL6 (Q15)
	d    [6]int32 // past quantized differences DLT1..DLT6, doubled and saturated
	pneg [2]bool  // whether the past partial reconstructions PLT1, PLT2 were negative
	r    int32    // previous reconstructed signal RLT1, doubled and saturated
}

func (b *g722Band) reset(det int32) { *b = g722Band{det: det} }

// predict runs block 4 for one quantized difference dq (DLT / DH): it adapts
// the pole and zero coefficients and computes the next signal estimate.
func (b *g722Band) predict(dq int32) {
	// PARREC: partial reconstruction, the signal less the pole section's part.
	neg := dq+b.sz < 0

	// UPPOL2: the second pole leaks towards zero and moves with the sign
	// agreement of the partial reconstruction with its last two values.
	wd := clamp32to16(b.a[0] << 2)
	if neg == b.pneg[0] {
		wd = clamp32to16(-wd)
	}
	a2 := wd >> 7
	if neg == b.pneg[1] {
		a2 += 128
	} else {
		a2 -= 128
	}
	a2 += b.a[1] * 32512 >> 15
	a2 = clampI32(a2, -12288, 12288)

	// UPPOL1: the first pole, kept inside the stability triangle set by AL2.
	a1 := b.a[0] * 32640 >> 15
	if neg == b.pneg[0] {
		a1 += 192
	} else {
		a1 -= 192
	}
	lim := 15360 - a2
	b.a[0], b.a[1] = clampI32(a1, -lim, lim), a2
	b.pneg[1], b.pneg[0] = b.pneg[0], neg

	// UPZERO, DELAYA and FILTEZ in one pass from the oldest difference:
	// each zero coefficient leaks and, unless there is no difference signal,
	// steps by the sign agreement of the new difference with its own past
	// one (sign-sign adaptation); the differences move one place along; and
	// the zero section sums the updated coefficients over them. The
	// differences are kept doubled and saturated to 16 bits, the form FILTEZ
	// multiplies (their signs are unchanged for UPZERO); the sum is kept in 32 bits and only the estimate below saturates, as
	// in FFmpeg's implementation, which the golden vectors pin.
	g := int32(128)
	if dq == 0 {
		g = 0
	}
	var sz int32
	for i := 5; i > 0; i-- {
		v := b.b[i]*32640>>15 + ((dq^b.d[i])>>31|1)*g // +g same sign, -g not
		b.b[i] = v
		b.d[i] = b.d[i-1]
		sz += v * b.d[i] >> 15
	}
	v := b.b[0]*32640>>15 + ((dq^b.d[0])>>31|1)*g
	b.b[0] = v
	b.d[0] = clamp32to16(dq << 1)
	sz += v * b.d[0] >> 15
	b.sz = sz

	// RECONS, FILTEP and PREDIC: the pole section over the reconstructed
	// signal, and the estimate for the next sample.
	r := clamp32to16(clamp32to16(b.s+dq) << 1)
	b.s = clamp32to16(sz + (b.a[0] * r >> 15) + (b.a[1] * b.r >> 15))
	b.r = r
}

// adaptScale runs LOGSCL/SCALEL (or LOGSCH/SCALEH): the log scale factor
// leaks by 127/128 and steps by w, and its antilog is the new DETL/DETH.
func (b *g722Band) adaptScale(w, limit, bias int32) {
	b.nb = clampI32(b.nb*32512>>15+w, 0, limit)
	wd := g722ILA[b.nb>>6&31]
	if sh := bias - b.nb>>11; sh >= 0 {
		wd >>= sh
	} else {
		wd <<= -sh
	}
	b.det = wd << 2
}

func (b *g722Band) lowUpdate(il int) {
	ril := il >> 2
	b.predict(b.det * g722QM4[ril] >> 15)
	b.adaptScale(g722WL[ril], g722NBLMax, g722LowBias)
}

func (b *g722Band) highUpdate(ih int) {
	b.predict(b.det * g722QM2[ih] >> 15)
	b.adaptScale(g722WH[ih], g722NBHMax, g722HighBias)
}

// Initial scale factors (Recommendation's reset values for DETL and DETH).
const (
	g722DETL0 = 32
	g722DETH0 = 8
)

// g722History keeps the last 12 values of one QMF phase. Each value is
// stored twice so the window, oldest first, is always one contiguous slice.
type g722History struct {
	buf [24]int32
	pos int
}

func (h *g722History) push(v int32) []int32 {
	h.buf[h.pos] = v
	h.buf[h.pos+12] = v
	h.pos++
	if h.pos == 12 {
		h.pos = 0
	}
	return h.buf[h.pos : h.pos+12]
}

// The QMF coefficients of each phase: even-numbered (h0, h2, ... h22) and
// odd-numbered (h1, h3, ... h23).
var g722QMFPhase = func() (p [2][12]int32) {
	for i := range 12 {
		p[0][i], p[1][i] = g722QMF[2*i], g722QMF[2*i+1]
	}
	return p
}()

// g722Dot is the QMF convolution of a 12-value window, oldest first, with
// one phase's coefficients. The Recommendation weighs the newest value of a
// phase by h0 (or h1) and the oldest by h22 (h23); read oldest first that is
// h22, h20, ... h0 (h23, h21, ... h1), which the filter's symmetry (h[i] ==
// h[23-i]) makes h1, h3, ... h23 (h0, h2, ... h22): the other phase's
// coefficients.
func g722Dot(w []int32, phase int) int32 {
	x := (*[12]int32)(w)
	h := &g722QMFPhase[phase]
	var acc int32
	for i := range 12 {
		acc += x[i] * h[i]
	}
	return acc
}

// G722Encoder encodes 16 kHz 16-bit samples into G.722 at 64 kbit/s. Its
// state carries over between calls, so a stream cut into frames encodes as
// one signal. The zero value is not ready: use NewG722Encoder.
type G722Encoder struct {
	low, high g722Band
	// The transmit QMF's input history: first and second sample of each pair.
	first, second g722History
	// A sample left over from a call with an odd count waits for its pair.
	pending    int16
	hasPending bool
}

// NewG722Encoder returns an encoder in the Recommendation's reset state.
func NewG722Encoder() *G722Encoder {
	e := &G722Encoder{}
	e.Reset()
	return e
}

// Reset puts the encoder back in its initial state, as at a new stream.
func (e *G722Encoder) Reset() {
	*e = G722Encoder{}
	e.low.reset(g722DETL0)
	e.high.reset(g722DETH0)
}

// Encode appends one code byte per two samples of pcm to dst. A final odd
// sample is kept and encoded with the first sample of the next call.
func (e *G722Encoder) Encode(dst []byte, pcm []int16) []byte {
	if e.hasPending && len(pcm) > 0 {
		dst = append(dst, e.encodePair(e.pending, pcm[0]))
		pcm = pcm[1:]
		e.hasPending = false
	}
	for len(pcm) >= 2 {
		dst = append(dst, e.encodePair(pcm[0], pcm[1]))
		pcm = pcm[2:]
	}
	if len(pcm) == 1 {
		e.pending, e.hasPending = pcm[0], true
	}
	return dst
}

func (e *G722Encoder) encodePair(x0, x1 int16) byte {
	// Transmit QMF: the older sample of the pair and its history meet the
	// odd-numbered coefficients (XB), the newer one the even-numbered (XA);
	// the sum is the lower band, the difference the upper.
	xb := g722Dot(e.first.push(int32(x0)), 0)
	xa := g722Dot(e.second.push(int32(x1)), 1)
	xl := (xa + xb) >> 14
	xh := (xa - xb) >> 14

	// Lower band: SUBTRA then QUANTL. The magnitude of a negative error is
	// taken as a ones' complement (-el-1), as in the Recommendation.
	el := clamp32to16(xl - e.low.s)
	mag := el
	if el < 0 {
		mag = ^el
	}
	m := g722LowInterval(mag, e.low.det)
	var il int
	if el < 0 {
		il = int(g722ILN[m])
	} else {
		il = int(g722ILP[m])
	}

	// Upper band: SUBTRA then QUANTH, a single decision level.
	eh := clamp32to16(xh - e.high.s)
	magh := eh
	if eh < 0 {
		magh = ^eh
	}
	ih := 0
	if magh < 564*e.high.det>>12 {
		ih = 1
	}
	if eh >= 0 {
		ih += 2
	}

	e.low.lowUpdate(il)
	e.high.highUpdate(ih)
	return byte(ih<<6 | il)
}

// g722LowInterval is QUANTL's interval m (1..30) for an error magnitude:
// one more than the number of levels k in 1..29 it reaches,
// mag >= (Q6(k)*DETL)>>12. For integers that is Q6(k) <= ((mag+1)*4096-1)/DETL,
// so one division and a table count them without a search.
func g722LowInterval(mag, det int32) int {
	y := ((mag+1)<<12 - 1) / det
	return int(g722Q6Count[min(y, g722Q6[29])]) + 1
}

// G722Decoder decodes G.722 at 64 kbit/s into 16 kHz 16-bit samples, with
// state carried over between calls. Use NewG722Decoder.
type G722Decoder struct {
	low, high g722Band
	// The receive QMF's history of the band difference and sum signals.
	diff, sum g722History
}

// NewG722Decoder returns a decoder in the Recommendation's reset state.
func NewG722Decoder() *G722Decoder {
	d := &G722Decoder{}
	d.Reset()
	return d
}

// Reset puts the decoder back in its initial state, as at a new stream.
func (d *G722Decoder) Reset() {
	*d = G722Decoder{}
	d.low.reset(g722DETL0)
	d.high.reset(g722DETH0)
}

// Decode appends two samples per code byte to dst. Every byte is a valid
// code, so any input decodes.
func (d *G722Decoder) Decode(dst []int16, code []byte) []int16 {
	for _, c := range code {
		il, ih := int(c&0x3f), int(c>>6)

		// Lower band: INVQBL with the full 6-bit code, then LIMIT.
		rl := clampI32(d.low.s+d.low.det*g722QM6[il]>>15, -16384, 16383)
		d.low.lowUpdate(il)

		// Upper band: INVQAH, then LIMIT.
		rh := clampI32(d.high.s+d.high.det*g722QM2[ih]>>15, -16384, 16383)
		d.high.highUpdate(ih)

		// Receive QMF: the difference rl-rh feeds the even coefficients and
		// gives the first output sample, the sum the odd ones and the second.
		x0 := g722Dot(d.diff.push(rl-rh), 1) >> 11
		x1 := g722Dot(d.sum.push(rl+rh), 0) >> 11
		dst = append(dst, int16(clamp32to16(x0)), int16(clamp32to16(x1)))
	}
	return dst
}

// g722Steps are the translator steps of Asterisk's codec_g722: to and from
// slin16 directly, and to and from slin through the 8<->16 kHz resampler.
func g722Steps() []Step {
	return []Step{
		{From: G722, To: SLin16, New: func() Converter { return &g722DecodeConv{dec: NewG722Decoder()} }},
		{From: SLin16, To: G722, New: func() Converter { return &g722EncodeConv{enc: NewG722Encoder()} }},
		{From: G722, To: SLin, New: func() Converter {
			return &g722DecodeConv{dec: NewG722Decoder(), down: &Downsampler{}}
		}},
		{From: SLin, To: G722, New: func() Converter {
			return &g722EncodeConv{enc: NewG722Encoder(), up: &Upsampler{}}
		}},
	}
}

// g722DecodeConv decodes a G.722 payload to slin16, or to slin when down is
// set. The sample slices are kept between frames to avoid allocating.
type g722DecodeConv struct {
	dec       *G722Decoder
	down      *Downsampler
	pcm, work []int16
}

func (c *g722DecodeConv) Convert(dst, src []byte) []byte {
	c.pcm = c.dec.Decode(c.pcm[:0], src)
	out := c.pcm
	if c.down != nil {
		c.work = c.down.Downsample(c.work[:0], c.pcm)
		out = c.work
	}
	return EncodeSLin(dst, out)
}

// g722EncodeConv encodes slin16, or slin upsampled when up is set, to G.722.
type g722EncodeConv struct {
	enc      *G722Encoder
	up       *Upsampler
	in, work []int16
}

func (c *g722EncodeConv) Convert(dst, src []byte) []byte {
	c.in = DecodeSLin(c.in[:0], src)
	pcm := c.in
	if c.up != nil {
		c.work = c.up.Upsample(c.work[:0], c.in)
		pcm = c.work
	}
	return c.enc.Encode(dst, pcm)
}
