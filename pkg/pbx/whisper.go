package pbx

import (
	"sync"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// Whisper is audio added to what a channel sends its far end, Asterisk's
// whisper audiohook: ChanSpy's whisper and barge modes talk into a call
// with one. The whisperer writes signed-linear 8 kHz samples; each voice
// frame the channel writes takes as many as it lasts and carries their
// sum with its own audio. A frame written with no whisper waiting goes
// out unchanged.
type Whisper struct {
	mu  sync.Mutex
	buf []int16
}

// whisperMax bounds what waits in a whisper (200 ms): a whisperer faster
// than the channel's writes loses its oldest audio instead of lagging.
const whisperMax = 1600

// Write queues samples to be mixed into the channel's next frames.
func (w *Whisper) Write(pcm []int16) {
	w.mu.Lock()
	w.buf = append(w.buf, pcm...)
	if over := len(w.buf) - whisperMax; over > 0 {
		w.buf = w.buf[:copy(w.buf, w.buf[over:])]
	}
	w.mu.Unlock()
}

// addTo adds up to len(pcm) waiting samples to pcm; false when none
// waited.
func (w *Whisper) addTo(pcm []int16) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := min(len(pcm), len(w.buf))
	if n == 0 {
		return false
	}
	for i := 0; i < n; i++ {
		v := int32(pcm[i]) + int32(w.buf[i])
		pcm[i] = int16(max(-32768, min(32767, v)))
	}
	w.buf = w.buf[:copy(w.buf, w.buf[n:])]
	return true
}

// whisperList is a channel's whispers, read on every written frame
// without a lock, with the chains that take its native audio to 8 kHz
// signed linear and back.
type whisperList struct {
	cowList[*Whisper]
	// Used by the writing goroutine only, under codecMu.
	codecMu  sync.Mutex
	dec, enc *media.Chain
	pcm      []int16
}

// AddWhisper mixes w into what the channel sends from now on. Like a tap,
// a whisper takes the channel out of the driver's native relay, where the
// core writes no frame. The returned function removes it.
func (c *Channel) AddWhisper(w *Whisper) (remove func()) {
	c.media.whispers.add(w)
	removeTap := c.AddTap(&noTap{})
	var once sync.Once
	return func() {
		once.Do(func() {
			c.media.whispers.remove(w)
			removeTap()
		})
	}
}

// noTap only holds the channel in frame mode for a whisper. Each is its
// own (not zero-sized: pointers to zero-sized values may compare equal),
// so removing one whisper's leaves another's.
type noTap struct{ _ byte }

func (*noTap) TapFrame(TapDirection, media.Frame) {}

// whisperInto returns fr with the channel's whispers added, in fr's
// format; fr itself when nothing waited or fr cannot be decoded.
func (c *Channel) whisperInto(fr media.Frame) media.Frame {
	l := &c.media.whispers
	ws := l.load()
	if ws == nil || fr.Kind != media.Voice {
		return fr
	}
	l.codecMu.Lock()
	defer l.codecMu.Unlock()
	if fr.Format != media.SLin {
		if l.dec == nil || l.dec.Path().From != fr.Format {
			dp, err := translator.Path(fr.Format, media.SLin)
			if err != nil {
				return fr
			}
			ep, err := translator.Path(media.SLin, fr.Format)
			if err != nil {
				return fr
			}
			l.dec, l.enc = dp.NewChain(), ep.NewChain()
		}
	}
	lin := fr
	if fr.Format != media.SLin {
		out, err := l.dec.Translate(fr)
		if err != nil {
			return fr
		}
		lin = out
	}
	l.pcm = media.DecodeSLin(l.pcm[:0], lin.Payload)
	added := false
	for _, w := range ws {
		if w.addTo(l.pcm) {
			added = true
		}
	}
	if !added {
		return fr
	}
	mixed := media.VoiceFrame(media.SLin, media.EncodeSLin(nil, l.pcm), fr.Timestamp)
	if fr.Format == media.SLin {
		return mixed
	}
	out, err := l.enc.Translate(mixed)
	if err != nil || len(out.Payload) == 0 {
		return fr
	}
	out.Payload = append([]byte(nil), out.Payload...)
	out.Timestamp = fr.Timestamp
	return out
}
