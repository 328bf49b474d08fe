package pbx

import "github.com/gostrisk/gostrisk/pkg/media"

// DTMFTap is a Tap that also takes the digits that end (DTMF end frames)
// in either direction, as a framehook on DTMF frames does (StoreDTMF).
// Taps that do not implement it see voice only.
type DTMFTap interface {
	Tap
	TapDTMF(dir TapDirection, digit rune)
}

func (l *tapList) dtmf(dir TapDirection, fr media.Frame) {
	for _, t := range l.load() {
		if d, ok := t.(DTMFTap); ok {
			d.TapDTMF(dir, fr.Digit)
		}
	}
}
