package media

import "math"

// Resampling between 8 and 16 kHz uses one half-band low-pass FIR filter
// (cut-off at a quarter of the 16 kHz rate, 4 kHz): upsampling inserts a
// zero between samples and filters away the mirror image above 4 kHz;
// downsampling filters away what 8 kHz cannot carry and keeps every other
// sample. In a half-band filter every other tap is zero except the centre,
// so each output costs about halfbandTaps/4 multiplications.
//
// The taps are a windowed sinc (Blackman window, about 74 dB of stop-band
// rejection); with 47 taps the transition band is roughly 3.1 to 4.9 kHz, so
// telephone speech (300-3400 Hz) passes and 5 kHz and up are removed.

const halfbandTaps = 47 // odd, and (taps-1)/2 odd so the outermost taps are non-zero

var halfband = makeHalfband(halfbandTaps)

func makeHalfband(n int) []float64 {
	h := make([]float64, n)
	m := (n - 1) / 2
	var sum float64
	for i := range h {
		k := i - m
		var sinc float64
		if k == 0 {
			sinc = 0.5
		} else if k%2 != 0 {
			sinc = math.Sin(math.Pi*float64(k)/2) / (math.Pi * float64(k))
		}
		w := 0.42 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1)) + 0.08*math.Cos(4*math.Pi*float64(i)/float64(n-1))
		h[i] = sinc * w
		sum += h[i]
	}
	for i := range h {
		h[i] /= sum // unity gain at 0 Hz
	}
	return h
}

// ResampleDelay is the delay the filter adds, in samples at 16 kHz.
const ResampleDelay = (halfbandTaps - 1) / 2

// firHistory holds the last halfbandTaps samples twice over, so the window
// is always one contiguous slice and a new sample costs two stores instead
// of shifting the whole history.
type firHistory struct {
	buf [2 * halfbandTaps]float64
	pos int
}

// push adds x and returns the window, oldest sample first.
func (h *firHistory) push(x float64) []float64 {
	h.buf[h.pos] = x
	h.buf[h.pos+halfbandTaps] = x
	h.pos++
	if h.pos == halfbandTaps {
		h.pos = 0
	}
	return h.buf[h.pos : h.pos+halfbandTaps]
}

// Upsampler converts 8 kHz samples to 16 kHz. It keeps the filter's history
// between calls so a stream cut into frames is filtered as one signal.
type Upsampler struct {
	hist firHistory // the zero-stuffed 16 kHz signal
}

// Upsample appends the 16 kHz samples for in (twice as many) to dst.
func (u *Upsampler) Upsample(dst, in []int16) []int16 {
	for _, s := range in {
		// Gain 2 makes up for the inserted zeros.
		a := clamp16(filterAt(u.hist.push(2 * float64(s))))
		b := clamp16(filterAt(u.hist.push(0)))
		dst = append(dst, a, b)
	}
	return dst
}

// Downsampler converts 16 kHz samples to 8 kHz, with history between calls.
type Downsampler struct {
	hist firHistory
	odd  bool // the next input sample is the second of a pair (dropped)
}

// Downsample appends the 8 kHz samples for in (half as many) to dst.
func (d *Downsampler) Downsample(dst, in []int16) []int16 {
	for _, s := range in {
		w := d.hist.push(float64(s))
		if !d.odd {
			dst = append(dst, clamp16(filterAt(w)))
		}
		d.odd = !d.odd
	}
	return dst
}

// filterAt computes one output, skipping the half-band filter's zero taps.
func filterAt(hist []float64) float64 {
	const m = (halfbandTaps - 1) / 2
	hist = hist[:halfbandTaps]
	acc := halfband[m] * hist[m]
	for i := 0; i < m; i += 2 {
		acc += halfband[i] * (hist[i] + hist[halfbandTaps-1-i])
	}
	return acc
}

func clamp16(v float64) int16 {
	v = math.Round(v)
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(v)
}
