package soundcache

import (
	"io"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
)

// sink keeps the benchmark's copies alive, as a queued frame is.
var sink []byte

// BenchmarkFrame is the cost of one 20 ms frame of a .wav prompt for a
// µ-law channel: read from the file and translated (what every player did
// before the cache, the payload copied as Channel.Write copies a chain's
// output), against served from the cache.
func BenchmarkFrame(b *testing.B) {
	dir := b.TempDir()
	t := &testing.T{}
	path := writeTone(t, dir, "tone", "wav", 8000*60)
	ff, _ := sound.LookupFileFormat("wav")
	b.Run("file+translate", func(b *testing.B) {
		p, _ := media.NewTranslator().Path(media.SLin, media.ULaw)
		chain := p.NewChain()
		r, err := sound.Open(path, ff)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		b.ReportAllocs()
		for b.Loop() {
			fr, err := r.ReadFrame()
			if err == io.EOF {
				r.Seek(0, io.SeekStart)
				continue
			}
			out, _ := chain.Translate(fr)
			sink = append([]byte(nil), out.Payload...)
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := New(media.NewTranslator(), 0)
		r, err := c.Open(path, ff, media.ULaw)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		readAll(t, r) // built once, as by the first of many players
		r.Seek(0, io.SeekStart)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.ReadFrame(); err == io.EOF {
				r.Seek(0, io.SeekStart)
			}
		}
	})
}
