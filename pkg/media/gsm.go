package media

// GSM 06.10 full-rate speech codec (RPE-LTP, 13 kbit/s), written from the
// ETSI specification (EN 300 961 / GSM 06.10, section 4: the bit-exact
// fixed-point description). One frame is 160 samples of 8 kHz audio (20 ms)
// and 260 bits of parameters; packed as libgsm packs them (the layout of
// Asterisk's .gsm files and of RTP payload type 3, RFC 3551 section 4.5.8)
// a frame is 33 bytes: a 0xD signature nibble, then the parameters most
// significant bit first.
//
// The arithmetic below is the specification's: 16-bit words and 32-bit
// long words with saturating add/sub and rounded fractional multiplies, so
// the output is bit-exact with any conforming implementation (the tests
// compare with libgsm's toast/untoast).

import "math/bits"

// GSM frame sizes.
const (
	GSMFrameSamples = 160 // samples of 8 kHz audio in one frame
	GSMFrameBytes   = 33  // bytes of one packed frame
)

// gsmMagic is the signature nibble heading every packed frame.
const gsmMagic = 0xD

// ---- basic operators (spec 4.2.0 / table 4.x) -------------------------------

func sat16(x int32) int16 {
	if x > 32767 {
		return 32767
	}
	if x < -32768 {
		return -32768
	}
	return int16(x)
}

func add16(a, b int16) int16 { return sat16(int32(a) + int32(b)) }
func sub16(a, b int16) int16 { return sat16(int32(a) - int32(b)) }

// mult16 is the spec's mult: a*b/32768 truncated; -1 * -1 saturates.
func mult16(a, b int16) int16 {
	if a == -32768 && b == -32768 {
		return 32767
	}
	return int16((int32(a) * int32(b)) >> 15)
}

// multR16 is the spec's mult_r: a*b/32768 rounded.
func multR16(a, b int16) int16 {
	if a == -32768 && b == -32768 {
		return 32767
	}
	return int16((int32(a)*int32(b) + 16384) >> 15)
}

func abs16(a int16) int16 {
	if a < 0 {
		if a == -32768 {
			return 32767
		}
		return -a
	}
	return a
}

// addL is the spec's L_add: 32-bit add saturating at the 32-bit bounds.
func addL(a, b int32) int32 {
	s := int64(a) + int64(b)
	if s > 2147483647 {
		return 2147483647
	}
	if s < -2147483648 {
		return -2147483648
	}
	return int32(s)
}

// norm is the number of left shifts that bring a into [2^30, 2^31) (or,
// negative, into [-2^31, -2^30]). a must not be 0.
func norm(a int32) int {
	if a < 0 {
		if a <= -1073741824 {
			return 0
		}
		a = ^a
	}
	return bits.LeadingZeros32(uint32(a)) - 1
}

// div16 is the spec's div: num/denum as a 15-bit fraction, 0 <= num <= denum.
func div16(num, denum int16) int16 {
	if num == 0 {
		return 0
	}
	n, d := int32(num), int32(denum)
	var q int16
	for range 15 {
		q <<= 1
		n <<= 1
		if n >= d {
			n -= d
			q++
		}
	}
	return q
}

// asl and asr are the spec's shifts, where a negative count shifts the
// other way (needed when the APCM exponent makes a shift count -1).
func asl16(a int16, n int) int16 {
	switch {
	case n >= 16:
		return 0
	case n <= -16:
		if a < 0 {
			return -1
		}
		return 0
	case n < 0:
		return asr16(a, -n)
	}
	return int16(int32(a) << n)
}

func asr16(a int16, n int) int16 {
	switch {
	case n >= 16:
		if a < 0 {
			return -1
		}
		return 0
	case n <= -16:
		return 0
	case n < 0:
		return int16(int32(a) << -n)
	}
	return a >> n
}

// ---- tables (spec table 4.1 to 4.6) -----------------------------------------

var (
	// LAR quantisation: A, B, and the range MIC..MAC of each coded LAR.
	gsmA    = [8]int16{20480, 20480, 20480, 20480, 13964, 15360, 8534, 9036}
	gsmB    = [8]int16{0, 0, 2048, -2560, 94, -1792, -341, -1144}
	gsmMIC  = [8]int16{-32, -32, -16, -16, -8, -8, -4, -4}
	gsmMAC  = [8]int16{31, 31, 15, 15, 7, 7, 3, 3}
	gsmINVA = [8]int16{13107, 13107, 13107, 13107, 19223, 17476, 31454, 29708}
	// LTP gain decision levels and quantised gains.
	gsmDLB = [4]int16{6554, 16384, 26214, 32767}
	gsmQLB = [4]int16{3277, 11469, 21299, 32767}
	// Weighting filter impulse response.
	gsmH = [11]int16{-134, -374, 0, 2054, 5741, 8192, 5741, 2054, 0, -374, -134}
	// Inverse and direct mantissas of the RPE block maximum.
	gsmNRFAC = [8]int16{29128, 26215, 23832, 21846, 20165, 18725, 17476, 16384}
	gsmFAC   = [8]int16{18431, 20479, 22527, 24575, 26623, 28671, 30719, 32767}
)

// gsmParams are one frame's 76 coded parameters.
type gsmParams struct {
	LARc  [8]int16
	Nc    [4]int16
	bc    [4]int16
	Mc    [4]int16
	xmaxc [4]int16
	xMc   [4][13]int16
}

// The number of bits of each parameter, in packing order.
var gsmLARBits = [8]uint{6, 6, 5, 5, 4, 4, 3, 3}

func (p *gsmParams) pack(dst []byte) []byte {
	var w bitWriter
	w.put(gsmMagic, 4)
	for i, n := range gsmLARBits {
		w.put(uint32(p.LARc[i]), n)
	}
	for s := range 4 {
		w.put(uint32(p.Nc[s]), 7)
		w.put(uint32(p.bc[s]), 2)
		w.put(uint32(p.Mc[s]), 2)
		w.put(uint32(p.xmaxc[s]), 6)
		for _, x := range p.xMc[s] {
			w.put(uint32(x), 3)
		}
	}
	return append(dst, w.buf[:]...)
}

// unpack reads a packed frame; it reports false when the signature is wrong.
func (p *gsmParams) unpack(src []byte) bool {
	r := bitReader{buf: src[:GSMFrameBytes]}
	if r.get(4) != gsmMagic {
		return false
	}
	for i, n := range gsmLARBits {
		p.LARc[i] = int16(r.get(n))
	}
	for s := range 4 {
		p.Nc[s] = int16(r.get(7))
		p.bc[s] = int16(r.get(2))
		p.Mc[s] = int16(r.get(2))
		p.xmaxc[s] = int16(r.get(6))
		for i := range p.xMc[s] {
			p.xMc[s][i] = int16(r.get(3))
		}
	}
	return true
}

// bitWriter fills one 33-byte frame most significant bit first.
type bitWriter struct {
	buf  [GSMFrameBytes]byte
	bit  uint // bits written
	acc  uint32
	nacc uint
}

func (w *bitWriter) put(v uint32, n uint) {
	w.acc = w.acc<<n | v&(1<<n-1)
	w.nacc += n
	for w.nacc >= 8 {
		w.nacc -= 8
		w.buf[w.bit/8] = byte(w.acc >> w.nacc)
		w.bit += 8
	}
}

type bitReader struct {
	buf  []byte
	pos  int
	acc  uint32
	nacc uint
}

func (r *bitReader) get(n uint) uint32 {
	for r.nacc < n {
		r.acc = r.acc<<8 | uint32(r.buf[r.pos])
		r.pos++
		r.nacc += 8
	}
	r.nacc -= n
	return r.acc >> r.nacc & (1<<n - 1)
}

// ---- shared by encoder and decoder ------------------------------------------

// decodeLARs turns coded LARs into LARpp (spec 4.2.8).
func decodeLARs(LARc *[8]int16, LARpp *[8]int16) {
	for i := range 8 {
		t := int16(int32(add16(LARc[i], gsmMIC[i])) << 10)
		t = sub16(t, gsmB[i]*2)
		t = multR16(gsmINVA[i], t)
		LARpp[i] = add16(t, t)
	}
}

// interpolateLARs gives the reflection coefficients rp for one of the four
// stretches of a frame (spec 4.2.9 and 4.2.10): part 0 is samples 0-12,
// 1 is 13-26, 2 is 27-39, 3 is 40-159.
func interpolateLARs(part int, prev, cur *[8]int16, rp *[8]int16) {
	for i := range 8 {
		var l int16
		switch part {
		case 0:
			l = add16(add16(prev[i]>>2, cur[i]>>2), prev[i]>>1)
		case 1:
			l = add16(prev[i]>>1, cur[i]>>1)
		case 2:
			l = add16(add16(prev[i]>>2, cur[i]>>2), cur[i]>>1)
		default:
			l = cur[i]
		}
		// LARp to rp (spec 4.2.10).
		t := abs16(l)
		switch {
		case t < 11059:
			t <<= 1
		case t < 20070:
			t += 11059
		default:
			t = add16(t>>2, 26112)
		}
		if l < 0 {
			t = -t
		}
		rp[i] = t
	}
}

// The four stretches of a frame over which the LAR interpolation holds.
var gsmStretch = [5]int{0, 13, 27, 40, 160}

// apcmExpMant splits a coded block maximum into exponent and mantissa
// (spec 4.2.15).
func apcmExpMant(xmaxc int16) (exp, mant int16) {
	if xmaxc > 15 {
		exp = xmaxc>>3 - 1
	}
	mant = xmaxc - exp<<3
	if mant == 0 {
		return -4, 7
	}
	for mant <= 7 {
		mant = mant<<1 | 1
		exp--
	}
	return exp, mant - 8
}

// rpeDecode rebuilds the 40-sample excitation of a sub-frame from its coded
// RPE pulses (spec 4.2.16 inverse APCM and 4.2.17 grid positioning).
func rpeDecode(xmaxc, Mc int16, xMc *[13]int16, ep *[40]int16) {
	exp, mant := apcmExpMant(xmaxc)
	t1 := gsmFAC[mant]
	t2 := int(sub16(6, exp))
	t3 := asl16(1, t2-1)
	*ep = [40]int16{}
	for i := range 13 {
		t := (xMc[i]<<1 - 7) << 12 // restore the sign, 16-bit signed
		t = multR16(t1, t)
		t = add16(t, t3)
		ep[int(Mc)+3*i] = asr16(t, t2)
	}
}

// ---- encoder ----------------------------------------------------------------

// GSMEncoder encodes 8 kHz signed linear audio into GSM 06.10 frames. It
// keeps the filter state of one stream between calls.
type GSMEncoder struct {
	z1    int16 // offset compensation
	Lz2   int32
	mp    int16 // pre-emphasis
	u     [8]int16
	LARpp [2][8]int16
	j     int
	dp0   [280]int16 // reconstructed short-term residual, 120 past + 160 new
	e     [50]int16  // LTP residual with 5 zeros either side for the weighting filter
}

// NewGSMEncoder returns an encoder at the start of a stream.
func NewGSMEncoder() *GSMEncoder { return &GSMEncoder{} }

// Encode appends to dst one 33-byte frame per 160 samples of pcm. A final
// partial frame is padded with silence, as libgsm's toast does; callers that
// stream audio pass whole frames (the translator step buffers for them).
func (e *GSMEncoder) Encode(dst []byte, pcm []int16) []byte {
	var frame [GSMFrameSamples]int16
	for len(pcm) > 0 {
		n := copy(frame[:], pcm)
		clear(frame[n:])
		pcm = pcm[n:]
		var p gsmParams
		e.encodeFrame(&frame, &p)
		dst = p.pack(dst)
	}
	return dst
}

func (e *GSMEncoder) encodeFrame(in *[160]int16, p *gsmParams) {
	var s [160]int16
	e.preprocess(in, &s)
	lpcAnalysis(&s, &p.LARc)
	e.shortTermAnalysis(&p.LARc, &s)
	for k := range 4 {
		d := s[k*40 : k*40+40]
		past := e.dp0[k*40 : k*40+120] // the 120 residual samples before this sub-frame
		Nc, bc := ltpParameters(d, past)
		p.Nc[k], p.bc[k] = Nc, bc
		// Long term analysis filtering (spec 4.2.12).
		var dpp [40]int16
		bp := gsmQLB[bc]
		ek := e.e[5:45]
		for i := range 40 {
			dpp[i] = multR16(bp, past[120+i-int(Nc)])
			ek[i] = sub16(d[i], dpp[i])
		}
		var ep [40]int16
		p.Mc[k], p.xmaxc[k] = e.rpeEncode(&p.xMc[k], &ep)
		// Update of the reconstructed short-term residual (spec 4.2.18).
		for i := range 40 {
			e.dp0[120+k*40+i] = add16(ep[i], dpp[i])
		}
	}
	copy(e.dp0[:120], e.dp0[160:])
}

// preprocess is spec 4.2.1-4.2.3: downscaling, offset compensation (a
// high-pass notch at DC) and pre-emphasis.
func (e *GSMEncoder) preprocess(in, out *[160]int16) {
	z1, Lz2, mp := e.z1, e.Lz2, e.mp
	for k, x := range in {
		so := x >> 3 << 2
		s1 := int32(so) - int32(z1)
		z1 = so
		Ls2 := s1 << 15
		msp := int16(Lz2 >> 15)
		lsp := Lz2 - int32(msp)<<15
		Ls2 += int32(multR16(int16(lsp), 32735))
		Lz2 = addL(int32(msp)*32735, Ls2)
		sof := int16(addL(Lz2, 16384) >> 15)
		out[k] = add16(sof, multR16(mp, -28180))
		mp = sof
	}
	e.z1, e.Lz2, e.mp = z1, Lz2, mp
}

// lpcAnalysis is spec 4.2.4-4.2.7: autocorrelation, Schur recursion for the
// reflection coefficients, log-area ratios and their quantisation. It
// rescales s in place as the spec does (the rounding it leaves is part of
// the bit-exact result).
func lpcAnalysis(s *[160]int16, LARc *[8]int16) {
	// Autocorrelation (4.2.4), with dynamic scaling so the sums fit.
	var smax int16
	for _, x := range s {
		if a := abs16(x); a > smax {
			smax = a
		}
	}
	scal := 0
	if smax != 0 {
		scal = 4 - norm(int32(smax)<<16)
	}
	if scal > 0 {
		f := int16(16384 >> (scal - 1))
		for k := range s {
			s[k] = multR16(s[k], f)
		}
	}
	var LACF [9]int32
	for k := range 9 {
		var sum int32
		for i := k; i < 160; i++ {
			sum += int32(s[i]) * int32(s[i-k])
		}
		LACF[k] = sum << 1
	}
	if scal > 0 {
		for k := range s {
			s[k] = int16(int32(s[k]) << scal)
		}
	}

	// Reflection coefficients (4.2.5).
	var r [8]int16
	if LACF[0] != 0 {
		t := norm(LACF[0])
		var P, K [9]int16
		for i := range 9 {
			P[i] = int16((LACF[i] << t) >> 16)
		}
		copy(K[1:8], P[1:8])
		for n := range 8 {
			a := abs16(P[1])
			if P[0] < a {
				break // remaining coefficients stay 0
			}
			r[n] = div16(a, P[0])
			if P[1] > 0 {
				r[n] = -r[n]
			}
			if n == 7 {
				break
			}
			P[0] = add16(P[0], multR16(P[1], r[n]))
			for m := 1; m <= 7-n; m++ {
				P[m] = add16(P[m+1], multR16(K[m], r[n]))
				K[m] = add16(K[m], multR16(P[m+1], r[n]))
			}
		}
	}

	// Log-area ratios (4.2.6) and their quantisation (4.2.7).
	for i := range 8 {
		t := abs16(r[i])
		switch {
		case t < 22118:
			t >>= 1
		case t < 31130:
			t -= 11059
		default:
			t = (t - 26112) << 2
		}
		if r[i] < 0 {
			t = -t
		}
		t = mult16(gsmA[i], t)
		t = add16(t, gsmB[i])
		t = add16(t, 256)
		t >>= 9
		switch {
		case t > gsmMAC[i]:
			t = gsmMAC[i]
		case t < gsmMIC[i]:
			t = gsmMIC[i]
		}
		LARc[i] = t - gsmMIC[i]
	}
}

// shortTermAnalysis is spec 4.2.8-4.2.10: the lattice filter that turns the
// pre-processed speech into the short-term residual d, in place, with the
// coefficients the decoder will rebuild from the coded LARs.
func (e *GSMEncoder) shortTermAnalysis(LARc *[8]int16, s *[160]int16) {
	prev := &e.LARpp[e.j]
	e.j ^= 1
	cur := &e.LARpp[e.j]
	decodeLARs(LARc, cur)
	var rp [8]int16
	u := &e.u
	for part := range 4 {
		interpolateLARs(part, prev, cur, &rp)
		for k := gsmStretch[part]; k < gsmStretch[part+1]; k++ {
			di := s[k]
			sav := di
			for i := range 8 {
				ui := u[i]
				u[i] = sav
				sav = add16(ui, multR16(rp[i], di))
				di = add16(di, multR16(rp[i], ui))
			}
			s[k] = di
		}
	}
}

// ltpParameters is spec 4.2.11: the lag Nc (40-120) at which the past
// reconstructed residual dp best matches the sub-frame d, and the coded
// gain bc. past holds the 120 reconstructed residual samples before the
// sub-frame, so past[120+i-lag] is the one lag samples before d[i].
func ltpParameters(d []int16, past []int16) (Nc, bc int16) {
	var dmax int16
	for _, x := range d[:40] {
		if a := abs16(x); a > dmax {
			dmax = a
		}
	}
	t := 0
	if dmax != 0 {
		t = norm(int32(dmax) << 16)
	}
	scal := 0
	if t <= 6 {
		scal = 6 - t
	}
	var wt [40]int32
	for k := range 40 {
		wt[k] = int32(d[k] >> scal)
	}
	var Lmax int32
	Nc = 40
	for lambda := 40; lambda <= 120; lambda++ {
		var sum int32
		off := 120 - lambda
		for k := range 40 {
			sum += wt[k] * int32(past[off+k])
		}
		if sum > Lmax {
			Nc, Lmax = int16(lambda), sum
		}
	}
	Lmax <<= 1
	Lmax >>= 6 - scal
	var Lpower int32
	off := 120 - int(Nc)
	for k := range 40 {
		x := int32(past[off+k] >> 3)
		Lpower += x * x
	}
	Lpower <<= 1
	if Lmax <= 0 {
		return Nc, 0
	}
	if Lmax >= Lpower {
		return Nc, 3
	}
	t = norm(Lpower)
	R := int16((Lmax << t) >> 16)
	S := int16((Lpower << t) >> 16)
	for bc = 0; bc <= 2; bc++ {
		if R <= mult16(S, gsmDLB[bc]) {
			break
		}
	}
	return Nc, bc
}

// rpeEncode is spec 4.2.13-4.2.17 for one sub-frame of LTP residual (in
// e.e[5:45]): weighting filter, grid selection, APCM quantisation of the
// 13 chosen pulses, and the decoded excitation ep the encoder feeds back.
func (e *GSMEncoder) rpeEncode(xMc *[13]int16, ep *[40]int16) (Mc, xmaxc int16) {
	// Weighting filter (4.2.13).
	var x [40]int16
	for k := range 40 {
		L := int32(4096)
		for i, h := range gsmH {
			L += int32(e.e[k+i]) * int32(h)
		}
		x[k] = sat16(L >> 13)
	}
	// Grid selection (4.2.14).
	var EM int32
	for m := range 4 {
		var L int32
		for i := range 13 {
			t := int32(x[m+3*i] >> 2)
			L += t * t
		}
		L <<= 1
		if L > EM {
			Mc, EM = int16(m), L
		}
	}
	var xM [13]int16
	var xmax int16
	for i := range 13 {
		xM[i] = x[int(Mc)+3*i]
		if a := abs16(xM[i]); a > xmax {
			xmax = a
		}
	}
	// APCM quantisation (4.2.15): block maximum, then the pulses.
	exp := int16(0)
	t := xmax >> 9
	itest := false
	for range 6 {
		itest = itest || t <= 0
		t >>= 1
		if !itest {
			exp++
		}
	}
	xmaxc = add16(xmax>>(exp+5), exp<<3)
	exp, mant := apcmExpMant(xmaxc)
	t1 := 6 - exp
	t2 := gsmNRFAC[mant]
	for i := range 13 {
		v := int16(int32(xM[i]) << t1)
		v = mult16(v, t2)
		xMc[i] = v>>12 + 4
	}
	rpeDecode(xmaxc, Mc, xMc, ep)
	return Mc, xmaxc
}

// ---- decoder ----------------------------------------------------------------

// GSMDecoder decodes GSM 06.10 frames into 8 kHz signed linear audio. It
// keeps the filter state of one stream between calls.
type GSMDecoder struct {
	drp   [160]int16 // 120 past + 40 current reconstructed residual
	nrp   int16
	v     [9]int16
	msr   int16
	LARpp [2][8]int16
	j     int
	bad   int
}

// NewGSMDecoder returns a decoder at the start of a stream.
func NewGSMDecoder() *GSMDecoder { return &GSMDecoder{nrp: 40} }

// Decode appends 160 samples to dst for each whole 33-byte frame in
// frames; trailing bytes short of a frame are ignored. A frame without the
// 0xD signature is not GSM 06.10 (libgsm refuses it, Asterisk drops it with
// a warning): it decodes as 160 samples of silence, leaves the filter state
// alone, and is counted in BadFrames.
func (d *GSMDecoder) Decode(dst []int16, frames []byte) []int16 {
	for len(frames) >= GSMFrameBytes {
		var p gsmParams
		n := len(dst)
		dst = append(dst, make([]int16, GSMFrameSamples)...)
		if p.unpack(frames) {
			d.decodeFrame(&p, (*[160]int16)(dst[n:]))
		} else {
			d.bad++
		}
		frames = frames[GSMFrameBytes:]
	}
	return dst
}

// BadFrames is the number of frames Decode rejected for a wrong signature.
func (d *GSMDecoder) BadFrames() int { return d.bad }

func (d *GSMDecoder) decodeFrame(p *gsmParams, out *[160]int16) {
	var wt [160]int16
	for k := range 4 {
		var erp [40]int16
		rpeDecode(p.xmaxc[k], p.Mc[k], &p.xMc[k], &erp)
		// Long term synthesis filtering (spec 4.3.2).
		Nr := p.Nc[k]
		if Nr < 40 || Nr > 120 {
			Nr = d.nrp
		}
		d.nrp = Nr
		brp := gsmQLB[p.bc[k]]
		for i := range 40 {
			drpp := multR16(brp, d.drp[120+i-int(Nr)])
			d.drp[120+i] = add16(erp[i], drpp)
		}
		copy(wt[k*40:], d.drp[120:])
		copy(d.drp[:120], d.drp[40:])
	}
	// Short term synthesis filtering (spec 4.3.3-4.3.4).
	prev := &d.LARpp[d.j]
	d.j ^= 1
	cur := &d.LARpp[d.j]
	decodeLARs(&p.LARc, cur)
	var rrp [8]int16
	v := &d.v
	for part := range 4 {
		interpolateLARs(part, prev, cur, &rrp)
		for k := gsmStretch[part]; k < gsmStretch[part+1]; k++ {
			sri := wt[k]
			for i := 7; i >= 0; i-- {
				sri = sub16(sri, multR16(rrp[i], v[i]))
				v[i+1] = add16(v[i], multR16(rrp[i], sri))
			}
			v[0] = sri
			wt[k] = sri
		}
	}
	// Post-processing (spec 4.3.5-4.3.7): de-emphasis, upscaling and
	// truncation to the 13 bits the codec carries.
	msr := d.msr
	for k, x := range wt {
		msr = add16(x, multR16(msr, 28180))
		out[k] = add16(msr, msr) &^ 7
	}
	d.msr = msr
}

// ---- translator steps -------------------------------------------------------

// gsmSteps are the translator steps between gsm and slin, as Asterisk's
// codec_gsm provides.
func gsmSteps() []Step {
	return []Step{
		{From: GSM, To: SLin, New: func() Converter { return &gsmDecodeConv{d: NewGSMDecoder()} }},
		{From: SLin, To: GSM, New: func() Converter { return &gsmEncodeConv{e: NewGSMEncoder()} }},
	}
}

type gsmDecodeConv struct {
	d   *GSMDecoder
	pcm []int16
}

func (c *gsmDecodeConv) Convert(dst, src []byte) []byte {
	c.pcm = c.d.Decode(c.pcm[:0], src)
	return EncodeSLin(dst, c.pcm)
}

// gsmEncodeConv buffers slin until a whole 160-sample frame is there, as
// Asterisk's lintogsm does: a 10 ms or 30 ms slin frame yields a GSM frame
// only once enough audio has arrived, and may yield none (an empty payload).
type gsmEncodeConv struct {
	e       *GSMEncoder
	pending []int16
}

func (c *gsmEncodeConv) Convert(dst, src []byte) []byte {
	c.pending = DecodeSLin(c.pending, src)
	whole := len(c.pending) / GSMFrameSamples * GSMFrameSamples
	dst = c.e.Encode(dst, c.pending[:whole])
	c.pending = append(c.pending[:0], c.pending[whole:]...)
	return dst
}
