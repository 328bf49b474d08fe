package moh

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
)

type nopLog struct{}

func (nopLog) Verbose(int, string, ...any) {}
func (nopLog) Notice(string, ...any)       {}
func (nopLog) Warning(string, ...any)      {}

// One tick's frame is translated once per format: listeners of one format
// share the encoded payload, and each pair of formats has one chain.
func TestDeliverTranslatesOncePerFormat(t *testing.T) {
	m := New(Options{Log: nopLog{}}, &Config{Classes: []*Class{{Name: "default"}}})
	p := newPlayer(m, m.Config().Classes[0], nil)
	var ls []*listener
	for _, f := range []*media.Format{media.ULaw, media.ULaw, media.ALaw, media.ULaw, media.SLin, nil} {
		ls = append(ls, &listener{format: f, frames: make(chan media.Frame, listenerQueue), done: make(chan struct{})})
	}
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = int16(i * 100)
	}
	var prev *byte
	for tick := 0; tick < 3; tick++ {
		src := media.VoiceFrame(media.SLin, media.EncodeSLin(nil, pcm), uint32(160*tick))
		p.deliver(ls, src)
		got := make([]media.Frame, len(ls))
		for i, l := range ls {
			got[i] = <-l.frames
		}
		u := &got[0].Payload[0]
		if got[0].Format != media.ULaw || &got[1].Payload[0] != u || &got[3].Payload[0] != u {
			t.Fatalf("tick %d: the ulaw listeners do not share one encoded frame", tick)
		}
		if got[2].Format != media.ALaw || &got[2].Payload[0] == u {
			t.Fatalf("tick %d: alaw listener got %s", tick, got[2].Format)
		}
		if &got[4].Payload[0] != &src.Payload[0] || &got[5].Payload[0] != &src.Payload[0] {
			t.Fatalf("tick %d: slin listeners should get the file's frame itself", tick)
		}
		// Each tick's frame is a copy of its own: a listener still
		// holding the previous one keeps it intact.
		if prev != nil && prev == u {
			t.Fatalf("tick %d reused the previous tick's payload", tick)
		}
		prev = u
	}
	if len(p.chains) != 2 {
		t.Errorf("%d translation chains for two target formats", len(p.chains))
	}
}

// A listener that does not keep up loses its oldest frames, never blocks
// the player.
func TestSlowListenerDropsOldest(t *testing.T) {
	l := &listener{frames: make(chan media.Frame, listenerQueue), done: make(chan struct{})}
	for i := 0; i < 10; i++ {
		l.push(media.Frame{Kind: media.Voice, Timestamp: uint32(i)})
	}
	if fr := <-l.frames; fr.Timestamp != 10-listenerQueue {
		t.Fatalf("oldest kept frame %d, want %d", fr.Timestamp, 10-listenerQueue)
	}
}

// Asterisk's class container order: bucket by ast_str_case_hash % 53.
func TestCaseHash(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want int32
	}{
		{"", 5381},
		{"a", 177604}, // 5381*33 ^ 'a'
		{"DEFAULT", caseHash("default")},
	} {
		if got := caseHash(tt.s); got != tt.want {
			t.Errorf("caseHash(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// BenchmarkTick1000Listeners is one tick of a class heard by 1,000
// channels, half µ-law and half A-law: two encodes, 1,000 queue pushes.
func BenchmarkTick1000Listeners(b *testing.B) {
	m := New(Options{Log: nopLog{}}, &Config{Classes: []*Class{{Name: "default"}}})
	p := newPlayer(m, m.Config().Classes[0], nil)
	var ls []*listener
	for i := 0; i < 1000; i++ {
		f := media.ULaw
		if i%2 == 1 {
			f = media.ALaw
		}
		ls = append(ls, &listener{format: f, frames: make(chan media.Frame, listenerQueue), done: make(chan struct{})})
	}
	src := media.VoiceFrame(media.SLin, make([]byte, 320), 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.deliver(ls, src)
		for _, l := range ls {
			<-l.frames
		}
	}
}
