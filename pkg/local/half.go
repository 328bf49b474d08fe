package local

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// queueLen bounds the frames waiting for a half's reader: 160 ms of voice,
// enough to ride out a scheduling hiccup without adding audible delay.
const queueLen = 8

// errEnded is a write to a pair that hung up.
var errEnded = errors.New("local: channel pair ended")

// pair is the two halves of one Local channel.
type pair struct {
	t      *Tech
	seq    uint32
	tg     target
	format *media.Format
	h1, h2 *half
	// one is ;1 (the dialer's), two is ;2 (runs the dialplan).
	one, two *pbx.Channel

	endOnce sync.Once
	ended   chan struct{}
	// started is set once ;2's dialplan runs: from then on its executor
	// owns it and destroys it; before, ;1's hangup must.
	started atomic.Bool
}

// half is the driver of one channel of a pair.
type half struct {
	p  *pair
	n  int              // 1 or 2
	in chan media.Frame // what the other half wrote, for this half's reader
}

func newHalf(p *pair, n int) *half {
	if p.ended == nil {
		p.ended = make(chan struct{})
	}
	return &half{p: p, n: n, in: make(chan media.Frame, queueLen)}
}

func (h *half) other() *half {
	if h.n == 1 {
		return h.p.h2
	}
	return h.p.h1
}

func (h *half) channel() *pbx.Channel {
	if h.n == 1 {
		return h.p.one
	}
	return h.p.two
}

// end marks the pair over: writes fail, and it leaves the list.
func (p *pair) end() {
	p.endOnce.Do(func() {
		close(p.ended)
		p.t.forget(p)
	})
}

// --- pbx.Driver ---

// Call starts ;2's dialplan. It fails, as chan_local's call does, when
// exten@context does not exist for the caller's number: Dial then reports
// CHANUNAVAIL.
func (h *half) Call(ctx context.Context, _ string, _ time.Duration) error {
	if h.n != 1 {
		return errors.New("local: only ;1 can be called")
	}
	p := h.p
	one, two := p.one, p.two
	// ;2 is the call as the dialplan sees it: its caller is whom ;1 is
	// connected to (the party that dialed), and ;1's caller is ;2's
	// connected line.
	caller := one.Connected()
	if caller.Num == "" && caller.Name == "" {
		caller = one.CallerID()
	}
	if !p.t.exists(p.tg, caller.Num) {
		p.t.eng.Log().Notice("No such extension/context %s while calling Local channel\n", p.tg.name())
		return errors.New("local: no such extension " + p.tg.name())
	}
	caller.DNID = p.tg.exten
	two.SetCallerID(caller)
	two.SetConnected(one.CallerID())
	// Every variable of ;1 crosses as it is: Dial already turned _X into
	// X and kept __X, so that is what ;2 gets.
	vars := one.Vars()
	for i := len(vars) - 1; i >= 0; i-- {
		if name, value, ok := strings.Cut(vars[i], "="); ok {
			two.SetVar(name, value)
		}
	}
	two.SetLanguage(one.Language())
	two.SetAccountCode(one.AccountCode())
	if mc := one.MusicClass(); mc != "" {
		two.SetMusicClass(mc)
	}
	two.SetLocation(p.tg.context, p.tg.exten, 1)
	p.started.Store(true)
	eng := p.t.eng
	if bus := eng.Bus(); bus.Wants(pbx.BusLocalBridge) {
		// LocalOptimization says whether the pair may be optimized away;
		// gostrisk never does, so it is always No.
		bus.Publish(pbx.BusEvent{Type: pbx.BusLocalBridge, Channel: one, Peer: two, Fields: []pbx.EventField{
			{Key: "Context", Value: p.tg.context}, {Key: "Exten", Value: p.tg.exten},
			{Key: "LocalOptimization", Value: "No"}}})
	}
	eng.Spawn(func() {
		eng.Run(ctx, two, p.tg.context, p.tg.exten, 1)
		p.t.emitCDR(two)
	})
	return nil
}

// Answer on ;2 answers ;1 (the dialer sees ANSWER); on ;1 (an originated
// call answered by the core) it answers ;2.
func (h *half) Answer() error {
	if o := h.other().channel(); o.State() != pbx.StateUp && !o.Gone() {
		o.Answered()
	}
	return nil
}

// PassesHold reports whether hold crosses to the other half (/m). Without
// it chan_local plays music on hold on the held half itself, which is
// what the bridge does when a party holds: it starts music on the other
// party, this half, and the music flows through the pair.
func (h *half) PassesHold() bool { return h.p.tg.opts.mohPass }

// Indicate passes call progress from ;2 to ;1, and hold and unhold either
// way with /m.
func (h *half) Indicate(ind pbx.Indication) error {
	o := h.other().channel()
	switch ind {
	case pbx.IndHold:
		if h.PassesHold() {
			o.Held(h.channel().MusicClass())
		}
		return nil
	case pbx.IndUnhold:
		if h.PassesHold() {
			o.Unheld()
		}
		return nil
	}
	if h.n != 2 {
		return nil
	}
	switch ind {
	case pbx.IndRinging:
		o.Ringing()
	case pbx.IndProgress:
		o.Progress()
	case pbx.IndBusy:
		o.Busy()
	case pbx.IndCongestion:
		o.Congestion()
	}
	return nil
}

// Hangup ends the other half with the same cause. When ;2 ends, its
// DIALSTATUS is set on ;1 as CHANLOCALSTATUS, as chan_local does.
func (h *half) Hangup(cause int) error {
	p := h.p
	p.end()
	o := h.other().channel()
	if h.n == 2 {
		if st, ok := p.two.Var("DIALSTATUS"); ok {
			o.SetVar("CHANLOCALSTATUS", st)
		}
	}
	o.HungUp(cause)
	if h.n == 1 && !p.started.Load() {
		// Never called (or the call failed): ;2 has no owner but us.
		o.Hangup(cause)
	}
	return nil
}

// --- pbx.MediaDriver ---

// NativeFormat is the format both halves speak: the dialer's.
func (h *half) NativeFormat() *media.Format { return h.p.format }

// DTMFMode is rfc2833: digits pass between the halves as frames.
func (h *half) DTMFMode() string { return "rfc2833" }

// OpenMedia returns a stream over the pair's queues; closing it leaves
// the queues, so the core may open it again (a bridge leaving and
// re-entering frame mode).
func (h *half) OpenMedia() (pbx.MediaStream, error) {
	select {
	case <-h.p.ended:
		return nil, errEnded
	default:
	}
	return &stream{h: h, closed: make(chan struct{})}, nil
}

// stream is one opening of a half's media.
type stream struct {
	h      *half
	once   sync.Once
	closed chan struct{}
}

// Frames never closes: the channel's hangup ends a Read.
func (s *stream) Frames() <-chan media.Frame { return s.h.in }

// WriteFrame hands fr to the other half's reader. A full queue waits one
// frame's time for the reader, then drops the oldest frame: a writer
// nobody reads (early media before the dialer looks) is paced in real
// time instead of blocking forever, and one that is read is paced by its
// reader.
func (s *stream) WriteFrame(fr media.Frame) error {
	q := s.h.other().in
	select {
	case q <- fr:
		return nil
	default:
	}
	wait := fr.Length()
	if wait <= 0 || wait > 100*time.Millisecond {
		wait = 20 * time.Millisecond
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case q <- fr:
		return nil
	case <-s.h.p.ended:
		return errEnded
	case <-s.closed:
		return errEnded
	case <-t.C:
	}
	for {
		select {
		case <-q: // drop the oldest
		default:
		}
		select {
		case q <- fr:
			return nil
		default:
		}
	}
}

// Flush drops the voice queued to the other half and not read yet; the
// other kinds of frame stay, in their order.
func (s *stream) Flush() {
	q := s.h.other().in
	var keep []media.Frame
	for n := len(q); n > 0; n-- {
		select {
		case fr := <-q:
			if fr.Kind != media.Voice {
				keep = append(keep, fr)
			}
		default:
		}
	}
	for _, fr := range keep {
		select {
		case q <- fr:
		default:
		}
	}
}

func (s *stream) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}
