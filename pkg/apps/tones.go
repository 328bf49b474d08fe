package apps

import (
	"context"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// toneByName looks an indication up through Config.Tone.
func toneByName(ch *pbx.Channel, name string) (dsp.ToneList, bool) {
	if tone := configOf(ch.Engine()).Tone; tone != nil {
		return tone(ch, name)
	}
	return dsp.ToneList{}, false
}

// toneGenerator plays a tone list as 20 ms signed linear frames until the
// list ends (one that does not repeat) or the generator is stopped.
func toneGenerator(list dsp.ToneList) pbx.Generator {
	return pbx.GeneratorFunc(func(ctx context.Context, ch *pbx.Channel) error {
		player := dsp.NewTonePlayer(list, 8000)
		buf := make([]int16, 160)
		var ts uint32
		for ctx.Err() == nil && !player.Done() {
			s := player.Read(buf)
			if len(s) == 0 {
				return nil
			}
			fr := media.VoiceFrame(media.SLin, media.EncodeSLin(nil, s), ts)
			ts += uint32(len(s))
			if err := ch.Write(fr); err != nil {
				return err
			}
		}
		return nil
	})
}
