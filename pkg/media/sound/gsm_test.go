package sound

import (
	"bytes"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
)

func randomParams(rng *rand.Rand) gsmParams {
	var p gsmParams
	for i, w := range gsmParamBits {
		p[i] = uint8(rng.Intn(1 << w))
	}
	return p
}

func TestGSMParamBits(t *testing.T) {
	total := 0
	for _, w := range gsmParamBits {
		total += int(w)
	}
	if total != 260 {
		t.Fatalf("GSM frame has %d bits, want 260", total)
	}
}

func TestGSMPackRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		a, b := randomParams(rng), randomParams(rng)
		var f [gsmFrameSize]byte
		gsmPack(f[:], &a)
		if f[0]>>4 != gsmSignature {
			t.Fatalf("signature %x", f[0]>>4)
		}
		if got := gsmUnpack(f[:]); got != a {
			t.Fatalf("gsm round trip: %v != %v", got, a)
		}
		var blk [msgsmBlockSize]byte
		msgsmPack(blk[:], &a, &b)
		ga, gb := msgsmUnpack(blk[:])
		if ga != a || gb != b {
			t.Fatalf("msgsm round trip differs")
		}
	}
}

// testdata/tone.gsm and testdata/tone49.wav are sox's (libgsm's) encodings
// of the same 0.5 s 440 Hz tone, as raw GSM and as Microsoft GSM in a WAV:
//
//	sox -n -r 8000 -c 1 -b 16 -e signed-integer -t raw tone.sln synth 0.5 sine 440 vol 0.5
//	sox -r 8000 -c 1 -b 16 -e signed-integer -t raw tone.sln -t gsm tone.gsm
//	sox -r 8000 -c 1 -b 16 -e signed-integer -t raw tone.sln -e gsm-full-rate tone49.wav
//
// Reading the WAV must give exactly the frames of the .gsm, which pins the
// Microsoft bit layout to libgsm's, and writing those frames back must give
// the WAV's blocks.
func TestWAV49MatchesLibgsm(t *testing.T) {
	raw, err := os.ReadFile("testdata/tone.gsm")
	if err != nil {
		t.Fatal(err)
	}
	wav49, _ := LookupFileFormat("wav49")
	r, err := Open("testdata/tone49.wav", wav49)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Format() != mustFormat(t, "gsm") {
		t.Fatalf("format %v", r.Format())
	}
	if r.Length() != 13*320 {
		t.Fatalf("length %d samples, want 13 blocks of 320", r.Length())
	}
	for i := 0; i < len(raw)/gsmFrameSize; i++ {
		fr, err := r.ReadFrame()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if want := raw[i*gsmFrameSize : (i+1)*gsmFrameSize]; !bytes.Equal(fr.Payload, want) {
			t.Fatalf("frame %d:\n got %x\nwant %x", i, fr.Payload, want)
		}
		if fr.Samples != 160 || fr.Timestamp != uint32(i*160) {
			t.Fatalf("frame %d: %d samples at %d", i, fr.Samples, fr.Timestamp)
		}
	}
	if _, err := r.ReadFrame(); err != nil { // sox's padding frame
		t.Fatal(err)
	}
	if _, err := r.ReadFrame(); err != io.EOF {
		t.Fatalf("after the last frame: %v, want EOF", err)
	}

	// Back: the 24 first frames (12 whole blocks) must be sox's blocks.
	out := filepath.Join(t.TempDir(), "tone.WAV")
	w, err := Create(out, wav49)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFrame(media.Frame{Kind: media.Voice, Format: wav49.Codec, Payload: raw[:24*gsmFrameSize]}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	orig, _ := os.ReadFile("testdata/tone49.wav")
	if len(got) != 60+12*65 {
		t.Fatalf("wrote %d bytes", len(got))
	}
	if !bytes.Equal(got[60:], orig[60:60+12*65]) {
		t.Errorf("blocks differ from libgsm's")
	}
	// sox writes the same header apart from sizes.
	if !bytes.Equal(got[8:44], orig[8:44]) {
		t.Errorf("header\n got %x\nwant %x", got[8:44], orig[8:44])
	}
}

func mustFormat(t testing.TB, name string) *media.Format {
	t.Helper()
	f, ok := media.Lookup(name)
	if !ok {
		t.Fatalf("no media format %s", name)
	}
	return f
}
