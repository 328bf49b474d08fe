package dsp

import (
	"fmt"
	"math"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// The detector's fixed constants, from Asterisk's dsp.c. Energies are those
// of a Goertzel filter over one block of 16-bit samples, so the thresholds
// mean the same here as there.
const (
	// dtmfBlock is the Goertzel block: 102 samples (12.75 ms) at 8 kHz,
	// sized to tell the DTMF frequencies apart within the specs' timing.
	dtmfBlock = 102
	// dtmfThreshold is the least energy the strongest row and column must
	// each have (a tone of about 175 peak, some 45 dB under full scale).
	dtmfThreshold = 8.0e7
	// The strongest row (column) must beat every other row (column) by
	// this ratio, 8 dB.
	dtmfRelativePeakRow = 6.3
	dtmfRelativePeakCol = 6.3
	// The two tones together must hold this share of the block's energy
	// (42 against a pure pair's 51): speech and music spread theirs.
	dtmfToTotalEnergy = 42.0
)

// DTMFParams are the tunables Asterisk reads from dsp.conf.
type DTMFParams struct {
	// NormalTwist bounds how much stronger the row tone may be than the
	// column tone (power ratio); ReverseTwist the other way round. The
	// Relax values replace them when Relax is set (relaxdtmf=yes).
	NormalTwist, ReverseTwist           float64
	RelaxNormalTwist, RelaxReverseTwist float64
	Relax                               bool
	// HitsToBegin is how many blocks in a row must show a digit before it
	// begins; MissesToEnd how many without it before it ends.
	HitsToBegin, MissesToEnd int
}

// DefaultDTMFParams are Asterisk's defaults (dsp.conf absent): twist 8 dB
// normal, 4 dB reverse (6 dB relaxed), 2 hits to begin, 3 misses to end.
func DefaultDTMFParams() DTMFParams {
	return DTMFParams{
		NormalTwist: 6.31, ReverseTwist: 2.51,
		RelaxNormalTwist: 6.31, RelaxReverseTwist: 3.98,
		HitsToBegin: 2, MissesToEnd: 3,
	}
}

// goertzel is one frequency's filter over a block.
type goertzel struct {
	coef, v2, v3 float64
}

func newGoertzel(freq float64, rate int) goertzel {
	return goertzel{coef: 2 * math.Cos(2*math.Pi*freq/float64(rate))}
}

// power is the squared magnitude of the block's component at the filter's
// frequency (about (amplitude*N/2)^2 for a sine of that frequency).
func (g *goertzel) power() float64 {
	return g.v3*g.v3 + g.v2*g.v2 - g.coef*g.v2*g.v3
}

// DTMFDetector finds DTMF digits in a signed linear stream. Feed it every
// frame of the stream in order; it returns a DTMFBegin when a digit has been
// heard for HitsToBegin blocks and the matching DTMFEnd (with how long the
// digit lasted) once it has been absent for MissesToEnd blocks or another
// digit began. Detection runs at 8 kHz: 16 kHz audio is filtered and
// decimated first, as are other multiples of 8 kHz (by averaging).
type DTMFDetector struct {
	params DTMFParams
	normal float64 // twist limits in use
	rev    float64

	down   *media.Downsampler // 16 kHz input
	factor int                // other multiples of 8 kHz: samples averaged
	acc    int                // their running sum
	accN   int
	scr    []int16 // decimated samples, reused

	row, col [4]goertzel
	energy   float64
	n        int // samples in the current block

	lastHit  rune // the previous block's result
	hits     int  // blocks in a row showing lastHit
	current  rune // the digit being held, 0 when none
	misses   int  // blocks in a row without current
	blocks   int  // blocks the current digit has lasted
	reported bool // a DTMFBegin went out for current
}

// NewDTMFDetector detects with Asterisk's default parameters. rate must be
// a multiple of 8000 (8 and 16 kHz are the rates the program uses); any
// other rate is a programming error and panics.
func NewDTMFDetector(rate int) *DTMFDetector {
	return NewDTMFDetectorParams(rate, DefaultDTMFParams())
}

// NewDTMFDetectorParams is NewDTMFDetector with dsp.conf's tunables.
func NewDTMFDetectorParams(rate int, p DTMFParams) *DTMFDetector {
	if rate <= 0 || rate%8000 != 0 {
		panic(fmt.Sprintf("dsp: DTMF detection needs a multiple of 8000 Hz, not %d", rate))
	}
	if p.HitsToBegin < 1 {
		p.HitsToBegin = 1
	}
	if p.MissesToEnd < 1 {
		p.MissesToEnd = 1
	}
	d := &DTMFDetector{params: p, normal: p.NormalTwist, rev: p.ReverseTwist}
	if p.Relax {
		d.normal, d.rev = p.RelaxNormalTwist, p.RelaxReverseTwist
	}
	switch rate {
	case 8000:
	case 16000:
		d.down = new(media.Downsampler)
	default:
		d.factor = rate / 8000
	}
	for i := range d.row {
		d.row[i] = newGoertzel(dtmfRow[i], 8000)
		d.col[i] = newGoertzel(dtmfCol[i], 8000)
	}
	return d
}

// Process runs the detector over the next samples of the stream and returns
// the DTMF frames they complete, usually none (then nil, without
// allocating).
func (d *DTMFDetector) Process(samples []int16) []media.Frame {
	switch {
	case d.down != nil:
		d.scr = d.down.Downsample(d.scr[:0], samples)
		samples = d.scr
	case d.factor > 1:
		d.scr = d.decimate(d.scr[:0], samples)
		samples = d.scr
	}
	var out []media.Frame
	for _, s := range samples {
		x := float64(s)
		d.energy += x * x
		for i := range d.row {
			r := &d.row[i]
			r.v2, r.v3 = r.v3, r.coef*r.v3-r.v2+x
			c := &d.col[i]
			c.v2, c.v3 = c.v3, c.coef*c.v3-c.v2+x
		}
		d.n++
		if d.n == dtmfBlock {
			out = d.endBlock(out)
		}
	}
	return out
}

// decimate averages each group of factor samples: a crude low-pass, enough
// to keep DTMF's band and the energy test meaningful.
func (d *DTMFDetector) decimate(dst, in []int16) []int16 {
	for _, s := range in {
		d.acc += int(s)
		d.accN++
		if d.accN == d.factor {
			dst = append(dst, int16(d.acc/d.factor))
			d.acc, d.accN = 0, 0
		}
	}
	return dst
}

// endBlock judges a finished block and moves the debouncing along, as
// dsp.c's dtmf_detect does.
func (d *DTMFDetector) endBlock(out []media.Frame) []media.Frame {
	hit := d.classify()
	for i := range d.row {
		d.row[i].v2, d.row[i].v3 = 0, 0
		d.col[i].v2, d.col[i].v3 = 0, 0
	}
	d.energy, d.n = 0, 0

	if d.current != 0 {
		if hit != d.current {
			d.misses++
			if d.misses == d.params.MissesToEnd {
				out = d.end(out)
			}
		} else {
			d.misses = 0
			d.blocks++
		}
	}
	// A new digit may begin while the old one is still counting misses
	// (when HitsToBegin < MissesToEnd); the old one ends then.
	if hit != d.lastHit {
		d.lastHit, d.hits = hit, 0
	}
	if hit != 0 && hit != d.current {
		d.hits++
		if d.hits == d.params.HitsToBegin {
			out = d.end(out)
			d.current, d.misses, d.blocks = hit, 0, d.params.HitsToBegin
			out = append(out, media.Frame{Kind: media.DTMFBegin, Digit: hit})
			d.reported = true
		}
	}
	return out
}

// end reports the end of the current digit, if any. Its length counts the
// blocks it was heard in, as Asterisk's digitlen does.
func (d *DTMFDetector) end(out []media.Frame) []media.Frame {
	if d.current == 0 {
		return out
	}
	if d.reported {
		dur := time.Duration(d.blocks*dtmfBlock) * time.Second / 8000
		out = append(out, media.Frame{Kind: media.DTMFEnd, Digit: d.current, Duration: dur})
	}
	d.current, d.reported, d.blocks = 0, false, 0
	return out
}

// classify returns the digit a block holds, or 0: the strongest row and
// column must pass the level test, the twist test both ways, beat the other
// rows and columns by 8 dB, and carry most of the block's energy.
func (d *DTMFDetector) classify() rune {
	var rowE, colE [4]float64
	br, bc := 0, 0
	for i := range d.row {
		rowE[i] = d.row[i].power()
		colE[i] = d.col[i].power()
		if rowE[i] > rowE[br] {
			br = i
		}
		if colE[i] > colE[bc] {
			bc = i
		}
	}
	r, c := rowE[br], colE[bc]
	if r < dtmfThreshold || c < dtmfThreshold || c >= r*d.rev || r >= c*d.normal {
		return 0
	}
	for i := range rowE {
		if (i != bc && colE[i]*dtmfRelativePeakCol > c) || (i != br && rowE[i]*dtmfRelativePeakRow > r) {
			return 0
		}
	}
	if r+c <= dtmfToTotalEnergy*d.energy {
		return 0
	}
	return rune(dtmfKeys[br*4+bc])
}

// Flush ends a digit still held when the stream stops (a call hung up in
// the middle of a key press), so every DTMFBegin gets its DTMFEnd.
func (d *DTMFDetector) Flush() []media.Frame {
	return d.end(nil)
}
