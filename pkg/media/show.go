package media

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// This file renders the codec and translation CLI commands in Asterisk 18's
// layout (main/codec.c and main/translate.c): `core show codecs`, `core show
// codec <n>`, `core show translation [recalc|comp]` and `core show
// translation paths <codec> [rate]`. The functions return text; pkg/core
// registers the commands.

// codecBuckets is the size of the hash table Asterisk keeps its codecs in.
// `core show codecs` walks that table, so its rows come in bucket order
// (then registration order within a bucket), not in ID order.
const codecBuckets = 53

// astStrHash is the string hash Asterisk's containers use (Bernstein's,
// with xor), restricted to non-negative ints.
func astStrHash(s string) int {
	h := uint32(5381)
	for i := 0; i < len(s); i++ {
		h = h*33 ^ uint32(s[i])
	}
	return int(h & math.MaxInt32)
}

// ShowCodecs renders `core show codecs [audio|video|image|text]`. kind ""
// lists every codec; an unknown kind lists none (Asterisk prints the header
// only). disclaimer prints the two lines Asterisk shows unless asterisk.conf
// sets dontwarn.
func ShowCodecs(kind string, disclaimer bool) string {
	var b strings.Builder
	if disclaimer {
		b.WriteString("Disclaimer: this command is for informational purposes only.\n" +
			"\tIt does not indicate anything about your configuration.\n")
	}
	fmt.Fprintf(&b, "%8s %-5s %-12s %-16s %s\n", "ID", "TYPE", "NAME", "FORMAT", "DESCRIPTION")
	b.WriteString(strings.Repeat("-", 96) + "\n")
	for _, f := range codecTableOrder() {
		if kind != "" && !strings.EqualFold(kind, f.Kind.String()) {
			continue
		}
		fmt.Fprintf(&b, "%8d %-5s %-12s %-16s (%s)\n", f.ID, f.Kind, f.CodecName(), f.Name, f.Description)
	}
	return b.String()
}

// codecTableOrder is the formats in the order Asterisk's codec hash table
// iterates them.
func codecTableOrder() []*Format {
	fs := Formats()
	sort.SliceStable(fs, func(i, j int) bool {
		return astStrHash(fs[i].CodecName())%codecBuckets < astStrHash(fs[j].CodecName())%codecBuckets
	})
	return fs
}

// ShowCodec renders `core show codec <id>`.
func ShowCodec(id int) string {
	for _, f := range formats {
		if f.ID == id {
			return fmt.Sprintf("%11d %s (%s)\n", f.ID, f.Description, f.Name)
		}
	}
	return fmt.Sprintf("Codec %d not found\n", id)
}

// Steps returns the registered steps ordered by source, then destination
// format ID.
func (t *Translator) Steps() []*Step {
	var all []*Step
	for _, ss := range t.steps {
		all = append(all, ss...)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].From.ID != all[j].From.ID {
			return all[i].From.ID < all[j].From.ID
		}
		return all[i].To.ID < all[j].To.ID
	})
	return all
}

// indexed reports the formats some step converts from or to: the rows and
// columns of Asterisk's translation matrix.
func (t *Translator) indexed() map[*Format]bool {
	in := map[*Format]bool{}
	for from, ss := range t.steps {
		in[from] = true
		for _, s := range ss {
			in[s.To] = true
		}
	}
	return in
}

func (t *Translator) direct(from, to *Format) *Step {
	for _, s := range t.steps[from] {
		if s.To == to {
			return s
		}
	}
	return nil
}

// rateSuffixed reports the codecs whose matrix labels carry the sample rate
// in kHz ("slin16"), as Asterisk does for its multi-rate codecs.
func rateSuffixed(codec string) bool {
	return codec == "slin" || codec == "speex" || codec == "silk"
}

// digits is the number of decimal digits of n > 0 (Asterisk: log10(n)+1).
func digits(n int) int { return len(fmt.Sprint(n)) }

// MaxRecalcSeconds is the most audio `core show translation recalc` may ask
// each step to convert, as in Asterisk.
const MaxRecalcSeconds = 1000

// unmeasured is the computational cost Asterisk gives a translator it could
// not run; the table shows it as "-".
const unmeasured = 999999

// TranslationTable renders `core show translation`: the matrix of the
// audio formats that have translators, rows the source and columns the
// destination. With comp nil each cell is the cost of the cheapest path
// (Asterisk's table cost divided by 100, which its header calls
// microseconds); with comp (from MeasureCosts, as `core show translation
// comp` gives) each cell holds the measured microseconds a direct step
// takes for one second of audio, and "-" where there is no direct step.
func (t *Translator) TranslationTable(comp map[*Step]int) string {
	longest := 7 // "slin192"
	var audio []*Format
	in := t.indexed()
	for _, f := range formats {
		if f.Kind != Audio {
			continue
		}
		longest = max(longest, len(f.CodecName()))
		if in[f] {
			audio = append(audio, f)
		}
	}
	label := func(f *Format) (name string, width int) {
		name, width = f.CodecName(), len(f.CodecName())
		if rateSuffixed(name) {
			k := f.SampleRate / 1000
			name += fmt.Sprint(k)
			width += digits(k)
		}
		return name, max(width, 5)
	}

	var b strings.Builder
	b.WriteString("         Translation times between formats (in microseconds) for one second of data\n")
	b.WriteString("          Source Format (Rows) Destination Format (Columns)\n\n")
	b.WriteString(" " + strings.Repeat(" ", longest))
	for _, col := range audio {
		name, w := label(col)
		fmt.Fprintf(&b, "%*s", w+1, name)
	}
	b.WriteString("\n")
	for _, row := range audio {
		name, _ := label(row)
		fmt.Fprintf(&b, " %*s", longest, name)
		for _, col := range audio {
			_, w := label(col)
			cell := "-"
			if comp != nil {
				if s := t.direct(row, col); s != nil {
					if c := comp[s]; c != 0 && c != unmeasured {
						cell = fmt.Sprint(c)
					}
				}
			} else if row != col {
				if p, err := t.Path(row, col); err == nil {
					cell = fmt.Sprint(p.Cost / 100)
				}
			}
			fmt.Fprintf(&b, "%*s", w+1, cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// RecalcHeader is the line `core show translation recalc [n]` and `comp
// [n]` print before the table, with Asterisk's warnings when n is out of
// range; it returns the number of seconds to measure.
func RecalcHeader(arg string) (string, int) {
	n := atoi(arg)
	if arg == "" {
		n = 1
	}
	var b strings.Builder
	if n <= 0 {
		b.WriteString("         Recalc must be greater than 0.  Defaulting to 1.\n")
		n = 1
	}
	if n > MaxRecalcSeconds {
		fmt.Fprintf(&b, "         Maximum limit of recalc exceeded by %d, truncating value to %d\n", n-MaxRecalcSeconds, MaxRecalcSeconds)
		n = MaxRecalcSeconds
	}
	fmt.Fprintf(&b, "         Recalculating Codec Translation (number of sample seconds: %d)\n\n", n)
	return b.String(), n
}

// atoi reads a leading decimal number as C's atoi does (0 when there is none).
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t\n")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > math.MaxInt32 {
			n = math.MaxInt32
		}
	}
	if neg {
		return -n
	}
	return n
}

// ErrNoCodec is returned by TranslationPaths for a codec name it does not know.
var ErrNoCodec = errors.New("codec not found")

// TranslationPaths renders `core show translation paths <codec> [rate]`:
// the path from the codec to every other audio format. codec is a codec
// name as Asterisk spells it ("slin", not "slin16"); rate 0 takes the first
// format of that codec (slin: 8000). An unknown codec gives Asterisk's
// message and an error wrapping ErrNoCodec.
func (t *Translator) TranslationPaths(codec string, rate int) (string, error) {
	var src *Format
	for _, f := range formats {
		if f.Kind == Audio && f.CodecName() == codec && (rate == 0 || f.SampleRate == rate) {
			src = f
			break
		}
	}
	if src == nil {
		return fmt.Sprintf("Source codec \"%s\" is not found.\n", codec), fmt.Errorf("media: %q at %d Hz: %w", codec, rate, ErrNoCodec)
	}
	in := t.indexed()
	var b strings.Builder
	fmt.Fprintf(&b, "--- Translation paths SRC Codec \"%s\" sample rate %d ---\n", codec, src.SampleRate)
	at := func(f *Format) string { return fmt.Sprintf("%s:%d", f.CodecName(), f.SampleRate) }
	for _, dst := range formats {
		if dst == src || dst.Kind != Audio {
			continue
		}
		var desc string
		if !in[src] || !in[dst] {
			desc = "No Translation Path"
		} else if p, err := t.Path(src, dst); err == nil {
			desc = p.codecString()
		}
		fmt.Fprintf(&b, "\t%-16.16s To %-16.16s: %-60.60s\n", at(src), at(dst), desc)
	}
	return b.String(), nil
}

// codecString shows a path as Asterisk's translation paths do:
// "(ulaw@8000)->(slin@8000)->(slin@16000)".
func (p *Path) codecString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "(%s@%d)", p.From.CodecName(), p.From.SampleRate)
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "->(%s@%d)", s.To.CodecName(), s.To.SampleRate)
	}
	return b.String()
}

// CodecNames lists the audio codec names (each once, in ID order) whose
// prefix matches word case-insensitively, for completing `core show
// translation paths`. Asterisk offers a name once per format; a console
// shows duplicates once anyway.
func CodecNames(word string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range formats {
		n := f.CodecName()
		if f.Kind == Audio && !seen[n] && len(n) >= len(word) && strings.EqualFold(n[:len(word)], word) {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// sampleFrameDuration is the audio in each frame MeasureCosts feeds a step.
const sampleFrameDuration = 20 * time.Millisecond

// MeasureCosts runs every step on seconds of generated audio (a speech-band
// tone pair) and returns each step's cost in microseconds per second of
// audio, as Asterisk measures its translators at registration and on
// `core show translation recalc|comp`. The input for a step from a coded
// format is made by translating generated slin at the format's rate; a step
// whose source cannot be produced that way gets Asterisk's 999999
// ("cannot sample"). Wall time is measured, so a busy machine inflates the
// figures as it does Asterisk's.
func (t *Translator) MeasureCosts(seconds int) map[*Step]int {
	seconds = min(max(seconds, 1), MaxRecalcSeconds)
	costs := map[*Step]int{}
	for _, s := range t.Steps() {
		sample, ok := t.sampleFrame(s.From)
		if !ok {
			costs[s] = unmeasured
			continue
		}
		conv := s.New()
		var out []byte
		frames := seconds * int(time.Second/sampleFrameDuration)
		start := time.Now()
		for range frames {
			out = conv.Convert(out[:0], sample)
		}
		us := int(time.Since(start).Microseconds()) / seconds
		costs[s] = max(us, 1)
	}
	return costs
}

// sampleFrame builds 20 ms of audio in format f.
func (t *Translator) sampleFrame(f *Format) ([]byte, bool) {
	var lin *Format
	for _, g := range formats {
		if g.RTPEncoding == "L16" && g.SampleRate == f.SampleRate {
			lin = g
			break
		}
	}
	if lin == nil {
		return nil, false
	}
	n := lin.Samples(sampleFrameDuration)
	pcm := make([]int16, n)
	for i := range pcm {
		x := float64(i) / float64(lin.SampleRate)
		pcm[i] = int16(6000*math.Sin(2*math.Pi*440*x) + 3000*math.Sin(2*math.Pi*1270*x))
	}
	payload := EncodeSLin(nil, pcm)
	if lin == f {
		return payload, true
	}
	p, err := t.Path(lin, f)
	if err != nil {
		return nil, false
	}
	// Convert a few frames so stateful encoders (GSM buffers whole frames)
	// are past their start; keep the last one.
	ch := p.NewChain()
	var fr Frame
	for range 3 {
		if fr, err = ch.Translate(VoiceFrame(lin, payload, 0)); err != nil {
			return nil, false
		}
	}
	if len(fr.Payload) == 0 {
		return nil, false
	}
	return append([]byte(nil), fr.Payload...), true
}
