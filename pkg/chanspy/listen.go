package chanspy

import (
	"context"
	"sync"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/mixer"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// frameSamples is one 20 ms frame at 8 kHz, the rate the spy hears at.
const frameSamples = 160

// maxLag is how far one direction may run ahead of a silent other before
// it is heard alone (the two reach the tap with different latencies).
const maxLag = 12 * frameSamples

// listener is the tap on the spied channel: it mixes what its party says
// and hears into frames for the spy.
type listener struct {
	readOnly bool // option o: only the spied channel's party

	mu     sync.Mutex
	volume int
	buf    [2][]int16
	dec    [2]*media.Chain
	pcm    []int16
	out    chan []int16 // mixed frames for the spy's generator
}

func newListener(readOnly bool, volume int) *listener {
	return &listener{readOnly: readOnly, volume: volume, out: make(chan []int16, 25)}
}

func (l *listener) setVolume(v int) {
	l.mu.Lock()
	l.volume = v
	l.mu.Unlock()
}

// TapFrame is called on the spied channel's reading and writing
// goroutines; it never blocks (a spy that cannot keep up loses frames).
func (l *listener) TapFrame(dir pbx.TapDirection, fr media.Frame) {
	i := 0
	if dir == pbx.TapWrite {
		if l.readOnly {
			return
		}
		i = 1
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if fr.Format != media.SLin {
		if l.dec[i] == nil || l.dec[i].Path().From != fr.Format {
			p, err := pbx.Translator().Path(fr.Format, media.SLin)
			if err != nil {
				return
			}
			l.dec[i] = p.NewChain()
		}
		out, err := l.dec[i].Translate(fr)
		if err != nil {
			return
		}
		fr = out
	}
	l.pcm = media.DecodeSLin(l.pcm[:0], fr.Payload)
	l.buf[i] = append(l.buf[i], l.pcm...)
	l.mixLocked()
}

// mixLocked sends whole frames of both directions added; one direction
// more than maxLag ahead of the other is sent alone.
func (l *listener) mixLocked() {
	for {
		a, b := len(l.buf[0]), len(l.buf[1])
		if l.readOnly {
			b = 0
		}
		if a < frameSamples && b < frameSamples {
			return
		}
		if !l.readOnly && (a < frameSamples || b < frameSamples) && a < maxLag && b < maxLag {
			return
		}
		frame := make([]int16, frameSamples)
		for k := 0; k < 2; k++ {
			take := min(frameSamples, len(l.buf[k]))
			for j := 0; j < take; j++ {
				frame[j] = mixer.Clip(int32(frame[j]) + int32(l.buf[k][j]))
			}
			l.buf[k] = l.buf[k][:copy(l.buf[k], l.buf[k][take:])]
		}
		mixer.AdjustVolume(frame, l.volume)
		select {
		case l.out <- frame:
		default: // the spy is behind: drop rather than delay the call
		}
	}
}

// generator plays the mixed frames to the spy as they come (the spy's
// stream paces them).
func (l *listener) generator() pbx.Generator {
	return pbx.GeneratorFunc(func(ctx context.Context, ch *pbx.Channel) error {
		for {
			select {
			case <-ctx.Done():
				return nil
			case pcm := <-l.out:
				if err := ch.Write(media.VoiceFrame(media.SLin, media.EncodeSLin(nil, pcm), 0)); err != nil {
					return err
				}
			}
		}
	})
}
