package dsp

import "math"

// FreqDetector reports a single-frequency tone that lasts long enough, as
// Asterisk's DSP frequency mode (res_tonedetect's WaitForTone): the stream
// is cut into blocks of a whole number of the tone's periods (about 20 ms,
// at least 5 periods); a block is a hit when the tone's energy is at least
// db decibels above the rest of the block's energy (and not negligible);
// the tone is detected once hits follow each other for 90 % of the
// duration (less the first and last blocks, which are partial). Two
// misses in a row end a tone.
type FreqDetector struct {
	g            goertzel
	blockSize    int
	pending      int
	hitsRequired int
	hitCount     int
	lastHit      bool
	threshold    float64
	energy       float64
}

// toneMinEnergy is the least tone energy (in the scale of twice the
// Goertzel power) a hit needs: quiet noise at the frequency is no tone.
const toneMinEnergy = 7.8e7

// NewFreqDetector detects freq Hz lasting durationMS, db decibels above
// the rest of the signal, in a stream of rate samples per second.
func NewFreqDetector(freq, durationMS, db, rate int) *FreqDetector {
	if freq <= 0 {
		freq = 1
	}
	durationSamples := durationMS * rate / 1000 * 9 / 10
	block := 20 * rate / 1000
	periods := block * freq / rate
	if periods < 5 {
		periods = 5
	}
	block = periods * rate / freq
	if block < 1 {
		block = 1
	}
	x := math.Pow(10, float64(db)/10)
	hits := (durationSamples - (block - 1)) / block
	if hits < 1 {
		hits = 1
	}
	return &FreqDetector{
		g: newGoertzel(float64(freq), rate), blockSize: block, pending: block,
		hitsRequired: hits,
		threshold:    x / (x + 1),
	}
}

// Process feeds samples; it returns how many tones were detected in them
// (a tone is counted once, when it has lasted long enough).
func (d *FreqDetector) Process(samples []int16) int {
	found := 0
	for len(samples) > 0 {
		n := min(len(samples), d.pending)
		for _, v := range samples[:n] {
			x := float64(v)
			d.energy += x * x
			d.g.v2, d.g.v3 = d.g.v3, d.g.coef*d.g.v3-d.g.v2+x
		}
		samples = samples[n:]
		d.pending -= n
		if d.pending > 0 {
			break
		}
		tone := 2 * d.g.power()
		total := d.energy * float64(d.blockSize)
		hit := tone >= toneMinEnergy && tone > total*d.threshold
		if d.hitCount > 0 {
			d.hitCount++
		}
		if hit == d.lastHit {
			if !hit {
				d.hitCount = 0 // two misses in a row: the tone ended
			} else if d.hitCount == 0 {
				d.hitCount = 1
			}
		}
		if d.hitCount == d.hitsRequired {
			found++
		}
		d.lastHit = hit
		d.g.v2, d.g.v3 = 0, 0
		d.energy = 0
		d.pending = d.blockSize
	}
	return found
}
