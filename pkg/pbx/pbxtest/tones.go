package pbxtest

import (
	"fmt"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// ToneFrames makes d of an indications.conf tone list ("1000",
// "350+440", "!941+1336/100,!0/100") as 20 ms frames in format f, for a
// Phone to Say. Each frame owns its payload.
func ToneFrames(tones string, d time.Duration, f *media.Format) ([]media.Frame, error) {
	list, err := dsp.ParseToneList(tones)
	if err != nil {
		return nil, fmt.Errorf("tone list %q: %w", tones, err)
	}
	p := dsp.NewTonePlayer(list, 8000)
	path, err := pbx.Translator().Path(media.SLin, f)
	if err != nil {
		return nil, fmt.Errorf("tones in %s: %w", f.Name, err)
	}
	chain := path.NewChain()
	var out []media.Frame
	for i := 0; i < int(d/(20*time.Millisecond)); i++ {
		fr := media.VoiceFrame(media.SLin, media.EncodeSLin(nil, p.Read(make([]int16, 160))), uint32(i*160))
		if fr, err = chain.Translate(fr); err != nil {
			return nil, fmt.Errorf("tones in %s: %w", f.Name, err)
		}
		fr.Payload = append([]byte(nil), fr.Payload...)
		out = append(out, fr)
	}
	return out, nil
}
