package sound

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
)

const debianSounds = "/usr/share/asterisk"

// needFile skips when a Debian sound package is not installed (make
// test-deps installs them).
func needFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s not installed (make test-deps): %v", path, err)
	}
}

func mustFF(t testing.TB, name string) *FileFormat {
	t.Helper()
	f, ok := LookupFileFormat(name)
	if !ok {
		t.Fatalf("no file format %s", name)
	}
	return f
}

// readAll reads every frame and checks their timestamps follow on.
func readAll(t *testing.T, r *Reader) (frames []media.Frame, payload []byte) {
	t.Helper()
	var next uint32
	for {
		fr, err := r.ReadFrame()
		if err == io.EOF {
			return frames, payload
		}
		if err != nil {
			t.Fatal(err)
		}
		if fr.Kind != media.Voice || fr.Format != r.Format() {
			t.Fatalf("frame %v", fr)
		}
		if fr.Timestamp != next {
			t.Fatalf("frame %d at %d, want %d", len(frames), fr.Timestamp, next)
		}
		next += uint32(fr.Samples)
		frames = append(frames, fr)
		payload = append(payload, fr.Payload...)
	}
}

// TestDebianFiles reads Asterisk's own prompts and music as Debian ships
// them; lengths are what soxi reports.
func TestDebianFiles(t *testing.T) {
	for _, tc := range []struct {
		path    string
		format  string
		samples int64
	}{
		{"sounds/en/hello-world.wav", "wav", 11234},
		{"sounds/en/hello-world.gsm", "gsm", 2343 / 33 * 160},
		{"sounds/fr/hello-world.wav", "wav", 8710},
		{"moh/macroform-cold_day.wav", "wav", 1954191},
	} {
		t.Run(tc.path, func(t *testing.T) {
			path := filepath.Join(debianSounds, tc.path)
			needFile(t, path)
			r, err := Open(path, mustFF(t, tc.format))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Length() != tc.samples {
				t.Errorf("length %d samples, want %d", r.Length(), tc.samples)
			}
			frames, payload := readAll(t, r)
			want := int((tc.samples + 159) / 160)
			if len(frames) != want {
				t.Errorf("%d frames, want %d", len(frames), want)
			}
			for i, fr := range frames[:len(frames)-1] {
				if fr.Samples != 160 || fr.Length().Milliseconds() != 20 {
					t.Fatalf("frame %d: %d samples (%v)", i, fr.Samples, fr.Length())
				}
			}
			if tc.format == "wav" {
				// The audio is the file's data chunk, byte for byte.
				b, _ := os.ReadFile(path)
				if !bytes.Equal(payload, b[44:44+2*tc.samples]) {
					t.Errorf("payload differs from the data chunk")
				}
			}
		})
	}
}

// TestAllMOHFiles opens every music file Debian installs.
func TestAllMOHFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(debianSounds, "moh", "*.wav"))
	if len(files) == 0 {
		t.Skip("asterisk-moh-opsound-wav not installed (make test-deps)")
	}
	for _, f := range files {
		r, err := Open(f, mustFF(t, "wav"))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if r.Length() < 8000 {
			t.Errorf("%s: %d samples", f, r.Length())
		}
		r.Close()
	}
}

// TestRewriteIsIdentical: reading a Debian prompt and writing its frames
// gives back the same file, header included.
func TestRewriteIsIdentical(t *testing.T) {
	for _, tc := range []struct{ path, format string }{
		{"sounds/en/hello-world.wav", "wav"},
		{"sounds/en/hello-world.gsm", "gsm"},
	} {
		path := filepath.Join(debianSounds, tc.path)
		needFile(t, path)
		ff := mustFF(t, tc.format)
		r, err := Open(path, ff)
		if err != nil {
			t.Fatal(err)
		}
		frames, _ := readAll(t, r)
		r.Close()
		out := filepath.Join(t.TempDir(), "copy."+ff.Ext())
		w, err := Create(out, ff)
		if err != nil {
			t.Fatal(err)
		}
		for _, fr := range frames {
			if err := w.WriteFrame(fr); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(out)
		want, _ := os.ReadFile(path)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: rewritten file differs (%d vs %d bytes)", tc.path, len(got), len(want))
		}
	}
}

// payloadFor builds frames' worth of recognisable payload in ff's codec.
func payloadFor(ff *FileFormat, frames int, seed byte) []byte {
	n := frames * ff.frameBytes
	if ff.container == wavGSM {
		n = frames * gsmFrameSize
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	if ff.Codec.Name == "gsm" {
		// Valid GSM frames carry the signature nibble.
		for i := 0; i < n; i += gsmFrameSize {
			b[i] = b[i]&0x0f | gsmSignature<<4
		}
	}
	return b
}

// TestRoundTripEveryFormat writes frames in every supported format, reads
// them back, and seeks.
func TestRoundTripEveryFormat(t *testing.T) {
	dir := t.TempDir()
	for _, ff := range FileFormats() {
		if !ff.Supported() {
			if _, err := Create(filepath.Join(dir, "x."+ff.Ext()), ff); !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: Create: %v, want ErrUnsupported", ff.Name, err)
			}
			continue
		}
		t.Run(ff.Name, func(t *testing.T) {
			const nframes = 7 // odd: a wav49 file pads its last block
			path := filepath.Join(dir, "rt."+fileExt(ff.Ext()))
			w, err := Create(path, ff)
			if err != nil {
				t.Fatal(err)
			}
			in := payloadFor(ff, nframes, byte(len(ff.Name)))
			fsize := len(in) / nframes
			for i := 0; i < nframes; i++ {
				fr := media.Frame{Kind: media.Voice, Format: ff.Codec, Payload: in[i*fsize : (i+1)*fsize]}
				if err := w.WriteFrame(fr); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.WriteFrame(media.Frame{Kind: media.DTMFEnd, Digit: '1'}); err != nil {
				t.Fatalf("a DTMF frame: %v", err)
			}
			other := media.ALaw
			if ff.Codec == media.ALaw {
				other = media.ULaw
			}
			if err := w.WriteFrame(media.Frame{Kind: media.Voice, Format: other, Payload: []byte{1}}); err == nil {
				t.Fatal("a frame in another codec was taken")
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("%s exists before Close: %v", path, err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if ents, _ := filepath.Glob(filepath.Join(dir, ".*")); len(ents) != 0 {
				t.Fatalf("temporary files left: %v", ents)
			}

			r, err := Open(path, ff)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			wantSamples := int64(nframes * ff.frameSamples)
			if ff.container == wavGSM {
				wantSamples = (nframes + 1) * 160
			}
			if r.Length() != wantSamples {
				t.Fatalf("length %d, want %d", r.Length(), wantSamples)
			}
			frames, out := readAll(t, r)
			if !bytes.Equal(out[:len(in)], in) {
				t.Fatalf("read back differs\n got %x\nwant %x", out[:len(in)], in)
			}
			if ff.container == wavGSM && !bytes.Equal(out[len(in):], gsmSilence[:]) {
				t.Errorf("padding frame %x, want silence", out[len(in):])
			}
			if len(frames) < nframes {
				t.Fatalf("%d frames", len(frames))
			}

			// Seek: back to frame 3 reads frame 3 again; clamping at both ends.
			pos, err := r.Seek(int64(3*ff.frameSamples), io.SeekStart)
			if err != nil || pos != int64(3*ff.frameSamples) || r.Tell() != pos {
				t.Fatalf("seek to frame 3: %d %v", pos, err)
			}
			fr, err := r.ReadFrame()
			if err != nil || !bytes.Equal(fr.Payload, frames[3].Payload) || fr.Timestamp != uint32(pos) {
				t.Fatalf("frame after seek: %v %v", fr, err)
			}
			if pos, _ := r.Seek(-1000000, io.SeekCurrent); pos != 0 {
				t.Errorf("seek before start: %d", pos)
			}
			if pos, _ := r.Seek(1000000, io.SeekCurrent); pos != r.Length() {
				t.Errorf("seek past end: %d", pos)
			}
			if _, err := r.ReadFrame(); err != io.EOF {
				t.Errorf("read at end: %v", err)
			}
			pos, _ = r.Seek(-int64(ff.frameSamples), io.SeekEnd)
			if fr, err := r.ReadFrame(); err != nil || fr.Timestamp != uint32(pos) {
				t.Errorf("last frame after seek from end: %v %v", fr, err)
			}
			// A position inside a frame rounds down to the frame's start for
			// frame codecs.
			if ff.Codec.Name == "gsm" {
				if pos, _ := r.Seek(170, io.SeekStart); pos != 160 {
					t.Errorf("seek 170 in gsm: %d, want 160", pos)
				}
			}
		})
	}
}

// TestPartialLastFrame: a file not a whole number of frames long ends with
// a short frame; a trailing piece smaller than a sample is dropped.
func TestPartialLastFrame(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "short.sln")
	if err := os.WriteFile(path, make([]byte, 320+101), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, mustFF(t, "sln"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	frames, _ := readAll(t, r)
	if len(frames) != 2 || frames[1].Samples != 50 || len(frames[1].Payload) != 100 {
		t.Fatalf("frames %v", frames)
	}
}

func wavBytes(tag, channels uint16, rate uint32, bits uint16, data []byte, extra ...[]byte) []byte {
	var b []byte
	le := binary.LittleEndian
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, 0) // fixed below
	b = append(b, "WAVE"...)
	for _, e := range extra {
		b = append(b, e...)
	}
	b = append(b, "fmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, tag)
	b = le.AppendUint16(b, channels)
	b = le.AppendUint32(b, rate)
	b = le.AppendUint32(b, rate*uint32(channels)*uint32(bits)/8)
	b = le.AppendUint16(b, channels*bits/8)
	b = le.AppendUint16(b, bits)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	le.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

func TestWAVChunks(t *testing.T) {
	pcm := make([]byte, 640)
	for i := range pcm {
		pcm[i] = byte(i)
	}
	list := append([]byte("LIST\x05\x00\x00\x00INFOx\x00"), "fact\x04\x00\x00\x00\x40\x01\x00\x00"...) // odd LIST chunk is padded
	b := wavBytes(1, 1, 8000, 16, pcm, list)
	path := filepath.Join(t.TempDir(), "chunks.wav")
	os.WriteFile(path, b, 0o644)
	r, err := Open(path, mustFF(t, "wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, out := readAll(t, r)
	if !bytes.Equal(out, pcm) {
		t.Fatalf("audio after LIST and fact chunks differs")
	}
}

// TestBadFiles: every corrupt or wrong file gives an error naming the file
// and wrapping ErrBadFile, and none panics.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	pcm := make([]byte, 320)
	le := binary.LittleEndian
	streamWAV := wavBytes(1, 1, 8000, 16, pcm)
	le.PutUint32(streamWAV[40:], 0xFFFFFFFF)
	for _, tc := range []struct {
		name, format string
		data         []byte
		want         string // in the error; "" = must open
	}{
		{"empty.wav", "wav", nil, "RIFF header truncated"},
		{"text.wav", "wav", []byte("hello, this is not a wav file at all"), "not a RIFF/WAVE"},
		{"nofmt.wav", "wav", []byte("RIFF\x10\x00\x00\x00WAVEdata\x00\x00\x00\x00"), "no fmt chunk"},
		{"nodata.wav", "wav", wavBytes(1, 1, 8000, 16, nil)[:36], "no data chunk"},
		{"shortfmt.wav", "wav", []byte("RIFF\x10\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00"), "fmt chunk truncated"},
		{"stereo.wav", "wav", wavBytes(1, 2, 8000, 16, pcm), "2 channel(s)"},
		{"cd.wav", "wav", wavBytes(1, 2, 44100, 16, pcm), "44100 Hz"},
		{"8bit.wav", "wav", wavBytes(1, 1, 8000, 8, pcm), "8 bits"},
		{"float.wav", "wav", wavBytes(3, 1, 8000, 32, pcm), "IEEE float"},
		{"wideband.wav", "wav", wavBytes(1, 1, 16000, 16, pcm), "16000 Hz"},
		{"narrow.wav16", "wav16", wavBytes(1, 1, 8000, 16, pcm), "8000 Hz"},
		{"pcm.WAV", "wav49", wavBytes(1, 1, 8000, 16, pcm), "Microsoft GSM"},
		{"gsm.wav", "wav", wavBytes(0x31, 1, 8000, 0, pcm), "GSM 6.10"},
		{"stream.wav", "wav", streamWAV, ""},
		{"au.au", "au", []byte(".snd\x00\x00\x00\x18"), "au header truncated"},
		{"notau.au", "au", make([]byte, 30), "not a Sun .au"},
		{"alawau.au", "au", append([]byte(".snd\x00\x00\x00\x18\xff\xff\xff\xff\x00\x00\x00\x1b\x00\x00\x1f\x40\x00\x00\x00\x01"), pcm...), "encoding 27"},
		{"empty.gsm", "gsm", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			os.WriteFile(path, tc.data, 0o644)
			r, err := Open(path, mustFF(t, tc.format))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				readAll(t, r)
				r.Close()
				return
			}
			if err == nil {
				r.Close()
				t.Fatalf("opened")
			}
			if !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q: want ErrBadFile, the path and %q", err, tc.want)
			}
		})
	}
	if _, err := Open(filepath.Join(dir, "missing.wav"), mustFF(t, "wav")); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.wav") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(dir, mustFF(t, "gsm")); !errors.Is(err, ErrBadFile) {
		t.Errorf("directory: %v", err)
	}
}

// TestTruncatedDebianFile cuts a real prompt at every length of its header
// and a few inside its audio: errors or short audio, never a panic.
func TestTruncatedDebianFile(t *testing.T) {
	src := filepath.Join(debianSounds, "sounds/en/hello-world.wav")
	needFile(t, src)
	b, _ := os.ReadFile(src)
	dir := t.TempDir()
	for _, n := range []int{0, 1, 4, 11, 12, 19, 20, 35, 36, 43, 44, 45, 1000, len(b) - 1} {
		path := filepath.Join(dir, "cut.wav")
		os.WriteFile(path, b[:n], 0o644)
		r, err := Open(path, mustFF(t, "wav"))
		if n < 44 {
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("cut at %d: %v", n, err)
			}
			if err == nil {
				r.Close()
			}
			continue
		}
		if err != nil {
			t.Errorf("cut at %d: %v", n, err)
			continue
		}
		if want := int64(n-44) / 2; r.Length() != want {
			t.Errorf("cut at %d: %d samples, want %d", n, r.Length(), want)
		}
		readAll(t, r)
		r.Close()
	}
}

// TestFileShrinks: a file cut short while it is being read gives an error
// naming it, not a panic or a frame of garbage.
func TestFileShrinks(t *testing.T) {
	for _, name := range []string{"gsm", "wav49", "wav"} {
		ff := mustFF(t, name)
		path := filepath.Join(t.TempDir(), "shrink."+fileExt(ff.Ext()))
		w, _ := Create(path, ff)
		w.WriteFrame(media.Frame{Kind: media.Voice, Format: ff.Codec, Payload: payloadFor(ff, 10, 3)})
		w.Close()
		r, err := Open(path, ff)
		if err != nil {
			t.Fatal(err)
		}
		os.Truncate(path, 50)
		_, err = r.ReadFrame()
		for err == nil {
			_, err = r.ReadFrame()
		}
		if err == io.EOF || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
		r.Close()
	}
}

// BenchmarkReadFrame: one 20 ms frame of a Debian prompt, rewinding at the
// end (a playback's cost per frame on the file side).
func BenchmarkReadFrame(b *testing.B) {
	for _, tc := range []struct{ path, format string }{
		{"sounds/en/hello-world.wav", "wav"},
		{"sounds/en/hello-world.gsm", "gsm"},
		{"testdata/tone49.wav", "wav49"},
	} {
		b.Run(tc.format, func(b *testing.B) {
			path := tc.path
			if !strings.HasPrefix(path, "testdata") {
				path = filepath.Join(debianSounds, path)
			}
			ff, _ := LookupFileFormat(tc.format)
			r, err := Open(path, ff)
			if err != nil {
				b.Skip(err)
			}
			defer r.Close()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := r.ReadFrame(); err == io.EOF {
					r.Seek(0, io.SeekStart)
				} else if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
