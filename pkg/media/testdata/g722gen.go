//go:build ignore

// g722gen writes the inputs of the G.722 golden tests (see README.g722):
// g722_in.s16, 1.5 s of 16 kHz 16-bit little-endian mono audio that walks
// the codec through quiet and loud, narrow- and wide-band signals, and
// g722_random.g722, arbitrary code bytes for the decoder. The output is the
// same on every run (fixed seeds, no floating-point rounding ties).
//
//	go run ./pkg/media/testdata/g722gen.go ./pkg/media/testdata
package main

import (
	"encoding/binary"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

const rate = 16000

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	rng := rand.New(rand.NewPCG(722, 1))
	var pcm []int16
	add := func(n int, f func(i int) float64) {
		for i := 0; i < n; i++ {
			v := math.Round(f(i))
			pcm = append(pcm, int16(math.Max(-32768, math.Min(32767, v))))
		}
	}
	// 50 ms of silence: the reset state settles.
	add(800, func(int) float64 { return 0 })
	// 400 ms chirp 50 Hz to 7.9 kHz at -6 dBFS: both sub-bands and the
	// QMF's crossover at 4 kHz.
	add(6400, func(i int) float64 {
		t := float64(i) / rate
		f0, f1, d := 50.0, 7900.0, 0.4
		return 16384 * math.Sin(2*math.Pi*(f0*t+(f1-f0)*t*t/(2*d)))
	})
	// 200 ms of 440 Hz + 5.5 kHz, quiet (-40 dBFS each): small scale factors.
	add(3200, func(i int) float64 {
		t := float64(i) / rate
		return 330*math.Sin(2*math.Pi*440*t) + 330*math.Sin(2*math.Pi*5500*t)
	})
	// 200 ms of white noise at full scale: large errors, saturation.
	add(3200, func(int) float64 { return float64(rng.IntN(65536) - 32768) })
	// 200 ms of a full-scale 1 kHz square wave: clipping in the predictor.
	add(3200, func(i int) float64 {
		if (i/8)%2 == 0 {
			return 32767
		}
		return -32768
	})
	// 300 ms of a 1 kHz tone at -20 dBFS with low-level noise, fading out.
	add(4800, func(i int) float64 {
		t := float64(i) / rate
		env := 1 - float64(i)/4800
		return env*3277*math.Sin(2*math.Pi*1000*t) + float64(rng.IntN(201)-100)
	})
	// 150 ms of silence at the end: the predictors decay.
	add(2400, func(int) float64 { return 0 })

	in := make([]byte, 0, 2*len(pcm))
	for _, s := range pcm {
		in = binary.LittleEndian.AppendUint16(in, uint16(s))
	}
	if err := os.WriteFile(filepath.Join(dir, "g722_in.s16"), in, 0o644); err != nil {
		log.Fatal(err)
	}

	codes := make([]byte, 4000) // 0.5 s of arbitrary codes
	for i := range codes {
		codes[i] = byte(rng.IntN(256))
	}
	if err := os.WriteFile(filepath.Join(dir, "g722_random.g722"), codes, 0o644); err != nil {
		log.Fatal(err)
	}
}
