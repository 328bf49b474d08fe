package apps

import (
	"errors"
	"fmt"
	"io"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// PromptPCM reads a prompt (looked up as Playback looks it up, in the
// channel's language) into 8 kHz signed linear samples, for modules that
// mix a sound into a call rather than play it (MixMonitor's periodic
// beep). At most max samples are read.
func PromptPCM(ch *pbx.Channel, name string, max int) ([]int16, error) {
	cfg := configOf(ch.Engine())
	path, ff, err := cfg.finder.Find(name, ch.Language(), pbx.CostTo(media.SLin))
	if err != nil {
		return nil, err
	}
	r, err := sound.Open(path, ff)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var chain *media.Chain
	var pcm []int16
	for len(pcm) < max {
		fr, err := r.ReadFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if fr.Format != media.SLin {
			if chain == nil || chain.Path().From != fr.Format {
				p, err := pbx.Translator().Path(fr.Format, media.SLin)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", path, err)
				}
				chain = p.NewChain()
			}
			if fr, err = chain.Translate(fr); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		pcm = media.DecodeSLin(pcm, fr.Payload)
	}
	if len(pcm) > max {
		pcm = pcm[:max]
	}
	return pcm, nil
}
