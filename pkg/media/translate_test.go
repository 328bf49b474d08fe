package media

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestTableCost(t *testing.T) {
	g722 := mustLookup("g722")
	for _, c := range []struct {
		from, to *Format
		want     int
	}{
		{ULaw, SLin, CostLYLLOrigSamp},
		{SLin, ULaw, CostLLLYOrigSamp},
		{ULaw, ALaw, CostLYLYOrigSamp},
		{SLin, SLin16, CostLLLLUpSamp},
		{SLin16, SLin, CostLLLLDownSamp},
		{SLin16, g722, CostLLLYOrigSamp},
		{g722, SLin, CostLYLLDownSamp},
		{ULaw, SLin16, CostLYLLUpSamp},
		{g722, ULaw, CostLYLYDownSamp},
		{ULaw, g722, CostLYLYUpSamp},
	} {
		if got := TableCost(c.from, c.to); got != c.want {
			t.Errorf("TableCost(%s, %s) = %d, want %d", c.from, c.to, got, c.want)
		}
	}
}

func TestPath(t *testing.T) {
	g729 := mustLookup("g729")
	for _, c := range []struct {
		name     string
		tr       *Translator
		from, to *Format
		path     string
		cost     int
	}{
		{"same format", NewTranslator(), ULaw, ULaw, "ulaw", 0},
		{"decode", NewTranslator(), ULaw, SLin, "ulaw->slin", 900000},
		{"encode", NewTranslator(), SLin, ALaw, "slin->alaw", 600000},
		{"direct beats via slin", NewTranslator(), ULaw, ALaw, "ulaw->alaw", 915000},
		{"direct beats via slin back", NewTranslator(), ALaw, ULaw, "alaw->ulaw", 915000},
		{"upsample", NewTranslator(), SLin, SLin16, "slin->slin16", 800000},
		{"decode and upsample", NewTranslator(), ULaw, SLin16, "ulaw->slin->slin16", 1700000},
		{"downsample and encode", NewTranslator(), SLin16, ALaw, "slin16->slin->alaw", 1450000},
		{"to g722", NewTranslator(), ULaw, G722, "ulaw->slin->g722", 900000 + 825000},
		{"from g722", NewTranslator(), G722, ALaw, "g722->slin->alaw", 960000 + 600000},
		{"g722 to slin16", NewTranslator(), G722, SLin16, "g722->slin16", 900000},
		{"slin16 to g722", NewTranslator(), SLin16, G722, "slin16->g722", 600000},
		{"gsm decode and encode", NewTranslator(), GSM, ULaw, "gsm->slin->ulaw", 900000 + 600000},
		{"to gsm", NewTranslator(), ALaw, GSM, "alaw->slin->gsm", 900000 + 600000},
		{"no codec", NewTranslator(), g729, ULaw, "", 0},
		{"no codec either way", NewTranslator(), SLin, g729, "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := c.tr.Path(c.from, c.to)
			if c.path == "" {
				if !errors.Is(err, ErrNoPath) {
					t.Fatalf("Path = %v, %v; want ErrNoPath", p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.String() != c.path || p.Cost != c.cost {
				t.Errorf("Path = %s cost %d, want %s cost %d", p, p.Cost, c.path, c.cost)
			}
		})
	}
}

func TestRegisterErrors(t *testing.T) {
	tr := NewTranslator()
	conv := stateless(func(dst, src []byte) []byte { return dst })
	for _, c := range []struct {
		s    Step
		want string
	}{
		{Step{From: ULaw, To: SLin, New: conv}, "already registered"},
		{Step{From: ULaw, To: ULaw, New: conv}, "goes nowhere"},
		{Step{From: ULaw, To: SLin16}, "needs From, To and New"},
		{Step{To: SLin16, New: conv}, "needs From, To and New"},
	} {
		err := tr.Register(c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Register(%v -> %v) = %v, want %q", c.s.From, c.s.To, err, c.want)
		}
	}
	if _, err := tr.Path(nil, ULaw); err == nil {
		t.Error("Path(nil, ulaw) gave no error")
	}
}

// Frames converted along a chain keep their audio: a µ-law 1 kHz tone
// becomes slin16 and back to A-law with the same tone.
func TestChainTranslate(t *testing.T) {
	tr := NewTranslator()
	mk := func(from, to *Format) *Chain {
		p, err := tr.Path(from, to)
		if err != nil {
			t.Fatal(err)
		}
		return p.NewChain()
	}
	toWide, toALaw := mk(ULaw, SLin16), mk(SLin16, ALaw)
	tone := sine(1000, 8000, 1600, 8000)
	var got []int16
	for i := 0; i < len(tone); i += 160 {
		pkt := make([]byte, 160)
		for j := range pkt {
			pkt[j] = LinearToULaw(tone[i+j])
		}
		wide, err := toWide.Translate(VoiceFrame(ULaw, pkt, uint32(i)))
		if err != nil {
			t.Fatal(err)
		}
		if wide.Format != SLin16 || wide.Samples != 320 || wide.Timestamp != uint32(2*i) || wide.Length() != 20*time.Millisecond {
			t.Fatalf("wide frame = %s, %v", wide, wide.Length())
		}
		narrow, err := toALaw.Translate(wide)
		if err != nil {
			t.Fatal(err)
		}
		if narrow.Format != ALaw || len(narrow.Payload) != 160 || narrow.Timestamp != uint32(i) {
			t.Fatalf("narrow frame = %s", narrow)
		}
		for _, a := range narrow.Payload {
			got = append(got, ALawToLinear(a))
		}
	}
	c, _ := correlation(tone, got, 60)
	if c < 0.99 {
		t.Errorf("µ-law -> slin16 -> A-law tone correlation %.4f, want >= 0.99", c)
	}
	if lvl := toneLevel(got[200:], 1000, 8000); math.Abs(lvl-8000) > 400 {
		t.Errorf("1 kHz level after the chain = %.0f, want 8000", lvl)
	}

	// Golden bytes through the direct step: silence and full scale.
	direct := mk(ULaw, ALaw)
	out, err := direct.Translate(VoiceFrame(ULaw, []byte{0xFF, 0x7F, 0x80, 0x00}, 0))
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0xD5, 0xD5, 0xAA, 0x2A}; string(out.Payload) != string(want) {
		t.Errorf("ulaw->alaw = % x, want % x", out.Payload, want)
	}
}

func TestChainPassesNonVoiceAndRefusesWrongFormat(t *testing.T) {
	p, err := NewTranslator().Path(ULaw, SLin)
	if err != nil {
		t.Fatal(err)
	}
	ch := p.NewChain()
	for _, fr := range []Frame{
		{Kind: DTMFEnd, Digit: '7', Duration: 100 * time.Millisecond},
		{Kind: Control, Control: Unhold},
	} {
		got, err := ch.Translate(fr)
		if err != nil || got.String() != fr.String() {
			t.Errorf("Translate(%s) = %s, %v; want it unchanged", fr, got, err)
		}
	}
	if _, err := ch.Translate(VoiceFrame(ALaw, []byte{0xD5}, 0)); err == nil {
		t.Error("an A-law frame on a µ-law chain was accepted")
	}
}

// The cost of converting one 20 ms frame, for the transcoding budget of
// issue 16 (thousands of frames per second per core).
func BenchmarkChain(b *testing.B) {
	tr := NewTranslator()
	for _, c := range []struct{ from, to *Format }{
		{ULaw, ALaw}, {ULaw, SLin}, {SLin, ULaw}, {ULaw, SLin16}, {SLin16, ULaw},
	} {
		p, err := tr.Path(c.from, c.to)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(p.String(), func(b *testing.B) {
			ch := p.NewChain()
			fr := VoiceFrame(c.from, make([]byte, c.from.Samples(20*time.Millisecond)*bytesPerSample(c.from)), 0)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ch.Translate(fr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func bytesPerSample(f *Format) int {
	if f.RTPEncoding == "L16" {
		return 2
	}
	return 1
}
