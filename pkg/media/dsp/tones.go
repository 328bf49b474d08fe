package dsp

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// TonePart is one step of a tone list: up to two frequencies played together
// (or the first modulated by the second) for a duration.
type TonePart struct {
	Freq1, Freq2 int // Hz; 0 is silence for that oscillator
	// Modulate is the "f1*f2" form: f1 amplitude-modulated by f2 instead of
	// the two added.
	Modulate bool
	// Duration is how long the part plays; 0 means for ever.
	Duration time.Duration
	// Once is the "!" prefix: the part is played the first time through
	// only, never when the list repeats.
	Once bool
}

// ToneList is a parsed tone list, as indications.conf and Playtones write
// them. After the last part, playing starts again from part Repeat; Repeat is
// -1 when every part is marked "!", and the list then plays once.
type ToneList struct {
	Parts  []TonePart
	Repeat int
}

// String writes the list back in tone-list syntax (frequencies in Hz, so a
// list written with MIDI notes comes back as their frequencies).
func (l ToneList) String() string {
	var b strings.Builder
	for i, p := range l.Parts {
		if i > 0 {
			b.WriteByte(',')
		}
		if p.Once {
			b.WriteByte('!')
		}
		b.WriteString(strconv.Itoa(p.Freq1))
		if p.Modulate {
			b.WriteByte('*')
			b.WriteString(strconv.Itoa(p.Freq2))
		} else if p.Freq2 != 0 {
			b.WriteByte('+')
			b.WriteString(strconv.Itoa(p.Freq2))
		}
		if p.Duration > 0 {
			b.WriteByte('/')
			b.WriteString(strconv.FormatInt(p.Duration.Milliseconds(), 10))
		}
	}
	return b.String()
}

// midiHz is the frequency Asterisk plays for each MIDI note number (its own
// table, rounded down; notes 0-127).
var midiHz = func() [128]int {
	var t [128]int
	for n := range t {
		// Equal temperament from A4 = note 69 = 440 Hz, truncated as
		// Asterisk's table is.
		t[n] = int(440 * math.Pow(2, float64(n-69)/12))
	}
	return t
}()

// maxToneMS bounds a part's duration to what Asterisk's "%30u" and its
// sample counter (ms * 8 in an int) can hold without wrapping.
const maxToneMS = math.MaxInt32 / 8

// ErrNoTones is returned for a list without a single valid part.
var ErrNoTones = errors.New("no valid tone parts")

// ParseToneList parses Asterisk's tone-list syntax: parts separated by ","
// (or by "|" when the string contains one, as older configs wrote), each
//
//	[!]freq1[+freq2][/ms]    two tones added (freq2 optional)
//	[!]freq1*freq2[/ms]      freq1 modulated by freq2
//	[!]Mnote[+Mnote][/ms]    MIDI note numbers instead of Hz (also M*M)
//
// Asterisk logs a part it cannot read and plays the others, and reads a
// part only as far as it fits the syntax ("350+375+400" plays 350+375, and
// "440 + 480" plays 440). ParseToneList does the same with its result (the
// list holds every part Asterisk would play, read as Asterisk reads it) but
// also returns an error naming each bad part and each ignored rest, so a
// config checker can report them.
//
// An empty part ends the list, as in Asterisk (it stops at the first empty
// field); that is reported too unless it is the very last character.
func ParseToneList(s string) (ToneList, error) {
	sep := ","
	if strings.Contains(s, "|") {
		sep = "|"
	}
	list := ToneList{Repeat: -1}
	var errs []error
	fields := strings.Split(s, sep)
	for i, f := range fields {
		if f == "" {
			if i != len(fields)-1 {
				errs = append(errs, fmt.Errorf("tone part %d is empty: the parts after it are ignored", i+1))
			}
			break
		}
		f = strings.TrimSpace(f)
		p, rest, err := parseTonePart(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("tone part %d %q: %w", i+1, f, err))
			continue
		}
		if rest != "" {
			errs = append(errs, fmt.Errorf("tone part %d %q: %q is ignored (read as %q)",
				i+1, f, rest, ToneList{Parts: []TonePart{p}}.String()))
		}
		if !p.Once && list.Repeat < 0 {
			list.Repeat = len(list.Parts)
		}
		list.Parts = append(list.Parts, p)
	}
	if len(list.Parts) == 0 {
		errs = append(errs, ErrNoTones)
	}
	return list, errors.Join(errs...)
}

// parseTonePart reads one part without its surrounding spaces. It reads
// as much as Asterisk's sscanf patterns do, "f1", then "+f2" or "*f2", then
// "/ms", and like them stops at the first thing that does not fit: the rest
// is returned (Asterisk ignores it silently) and the caller reports it. A
// part that does not start with a frequency is an error.
func parseTonePart(s string) (p TonePart, rest string, err error) {
	if strings.HasPrefix(s, "!") {
		p.Once = true
		s = s[1:]
	}
	midi := strings.HasPrefix(strings.TrimLeft(s, " \t"), "M")
	f1, s, err := scanFreq(s, midi)
	if err != nil {
		return p, "", err
	}
	p.Freq1 = f1
	if len(s) > 1 && (s[0] == '+' || s[0] == '*') {
		if f2, after, err := scanFreq(s[1:], midi); err == nil {
			p.Freq2, p.Modulate, s = f2, s[0] == '*', after
		}
	}
	if len(s) > 1 && s[0] == '/' {
		ms, after, err := scanUint(s[1:], maxToneMS)
		if err != nil && !errors.Is(err, errNoNumber) {
			return p, "", fmt.Errorf("duration: %w", err)
		}
		if err == nil {
			p.Duration, s = time.Duration(ms)*time.Millisecond, after
		}
	}
	return p, s, nil
}

// scanFreq reads a frequency in Hz, or a MIDI note "Mn" in a part that
// started with one (Asterisk reads notes only when both tones are notes). A
// note above 127 is silence, as in Asterisk.
func scanFreq(s string, midi bool) (int, string, error) {
	if midi {
		t := strings.TrimLeft(s, " \t")
		if !strings.HasPrefix(t, "M") {
			return 0, s, errNoNumber
		}
		n, rest, err := scanUint(t[1:], math.MaxInt32)
		if err != nil {
			return 0, s, fmt.Errorf("MIDI note: %w", err)
		}
		if n > 127 {
			return 0, rest, nil
		}
		return midiHz[n], rest, nil
	}
	f, rest, err := scanUint(s, math.MaxInt32)
	if err != nil {
		return 0, s, fmt.Errorf("frequency: %w", err)
	}
	return int(f), rest, nil
}

var errNoNumber = errors.New("no number")

// scanUint reads a decimal number after optional blanks, as "%u" does
// (without its sign, which Asterisk would wrap to a huge value).
func scanUint(s string, limit uint64) (uint64, string, error) {
	s = strings.TrimLeft(s, " \t")
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		if s == "" {
			return 0, s, errNoNumber
		}
		return 0, s, fmt.Errorf("%w at %q", errNoNumber, s)
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil || n > limit {
		return 0, s, fmt.Errorf("%q is too large (at most %d)", s[:i], limit)
	}
	return n, s[i:], nil
}

// DefaultToneVolume is the peak amplitude of each tone the player makes
// unless told otherwise: Asterisk's playtones default, about 8 dB under a
// full-scale sine per tone.
const DefaultToneVolume = 7219

// TonePlayer produces the audio of a tone list, sample by sample, at any
// sample rate (Asterisk's generator runs at 8 kHz only). Durations are kept
// to the sample; Asterisk only moves to the next part at the end of a 20 ms
// frame, which makes its parts up to a frame longer.
type TonePlayer struct {
	list   ToneList
	rate   int
	volume float64
	format *media.Format

	part   int // index in list.Parts
	pos    int // samples played of the current part
	length int // samples in the current part, 0 for ever
	done   bool
	osc1   oscillator
	osc2   oscillator
	ts     uint32
}

// NewTonePlayer plays list at rate samples per second at Asterisk's default
// tone volume.
func NewTonePlayer(list ToneList, rate int) *TonePlayer {
	return NewTonePlayerVolume(list, rate, DefaultToneVolume)
}

// NewTonePlayerVolume is NewTonePlayer with the peak amplitude of each tone
// (Milliwatt uses 23255, about 0 dBm0).
func NewTonePlayerVolume(list ToneList, rate, volume int) *TonePlayer {
	if rate <= 0 {
		panic(fmt.Sprintf("dsp: tone player sample rate %d", rate))
	}
	p := &TonePlayer{list: list, rate: rate, volume: float64(volume), format: slinFormat(rate)}
	if len(list.Parts) == 0 {
		p.done = true
		return p
	}
	p.start(0)
	return p
}

// start begins part i from phase zero, as Asterisk resets its oscillators
// at each part.
func (p *TonePlayer) start(i int) {
	p.part, p.pos = i, 0
	t := p.list.Parts[i]
	p.length = int(int64(t.Duration) * int64(p.rate) / int64(time.Second))
	if t.Duration > 0 && p.length == 0 {
		p.length = 1
	}
	p.osc1.set(t.Freq1, p.rate, p.volume)
	p.osc2.set(t.Freq2, p.rate, p.volume)
}

// Done reports whether a list that plays once has ended.
func (p *TonePlayer) Done() bool { return p.done }

// Read fills dst with the next samples and returns the part of dst filled:
// all of it, unless a list that does not repeat ended (then Done is true).
func (p *TonePlayer) Read(dst []int16) []int16 {
	n := 0
	for n < len(dst) && !p.done {
		t := &p.list.Parts[p.part]
		run := len(dst) - n
		if p.length > 0 && p.length-p.pos < run {
			run = p.length - p.pos
		}
		if t.Modulate {
			for i := 0; i < run; i++ {
				a := p.osc1.next()
				m := p.osc2.next()
				// Asterisk scales the carrier by 0.9 * (1 - m/32768): a
				// modulation depth set by the tone volume.
				dst[n+i] = clamp(a * 0.9 * (1 - m/32768))
			}
		} else {
			for i := 0; i < run; i++ {
				dst[n+i] = clamp(p.osc1.next() + p.osc2.next())
			}
		}
		n += run
		p.pos += run
		if p.length > 0 && p.pos >= p.length {
			next := p.part + 1
			if next >= len(p.list.Parts) {
				if p.list.Repeat < 0 {
					p.done = true
					break
				}
				next = p.list.Repeat
			}
			p.start(next)
		}
	}
	return dst[:n]
}

// NextFrame returns the next 20 ms as a signed linear voice frame at the
// player's rate, and false once a list that plays once has ended (a last
// partial frame is still returned).
func (p *TonePlayer) NextFrame() (media.Frame, bool) {
	return nextFrame(p.format, &p.ts, p.rate, p.Read)
}

// nextFrame reads 20 ms through read into a new slin frame stamped with *ts.
func nextFrame(f *media.Format, ts *uint32, rate int, read func([]int16) []int16) (media.Frame, bool) {
	var buf [960]int16 // 20 ms at up to 48 kHz
	n := rate / 50
	var s []int16
	if n <= len(buf) {
		s = read(buf[:n])
	} else {
		s = read(make([]int16, n))
	}
	if len(s) == 0 {
		return media.Frame{}, false
	}
	fr := media.VoiceFrame(f, media.EncodeSLin(make([]byte, 0, 2*len(s)), s), *ts)
	*ts += uint32(len(s))
	return fr, true
}

// slinFormat is the signed linear format of a sample rate, or nil when
// Asterisk has none for it (frames then carry no format).
func slinFormat(rate int) *media.Format {
	for _, f := range media.Formats() {
		if f.CodecName() == "slin" && f.SampleRate == rate {
			return f
		}
	}
	return nil
}

// oscillator makes a sine by the two-term recurrence
// y[n] = 2cos(w)·y[n-1] - y[n-2], started at phase zero, which needs one
// multiply per sample; float64 keeps its amplitude steady for hours.
type oscillator struct {
	coef, y1, y2 float64
}

func (o *oscillator) set(freq, rate int, amp float64) {
	if freq == 0 {
		*o = oscillator{}
		return
	}
	w := 2 * math.Pi * float64(freq) / float64(rate)
	// Seeded with the two samples before n = 0, so the first one out is
	// sin(0) = 0.
	*o = oscillator{coef: 2 * math.Cos(w), y1: amp * math.Sin(-w), y2: amp * math.Sin(-2*w)}
}

func (o *oscillator) next() float64 {
	y := o.coef*o.y1 - o.y2
	o.y2, o.y1 = o.y1, y
	return y
}

func clamp(v float64) int16 {
	switch {
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	}
	return int16(math.Round(v))
}
