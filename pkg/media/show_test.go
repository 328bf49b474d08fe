package media

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "show", name), got)
}

// fixedTranslator has a set of steps fixed by the test, so the goldens do
// not move when codecs are added to NewTranslator: G.711, GSM and slin
// resampling and G.722 as built in, plus a
// slin16 <-> slin48 pair to show the rate-suffixed labels.
func fixedTranslator(t *testing.T) (*Translator, map[*Step]int) {
	tr := &Translator{steps: map[*Format][]*Step{}}
	steps := builtinSteps()
	copyConv := stateless(func(dst, src []byte) []byte { return append(dst, src...) })
	slin48 := mustLookup("slin48")
	steps = append(steps,
		Step{From: SLin16, To: slin48, New: copyConv},
		Step{From: slin48, To: SLin16, New: copyConv},
	)
	for _, s := range steps {
		if err := tr.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	comp := map[*Step]int{}
	for i, s := range tr.Steps() {
		comp[s] = 10 + 7*i
		if s.From == slin48 && s.To == SLin16 {
			comp[s] = unmeasured // shown as "-", as Asterisk shows a translator it could not sample
		}
	}
	return tr, comp
}

func TestShowCodecsGolden(t *testing.T) {
	for _, c := range []struct {
		file, kind string
		disclaimer bool
	}{
		{"codecs.txt", "", true},
		{"codecs-audio.txt", "audio", true},
		{"codecs-video-dontwarn.txt", "VIDEO", false},
		{"codecs-bogus.txt", "bogus", true},
	} {
		t.Run(c.file, func(t *testing.T) { golden(t, c.file, ShowCodecs(c.kind, c.disclaimer)) })
	}
}

func TestShowCodec(t *testing.T) {
	for _, c := range []struct {
		id   int
		want string
	}{
		{3, "          3 G.711 u-law (ulaw)\n"},
		{11, "         11 16 bit Signed Linear PCM (16kHz) (slin16)\n"},
		{0, "Codec 0 not found\n"},
		{999, "Codec 999 not found\n"},
	} {
		if got := ShowCodec(c.id); got != c.want {
			t.Errorf("ShowCodec(%d) = %q, want %q", c.id, got, c.want)
		}
	}
}

// Asterisk's hash order: rows are grouped by bucket, and the codecs that
// share a name (every slin rate) stay together in ID order.
func TestCodecTableOrder(t *testing.T) {
	// Values computed independently (a Python transcription of the hash).
	if h := astStrHash("ulaw"); h != 2087998090 || h%codecBuckets != 20 {
		t.Errorf("astStrHash(ulaw) = %d", h)
	}
	var slins []int
	for _, f := range codecTableOrder() {
		if f.CodecName() == "slin" {
			slins = append(slins, f.SampleRate)
		}
	}
	want := []int{8000, 12000, 16000, 24000, 32000, 44100, 48000, 96000, 192000}
	if len(slins) != len(want) {
		t.Fatalf("slin rates %v", slins)
	}
	for i := range want {
		if slins[i] != want[i] {
			t.Fatalf("slin rates in order %v, want %v", slins, want)
		}
	}
}

func TestTranslationTableGolden(t *testing.T) {
	tr, comp := fixedTranslator(t)
	golden(t, "translation.txt", tr.TranslationTable(nil))
	golden(t, "translation-comp.txt", tr.TranslationTable(comp))
}

func TestTranslationPathsGolden(t *testing.T) {
	tr, _ := fixedTranslator(t)
	for _, c := range []struct {
		file, codec string
		rate        int
	}{
		{"paths-ulaw.txt", "ulaw", 0},
		{"paths-slin.txt", "slin", 0},
		{"paths-slin-16000.txt", "slin", 16000},
		{"paths-g729.txt", "g729", 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			got, err := tr.TranslationPaths(c.codec, c.rate)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.file, got)
		})
	}
	for _, c := range []struct {
		codec string
		rate  int
	}{{"slin16", 0}, {"ULAW", 0}, {"slin", 11025}, {"h264", 0}} {
		got, err := tr.TranslationPaths(c.codec, c.rate)
		if !errors.Is(err, ErrNoCodec) || got != "Source codec \""+c.codec+"\" is not found.\n" {
			t.Errorf("TranslationPaths(%q, %d) = %q, %v", c.codec, c.rate, got, err)
		}
	}
}

func TestRecalcHeader(t *testing.T) {
	for _, c := range []struct {
		arg  string
		n    int
		want string
	}{
		{"", 1, "         Recalculating Codec Translation (number of sample seconds: 1)\n\n"},
		{"5", 5, "         Recalculating Codec Translation (number of sample seconds: 5)\n\n"},
		{"abc", 1, "         Recalc must be greater than 0.  Defaulting to 1.\n" +
			"         Recalculating Codec Translation (number of sample seconds: 1)\n\n"},
		{"-3", 1, "         Recalc must be greater than 0.  Defaulting to 1.\n" +
			"         Recalculating Codec Translation (number of sample seconds: 1)\n\n"},
		{"1500", 1000, "         Maximum limit of recalc exceeded by 500, truncating value to 1000\n" +
			"         Recalculating Codec Translation (number of sample seconds: 1000)\n\n"},
	} {
		got, n := RecalcHeader(c.arg)
		if got != c.want || n != c.n {
			t.Errorf("RecalcHeader(%q) = %q, %d; want %q, %d", c.arg, got, n, c.want, c.n)
		}
	}
}

// Every built-in step is measured, with a positive cost; GSM encoding costs
// more than a G.711 table look-up.
func TestMeasureCosts(t *testing.T) {
	tr := NewTranslator()
	costs := tr.MeasureCosts(1)
	var g711, gsmEnc int
	for _, s := range tr.Steps() {
		c, ok := costs[s]
		if !ok || c <= 0 || c == unmeasured {
			t.Errorf("%s -> %s: cost %d, %v", s.From, s.To, c, ok)
		}
		switch {
		case s.From == SLin && s.To == ULaw:
			g711 = c
		case s.From == SLin && s.To == GSM:
			gsmEnc = c
		}
	}
	if gsmEnc <= g711 {
		t.Errorf("slin->gsm costs %d µs/s, slin->ulaw %d: GSM encoding should cost more", gsmEnc, g711)
	}
	// A format that no slin translates into cannot be sampled.
	g729 := mustLookup("g729")
	copyConv := stateless(func(dst, src []byte) []byte { return append(dst, src...) })
	if err := tr.Register(Step{From: g729, To: SLin, New: copyConv}); err != nil {
		t.Fatal(err)
	}
	for s, c := range tr.MeasureCosts(1) {
		if s.From == g729 && c != unmeasured {
			t.Errorf("g729 -> slin measured %d without a way to make g729 audio", c)
		}
	}
}

func TestCodecNames(t *testing.T) {
	for _, c := range []struct{ word, want string }{
		{"sl", "slin"},
		{"SP", "speex"},
		{"g7", "g723 g726 g726aal2 g729 g722 g719"},
		{"h2", ""},
	} {
		if got := strings.Join(CodecNames(c.word), " "); got != c.want {
			t.Errorf("CodecNames(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}
