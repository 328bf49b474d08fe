package dsp

import (
	"fmt"
	"slices"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// The DTMF frequencies: the row (low group) and column (high group) of the
// keypad, in the order of dtmfKeys.
var (
	dtmfRow = [4]float64{697, 770, 852, 941}
	dtmfCol = [4]float64{1209, 1336, 1477, 1633}
)

// dtmfKeys is the keypad, row by row.
const dtmfKeys = "123A456B789C*0#D"

// DTMFFreqs returns the low and high frequency of a digit ('0'-'9', '*',
// '#', 'A'-'D', lower-case letters accepted).
func DTMFFreqs(digit rune) (low, high int, ok bool) {
	if digit >= 'a' && digit <= 'd' {
		digit -= 'a' - 'A'
	}
	for i, k := range dtmfKeys {
		if k == digit {
			return int(dtmfRow[i/4]), int(dtmfCol[i%4]), true
		}
	}
	return 0, 0, false
}

// MinDTMFDuration is the shortest digit Asterisk sends inband
// (AST_DEFAULT_EMULATE_DTMF_DURATION): ast_senddigit lengthens shorter
// requests, and so should callers of DTMFGenerator, which plays what it is
// asked (tests need shorter digits).
const MinDTMFDuration = 100 * time.Millisecond

// DTMFGenerator makes inband DTMF: each digit is the tone pair played at
// Asterisk's default tone volume (the level ast_senddigit_begin plays
// through ast_playtones_start with volume 0), both tones at the same level.
type DTMFGenerator struct {
	rate   int
	format *media.Format
	ts     uint32
}

// NewDTMFGenerator makes digits at rate samples per second.
func NewDTMFGenerator(rate int) *DTMFGenerator {
	if rate <= 0 {
		panic(fmt.Sprintf("dsp: DTMF generator sample rate %d", rate))
	}
	return &DTMFGenerator{rate: rate, format: slinFormat(rate)}
}

// Digit appends to dst the samples of digit held for d. The caller adds the
// gap between digits.
func (g *DTMFGenerator) Digit(dst []int16, digit rune, d time.Duration) ([]int16, error) {
	p, err := g.player(digit, d)
	if err != nil {
		return dst, err
	}
	n := int(int64(p.list.Parts[0].Duration) * int64(g.rate) / int64(time.Second))
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	p.Read(dst[start:])
	return dst, nil
}

// Frames returns the digit as 20 ms signed linear voice frames (the last
// one shorter when d is not a multiple of 20 ms), stamped on from the
// generator's running timestamp, for a channel that sends DTMF inband.
func (g *DTMFGenerator) Frames(digit rune, d time.Duration) ([]media.Frame, error) {
	p, err := g.player(digit, d)
	if err != nil {
		return nil, err
	}
	var out []media.Frame
	for {
		fr, ok := nextFrame(g.format, &g.ts, g.rate, p.Read)
		if !ok {
			return out, nil
		}
		out = append(out, fr)
	}
}

func (g *DTMFGenerator) player(digit rune, d time.Duration) (*TonePlayer, error) {
	low, high, ok := DTMFFreqs(digit)
	if !ok {
		return nil, fmt.Errorf("dsp: %q is not a DTMF digit", digit)
	}
	if d <= 0 || d > maxToneMS*time.Millisecond {
		return nil, fmt.Errorf("dsp: DTMF duration %v out of range", d)
	}
	list := ToneList{Parts: []TonePart{{Freq1: low, Freq2: high, Duration: d, Once: true}}, Repeat: -1}
	return NewTonePlayer(list, g.rate), nil
}
