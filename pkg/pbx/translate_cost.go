package pbx

import "github.com/gostrisk/gostrisk/pkg/media"

// CostTo is the preference sound.Finder takes when it picks among a
// prompt's files: the translation cost from a file's codec to native, so
// a .wav (slin) wins over a .gsm on a µ-law call and a .g722 file on a
// G.722 call is sent untouched; -1 where no translation exists. A nil
// native gives no preference. The playback applications and ConfBridge
// share it.
func CostTo(native *media.Format) func(*media.Format) int {
	if native == nil {
		return nil
	}
	return func(f *media.Format) int {
		p, err := Translator().Path(f, native)
		if err != nil {
			return -1
		}
		return p.Cost
	}
}
