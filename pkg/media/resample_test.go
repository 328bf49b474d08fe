package media

import (
	"math"
	"testing"
)

func sine(freq, rate float64, n int, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(math.Round(amp * math.Sin(2*math.Pi*freq*float64(i)/rate)))
	}
	return s
}

func rms(s []int16) float64 {
	var e float64
	for _, v := range s {
		e += float64(v) * float64(v)
	}
	return math.Sqrt(e / float64(len(s)))
}

// toneLevel is the amplitude of the freq component of s (a one-bin DFT).
func toneLevel(s []int16, freq, rate float64) float64 {
	var re, im float64
	for i, v := range s {
		ph := 2 * math.Pi * freq * float64(i) / rate
		re += float64(v) * math.Cos(ph)
		im += float64(v) * math.Sin(ph)
	}
	return 2 * math.Hypot(re, im) / float64(len(s))
}

// correlation is the normalised cross-correlation of a and b at their best
// lag in [0, maxLag] (b delayed against a), with that lag.
func correlation(a, b []int16, maxLag int) (float64, int) {
	best, bestLag := -2.0, 0
	for lag := 0; lag <= maxLag; lag++ {
		var ab, aa, bb float64
		for i := 0; i+lag < len(b) && i < len(a); i++ {
			x, y := float64(a[i]), float64(b[i+lag])
			ab += x * y
			aa += x * x
			bb += y * y
		}
		if c := ab / math.Sqrt(aa*bb); c > best {
			best, bestLag = c, lag
		}
	}
	return best, bestLag
}

// A 1 kHz tone goes 8 -> 16 -> 8 kHz in 20 ms frames and comes back intact,
// delayed by the two filters.
func TestResampleRoundTrip(t *testing.T) {
	in := sine(1000, 8000, 8000, 10000)
	var up Upsampler
	var down Downsampler
	var mid, out []int16
	for i := 0; i < len(in); i += 160 {
		n := len(mid)
		mid = up.Upsample(mid, in[i:i+160])
		out = down.Downsample(out, mid[n:])
	}
	if len(mid) != 2*len(in) || len(out) != len(in) {
		t.Fatalf("lengths: 8k %d, 16k %d, back %d", len(in), len(mid), len(out))
	}
	c, lag := correlation(in, out, 60)
	t.Logf("1 kHz up+down: correlation %.5f at lag %d", c, lag)
	if c < 0.999 {
		t.Errorf("correlation after up+down = %.5f (lag %d), want >= 0.999", c, lag)
	}
	if g := rms(out[100:]) / rms(in[100:]); g < 0.97 || g > 1.03 {
		t.Errorf("1 kHz gain after up+down = %.3f, want 1", g)
	}
	// The 16 kHz signal carries the tone and not its mirror image at 7 kHz.
	settled := mid[200:]
	tone, image := toneLevel(settled, 1000, 16000), toneLevel(settled, 7000, 16000)
	if tone < 9500 || tone > 10500 {
		t.Errorf("1 kHz level at 16 kHz = %.0f, want about 10000", tone)
	}
	t.Logf("7 kHz image %.1f dB below the 1 kHz tone", 20*math.Log10(tone/image))
	if db := 20 * math.Log10(tone/image); db < 40 {
		t.Errorf("7 kHz image only %.1f dB below the tone, want >= 40", db)
	}
}

// Frequencies that 8 kHz cannot carry are removed before decimation instead of
// folding back into the band.
func TestDownsampleRejects(t *testing.T) {
	for _, c := range []struct {
		freq  float64
		minDB float64 // attenuation wanted
		maxDB float64
	}{
		{500, -0.5, 0.5},
		{3000, -1, 1},
		{5500, 30, 200},
		{7000, 30, 200},
	} {
		in := sine(c.freq, 16000, 16000, 10000)
		var d Downsampler
		out := d.Downsample(nil, in)[100:]
		db := 200.0
		if rms(out) > 0 {
			db = 20 * math.Log10(rms(in)/rms(out))
		}
		t.Logf("%.0f Hz: %.1f dB", c.freq, db)
		if db < c.minDB || db > c.maxDB {
			t.Errorf("%.0f Hz at 16 kHz downsampled: attenuation %.1f dB, want %.1f..%.1f", c.freq, db, c.minDB, c.maxDB)
		}
	}
}

// Speech-band audio made of unrelated tones (so the correlation has a single
// peak) comes back delayed by exactly the two filters' delay.
func TestResampleDelay(t *testing.T) {
	in := make([]int16, 4000)
	for _, f := range []float64{440, 1130, 2670} {
		for i, v := range sine(f, 8000, len(in), 5000) {
			in[i] += v
		}
	}
	var up Upsampler
	var down Downsampler
	out := down.Downsample(nil, up.Upsample(nil, in))
	c, lag := correlation(in, out, 60)
	if lag != ResampleDelay || c < 0.99 {
		t.Errorf("best lag %d (correlation %.4f), want %d with >= 0.99", lag, c, ResampleDelay)
	}
}

// A full-scale step overshoots in the filter (Gibbs ripple); the overshoot
// saturates at 32767 instead of wrapping round to a negative sample.
func TestResampleClamps(t *testing.T) {
	in := make([]int16, 200)
	for i := 100; i < len(in); i++ {
		in[i] = math.MaxInt16
	}
	var u Upsampler
	out := u.Upsample(nil, in)
	sawMax := false
	for i, v := range out[2*100+ResampleDelay:] {
		if v < 30000 {
			t.Fatalf("sample %d after the step = %d", i, v)
		}
		sawMax = sawMax || v == math.MaxInt16
	}
	if !sawMax {
		t.Error("the overshoot never reached full scale: nothing was clamped")
	}
}
