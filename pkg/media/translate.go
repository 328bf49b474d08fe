package media

import (
	"container/heap"
	"errors"
	"fmt"
	"strings"
)

// Translation costs, Asterisk's table (translate.h): a step's cost depends
// only on whether its source and destination are lossless (signed linear)
// and on how the sample rate changes, so a path through lossless formats at
// the original rate is preferred over one that loses quality or resamples.
const (
	CostLLLLOrigSamp = 400000
	CostLLLYOrigSamp = 600000
	CostLLLLUpSamp   = 800000
	CostLLLYUpSamp   = 825000
	CostLLLLDownSamp = 850000
	CostLLLYDownSamp = 875000
	CostLYLLOrigSamp = 900000
	CostLYLYOrigSamp = 915000
	CostLYLLUpSamp   = 930000
	CostLYLYUpSamp   = 945000
	CostLYLLDownSamp = 960000
	CostLYLYDownSamp = 975000
)

// lossless reports whether a format keeps every sample exactly: the signed
// linear family.
func lossless(f *Format) bool { return f.RTPEncoding == "L16" }

// TableCost is the cost Asterisk gives a translator from src to dst.
func TableCost(src, dst *Format) int {
	rate := 0 // 0 same, 1 up, 2 down
	switch {
	case dst.SampleRate > src.SampleRate:
		rate = 1
	case dst.SampleRate < src.SampleRate:
		rate = 2
	}
	table := [2][2][3]int{
		{ // lossy source
			{CostLYLYOrigSamp, CostLYLYUpSamp, CostLYLYDownSamp},
			{CostLYLLOrigSamp, CostLYLLUpSamp, CostLYLLDownSamp},
		},
		{ // lossless source
			{CostLLLYOrigSamp, CostLLLYUpSamp, CostLLLYDownSamp},
			{CostLLLLOrigSamp, CostLLLLUpSamp, CostLLLLDownSamp},
		},
	}
	return table[b2i(lossless(src))][b2i(lossless(dst))][rate]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Converter turns one voice payload of a step's source format into the
// destination format, appending to dst. A Converter may keep state between
// frames (a resampler's history), so each stream gets its own.
type Converter interface {
	Convert(dst, src []byte) []byte
}

// Step is one direct translation, as an Asterisk translator module provides.
type Step struct {
	From, To *Format
	Cost     int              // TableCost(From, To) when registered as 0
	New      func() Converter // a fresh converter for one stream
}

// Translator holds the registered steps and finds the cheapest chain of
// steps between two formats. Register everything before calling Path from
// several goroutines.
type Translator struct {
	steps map[*Format][]*Step // by source format
}

// NewTranslator returns a translator with gostrisk's built-in codecs:
// G.711 µ-law and A-law to and from slin, µ-law <-> A-law directly, and
// slin <-> slin16 resampling.
func NewTranslator() *Translator {
	t := &Translator{steps: map[*Format][]*Step{}}
	for _, s := range builtinSteps() {
		if err := t.Register(s); err != nil {
			panic(err) // the built-in list is fixed; a mistake in it is a bug
		}
	}
	return t
}

// Register adds a step. A second step between the same two formats is an
// error, as in Asterisk where one translator per pair is used.
func (t *Translator) Register(s Step) error {
	if s.From == nil || s.To == nil || s.New == nil {
		return errors.New("media: translator step needs From, To and New")
	}
	if s.From == s.To {
		return fmt.Errorf("media: translator step %s -> %s goes nowhere", s.From, s.To)
	}
	for _, o := range t.steps[s.From] {
		if o.To == s.To {
			return fmt.Errorf("media: translator %s -> %s already registered", s.From, s.To)
		}
	}
	if s.Cost == 0 {
		s.Cost = TableCost(s.From, s.To)
	}
	t.steps[s.From] = append(t.steps[s.From], &s)
	return nil
}

// Path is a chain of steps from one format to another.
type Path struct {
	From, To *Format
	Steps    []*Step
	Cost     int // sum of the steps' costs
}

// String shows the chain as `core show translation paths` does: "ulaw->slin->slin16".
func (p *Path) String() string {
	var b strings.Builder
	b.WriteString(p.From.Name)
	for _, s := range p.Steps {
		b.WriteString("->")
		b.WriteString(s.To.Name)
	}
	return b.String()
}

// ErrNoPath is returned when no chain of steps joins two formats.
var ErrNoPath = errors.New("no translation path")

// Path finds the cheapest chain of steps from one format to another
// (Dijkstra over the steps; among equal costs the one with fewer steps).
// From a format to itself the path is empty and costs nothing.
func (t *Translator) Path(from, to *Format) (*Path, error) {
	if from == nil || to == nil {
		return nil, errors.New("media: translation path needs two formats")
	}
	if from == to {
		return &Path{From: from, To: to}, nil
	}
	type best struct {
		cost, hops int
		via        *Step
	}
	dist := map[*Format]best{from: {}}
	done := map[*Format]bool{}
	q := &pathQueue{{f: from}}
	for q.Len() > 0 {
		it := heap.Pop(q).(pathItem)
		if done[it.f] {
			continue
		}
		done[it.f] = true
		if it.f == to {
			break
		}
		for _, s := range t.steps[it.f] {
			c, h := it.cost+s.Cost, it.hops+1
			if b, ok := dist[s.To]; ok && (b.cost < c || b.cost == c && b.hops <= h) {
				continue
			}
			dist[s.To] = best{c, h, s}
			heap.Push(q, pathItem{s.To, c, h})
		}
	}
	end, ok := dist[to]
	if !ok {
		return nil, fmt.Errorf("media: %s -> %s: %w", from, to, ErrNoPath)
	}
	p := &Path{From: from, To: to, Cost: end.cost, Steps: make([]*Step, end.hops)}
	for f, i := to, end.hops-1; i >= 0; i-- {
		s := dist[f].via
		p.Steps[i] = s
		f = s.From
	}
	return p, nil
}

type pathItem struct {
	f          *Format
	cost, hops int
}

type pathQueue []pathItem

func (q pathQueue) Len() int { return len(q) }
func (q pathQueue) Less(i, j int) bool {
	return q[i].cost < q[j].cost || q[i].cost == q[j].cost && q[i].hops < q[j].hops
}
func (q pathQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *pathQueue) Push(x any)   { *q = append(*q, x.(pathItem)) }
func (q *pathQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// Chain converts the voice frames of one stream along a Path.
type Chain struct {
	path  *Path
	convs []Converter
	bufs  [2][]byte
}

// NewChain makes the converters for one stream.
func (p *Path) NewChain() *Chain {
	c := &Chain{path: p, convs: make([]Converter, len(p.Steps))}
	for i, s := range p.Steps {
		c.convs[i] = s.New()
	}
	return c
}

// Path is the path the chain follows.
func (c *Chain) Path() *Path { return c.path }

// Translate converts a voice frame of the path's source format into its
// destination format; other frames (DTMF, control) pass unchanged. The
// returned frame's payload is the chain's own buffer, valid until the next
// call: copy it to keep it.
func (c *Chain) Translate(fr Frame) (Frame, error) {
	if fr.Kind != Voice || len(c.path.Steps) == 0 {
		return fr, nil
	}
	if fr.Format != c.path.From {
		return Frame{}, fmt.Errorf("media: translating %s -> %s: frame is %s", c.path.From, c.path.To, fr.Format)
	}
	payload := fr.Payload
	for i, conv := range c.convs {
		buf := c.bufs[i%2][:0]
		buf = conv.Convert(buf, payload)
		c.bufs[i%2] = buf
		payload = buf
	}
	to := c.path.To
	out := VoiceFrame(to, payload, 0)
	out.Timestamp = uint32(uint64(fr.Timestamp) * uint64(to.SampleRate) / uint64(c.path.From.SampleRate))
	return out, nil
}

type converterFunc func(dst, src []byte) []byte

func (f converterFunc) Convert(dst, src []byte) []byte { return f(dst, src) }

func stateless(f func(dst, src []byte) []byte) func() Converter {
	return func() Converter { return converterFunc(f) }
}

func builtinSteps() []Step {
	return append([]Step{
		{From: ULaw, To: SLin, New: stateless(decodeWith(&ulawToLinear))},
		{From: SLin, To: ULaw, New: stateless(encodeWith(&linearToULaw))},
		{From: ALaw, To: SLin, New: stateless(decodeWith(&alawToLinear))},
		{From: SLin, To: ALaw, New: stateless(encodeWith(&linearToALaw))},
		{From: ULaw, To: ALaw, New: stateless(mapWith(&ulawToALaw))},
		{From: ALaw, To: ULaw, New: stateless(mapWith(&alawToULaw))},
		{From: SLin, To: SLin16, New: func() Converter { return &resampleConv{up: &Upsampler{}} }},
		{From: SLin16, To: SLin, New: func() Converter { return &resampleConv{down: &Downsampler{}} }},
	}, append(g722Steps(), gsmSteps()...)...)
}

// decodeWith turns one-byte codes into slin samples through a table.
func decodeWith(table *[256]int16) func(dst, src []byte) []byte {
	return func(dst, src []byte) []byte {
		for _, c := range src {
			dst = appendSample(dst, table[c])
		}
		return dst
	}
}

// encodeWith turns slin samples into one-byte codes through a table
// indexed by the sample.
func encodeWith(table *[1 << 16]byte) func(dst, src []byte) []byte {
	return func(dst, src []byte) []byte {
		for i := 0; i+1 < len(src); i += 2 {
			dst = append(dst, table[uint16(src[i])|uint16(src[i+1])<<8])
		}
		return dst
	}
}

// mapWith converts one-byte codes into another code through a table.
func mapWith(table *[256]byte) func(dst, src []byte) []byte {
	return func(dst, src []byte) []byte {
		for _, c := range src {
			dst = append(dst, table[c])
		}
		return dst
	}
}

func appendSample(dst []byte, s int16) []byte {
	return append(dst, byte(s), byte(uint16(s)>>8))
}

type resampleConv struct {
	up       *Upsampler
	down     *Downsampler
	in, work []int16
}

func (r *resampleConv) Convert(dst, src []byte) []byte {
	r.in = DecodeSLin(r.in[:0], src)
	if r.up != nil {
		r.work = r.up.Upsample(r.work[:0], r.in)
	} else {
		r.work = r.down.Downsample(r.work[:0], r.in)
	}
	return EncodeSLin(dst, r.work)
}
