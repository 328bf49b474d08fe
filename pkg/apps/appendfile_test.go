package apps_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
)

// TestAppendFile: two files appended into one give the sum of their
// audio, each call returning its own file's length; a missing file is
// os.ErrNotExist (Record and MixMonitor then start a new file).
func TestAppendFile(t *testing.T) {
	dir := t.TempDir()
	ff, _ := sound.LookupFileFormat("wav")
	write := func(name string, d time.Duration) string {
		path := filepath.Join(dir, name)
		w, err := sound.Create(path, ff)
		if err != nil {
			t.Fatal(err)
		}
		for _, fr := range toneFrames(t, "500", d, media.SLin) {
			if err := w.WriteFrame(fr); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a, b := write("a.wav", 400*time.Millisecond), write("b.wav", 200*time.Millisecond)
	out := filepath.Join(dir, "out.wav")
	w, err := sound.Create(out, ff)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want time.Duration
	}{{a, 400 * time.Millisecond}, {b, 200 * time.Millisecond}} {
		if got, err := apps.AppendFile(w, tc.path, ff); err != nil || got != tc.want {
			t.Errorf("AppendFile(%s) = %v, %v; want %v", filepath.Base(tc.path), got, err, tc.want)
		}
	}
	if _, err := apps.AppendFile(w, filepath.Join(dir, "none.wav"), ff); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want ErrNotExist", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(readPCM(t, out, ff)); n != 4800 {
		t.Errorf("out.wav has %d samples, want 4800", n)
	}
}
