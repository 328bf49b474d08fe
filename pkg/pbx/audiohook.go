package pbx

import (
	"sync"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// AudioHook changes a channel's voice as it passes, Asterisk's manipulate
// audiohook: VOLUME's gain, MUTEAUDIO's silence. Manipulate gets each
// voice frame of direction dir as 8 kHz signed-linear samples and changes
// them in place; it runs on the goroutine reading or writing the channel
// and must not block. Taps hear the voice before the hooks change it.
type AudioHook interface {
	Manipulate(dir TapDirection, pcm []int16)
}

// hookList is a channel's audio hooks, read on every frame without a
// lock, with a codec pair per direction (each direction has one goroutine).
type hookList struct {
	cowList[AudioHook]
	read, write hookCodec
}

type hookCodec struct {
	mu       sync.Mutex
	dec, enc *media.Chain
	pcm      []int16
}

// AddAudioHook runs h on the channel's voice from now on. Like a tap, a
// hook takes the channel out of the driver's native relay, where the core
// sees no frame. The returned function removes it.
func (c *Channel) AddAudioHook(h AudioHook) (remove func()) {
	c.media.hooks.add(h)
	removeTap := c.AddTap(&noTap{})
	var once sync.Once
	return func() {
		once.Do(func() {
			c.media.hooks.remove(h)
			removeTap()
		})
	}
}

// manipulate returns fr as the hooks changed it, in fr's format; fr
// itself without hooks or when fr cannot be decoded.
func (c *Channel) manipulate(dir TapDirection, fr media.Frame) media.Frame {
	l := &c.media.hooks
	hs := l.load()
	if hs == nil || fr.Kind != media.Voice {
		return fr
	}
	hc := &l.read
	if dir == TapWrite {
		hc = &l.write
	}
	hc.mu.Lock()
	defer hc.mu.Unlock()
	lin := fr
	if fr.Format != media.SLin {
		if hc.dec == nil || hc.dec.Path().From != fr.Format {
			dp, err := translator.Path(fr.Format, media.SLin)
			if err != nil {
				return fr
			}
			ep, err := translator.Path(media.SLin, fr.Format)
			if err != nil {
				return fr
			}
			hc.dec, hc.enc = dp.NewChain(), ep.NewChain()
		}
		out, err := hc.dec.Translate(fr)
		if err != nil {
			return fr
		}
		lin = out
	}
	hc.pcm = media.DecodeSLin(hc.pcm[:0], lin.Payload)
	for _, h := range hs {
		h.Manipulate(dir, hc.pcm)
	}
	changed := media.VoiceFrame(media.SLin, media.EncodeSLin(nil, hc.pcm), fr.Timestamp)
	if fr.Format == media.SLin {
		return changed
	}
	out, err := hc.enc.Translate(changed)
	if err != nil || len(out.Payload) == 0 {
		return fr
	}
	out.Payload = append([]byte(nil), out.Payload...)
	out.Timestamp = fr.Timestamp
	return out
}

// DigitHook is an AudioHook that also wants the digits the channel reads
// (Asterisk's AST_AUDIOHOOK_WANTS_DTMF): Digit is called once per key, at
// its end, on the reading goroutine.
type DigitHook interface {
	AudioHook
	Digit(dir TapDirection, digit rune)
}

// digitHooks passes a digit read from the far end to the hooks that want
// it; other frames cost nothing but the kind test.
func (c *Channel) digitHooks(fr media.Frame) {
	if fr.Kind != media.DTMFEnd {
		return
	}
	for _, h := range c.media.hooks.load() {
		if d, ok := h.(DigitHook); ok {
			d.Digit(TapRead, fr.Digit)
		}
	}
}
