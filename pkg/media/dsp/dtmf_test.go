package dsp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

const allDigits = "123A456B789C*0#D"

// run feeds samples to d in frames of frame samples and returns every frame
// it produced, with the stream flushed at the end.
func run(d *DTMFDetector, samples []int16, frame int) []media.Frame {
	var out []media.Frame
	for len(samples) > 0 {
		n := min(frame, len(samples))
		out = append(out, d.Process(samples[:n])...)
		samples = samples[n:]
	}
	return append(out, d.Flush()...)
}

// digitsOf checks that begins and ends alternate for one digit at a time and
// returns the digits and their durations.
func digitsOf(t *testing.T, frames []media.Frame) (string, []time.Duration) {
	t.Helper()
	var b strings.Builder
	var durs []time.Duration
	var open rune
	for _, f := range frames {
		switch f.Kind {
		case media.DTMFBegin:
			if open != 0 {
				t.Fatalf("begin %c while %c is open: %v", f.Digit, open, frames)
			}
			open = f.Digit
			b.WriteRune(f.Digit)
		case media.DTMFEnd:
			if f.Digit != open {
				t.Fatalf("end %c does not match begin %c: %v", f.Digit, open, frames)
			}
			open = 0
			durs = append(durs, f.Duration)
		default:
			t.Fatalf("unexpected frame %v", f)
		}
	}
	if open != 0 {
		t.Fatalf("digit %c never ended", open)
	}
	return b.String(), durs
}

// addNoise adds white Gaussian noise at snr dB under the signal's power
// (measured over the samples that are not silent).
func addNoise(s []int16, snr float64, seed uint64) []int16 {
	var p float64
	var n int
	for _, v := range s {
		if v != 0 {
			p += float64(v) * float64(v)
			n++
		}
	}
	sigma := math.Sqrt(p / float64(max(n, 1)) / math.Pow(10, snr/10))
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int16, len(s))
	for i, v := range s {
		out[i] = clamp(float64(v) + r.NormFloat64()*sigma)
	}
	return out
}

// generated is every digit from our generator: on for on, off for gap.
func generated(t *testing.T, rate int, digits string, on, gap time.Duration) []int16 {
	t.Helper()
	g := NewDTMFGenerator(rate)
	var s []int16
	silence := make([]int16, int(gap)*rate/int(time.Second))
	s = append(s, silence...)
	for _, c := range digits {
		var err error
		if s, err = g.Digit(s, c, on); err != nil {
			t.Fatal(err)
		}
		s = append(s, silence...)
	}
	return s
}

func TestDTMFGeneratedDigits(t *testing.T) {
	tests := []struct {
		name  string
		rate  int
		on    time.Duration
		snr   float64 // 0: no noise
		frame int
	}{
		{"8k clean 100ms", 8000, 100 * time.Millisecond, 0, 160},
		{"8k 20dB 100ms", 8000, 100 * time.Millisecond, 20, 160},
		{"8k 20dB 60ms odd frames", 8000, 60 * time.Millisecond, 20, 97},
		{"8k 20dB 40ms", 8000, 40 * time.Millisecond, 20, 160},
		{"16k 20dB 100ms", 16000, 100 * time.Millisecond, 20, 320},
		{"48k 20dB 100ms", 48000, 100 * time.Millisecond, 20, 960},
		{"8k 20dB through alaw", 8000, 100 * time.Millisecond, 20, 160},
		{"8k 20dB through ulaw", 8000, 100 * time.Millisecond, 20, 160},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := generated(t, tc.rate, allDigits, tc.on, 100*time.Millisecond)
			if tc.snr > 0 {
				s = addNoise(s, tc.snr, 7)
			}
			// Inband digits usually reach us through G.711.
			for i, v := range s {
				switch {
				case strings.HasSuffix(tc.name, "ulaw"):
					s[i] = media.ULawToLinear(media.LinearToULaw(v))
				case strings.HasSuffix(tc.name, "alaw"):
					s[i] = media.ALawToLinear(media.LinearToALaw(v))
				}
			}
			got, durs := digitsOf(t, run(NewDTMFDetector(tc.rate), s, tc.frame))
			if got != allDigits {
				t.Fatalf("digits = %q, want %q", got, allDigits)
			}
			for i, d := range durs {
				// Whole 12.75 ms blocks are counted: the reported length
				// is within two blocks of the real one.
				if diff := d - tc.on; diff < -26*time.Millisecond || diff > 26*time.Millisecond {
					t.Errorf("digit %c lasted %v, sent %v", allDigits[i], d, tc.on)
				}
			}
		})
	}
}

// TestDTMFSox detects digits made by another generator (sox mixes the two
// sines at -9 dBFS each), with noise at 20 dB SNR.
func TestDTMFSox(t *testing.T) {
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("sox not installed (make test-deps installs it)")
	}
	var s []int16
	gap := make([]int16, 800)
	for _, c := range allDigits {
		lo, hi, _ := DTMFFreqs(c)
		cmd := exec.Command("sox", "-n", "-r", "8000", "-b", "16", "-c", "1", "-e", "signed-integer", "-t", "raw", "-",
			"synth", "0.1", "sine", fmt.Sprint(lo), "sine", fmt.Sprint(hi))
		raw, err := cmd.Output()
		if err != nil {
			t.Fatalf("sox: %v", err)
		}
		if len(raw) != 1600 {
			t.Fatalf("sox gave %d bytes for 100 ms", len(raw))
		}
		s = append(s, gap...)
		s = media.DecodeSLin(s, raw)
	}
	s = append(s, gap...)
	got, _ := digitsOf(t, run(NewDTMFDetector(8000), addNoise(s, 20, 3), 160))
	if got != allDigits {
		t.Fatalf("digits = %q, want %q", got, allDigits)
	}
}

// TestDTMFLimits pins the tests dsp.c applies: level, twist, duration.
func TestDTMFLimits(t *testing.T) {
	tone := func(f1, f2 int, a1, a2 float64, ms int) []int16 {
		s := make([]int16, 8*ms+1600)
		for i := 0; i < 8*ms; i++ {
			x := float64(i) / 8000
			s[800+i] = clamp(a1*math.Sin(2*math.Pi*float64(f1)*x) + a2*math.Sin(2*math.Pi*float64(f2)*x))
		}
		return s
	}
	db := func(v float64) float64 { return math.Pow(10, v/20) }
	tests := []struct {
		name   string
		s      []int16
		relax  bool
		digits string
	}{
		{"nominal", tone(770, 1336, 5000, 5000, 100), false, "5"},
		{"too quiet", tone(770, 1336, 120, 120, 100), false, ""},
		{"quiet but above threshold", tone(770, 1336, 300, 300, 100), false, "5"},
		{"normal twist 6 dB passes", tone(770, 1336, 5000*db(6), 5000, 100), false, "5"},
		{"normal twist 10 dB fails", tone(770, 1336, 5000*db(10), 5000, 100), false, ""},
		{"reverse twist 3 dB passes", tone(770, 1336, 5000, 5000*db(3), 100), false, "5"},
		{"reverse twist 5 dB fails", tone(770, 1336, 5000, 5000*db(5), 100), false, ""},
		{"reverse twist 5 dB passes relaxed", tone(770, 1336, 5000, 5000*db(5), 100), true, "5"},
		{"single tone", tone(770, 770, 5000, 0, 100), false, ""},
		{"20 ms is too short", tone(770, 1336, 5000, 5000, 20), false, ""},
		{"off-frequency pair", tone(740, 1290, 5000, 5000, 100), false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultDTMFParams()
			p.Relax = tc.relax
			got, _ := digitsOf(t, run(NewDTMFDetectorParams(8000, p), tc.s, 160))
			if got != tc.digits {
				t.Fatalf("digits = %q, want %q", got, tc.digits)
			}
		})
	}
}

// TestDTMFRepeatedDigit needs a gap of MissesToEnd blocks between two
// presses of one key to see two digits.
func TestDTMFRepeatedDigit(t *testing.T) {
	s := generated(t, 8000, "55", 80*time.Millisecond, 60*time.Millisecond)
	got, _ := digitsOf(t, run(NewDTMFDetector(8000), s, 160))
	if got != "55" {
		t.Fatalf("digits = %q, want 55", got)
	}
}

// readWAV reads a 16-bit mono PCM .wav file's samples and rate.
func readWAV(t *testing.T, path string) ([]int16, int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 12 || !bytes.Equal(b[:4], []byte("RIFF")) || !bytes.Equal(b[8:12], []byte("WAVE")) {
		t.Fatalf("%s: not a WAVE file", path)
	}
	rate := 0
	for p := 12; p+8 <= len(b); {
		id, n := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8 : min(p+8+n, len(b))]
		switch id {
		case "fmt ":
			if binary.LittleEndian.Uint16(body) != 1 || binary.LittleEndian.Uint16(body[2:]) != 1 || binary.LittleEndian.Uint16(body[14:]) != 16 {
				t.Fatalf("%s: not 16-bit mono PCM", path)
			}
			rate = int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			return media.DecodeSLin(nil, body), rate
		}
		p += 8 + n + n&1
	}
	t.Fatalf("%s: no data chunk", path)
	return nil, 0
}

// TestDTMFNoFalseTriggers runs the detector over speech prompts and music on
// hold, where no digit is.
func TestDTMFNoFalseTriggers(t *testing.T) {
	var files []string
	for _, pat := range []string{"/usr/share/asterisk/sounds/en/*.wav", "/usr/share/asterisk/moh/*.wav"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no Asterisk sounds installed (make test-deps installs them)")
	}
	if testing.Short() {
		files = files[:min(len(files), 20)]
	}
	var total time.Duration
	for _, f := range files {
		s, rate := readWAV(t, f)
		if rate%8000 != 0 {
			continue
		}
		total += time.Duration(len(s)) * time.Second / time.Duration(rate)
		for _, fr := range run(NewDTMFDetector(rate), s, rate/50) {
			t.Errorf("%s: false %v", filepath.Base(f), fr)
		}
	}
	t.Logf("%d files, %v of audio without a digit", len(files), total.Round(time.Second))
}

// TestDTMFAgainstMusic checks digits are still found when played over music
// at a level speech would be (music 10 dB under the digits).
func TestDTMFOverMusic(t *testing.T) {
	f := "/usr/share/asterisk/moh/macroform-cold_day.wav"
	if _, err := os.Stat(f); err != nil {
		t.Skip("asterisk-moh-opsound-wav not installed")
	}
	music, _ := readWAV(t, f)
	s := generated(t, 8000, allDigits, 100*time.Millisecond, 100*time.Millisecond)
	var ps, pm float64
	for i, v := range s {
		ps += float64(v) * float64(v)
		pm += float64(music[i+80000]) * float64(music[i+80000])
	}
	gain := math.Sqrt(ps / pm / 10 / 2) // digits are on half the time
	for i := range s {
		s[i] = clamp(float64(s[i]) + gain*float64(music[i+80000]))
	}
	got, _ := digitsOf(t, run(NewDTMFDetector(8000), s, 160))
	if got != allDigits {
		t.Fatalf("digits = %q, want %q", got, allDigits)
	}
}

func BenchmarkDTMFDetect(b *testing.B) {
	for _, rate := range []int{8000, 16000} {
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			frame := make([]int16, rate/50)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range frame {
				frame[i] = int16(r.IntN(2000) - 1000)
			}
			d := NewDTMFDetector(rate)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				d.Process(frame)
			}
		})
	}
}

func BenchmarkDTMFGenerate(b *testing.B) {
	g := NewDTMFGenerator(8000)
	buf := make([]int16, 0, 800)
	b.ReportAllocs()
	for range b.N {
		buf, _ = g.Digit(buf[:0], '5', 100*time.Millisecond)
	}
}
