package sound

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// fuzzRead reads data as a file of format ff, through, with a few seeks:
// whatever the bytes, the header check and ReadFrame return errors, never
// panic, and frames stay within the data. The reader works on memory (the
// same code Open runs on the file) so the fuzzer is not slowed by the
// file system.
func fuzzRead(t *testing.T, ff *FileFormat, data []byte, seek int64) {
	r, err := newReader(bytes.NewReader(data), int64(len(data)), "fuzz."+ff.Ext(), ff)
	if err != nil {
		if !errors.Is(err, ErrBadFile) {
			t.Fatalf("error %v is not ErrBadFile", err)
		}
		return
	}
	defer r.Close()
	ab, as := ff.atom()
	if max := int64(len(data)) / int64(ab) * int64(as); r.Length() < 0 || r.Length() > max {
		t.Fatalf("length %d samples from %d bytes", r.Length(), len(data))
	}
	read := func() {
		for n := 0; ; n++ {
			before := r.Tell()
			fr, err := r.ReadFrame()
			if err == io.EOF {
				if r.Tell() != r.Length() {
					t.Fatalf("EOF at %d of %d", r.Tell(), r.Length())
				}
				return
			}
			if err != nil {
				t.Fatalf("read: %v", err) // the file does not change under us
			}
			if fr.Samples <= 0 || len(fr.Payload) == 0 || int64(fr.Timestamp) != before || r.Tell() != before+int64(fr.Samples) {
				t.Fatalf("frame %v at %d", fr, before)
			}
			if n > len(data) {
				t.Fatal("more frames than bytes")
			}
		}
	}
	read()
	for _, w := range []int{io.SeekStart, io.SeekCurrent, io.SeekEnd} {
		p, err := r.Seek(seek, w)
		if err != nil || p < 0 || p > r.Length() || p != r.Tell() {
			t.Fatalf("seek(%d, %d) = %d, %v", seek, w, p, err)
		}
		read()
	}
}

func addFileSeeds(f *testing.F, paths ...string) {
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			if len(b) > 1024 {
				b = b[:1024]
			}
			f.Add(b, int64(100))
		}
	}
}

func FuzzWAVReader(f *testing.F) {
	addFileSeeds(f, "/usr/share/asterisk/sounds/en/hello-world.wav")
	f.Add(wavBytes(1, 1, 8000, 16, make([]byte, 700), []byte("LIST\x03\x00\x00\x00abc\x00")), int64(-5))
	f.Add(wavBytes(1, 1, 16000, 16, make([]byte, 1000)), int64(333))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\xff"), int64(0))
	wav, wav16 := mustFF(f, "wav"), mustFF(f, "wav16")
	f.Fuzz(func(t *testing.T, data []byte, seek int64) {
		fuzzRead(t, wav, data, seek)
		fuzzRead(t, wav16, data, seek)
	})
}

func FuzzWAV49Reader(f *testing.F) {
	addFileSeeds(f, "testdata/tone49.wav")
	wav49 := mustFF(f, "wav49")
	f.Fuzz(func(t *testing.T, data []byte, seek int64) {
		fuzzRead(t, wav49, data, seek)
	})
}

// FuzzRawReader covers the headerless formats (gsm, sln, g722, ulaw) and
// Sun .au.
func FuzzRawReader(f *testing.F) {
	addFileSeeds(f, "testdata/tone.gsm", "/usr/share/asterisk/sounds/en/hello-world.gsm")
	f.Add(append(auHeader(100), make([]byte, 333)...), int64(170))
	f.Add([]byte{1, 2, 3}, int64(1))
	var ffs []*FileFormat
	for _, n := range []string{"gsm", "sln", "sln16", "g722", "pcm", "au", "g726-24", "iLBC"} {
		ffs = append(ffs, mustFF(f, n))
	}
	f.Fuzz(func(t *testing.T, data []byte, seek int64) {
		for _, ff := range ffs {
			fuzzRead(t, ff, data, seek)
		}
	})
}
