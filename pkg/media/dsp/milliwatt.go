package dsp

import (
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// MilliwattVolume is the amplitude Asterisk's Milliwatt plays its 1004 Hz
// tone with: close to 0 dBm0 (a µ-law full-scale sine is +3.17 dBm0, and
// 23255 is 3 dB under it).
const MilliwattVolume = 23255

// Milliwatt is the audio source of Asterisk 18's Milliwatt application. Its
// options, as app_milliwatt reads them:
//
//   - none: a continuous 1004 Hz tone at MilliwattVolume (the tone list
//     "1004/1000", repeating);
//   - "m": the milliwatt test line, 9 s of 1004 Hz then 1 s of silence
//     ("1004/9000,0/1000");
//   - "o": the old behaviour, the 8-byte µ-law "digital milliwatt" sequence
//     (a 1000 Hz tone at 0 dBm0) sent as µ-law frames. It wins over "m".
type Milliwatt struct {
	old   bool
	index int // position in the µ-law sequence
	tones *TonePlayer
	ts    uint32
}

// digitalMilliwatt is one period of the ITU-T G.711 digital milliwatt: 1 kHz
// at 0 dBm0 as eight µ-law codes.
var digitalMilliwatt = [8]byte{0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e}

// NewMilliwatt makes the generator for Milliwatt(options).
func NewMilliwatt(options string) *Milliwatt {
	m := &Milliwatt{}
	switch {
	case containsByte(options, 'o'):
		m.old = true
	case containsByte(options, 'm'):
		m.tones = NewTonePlayerVolume(ToneList{Parts: []TonePart{
			{Freq1: 1004, Duration: 9 * time.Second},
			{Freq1: 0, Duration: time.Second},
		}}, 8000, MilliwattVolume)
	default:
		m.tones = NewTonePlayerVolume(ToneList{Parts: []TonePart{
			{Freq1: 1004, Duration: time.Second},
		}}, 8000, MilliwattVolume)
	}
	return m
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// Format is the format of the frames NextFrame returns: µ-law for option
// "o", signed linear 8 kHz otherwise (Asterisk's playtones writes slin).
func (m *Milliwatt) Format() *media.Format {
	if m.old {
		return media.ULaw
	}
	return media.SLin
}

// NextFrame returns the next 20 ms (160 samples). The signal never ends.
func (m *Milliwatt) NextFrame() media.Frame {
	if !m.old {
		fr, _ := m.tones.NextFrame()
		return fr
	}
	p := make([]byte, 160)
	for i := range p {
		p[i] = digitalMilliwatt[m.index]
		m.index = (m.index + 1) & 7
	}
	fr := media.VoiceFrame(media.ULaw, p, m.ts)
	m.ts += 160
	return fr
}
