package mixmonitor

import (
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// syncLag is how far one leg file may run ahead of the other before S
// fills the other with silence: more than the two directions' usual
// difference in latency (a jitter buffer on one, pacing on the other), so
// that a late burst is not taken for a silent direction.
const syncLag = 240 * time.Millisecond

// silence20 is 20 ms of 8 kHz signed linear silence.
var silence20 = make([]byte, 320)

// legsInStep is TapFrame's leg writing with the S option: fr goes to its
// direction's file, and a file left behind by more than syncLag (its
// direction sent nothing) gets silence up to the other.
func (r *recording) legsInStep(dir pbx.TapDirection, fr media.Frame) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, files := 0, [2]*File{r.read, r.write}
	if dir == pbx.TapWrite {
		i = 1
	}
	o := 1 - i
	if gap := r.legAt[i] - r.legAt[o]; gap > syncLag {
		for ; gap >= 20*time.Millisecond; gap -= 20 * time.Millisecond {
			files[o].Write(media.VoiceFrame(media.SLin, silence20, 0))
			r.legAt[o] += 20 * time.Millisecond
		}
	}
	files[i].Write(fr)
	if rate := fr.Format.SampleRate; rate > 0 {
		r.legAt[i] += time.Duration(fr.Samples) * time.Second / time.Duration(rate)
	}
}
