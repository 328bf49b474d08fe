package dsp

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

func TestParseToneList(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		in   string
		want ToneList
		err  string // substring of the error, "" for none
	}{
		{"350+440", ToneList{Parts: []TonePart{{Freq1: 350, Freq2: 440}}, Repeat: 0}, ""},
		{"480+620/500,0/500", ToneList{Parts: []TonePart{
			{Freq1: 480, Freq2: 620, Duration: 500 * ms}, {Duration: 500 * ms}}, Repeat: 0}, ""},
		// fr ring: the first part once, then repeats from the second.
		{"!440/1500, 0/3500", ToneList{Parts: []TonePart{
			{Freq1: 440, Duration: 1500 * ms, Once: true}, {Duration: 3500 * ms}}, Repeat: 1}, ""},
		{"!950/330,!1400/330,!1800/330,0", ToneList{Parts: []TonePart{
			{Freq1: 950, Duration: 330 * ms, Once: true}, {Freq1: 1400, Duration: 330 * ms, Once: true},
			{Freq1: 1800, Duration: 330 * ms, Once: true}, {}}, Repeat: 3}, ""},
		{"!350+440/100,!0/100", ToneList{Parts: []TonePart{
			{Freq1: 350, Freq2: 440, Duration: 100 * ms, Once: true}, {Duration: 100 * ms, Once: true}}, Repeat: -1}, ""},
		{"425*25/1000", ToneList{Parts: []TonePart{{Freq1: 425, Freq2: 25, Modulate: true, Duration: time.Second}}}, ""},
		{"440|0/100", ToneList{Parts: []TonePart{{Freq1: 440}, {Duration: 100 * ms}}}, ""},
		{"M69/200,M60+M64", ToneList{Parts: []TonePart{{Freq1: 440, Duration: 200 * ms}, {Freq1: 261, Freq2: 329}}}, ""},
		{"M60*M200", ToneList{Parts: []TonePart{{Freq1: 261, Modulate: true}}}, ""},
		{" 440+ 480/ 20 ", ToneList{Parts: []TonePart{{Freq1: 440, Freq2: 480, Duration: 20 * ms}}}, ""},
		// Read only as far as the syntax fits, as Asterisk's sscanf does.
		{"440 + 480", ToneList{Parts: []TonePart{{Freq1: 440}}}, `" + 480" is ignored (read as "440")`},
		{"350+375+400", ToneList{Parts: []TonePart{{Freq1: 350, Freq2: 375}}}, `"+400" is ignored (read as "350+375")`},
		{"440/x", ToneList{Parts: []TonePart{{Freq1: 440}}}, `"/x" is ignored`},
		{"440+", ToneList{Parts: []TonePart{{Freq1: 440}}}, `"+" is ignored`},
		{"440+480/", ToneList{Parts: []TonePart{{Freq1: 440, Freq2: 480}}}, `"/" is ignored`},
		{"M60+64", ToneList{Parts: []TonePart{{Freq1: 261}}}, `"+64" is ignored`},
		{"440,", ToneList{Parts: []TonePart{{Freq1: 440}}}, ""},
		// Errors: bad parts are named and skipped, as Asterisk skips them.
		{"440,abc,480", ToneList{Parts: []TonePart{{Freq1: 440}, {Freq1: 480}}}, `tone part 2 "abc": frequency: no number at "abc"`},
		{"440,,480", ToneList{Parts: []TonePart{{Freq1: 440}}}, "tone part 2 is empty"},
		{"!", ToneList{Repeat: -1}, "frequency: no number"},
		{"/100", ToneList{Repeat: -1}, `frequency: no number at "/100"`},
		{"M", ToneList{Repeat: -1}, "MIDI note: no number"},
		{"440/99999999999", ToneList{Repeat: -1}, "too large"},
		{"-440", ToneList{Repeat: -1}, `no number at "-440"`},
		{"", ToneList{Repeat: -1}, "no valid tone parts"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseToneList(tc.in)
			if tc.err == "" && err != nil {
				t.Fatalf("error: %v", err)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("error = %v, want %q", err, tc.err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestMIDITable spot-checks the note table against Asterisk's.
func TestMIDITable(t *testing.T) {
	for note, hz := range map[int]int{0: 8, 1: 8, 2: 9, 23: 30, 45: 110, 46: 116, 60: 261, 61: 277, 69: 440, 81: 880, 100: 2637, 108: 4186, 117: 7040, 127: 12543} {
		if midiHz[note] != hz {
			t.Errorf("note %d = %d Hz, Asterisk plays %d", note, midiHz[note], hz)
		}
	}
}

func TestToneListString(t *testing.T) {
	for in, want := range map[string]string{
		"!350+440/100, !0/100,350+440": "!350+440/100,!0/100,350+440",
		"425*25":                       "425*25",
		"M69/10":                       "440/10",
	} {
		l, err := ParseToneList(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.String(); got != want {
			t.Errorf("%q: String() = %q, want %q", in, got, want)
		}
		again, err := ParseToneList(l.String())
		if err != nil || !reflect.DeepEqual(again, l) {
			t.Errorf("%q does not round-trip: %+v %v", in, again, err)
		}
	}
}

// level measures the amplitude of the component at freq in s.
func level(s []int16, freq float64, rate int) float64 {
	var re, im float64
	for i, v := range s {
		a := 2 * math.Pi * freq * float64(i) / float64(rate)
		re += float64(v) * math.Cos(a)
		im += float64(v) * math.Sin(a)
	}
	return 2 * math.Hypot(re, im) / float64(len(s))
}

func mustTones(t *testing.T, s string) ToneList {
	t.Helper()
	l, err := ParseToneList(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// read pulls n samples from p in 20 ms frames.
func read(p *TonePlayer, n, rate int) []int16 {
	var out []int16
	buf := make([]int16, rate/50)
	for len(out) < n {
		s := p.Read(buf[:min(len(buf), n-len(out))])
		if len(s) == 0 {
			break
		}
		out = append(out, s...)
	}
	return out
}

func TestTonePlayerSequence(t *testing.T) {
	// 100 ms of 440, 100 ms of 350+620 once, then 50 ms silence and
	// 50 ms of 1000 Hz for ever.
	const rate = 8000
	p := NewTonePlayer(mustTones(t, "!440/100,!350+620/100,0/50,1000/50"), rate)
	s := read(p, 8*600, rate)
	seg := func(fromMS, toMS int) []int16 { return s[fromMS*8 : toMS*8] }
	checks := []struct {
		name     string
		from, to int
		freq     float64
		want     float64
	}{
		{"first 440", 0, 100, 440, DefaultToneVolume},
		{"first no 350", 0, 100, 350, 0},
		{"second 350", 100, 200, 350, DefaultToneVolume},
		{"second 620", 100, 200, 620, DefaultToneVolume},
		{"silence", 200, 250, 1000, 0},
		{"1000", 250, 300, 1000, DefaultToneVolume},
		{"repeat silence", 300, 350, 1000, 0},
		{"repeat 1000", 350, 400, 1000, DefaultToneVolume},
		{"440 not repeated", 400, 600, 440, 0},
	}
	for _, c := range checks {
		got := level(seg(c.from, c.to), c.freq, rate)
		if math.Abs(got-c.want) > 0.02*DefaultToneVolume {
			t.Errorf("%s: level %.0f, want %.0f", c.name, got, c.want)
		}
	}
	if p.Done() {
		t.Error("a repeating list ended")
	}
}

func TestTonePlayerOnce(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		p := NewTonePlayer(mustTones(t, "!350+440/30,!0/15"), rate)
		var n int
		frames := 0
		for {
			fr, ok := p.NextFrame()
			if !ok {
				break
			}
			if fr.Format == nil || fr.Format.SampleRate != rate || fr.Timestamp != uint32(n) {
				t.Fatalf("frame %v at %d", fr, n)
			}
			n += fr.Samples
			frames++
		}
		if want := 45 * rate / 1000; n != want || frames != 3 || !p.Done() {
			t.Errorf("rate %d: %d samples in %d frames, want %d in 3", rate, n, frames, want)
		}
	}
}

func TestTonePlayerModulated(t *testing.T) {
	s := read(NewTonePlayer(mustTones(t, "425*25"), 8000), 8000, 8000)
	// Amplitude modulation puts side bands at 425±25 Hz.
	carrier, side := level(s, 425, 8000), level(s, 450, 8000)
	if carrier < 0.85*DefaultToneVolume || side < 0.05*DefaultToneVolume || level(s, 25, 8000) > 10 {
		t.Fatalf("carrier %.0f, side band %.0f", carrier, side)
	}
}

func TestTonePlayerLongRunStable(t *testing.T) {
	// Ten minutes of dial tone: the oscillator must not drift in level.
	p := NewTonePlayer(mustTones(t, "350+440"), 8000)
	buf := make([]int16, 160)
	for range 10 * 60 * 50 {
		p.Read(buf)
	}
	s := read(p, 8000, 8000)
	if got := level(s, 440, 8000); math.Abs(got-DefaultToneVolume) > 0.01*DefaultToneVolume {
		t.Fatalf("440 Hz level after 10 min = %.0f", got)
	}
}

func TestDTMFGeneratorLevels(t *testing.T) {
	g := NewDTMFGenerator(8000)
	for _, c := range allDigits {
		s, err := g.Digit(nil, c, 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi, _ := DTMFFreqs(c)
		if len(s) != 800 {
			t.Fatalf("%c: %d samples", c, len(s))
		}
		for _, f := range []int{lo, hi} {
			if l := level(s, float64(f), 8000); math.Abs(l-DefaultToneVolume) > 0.02*DefaultToneVolume {
				t.Errorf("%c: %d Hz at %.0f, want %d", c, f, l, DefaultToneVolume)
			}
		}
	}
	if _, err := g.Digit(nil, 'x', time.Second); err == nil {
		t.Error("digit x accepted")
	}
	if _, err := g.Digit(nil, '1', 0); err == nil {
		t.Error("zero duration accepted")
	}
	frames, err := g.Frames('#', 150*time.Millisecond)
	if err != nil || len(frames) != 8 || frames[7].Samples != 80 || frames[1].Timestamp != 160 {
		t.Fatalf("Frames: %d frames, err %v", len(frames), err)
	}
}

func TestMilliwatt(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		m := NewMilliwatt("")
		s := collect(t, m, 10*50)
		if l := level(s[:8000], 1004, 8000); math.Abs(l-MilliwattVolume) > 0.01*MilliwattVolume {
			t.Errorf("1004 Hz at %.0f", l)
		}
		if l := level(s[9*8000:], 1004, 8000); math.Abs(l-MilliwattVolume) > 0.01*MilliwattVolume {
			t.Errorf("no silence expected, 1004 Hz at %.0f in the 10th second", l)
		}
	})
	t.Run("m", func(t *testing.T) {
		s := collect(t, NewMilliwatt("m"), 11*50)
		if l := level(s[8*8000:9*8000], 1004, 8000); l < 0.99*MilliwattVolume {
			t.Errorf("9th second: 1004 Hz at %.0f", l)
		}
		for i, v := range s[9*8000 : 10*8000] {
			if v != 0 {
				t.Fatalf("10th second not silent at %d: %d", i, v)
			}
		}
		if l := level(s[10*8000:], 1004, 8000); l < 0.99*MilliwattVolume {
			t.Errorf("11th second: 1004 Hz at %.0f", l)
		}
	})
	t.Run("o", func(t *testing.T) {
		m := NewMilliwatt("mo")
		if m.Format() != media.ULaw {
			t.Fatalf("format %v", m.Format())
		}
		f1, f2 := m.NextFrame(), m.NextFrame()
		if len(f1.Payload) != 160 || f2.Timestamp != 160 {
			t.Fatalf("frames %v %v", f1, f2)
		}
		want := []byte{0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e}
		for i, b := range f2.Payload {
			if b != want[i%8] {
				t.Fatalf("byte %d = %#x", i, b)
			}
		}
		var s []int16
		for _, b := range append(f1.Payload, f2.Payload...) {
			s = append(s, media.ULawToLinear(b))
		}
		// 0 dBm0 is 3.17 dB under a full-scale µ-law sine (32124); the eight
		// codes are quantized, so within 2 %.
		if l := level(s, 1000, 8000); math.Abs(l-32124/math.Pow(10, 3.17/20)) > 0.02*22300 {
			t.Errorf("1000 Hz at %.0f", l)
		}
	})
}

func collect(t *testing.T, m *Milliwatt, frames int) []int16 {
	t.Helper()
	var s []int16
	for i := 0; i < frames; i++ {
		fr := m.NextFrame()
		if fr.Format != media.SLin || fr.Samples != 160 || fr.Timestamp != uint32(160*i) {
			t.Fatalf("frame %d: %v", i, fr)
		}
		s = media.DecodeSLin(s, fr.Payload)
	}
	return s
}

func TestSilenceDetector(t *testing.T) {
	frame := func(amp int16) []int16 {
		s := make([]int16, 160)
		for i := range s {
			if i%2 == 0 {
				s[i] = amp
			} else {
				s[i] = -amp
			}
		}
		return s
	}
	d := NewSilenceDetector(0)
	steps := []struct {
		amp              int16
		silent           bool
		silence, talking time.Duration
	}{
		{0, true, 20 * time.Millisecond, 0},
		{255, true, 40 * time.Millisecond, 0},
		{256, false, 0, 20 * time.Millisecond},
		{3000, false, 0, 40 * time.Millisecond},
		{10, true, 20 * time.Millisecond, 0},
	}
	for i, st := range steps {
		silent, sf, tf := d.Process(frame(st.amp))
		if silent != st.silent || sf != st.silence || tf != st.talking {
			t.Errorf("step %d (amp %d): %v %v %v, want %v %v %v", i, st.amp, silent, sf, tf, st.silent, st.silence, st.talking)
		}
	}
	if d.Threshold() != DefaultSilenceThreshold {
		t.Errorf("threshold %d", d.Threshold())
	}
	d16 := NewSilenceDetectorRate(100, 16000)
	if _, sf, _ := d16.Process(make([]int16, 320)); sf != 20*time.Millisecond {
		t.Errorf("16 kHz: %v", sf)
	}
}

func FuzzParseToneList(f *testing.F) {
	for _, s := range []string{"350+440", "!480+620/500,!0/500", "425*25/1000", "M60+M64/100|0", "440,,x", "!", "9999999999/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseToneList(s)
		if err == nil && len(l.Parts) == 0 {
			t.Fatal("no parts and no error")
		}
		if l.Repeat >= len(l.Parts) || l.Repeat < -1 {
			t.Fatalf("repeat %d of %d parts", l.Repeat, len(l.Parts))
		}
		if len(l.Parts) > 0 {
			again, err := ParseToneList(l.String())
			if err != nil || !reflect.DeepEqual(again, l) {
				t.Fatalf("%q -> %q does not round-trip: %v", s, l.String(), err)
			}
			p := NewTonePlayer(l, 8000)
			p.Read(make([]int16, 400))
		}
	})
}

func BenchmarkTonePlayer(b *testing.B) {
	l, _ := ParseToneList("!350+440/100,!0/100,425*25")
	p := NewTonePlayer(l, 8000)
	buf := make([]int16, 160)
	b.ReportAllocs()
	for range b.N {
		p.Read(buf)
	}
}
