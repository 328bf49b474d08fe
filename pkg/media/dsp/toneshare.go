package dsp

// ToneShare is the share of samples' power that lies at freq (Hz, at
// rate samples per second): about 1 for a pure tone of that frequency,
// about 0 for silence or other frequencies. Tests that check which tones
// a party heard (a conference, a spy, a recording) measure with it.
func ToneShare(samples []int16, freq float64, rate int) float64 {
	g := newGoertzel(freq, rate)
	var total float64
	for _, v := range samples {
		x := float64(v)
		g.v2, g.v3 = g.v3, g.coef*g.v3-g.v2+x
		total += x * x
	}
	if total == 0 {
		return 0
	}
	return g.power() / (total * float64(len(samples)) / 2)
}
