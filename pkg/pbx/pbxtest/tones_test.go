package pbxtest

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

func TestToneFrames(t *testing.T) {
	for _, tc := range []struct {
		tones string
		d     time.Duration
		f     *media.Format
		n     int
		bad   bool
	}{
		{"1000", 100 * time.Millisecond, media.ULaw, 5, false},
		{"350+440", time.Second, media.SLin, 50, false},
		{"not a tone", time.Second, media.SLin, 0, true},
	} {
		frames, err := ToneFrames(tc.tones, tc.d, tc.f)
		if (err != nil) != tc.bad || len(frames) != tc.n {
			t.Errorf("ToneFrames(%q, %v) = %d frames, %v", tc.tones, tc.d, len(frames), err)
			continue
		}
		for _, fr := range frames {
			if fr.Format != tc.f || fr.Length() != 20*time.Millisecond {
				t.Errorf("%q: frame %v of %v", tc.tones, fr.Format, fr.Length())
				break
			}
		}
	}
}

type skipRecorder struct{ skipped bool }

func (s *skipRecorder) Helper()              {}
func (s *skipRecorder) Skipf(string, ...any) { s.skipped = true }

func TestNeedSounds(t *testing.T) {
	var s skipRecorder
	NeedSounds(&s, "no-such-prompt-anywhere")
	if !s.skipped {
		t.Error("a missing prompt did not skip")
	}
}
