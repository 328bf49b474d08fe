package call

import (
	"fmt"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// inbandDTMF carries digits as tones in the voice (dtmfmode=inband): the
// far end's audio is decoded and searched for DTMF, and our digits are
// generated as tones in the leg's codec.
type inbandDTMF struct {
	format *media.Format
	rate   int
}

func newInbandDTMF(f *media.Format) *inbandDTMF {
	rate := 8000
	if f.SampleRate == 16000 {
		rate = 16000
	}
	return &inbandDTMF{format: f, rate: rate}
}

// slinOf is signed linear at the leg's rate.
func (ib *inbandDTMF) slinOf() *media.Format {
	if ib.rate == 16000 {
		return media.SLin16
	}
	return media.SLin
}

// detect forwards the session's frames, adding the digits found in the
// voice, until in closes or stop does; it owns the goroutine it starts.
func (ib *inbandDTMF) detect(in <-chan media.Frame, stop <-chan struct{}) <-chan media.Frame {
	out := make(chan media.Frame, 64)
	det := dsp.NewDTMFDetector(ib.rate)
	var chain *media.Chain
	if p, err := pbx.Translator().Path(ib.format, ib.slinOf()); err == nil {
		chain = p.NewChain()
	}
	var pcm []int16
	go func() {
		defer close(out)
		send := func(fr media.Frame) bool {
			select {
			case out <- fr:
				return true
			case <-stop:
				return false
			}
		}
		for {
			var fr media.Frame
			var ok bool
			select {
			case fr, ok = <-in:
				if !ok {
					return
				}
			case <-stop:
				return
			}
			if fr.Kind == media.Voice && chain != nil && fr.Format == ib.format {
				if lin, err := chain.Translate(fr); err == nil {
					pcm = media.DecodeSLin(pcm[:0], lin.Payload)
					for _, d := range det.Process(pcm) {
						if !send(d) {
							return
						}
					}
				}
			}
			if !send(fr) {
				return
			}
		}
	}()
	return out
}

// minInbandDigit is the shortest digit played, as Asterisk's senddigit
// lengthens shorter ones.
const minInbandDigit = 100 * time.Millisecond

// writer is where generated voice goes: the leg's session.
type frameWriter interface {
	WriteFrame(media.Frame) error
}

// play writes a digit as tones in the leg's codec, then a short gap so two
// digits in a row are told apart.
func (ib *inbandDTMF) play(w frameWriter, digit rune, d time.Duration) error {
	d = max(d, minInbandDigit)
	gen := dsp.NewDTMFGenerator(ib.rate)
	frames, err := gen.Frames(digit, d)
	if err != nil {
		return fmt.Errorf("inband DTMF %q: %w", digit, err)
	}
	p, err := pbx.Translator().Path(ib.slinOf(), ib.format)
	if err != nil {
		return fmt.Errorf("inband DTMF on %s: %w", ib.format, errNoTranslation)
	}
	chain := p.NewChain()
	gap := media.VoiceFrame(ib.slinOf(), make([]byte, ib.rate/50*2), 0)
	for _, fr := range append(frames, gap, gap) {
		out, err := chain.Translate(fr)
		if err != nil {
			return err
		}
		out.Payload = append([]byte(nil), out.Payload...)
		if err := w.WriteFrame(out); err != nil {
			return err
		}
	}
	return nil
}
