package mixer

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
)

// Defaults of confbridge.conf's bridge and user profiles that the mixer
// applies.
const (
	DefaultInterval         = 20 * time.Millisecond // mixing_interval
	DefaultTalkingThreshold = 160                   // dsp_talking_threshold
	DefaultSilenceThreshold = 2500 * time.Millisecond
)

// maxQueued is how much of a participant's voice waits for the loop, in
// mixing intervals: more than that and the oldest is dropped, so a
// participant whose packets arrive in bursts is not heard ever later.
const maxQueued = 6

// prime is how much voice a talker's queue holds before the loop takes
// from it after it ran dry, in mixing intervals: one interval of latency
// absorbs the jitter of packets against the loop's clock, instead of a
// gap of silence (a click, and a tone's phase broken) at every late
// packet.
const prime = 2

// maxCatchUp is how many intervals a late loop mixes at once to keep its
// timeline (a starved process); further behind, it starts again from now.
const maxCatchUp = 4

// Options configure a Mixer.
type Options struct {
	// Rate is the mixing rate in Hz (internal_sample_rate); 0 chooses it
	// from the participants: 16 kHz as soon as one speaks a wideband
	// format, else 8 kHz.
	Rate int
	// Interval is the mixing interval (mixing_interval); 0 is 20 ms.
	Interval time.Duration
	// Translator converts between the participants' formats and slin.
	Translator *media.Translator
	// OnTalk, when set, is called when a participant with TalkEvents
	// starts or stops talking, on the goroutine that called Write.
	OnTalk func(p *Participant, talking bool)
}

// Mixer mixes one conference. Its participants join and leave at any
// time; Run (or Tick, for a caller with its own clock) produces the
// frames they hear.
type Mixer struct {
	opts    Options
	samples atomic.Int32 // per interval at the current rate
	rateNow atomic.Int32 // rate, read by Write without the lock

	mu    sync.Mutex
	parts []*Participant // copy on write: Tick reads it without the lock
	rate  int

	// Owned by Tick.
	tick    uint32
	sum     []int32
	pcm     []int16
	shared  map[*media.Format]*media.Chain // the listeners' encoders
	sharedF map[*media.Format]media.Frame  // this round's encodings
}

// New returns a mixer with no participants.
func New(opts Options) *Mixer {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	m := &Mixer{opts: opts, shared: map[*media.Format]*media.Chain{}, sharedF: map[*media.Format]media.Frame{}}
	m.rate = opts.Rate
	if m.rate == 0 {
		m.rate = 8000
	}
	m.samples.Store(int32(m.rate * int(opts.Interval) / int(time.Second)))
	m.rateNow.Store(int32(m.rate))
	return m
}

// Rate is the mixing rate in use.
func (m *Mixer) Rate() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rate
}

// Interval is the mixing interval.
func (m *Mixer) Interval() time.Duration { return m.opts.Interval }

// Len is the number of participants.
func (m *Mixer) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.parts)
}

// ParticipantOptions describe a participant.
type ParticipantOptions struct {
	// Format is what the participant hears (its channel's native format,
	// or a recorder's file format); nil hears nothing.
	Format *media.Format
	// Deliver receives what the participant hears, once per interval,
	// from the mixing loop. It must not block; the payload may be shared.
	Deliver func(media.Frame)
	// TalkingThreshold and SilenceThreshold are the user profile's
	// dsp_talking_threshold and dsp_silence_threshold (0: defaults).
	TalkingThreshold int
	SilenceThreshold time.Duration
	// TalkEvents: call Options.OnTalk for this participant.
	TalkEvents bool
	// Value is the caller's own (the conference's user).
	Value any
}

// Participant is one member of a mixer.
type Participant struct {
	m    *Mixer
	opts ParticipantOptions

	muted     atomic.Bool
	deaf      atomic.Bool
	talkVol   atomic.Int32
	listenVol atomic.Int32
	talking   atomic.Bool

	// Owned by the goroutine calling Write.
	dec    *media.Chain
	det    *dsp.SilenceDetector
	detHz  int
	scratc []int16

	// qmu guards the queued voice, shared by Write and Tick.
	qmu    sync.Mutex
	queue  []int16
	primed bool // the queue filled to prime since it last ran dry

	// Owned by Tick.
	cur     []int16 // this round's voice, nil when none was mixed
	own     *media.Chain
	ownRate int
	out     []int16
}

// Join adds a participant; the mixing rate rises to 16 kHz when it speaks
// a wideband format and the rate is chosen automatically.
func (m *Mixer) Join(o ParticipantOptions) *Participant {
	if o.TalkingThreshold <= 0 {
		o.TalkingThreshold = DefaultTalkingThreshold
	}
	if o.SilenceThreshold <= 0 {
		o.SilenceThreshold = DefaultSilenceThreshold
	}
	p := &Participant{m: m, opts: o}
	m.mu.Lock()
	defer m.mu.Unlock()
	parts := make([]*Participant, 0, len(m.parts)+1)
	parts = append(parts, m.parts...)
	m.parts = append(parts, p)
	if m.opts.Rate == 0 && o.Format != nil && o.Format.SampleRate >= 16000 && m.rate < 16000 {
		m.rate = 16000
		m.samples.Store(int32(m.rate * int(m.opts.Interval) / int(time.Second)))
		m.rateNow.Store(int32(m.rate))
	}
	return p
}

// Leave takes the participant out of the mix. Deliver is not called
// after Leave returns, unless a Tick is running concurrently; callers
// that need that guarantee run Tick from Run and stop it first, or make
// Deliver tolerate a late call.
func (p *Participant) Leave() {
	m := p.m
	m.mu.Lock()
	defer m.mu.Unlock()
	parts := make([]*Participant, 0, len(m.parts))
	for _, q := range m.parts {
		if q != p {
			parts = append(parts, q)
		}
	}
	m.parts = parts
}

// Value is ParticipantOptions.Value.
func (p *Participant) Value() any { return p.opts.Value }

// SetMuted stops (or restarts) passing the participant's voice to the others.
func (p *Participant) SetMuted(on bool) { p.muted.Store(on) }

// Muted reports SetMuted's state.
func (p *Participant) Muted() bool { return p.muted.Load() }

// SetDeaf stops (or restarts) the participant hearing the others: it
// hears silence.
func (p *Participant) SetDeaf(on bool) { p.deaf.Store(on) }

// Talking reports whether the participant is talking now.
func (p *Participant) Talking() bool { return p.talking.Load() }

// AdjustTalkVolume and AdjustListenVolume change the volume of what the
// participant says or hears by delta steps, within -4..4, as ConfBridge's
// menu actions do; they return the new level.
func (p *Participant) AdjustTalkVolume(delta int) int   { return adjust(&p.talkVol, delta) }
func (p *Participant) AdjustListenVolume(delta int) int { return adjust(&p.listenVol, delta) }

func adjust(v *atomic.Int32, delta int) int {
	n := int(v.Load()) + delta
	n = max(-4, min(4, n))
	v.Store(int32(n))
	return n
}

// Write hands the mixer a frame the participant said. It decodes the
// frame to the mixing rate and runs talk detection; the voice is queued
// for the next round only while the participant talks. It is called by
// one goroutine at a time (the participant's reader).
func (p *Participant) Write(fr media.Frame) error {
	if fr.Kind != media.Voice || fr.Format == nil {
		return nil
	}
	m := p.m
	rate := int(m.rateNow.Load())
	want := slinAt(rate)
	if p.det == nil || p.detHz != rate {
		p.det = dsp.NewSilenceDetectorRate(p.opts.TalkingThreshold, rate)
		p.detHz = rate
	}
	// G.711 at 8 kHz, the common case: talk detection reads the level
	// from the bytes through a table and only a talker's frame is decoded,
	// so the many silent listeners of a conference cost a table sum.
	law := rate == 8000 && (fr.Format == media.ULaw || fr.Format == media.ALaw)
	var silent bool
	var silentFor time.Duration
	if law {
		silent, silentFor, _ = p.det.ProcessSum(g711Level(fr.Format, fr.Payload), len(fr.Payload))
	} else {
		if err := p.decode(fr, want); err != nil {
			return err
		}
		silent, silentFor, _ = p.det.Process(p.scratc)
	}
	was := p.talking.Load()
	now := was
	switch {
	case !silent:
		now = true
	case silentFor >= p.opts.SilenceThreshold:
		now = false
	}
	if now != was {
		p.talking.Store(now)
		if p.opts.TalkEvents && m.opts.OnTalk != nil {
			m.opts.OnTalk(p, now)
		}
	}
	if !now {
		// Not talking: nothing to mix, and whatever was queued is the
		// tail of a talk spurt the loop may still take.
		return nil
	}
	n := int(m.samples.Load())
	p.qmu.Lock()
	if law {
		p.queue = decodeG711(p.queue, fr.Format, fr.Payload)
	} else {
		p.queue = append(p.queue, p.scratc...)
	}
	if over := len(p.queue) - maxQueued*n; over > 0 {
		p.queue = append(p.queue[:0], p.queue[over:]...)
	}
	p.qmu.Unlock()
	return nil
}

// decode translates fr to slin at the mixing rate into scratc (formats
// other than G.711 at 8 kHz).
func (p *Participant) decode(fr media.Frame, want *media.Format) error {
	samples := fr
	if fr.Format != want {
		if p.dec == nil || p.dec.Path().From != fr.Format || p.dec.Path().To != want {
			path, err := p.m.opts.Translator.Path(fr.Format, want)
			if err != nil {
				return fmt.Errorf("mixer: %s to %s: %w", fr.Format, want, err)
			}
			p.dec = path.NewChain()
		}
		var err error
		if samples, err = p.dec.Translate(fr); err != nil {
			return fmt.Errorf("mixer: %w", err)
		}
	}
	p.scratc = media.DecodeSLin(p.scratc[:0], samples.Payload)
	return nil
}

// take moves one interval of queued voice into cur, reporting whether
// there was that much.
func (p *Participant) take(n int) bool {
	p.qmu.Lock()
	defer p.qmu.Unlock()
	if len(p.queue) < n {
		p.primed = false
		return false
	}
	if !p.primed && len(p.queue) < prime*n {
		return false
	}
	p.primed = true
	if cap(p.cur) < n {
		p.cur = make([]int16, n)
	}
	p.cur = p.cur[:n]
	copy(p.cur, p.queue[:n])
	p.queue = append(p.queue[:0], p.queue[n:]...)
	return true
}

func slinAt(rate int) *media.Format {
	if rate >= 16000 {
		return media.SLin16
	}
	return media.SLin
}

// Run mixes every interval until ctx ends. The conference owns the
// goroutine that calls it.
func (m *Mixer) Run(ctx context.Context) {
	iv := m.opts.Interval
	t := time.NewTicker(iv)
	defer t.Stop()
	start, done := time.Now(), int64(0)
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			// A ticker drops ticks when the process is late; mixing as
			// many intervals as have passed keeps the participants'
			// queues and a recording on the wall clock's timeline.
			due := int64(now.Sub(start)/iv) - done
			if due > maxCatchUp {
				done += due - 1
				due = 1
			}
			for ; due > 0; due-- {
				m.Tick()
				done++
			}
		}
	}
}

// Tick mixes one interval and delivers it to every participant. It is
// called by one goroutine at a time.
func (m *Mixer) Tick() {
	m.mu.Lock()
	parts := m.parts
	rate := m.rate
	m.mu.Unlock()
	n := rate * int(m.opts.Interval) / int(time.Second)
	slin := slinAt(rate)
	m.tick++
	ts := m.tick * uint32(n)

	if cap(m.sum) < n {
		m.sum = make([]int32, n)
		m.pcm = make([]int16, n)
	}
	sum := m.sum[:n]
	clear(sum)
	for _, p := range parts {
		p.cur = p.cur[:0]
		if !p.take(n) {
			p.cur = nil
			continue
		}
		if p.muted.Load() {
			p.cur = nil
			continue
		}
		if lv := p.talkVol.Load(); lv != 0 {
			AdjustVolume(p.cur, int(lv))
		}
		for i, v := range p.cur {
			sum[i] += int32(v)
		}
	}
	clear(m.sharedF)
	for _, p := range parts {
		f := p.opts.Format
		if f == nil || p.opts.Deliver == nil {
			continue
		}
		if p.cur == nil && p.listenVol.Load() == 0 && !p.deaf.Load() {
			fr, ok := m.sharedF[f]
			if !ok {
				fr = m.encodeShared(f, slin, sum, ts)
				m.sharedF[f] = fr
			}
			if fr.Kind == media.Voice {
				p.opts.Deliver(fr)
			}
			continue
		}
		if fr, ok := m.encodeOwn(p, slin, sum, ts); ok {
			p.opts.Deliver(fr)
		}
	}
}

// encodeShared encodes the whole mix once for every listener of format f.
func (m *Mixer) encodeShared(f, slin *media.Format, sum []int32, ts uint32) media.Frame {
	pcm := m.pcm[:len(sum)]
	for i, v := range sum {
		pcm[i] = Clip(v)
	}
	ch := m.shared[f]
	if ch == nil || ch.Path().From != slin {
		path, err := m.opts.Translator.Path(slin, f)
		if err != nil {
			return media.Frame{}
		}
		ch = path.NewChain()
		m.shared[f] = ch
	}
	return encode(ch, slin, pcm, ts)
}

// encodeOwn makes a talker's (or a participant with its own listening
// volume's) frame: the mix without its own voice.
func (m *Mixer) encodeOwn(p *Participant, slin *media.Format, sum []int32, ts uint32) (media.Frame, bool) {
	n := len(sum)
	if cap(p.out) < n {
		p.out = make([]int16, n)
	}
	out := p.out[:n]
	switch {
	case p.deaf.Load():
		clear(out)
	case p.cur != nil:
		for i, v := range sum {
			out[i] = Clip(v - int32(p.cur[i]))
		}
	default:
		for i, v := range sum {
			out[i] = Clip(v)
		}
	}
	if lv := p.listenVol.Load(); lv != 0 {
		AdjustVolume(out, int(lv))
	}
	if p.own == nil || p.own.Path().From != slin || p.ownRate != len(sum) {
		path, err := m.opts.Translator.Path(slin, p.opts.Format)
		if err != nil {
			return media.Frame{}, false
		}
		p.own = path.NewChain()
		p.ownRate = len(sum)
	}
	fr := encode(p.own, slin, out, ts)
	return fr, fr.Kind == media.Voice
}

// encode turns pcm into a frame of the chain's format whose payload is
// its own (receivers keep it past the next round).
func encode(ch *media.Chain, slin *media.Format, pcm []int16, ts uint32) media.Frame {
	raw := media.EncodeSLin(make([]byte, 0, 2*len(pcm)), pcm)
	in := media.VoiceFrame(slin, raw, ts)
	if ch.Path().To == slin {
		return in
	}
	out, err := ch.Translate(in)
	if err != nil || len(out.Payload) == 0 {
		return media.Frame{}
	}
	out.Payload = append([]byte(nil), out.Payload...)
	out.Timestamp = ts * uint32(ch.Path().To.SampleRate) / uint32(slin.SampleRate)
	return out
}
