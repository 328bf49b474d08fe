package mixer

import (
	"fmt"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
)

var tr = media.NewTranslator()

// tone is one interval of a sine at freq Hz in format f, starting at
// sample offset.
func tone(f *media.Format, freq float64, amp float64, offset, n int) media.Frame {
	rate := f.SampleRate
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(offset+i)/float64(rate)))
	}
	raw := media.EncodeSLin(nil, pcm)
	slin := slinAt(rate)
	fr := media.VoiceFrame(slin, raw, uint32(offset))
	if f == slin {
		return fr
	}
	p, err := tr.Path(slin, f)
	if err != nil {
		panic(err)
	}
	out, err := p.NewChain().Translate(fr)
	if err != nil {
		panic(err)
	}
	out.Payload = append([]byte(nil), out.Payload...)
	return out
}

type sink struct {
	frames []media.Frame
}

func (s *sink) deliver(fr media.Frame) { s.frames = append(s.frames, fr) }

func (s *sink) pcm(t *testing.T) []int16 {
	var out []int16
	for _, fr := range s.frames {
		slin := slinAt(fr.Format.SampleRate)
		if fr.Format != slin {
			p, err := tr.Path(fr.Format, slin)
			if err != nil {
				t.Fatal(err)
			}
			d, err := p.NewChain().Translate(fr)
			if err != nil {
				t.Fatal(err)
			}
			fr = d
		}
		out = media.DecodeSLin(out, fr.Payload)
	}
	return out
}

// TestEachHearsOthers: three participants with distinct tones each hear
// the other two and not their own, in their own formats.
func TestEachHearsOthers(t *testing.T) {
	freqs := []float64{440, 1000, 1600}
	for _, tc := range []struct {
		name    string
		formats []*media.Format
		rate    int
	}{
		{"ulaw", []*media.Format{media.ULaw, media.ULaw, media.ULaw}, 8000},
		{"mixed", []*media.Format{media.ULaw, media.ALaw, media.SLin}, 8000},
		{"wideband", []*media.Format{media.ULaw, media.SLin16, media.ALaw}, 16000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New(Options{Translator: tr})
			sinks := make([]*sink, 3)
			parts := make([]*Participant, 3)
			for i, f := range tc.formats {
				sinks[i] = &sink{}
				parts[i] = m.Join(ParticipantOptions{Format: f, Deliver: sinks[i].deliver})
			}
			if m.Rate() != tc.rate {
				t.Fatalf("rate %d, want %d", m.Rate(), tc.rate)
			}
			for round := 0; round < 50; round++ {
				for i, p := range parts {
					f := tc.formats[i]
					n := f.SampleRate / 50
					if err := p.Write(tone(f, freqs[i], 8000, round*n, n)); err != nil {
						t.Fatal(err)
					}
				}
				m.Tick()
			}
			for i, s := range sinks {
				if len(s.frames) != 50 {
					t.Fatalf("participant %d got %d frames, want 50", i, len(s.frames))
				}
				if s.frames[0].Format != tc.formats[i] {
					t.Errorf("participant %d hears %s, want %s", i, s.frames[0].Format, tc.formats[i])
				}
				pcm := s.pcm(t)
				rate := tc.formats[i].SampleRate
				for j, f := range freqs {
					got := dsp.ToneShare(pcm[len(pcm)/5:], f, rate)
					if j == i && got > 0.01 {
						t.Errorf("participant %d hears its own %v Hz (share %.3f)", i, f, got)
					}
					if j != i && got < 0.2 {
						t.Errorf("participant %d does not hear %v Hz (share %.3f)", i, f, got)
					}
				}
			}
		})
	}
}

// TestSharedEncode: listeners of one format get one encoding of the mix
// (the same payload); a talker gets its own.
func TestSharedEncode(t *testing.T) {
	m := New(Options{Translator: tr})
	var got [4]media.Frame
	parts := make([]*Participant, 4)
	for i := range parts {
		parts[i] = m.Join(ParticipantOptions{Format: media.ULaw, Deliver: func(fr media.Frame) { got[i] = fr }})
	}
	// Two intervals: a talker's queue is primed before the loop takes.
	for i := 0; i < prime+1; i++ {
		if err := parts[0].Write(tone(media.ULaw, 500, 8000, i*160, 160)); err != nil {
			t.Fatal(err)
		}
	}
	m.Tick()
	if &got[1].Payload[0] != &got[2].Payload[0] || &got[2].Payload[0] != &got[3].Payload[0] {
		t.Error("the listeners do not share one encoding")
	}
	if &got[0].Payload[0] == &got[1].Payload[0] {
		t.Error("the talker shares the listeners' encoding (it would hear itself)")
	}
	parts[2].AdjustListenVolume(2)
	m.Tick()
	if &got[1].Payload[0] == &got[2].Payload[0] {
		t.Error("a listener with its own volume shares the encoding")
	}
}

// TestTalkDetection: talking starts on the first loud frame, ends after
// the silence threshold, and only talkers' voice is queued.
func TestTalkDetection(t *testing.T) {
	var events []bool
	m := New(Options{Translator: tr, OnTalk: func(p *Participant, on bool) { events = append(events, on) }})
	p := m.Join(ParticipantOptions{Format: media.ULaw, TalkEvents: true, SilenceThreshold: 100 * time.Millisecond})
	quiet := tone(media.ULaw, 500, 50, 0, 160)
	loud := tone(media.ULaw, 500, 4000, 0, 160)
	for _, step := range []struct {
		fr      media.Frame
		talking bool
	}{
		{quiet, false}, {loud, true}, {quiet, true}, {quiet, true}, {quiet, true}, {quiet, true}, {quiet, false}, {quiet, false},
	} {
		if err := p.Write(step.fr); err != nil {
			t.Fatal(err)
		}
		if p.Talking() != step.talking {
			t.Fatalf("talking %v, want %v (events %v)", p.Talking(), step.talking, events)
		}
	}
	if fmt.Sprint(events) != "[true false]" {
		t.Errorf("events %v", events)
	}
	p.qmu.Lock()
	defer p.qmu.Unlock()
	if len(p.queue) != 5*160 {
		t.Errorf("queued %d samples, want the talk spurt's %d", len(p.queue), 5*160)
	}
}

// TestMuteAndClip: a muted talker is not heard; a sum over full scale is
// clipped, not wrapped.
func TestMuteAndClip(t *testing.T) {
	m := New(Options{Translator: tr})
	var heard media.Frame
	a := m.Join(ParticipantOptions{Format: media.SLin})
	b := m.Join(ParticipantOptions{Format: media.SLin})
	m.Join(ParticipantOptions{Format: media.SLin, Deliver: func(fr media.Frame) { heard = fr }})
	full := func() media.Frame {
		pcm := make([]int16, 160)
		for i := range pcm {
			pcm[i] = 30000
		}
		return media.VoiceFrame(media.SLin, media.EncodeSLin(nil, pcm), 0)
	}
	for _, p := range []*Participant{a, b} {
		for i := 0; i < prime; i++ {
			if err := p.Write(full()); err != nil {
				t.Fatal(err)
			}
		}
	}
	m.Tick()
	if s := media.DecodeSLin(nil, heard.Payload); s[0] != 32767 {
		t.Errorf("sum of two 30000 samples is %d, want 32767 (clipped)", s[0])
	}
	b.SetMuted(true)
	for _, p := range []*Participant{a, b} {
		for i := 0; i < prime; i++ {
			if err := p.Write(full()); err != nil {
				t.Fatal(err)
			}
		}
	}
	m.Tick()
	if s := media.DecodeSLin(nil, heard.Payload); s[0] != 30000 {
		t.Errorf("with b muted the listener hears %d, want 30000", s[0])
	}
}

// benchConference mixes a conference of n µ-law participants of which
// talkers talk, feeding every participant a frame per round as its
// reader would: the per-round cost of the whole conference.
func benchConference(b *testing.B, n, talkers int) {
	m := New(Options{Translator: tr})
	parts := make([]*Participant, n)
	delivered := 0
	for i := range parts {
		parts[i] = m.Join(ParticipantOptions{Format: media.ULaw, Deliver: func(media.Frame) { delivered++ }})
	}
	loud := make([]media.Frame, talkers)
	for i := range loud {
		loud[i] = tone(media.ULaw, 300+200*float64(i), 6000, 0, 160)
	}
	quiet := tone(media.ULaw, 300, 20, 0, 160)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for r := 0; r < b.N; r++ {
		for i, p := range parts {
			fr := quiet
			if i < talkers {
				fr = loud[i]
			}
			_ = p.Write(fr)
		}
		m.Tick()
	}
	b.StopTimer()
	// CPU time, not wall time: on a loaded machine the wall clock counts
	// other processes' turns too.
	perRound := (cpuTime(b) - cpu0).Seconds() / float64(b.N)
	// A core at 80 % has 16 ms of each 20 ms round.
	b.ReportMetric(float64(n)*0.016/perRound, "participants/core@80%")
}

// cpuTime is the CPU time the test process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkConference10(b *testing.B)  { benchConference(b, 10, 2) }
func BenchmarkConference100(b *testing.B) { benchConference(b, 100, 3) }

// TestJitterNoGaps: a talker whose packets arrive two at a time every
// other interval is heard without a gap once its queue is primed.
func TestJitterNoGaps(t *testing.T) {
	m := New(Options{Translator: tr})
	talker := m.Join(ParticipantOptions{Format: media.SLin})
	var heard []media.Frame
	m.Join(ParticipantOptions{Format: media.SLin, Deliver: func(fr media.Frame) { heard = append(heard, fr) }})
	off := 0
	for round := 0; round < 20; round++ {
		if round%2 == 0 {
			for k := 0; k < 2; k++ {
				if err := talker.Write(tone(media.SLin, 400, 8000, off, 160)); err != nil {
					t.Fatal(err)
				}
				off += 160
			}
		}
		m.Tick()
	}
	gaps := 0
	for _, fr := range heard[2:] {
		silent := true
		for _, v := range media.DecodeSLin(nil, fr.Payload) {
			if v != 0 {
				silent = false
				break
			}
		}
		if silent {
			gaps++
		}
	}
	if gaps != 0 {
		t.Errorf("%d silent intervals in %d after priming", gaps, len(heard)-2)
	}
}
