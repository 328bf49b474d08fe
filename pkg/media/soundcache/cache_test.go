package soundcache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
)

// writeTone writes n samples of a 440 Hz tone as a file of format ffName.
func writeTone(t *testing.T, dir, name, ffName string, n int) string {
	t.Helper()
	ff, ok := sound.LookupFileFormat(ffName)
	if !ok {
		t.Fatalf("no file format %s", ffName)
	}
	pcm := make([]byte, 0, 2*n)
	for i := range n {
		v := int16(8000 * math.Sin(2*math.Pi*440*float64(i)/8000))
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(v))
	}
	path := filepath.Join(dir, name+"."+ff.Ext())
	w, err := sound.Create(path, ff)
	if err != nil {
		t.Fatal(err)
	}
	fr := media.Frame{Kind: media.Voice, Format: media.SLin, Payload: pcm, Samples: n}
	if ff.Codec != media.SLin {
		p, err := media.NewTranslator().Path(media.SLin, ff.Codec)
		if err != nil {
			t.Fatal(err)
		}
		c := p.NewChain()
		// Whole 20 ms frames: the encoders want them.
		var out []byte
		for off := 0; off+320 <= len(pcm); off += 320 {
			o, err := c.Translate(media.Frame{Kind: media.Voice, Format: media.SLin, Payload: pcm[off : off+320], Samples: 160})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, o.Payload...)
		}
		fr = media.VoiceFrame(ff.Codec, out, 0)
	}
	if err := w.WriteFrame(fr); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// plain reads a whole file the way the player did without a cache: the
// file's frames, translated to `to` by one chain.
func plain(t *testing.T, path string, ff *sound.FileFormat, to *media.Format) []media.Frame {
	t.Helper()
	r, err := sound.Open(path, ff)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var chain *media.Chain
	if r.Format() != to {
		p, err := media.NewTranslator().Path(r.Format(), to)
		if err != nil {
			t.Fatal(err)
		}
		chain = p.NewChain()
	}
	var out []media.Frame
	for {
		fr, err := r.ReadFrame()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if chain != nil {
			ts := fr.Timestamp
			if fr, err = chain.Translate(fr); err != nil {
				t.Fatal(err)
			}
			fr.Payload = append([]byte(nil), fr.Payload...)
			fr.Timestamp = ts
			if len(fr.Payload) == 0 {
				continue
			}
		}
		out = append(out, fr)
	}
}

// readAll reads rd to its end.
func readAll(t *testing.T, rd *Reader) []media.Frame {
	t.Helper()
	var out []media.Frame
	for {
		fr, err := rd.ReadFrame()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fr)
	}
}

func sameFrames(t *testing.T, got, want []media.Frame) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d frames, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Format != w.Format || g.Samples != w.Samples || g.Timestamp != w.Timestamp || !bytes.Equal(g.Payload, w.Payload) {
			t.Fatalf("frame %d: %s %d samples at %d (%d bytes), want %s %d at %d (%d bytes)",
				i, g.Format.Name, g.Samples, g.Timestamp, len(g.Payload), w.Format.Name, w.Samples, w.Timestamp, len(w.Payload))
		}
	}
}

// TestCachedFramesAreThePlayersFrames: what a cached reader yields, first
// and later reader alike, is byte for byte what reading and translating
// the file yields, for each kind of file and target.
func TestCachedFramesAreThePlayersFrames(t *testing.T) {
	dir := t.TempDir()
	// 3.2 s and 77 samples: several chunks and a short last frame.
	const n = 8000*3 + 1600 + 77
	wav := writeTone(t, dir, "tone", "wav", n)
	sln := writeTone(t, dir, "tone", "sln", n)
	ulaw := writeTone(t, dir, "tone", "pcm", 8000*3+1600)
	gsm := writeTone(t, dir, "tone", "gsm", 8000*3+1600)
	wav16 := writeTone(t, dir, "tone16", "wav16", 8000*2)
	tests := []struct {
		name, path, ff string
		to             *media.Format
		cached         bool
	}{
		{"wav to ulaw", wav, "wav", media.ULaw, true},
		{"wav to alaw", wav, "wav", media.ALaw, true},
		{"wav to gsm", wav, "wav", media.GSM, true},
		{"sln to ulaw", sln, "sln", media.ULaw, true},
		{"ulaw untouched", ulaw, "pcm", media.ULaw, true},
		{"ulaw, no target", ulaw, "pcm", nil, true},
		{"gsm to ulaw", gsm, "gsm", media.ULaw, true},
		{"gsm to alaw", gsm, "gsm", media.ALaw, true},
		{"wav49 to ulaw", "../sound/testdata/tone49.wav", "wav49", media.ULaw, true},
		{"wav16 to g722", wav16, "wav16", media.G722, true},
		{"another rate: not cached", wav, "wav", media.G722, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ff, _ := sound.LookupFileFormat(tc.ff)
			to := tc.to
			if to == nil {
				to = ff.Codec
			}
			c := New(media.NewTranslator(), 0)
			var want []media.Frame
			if tc.cached {
				want = plain(t, tc.path, ff, to)
			} else {
				want = plain(t, tc.path, ff, ff.Codec) // the caller translates
			}
			for i := range 2 {
				rd, err := c.Open(tc.path, ff, tc.to)
				if err != nil {
					t.Fatal(err)
				}
				if rd.Cached() != tc.cached {
					t.Fatalf("reader %d: cached %v, want %v", i, rd.Cached(), tc.cached)
				}
				if rd.Format() != ff.Codec {
					t.Errorf("Format %s, want the file's %s", rd.Format().Name, ff.Codec.Name)
				}
				sameFrames(t, readAll(t, rd), want)
				if rd.Tell() != rd.Length() {
					t.Errorf("Tell %d at the end, Length %d", rd.Tell(), rd.Length())
				}
				rd.Close()
			}
			if n, _ := c.Len(); n != b2i(tc.cached) {
				t.Errorf("%d entries, want %d", n, b2i(tc.cached))
			}
		})
	}
}

// TestSeek: a seek to a frame boundary stays on the cache, one into a
// frame reads the file from there, each at the same positions as the
// file's own reader.
func TestSeek(t *testing.T) {
	dir := t.TempDir()
	wav := writeTone(t, dir, "tone", "wav", 8000*4)
	ff, _ := sound.LookupFileFormat("wav")
	c := New(media.NewTranslator(), 0)
	tests := []struct {
		name   string
		off    int64
		whence int
		cached bool
		format *media.Format
	}{
		{"frame boundary", 160 * 120, io.SeekStart, true, media.ULaw},
		{"from the end", -160 * 10, io.SeekEnd, true, media.ULaw},
		{"middle of a frame", 8000 + 3, io.SeekStart, false, media.SLin},
		{"past the end", 1 << 30, io.SeekStart, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rd, err := c.Open(wav, ff, media.ULaw)
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			ref, _ := sound.Open(wav, ff)
			defer ref.Close()
			pos, _ := rd.Seek(tc.off, tc.whence)
			want, _ := ref.Seek(tc.off, tc.whence)
			if pos != want {
				t.Fatalf("Seek: %d, file's reader %d", pos, want)
			}
			fr, err := rd.ReadFrame()
			if tc.format == nil {
				if err != io.EOF {
					t.Fatalf("ReadFrame past the end: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wfr, _ := ref.ReadFrame()
			if fr.Format != tc.format || rd.Cached() != tc.cached || int64(fr.Timestamp) != want || fr.Samples != wfr.Samples || rd.Tell() != ref.Tell() {
				t.Fatalf("frame %s at %d (%d samples), cached %v, Tell %d; want %s at %d (%d), cached %v, Tell %d",
					fr.Format.Name, fr.Timestamp, fr.Samples, rd.Cached(), rd.Tell(), tc.format.Name, want, wfr.Samples, tc.cached, ref.Tell())
			}
		})
	}
}

// TestChangedFileIsReadAgain: a file rewritten under the same name (a new
// recording) is not played from the old one's frames.
func TestChangedFileIsReadAgain(t *testing.T) {
	dir := t.TempDir()
	ff, _ := sound.LookupFileFormat("wav")
	c := New(media.NewTranslator(), 0)
	path := writeTone(t, dir, "msg", "wav", 1600)
	rd, _ := c.Open(path, ff, media.ULaw)
	first := readAll(t, rd)
	rd.Close()
	path = writeTone(t, dir, "msg", "wav", 3200) // renamed into place: a new inode
	rd, _ = c.Open(path, ff, media.ULaw)
	defer rd.Close()
	got := readAll(t, rd)
	if len(got) == len(first) {
		t.Fatalf("%d frames after the rewrite, as before it", len(got))
	}
	sameFrames(t, got, plain(t, path, ff, media.ULaw))
}

// TestBound: the cache keeps at most its bytes, dropping the least
// recently opened file, and does not cache a file bigger than a quarter
// of it (which still plays, from the file).
func TestBound(t *testing.T) {
	dir := t.TempDir()
	ff, _ := sound.LookupFileFormat("wav")
	// 2 s of ulaw: 100 frames of 160+8 bytes = 16,800 bytes.
	const max = 70000
	c := New(media.NewTranslator(), max)
	var paths []string
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		paths = append(paths, writeTone(t, dir, name, "wav", 16000))
	}
	for _, p := range paths {
		rd, err := c.Open(p, ff, media.ULaw)
		if err != nil {
			t.Fatal(err)
		}
		if !rd.Cached() {
			t.Fatalf("%s not cached", p)
		}
		readAll(t, rd)
		rd.Close()
		if _, b := c.Len(); b > max {
			t.Fatalf("%d bytes held, bound %d", b, max)
		}
	}
	if n, _ := c.Len(); n != 4 {
		t.Errorf("%d entries, want 4 (the first evicted)", n)
	}
	big := writeTone(t, dir, "big", "wav", 8000*10)
	rd, err := c.Open(big, ff, media.ULaw)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if rd.Cached() {
		t.Error("a file over a quarter of the bound is cached")
	}
	if got := readAll(t, rd); len(got) != 500 || got[0].Format != media.SLin {
		t.Errorf("uncached file: %d frames of %s, want 500 of slin", len(got), got[0].Format.Name)
	}
}

// TestTruncatedFile: a file cut short while being built falls back to the
// file's reader, whose error names the file; nothing panics.
func TestTruncatedFile(t *testing.T) {
	dir := t.TempDir()
	ff, _ := sound.LookupFileFormat("wav")
	path := writeTone(t, dir, "cut", "wav", 8000*3)
	c := New(media.NewTranslator(), 0)
	rd, err := c.Open(path, ff, media.ULaw)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	// The first chunk is built at Open; cut the file inside the second.
	if err := os.Truncate(path, 44+2*8000*1+100); err != nil {
		t.Fatal(err)
	}
	var last error
	frames := 0
	for {
		_, err := rd.ReadFrame()
		if err != nil {
			last = err
			break
		}
		frames++
	}
	if errors.Is(last, io.EOF) || !bytes.Contains([]byte(last.Error()), []byte(path)) {
		t.Fatalf("after %d frames: %v, want an error naming %s", frames, last, path)
	}
	if frames < 50 {
		t.Errorf("%d frames before the error, want the first chunk's 50 at least", frames)
	}
}

// TestConcurrentReaders: many players on one file at once (run with
// -race) all get the whole file.
func TestConcurrentReaders(t *testing.T) {
	dir := t.TempDir()
	ff, _ := sound.LookupFileFormat("wav")
	path := writeTone(t, dir, "tone", "wav", 8000*5)
	want := plain(t, path, ff, media.ULaw)
	c := New(media.NewTranslator(), 0)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rd, err := c.Open(path, ff, media.ULaw)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer rd.Close()
			var got []media.Frame
			for {
				fr, err := rd.ReadFrame()
				if err != nil {
					break
				}
				got = append(got, fr)
			}
			if len(got) != len(want) || !bytes.Equal(got[len(got)-1].Payload, want[len(want)-1].Payload) {
				errs <- "incomplete"
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
