package bridge_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// BenchmarkFrameBridgeULawToALaw measures what one 20 ms frame costs a
// frame bridge from reading it on one channel to handing it, translated,
// to the other (pacing off): 50 of these make one second of one direction
// of a transcoded call.
func BenchmarkFrameBridgeULawToALaw(b *testing.B) {
	benchFrames(b, media.ULaw, media.ALaw)
}

// BenchmarkFrameBridgeSLin16ToULaw adds resampling to the translation.
func BenchmarkFrameBridgeSLin16ToULaw(b *testing.B) {
	benchFrames(b, media.SLin16, media.ULaw)
}

func benchFrames(b *testing.B, fa, fb *media.Format) {
	eng, _ := newEngine(b, bridge.Options{})
	pa, pb := pbxtest.NewPhone(fa), pbxtest.NewPhone(fb)
	ca := pa.NewChannel(eng, "a", "default", "s")
	cb := pb.NewChannel(eng, "b", "default", "s")
	startBridge(b, eng, ca, cb)
	phase := 0.0
	frames := tone(b, fa, 1000, 50, &phase)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += len(frames) {
		n := min(len(frames), b.N-i)
		if err := pa.Say(frames[:n]...); err != nil {
			b.Fatal(err)
		}
		if !pb.WaitHeard(n, 10*time.Second) {
			b.Fatal("frames lost")
		}
		pb.ResetHeard()
	}
}

// BenchmarkFrameBridgeG722ToULaw: G.722 decoding, resampling and µ-law
// (skipped until the G.722 codec is in the build).
func BenchmarkFrameBridgeG722ToULaw(b *testing.B) {
	if _, err := pbx.Translator().Path(g722, media.ULaw); err != nil {
		b.Skip(err)
	}
	benchFrames(b, g722, media.ULaw)
}

// BenchmarkFrameBridgeULawToG722: the other direction, with G.722 encoding.
func BenchmarkFrameBridgeULawToG722(b *testing.B) {
	if _, err := pbx.Translator().Path(media.ULaw, g722); err != nil {
		b.Skip(err)
	}
	benchFrames(b, media.ULaw, g722)
}
