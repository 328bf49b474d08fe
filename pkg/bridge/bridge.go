package bridge

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// The technology names Asterisk prints in its join and leave lines.
const (
	techNative = "native_rtp"
	techSimple = "simple_bridge"
)

// bridgeType is the BridgeType of the bus events: Asterisk's basic bridge.
const bridgeType = "basic"

// Options configure the bridges of an engine.
type Options struct {
	// HoldMusic returns what listener hears while the other party holds
	// the call; class is the holder's music suggestion (sip.conf
	// mohsuggest, "" when it suggests none). Choosing the class to play
	// is HoldMusic's job; Asterisk's res_musiconhold takes a class set
	// with CHANNEL(musicclass) first, then the suggestion, then the
	// listener's mohinterpret, then "default". The moh module provides
	// it; nil, or a nil Generator, means silence.
	HoldMusic func(listener *pbx.Channel, class string) pbx.Generator
	// Logger receives the verbose lines; nil uses the engine's.
	Logger pbx.Logger
	// Features returns the DTMF features ch may use in a bridge with
	// other (nil: none); see Features. A party with features keeps the
	// bridge on frames, where its digits can be seen.
	Features func(ch, other *pbx.Channel) Features
}

// Basic is Asterisk's two-party basic bridge; it implements pbx.Bridger.
type Basic struct {
	eng  *pbx.Engine
	opts Options
	log  pbx.Logger

	mu   sync.Mutex
	live map[string]*session // the bridges in progress, by id (bridge show)
	// mixing are the multi-party bridges other modules mix (mixing.go).
	mixing map[string]*Mixing
}

// New returns a bridge implementation for eng.
func New(eng *pbx.Engine, opts Options) *Basic {
	log := opts.Logger
	if log == nil {
		log = eng.Log()
	}
	return &Basic{eng: eng, opts: opts, log: log}
}

// Install makes the bridge the engine's Bridger, so pbx.Engine.Bridge
// (and with it Dial) joins channels through it.
func Install(eng *pbx.Engine, opts Options) *Basic {
	b := New(eng, opts)
	eng.SetBridger(b)
	return b
}

// party is one channel of a bridge.
type party struct {
	ch    *pbx.Channel
	other *party
	intr  <-chan struct{}
	// held: this party put the call on hold, its audio is not passed on.
	// The pumps read it, the bridge's goroutine writes it.
	held atomic.Bool
	// music: the bridge started a generator on this channel (its peer
	// holds). Only the bridge's goroutine touches it.
	music bool
	// passed: hold was forwarded to this channel's driver (passesHold)
	// instead of music. Only the bridge's goroutine touches it.
	passed bool
	// intercepted: HOLD_INTERCEPT took the other party's hold (an event
	// instead of music). Only the bridge's goroutine touches it.
	intercepted bool
	// feat are the party's DTMF features (nil: none); its pump reads them.
	feat Features
}

// session is one bridged call. Everything but the pumps runs on the
// goroutine that called Bridge.
type session struct {
	b       *Basic
	id      string
	created time.Time
	caller  party
	peer    party

	// canFrame: both drivers can hand their media to the core, so a frame
	// bridge (and music on hold) is possible.
	canFrame bool
	tech     string
	unbridge func() // the driver's relay, while native
	pumps    *pumps // while a frame bridge runs
	opened   bool   // the bridge opened the channels' media at some point
	noMedia  bool   // opening the media failed once: not tried again

	techMu    sync.Mutex
	techShown string // tech, for the CLI's goroutines

	// featReq carries a feature code a pump recognised to run.
	featReq chan featureReq
}

// Bridge joins caller and peer until one of them hangs up or is
// interrupted, or ctx ends. It hangs neither up; when one hung up, the
// other gets its cause (if it has none) so its owner hangs up with it.
func (b *Basic) Bridge(ctx context.Context, caller, peer *pbx.Channel) (pbx.BridgeEnd, error) {
	s := &session{b: b, id: pbx.NewBridgeID(), created: time.Now()}
	// A transferee handed over by an attended transfer stays, for the
	// manager, in the bridge it was in: this one takes that id and does
	// not announce it entering (pbx.HandoverKeeping).
	var stayed *pbx.Channel
	for _, ch := range []*pbx.Channel{caller, peer} {
		if id := ch.TakeKeptBridge(); id != "" && stayed == nil {
			s.id, stayed = id, ch
		}
	}
	s.caller = party{ch: caller, other: &s.peer, intr: caller.Interrupted()}
	s.peer = party{ch: peer, other: &s.caller, intr: peer.Interrupted()}
	_, mdA := caller.Driver().(pbx.MediaDriver)
	_, mdB := peer.Driver().(pbx.MediaDriver)
	s.canFrame = mdA && mdB
	s.featReq = make(chan featureReq, 2)
	if f := b.opts.Features; f != nil && s.canFrame {
		s.caller.feat = f(caller, peer)
		s.peer.feat = f(peer, caller)
	}

	// A channel entering a bridge hears its peer: whatever was playing to
	// it (music while Dial rang) stops.
	caller.StopGenerator()
	peer.StopGenerator()

	if err := s.start(); err != nil {
		return 0, fmt.Errorf("bridge %s with %s: %w", caller.Name(), peer.Name(), err)
	}
	defer s.leaveMedia()

	caller.SetBridged(peer, s.id)
	peer.SetBridged(caller, s.id)
	b.register(s)
	defer b.unregister(s)
	// Asterisk starts every basic bridge as simple_bridge and only then
	// looks for a better technology, so both join lines say so.
	for _, ch := range []*pbx.Channel{peer, caller} {
		if ch == stayed {
			continue
		}
		b.log.Verbose(3, "Channel %s joined '%s' basic-bridge <%s>\n", ch.Name(), techSimple, s.id)
		s.publish(pbx.BusBridgeEnter, ch)
	}

	end := s.run(ctx)

	first, second := caller, peer
	if end == pbx.PeerLeft || end == pbx.PeerInterrupted {
		first, second = peer, caller
	}
	if end == pbx.CallerLeft || end == pbx.PeerLeft {
		if second.HangupCause() == 0 {
			second.SetHangupCause(first.HangupCause())
		}
	}
	tech := s.tech
	s.leaveMedia()
	for _, ch := range []*pbx.Channel{first, second} {
		if ch.KeptBridge() != s.id {
			// (a transferee staying in this bridge id does not leave it)
			b.log.Verbose(3, "Channel %s left '%s' basic-bridge <%s>\n", ch.Name(), tech, s.id)
			s.publish(pbx.BusBridgeLeave, ch)
		}
		ch.SetBridged(nil, "")
	}
	return end, nil
}

// run waits for the end of the bridge, following holds on the way.
func (s *session) run(ctx context.Context) pbx.BridgeEnd {
	wake := make(chan struct{}, 1)
	stopA := s.caller.ch.Watch(wake)
	defer stopA()
	stopB := s.peer.ch.Watch(wake)
	defer stopB()
	for {
		select {
		case <-s.caller.ch.Done():
			return s.leftEnd(&s.caller)
		case <-s.peer.ch.Done():
			return s.leftEnd(&s.peer)
		case <-ctx.Done():
			return pbx.Cancelled
		case <-s.caller.intr:
			return pbx.CallerInterrupted
		case <-s.peer.intr:
			return pbx.PeerInterrupted
		case req := <-s.featReq:
			s.runFeature(ctx, req)
		case <-wake:
			s.events(&s.caller)
			s.events(&s.peer)
		}
	}
}

// events acts on what a party's driver reported; only hold and unhold
// concern a bridge (ringing and answer are Dial's, already past).
func (s *session) events(p *party) {
	for _, ev := range p.ch.TakeEvents() {
		switch ev.Kind {
		case pbx.EventHold:
			s.hold(p, ev.Class)
		case pbx.EventUnhold:
			s.unhold(p)
		case pbx.EventMediaChange:
			s.arrange()
		}
	}
}

// hold mutes the holder and plays music to the other party.
func (s *session) hold(p *party, class string) {
	if !s.canFrame || p.held.Load() {
		// Without a way to terminate the listener's media the driver's
		// own hold handling (a re-INVITE passed along) is all there is.
		return
	}
	p.held.Store(true)
	s.arrange()
	listener := p.other
	if listener.ch.HoldIntercepted() {
		// HOLD_INTERCEPT: the listener gets no music, only an event.
		listener.intercepted = true
		listener.ch.PublishHoldIntercepted(true, class)
		return
	}
	if passesHold(listener.ch) {
		// The listener forwards hold (a Local channel with /m): the
		// music is played further on, by whoever it hands the hold to.
		_ = listener.ch.Indicate(pbx.IndHold)
		listener.passed = true
		return
	}
	if s.b.opts.HoldMusic == nil {
		return
	}
	if g := s.b.opts.HoldMusic(listener.ch, class); g != nil {
		listener.ch.StartGenerator(g)
		listener.music = true
	}
}

// unhold stops the music and lets the holder's audio through again.
func (s *session) unhold(p *party) {
	if !p.held.Load() {
		return
	}
	p.held.Store(false)
	if l := p.other; l.intercepted {
		l.ch.PublishHoldIntercepted(false, "")
		l.intercepted = false
	}
	if l := p.other; l.passed {
		_ = l.ch.Indicate(pbx.IndUnhold)
		l.passed = false
	}
	if l := p.other; l.music {
		l.ch.StopGenerator()
		l.music = false
	}
	s.arrange()
}

// holdPasser is a driver that forwards hold to another channel instead
// of having music played to it (chan_local's /m).
type holdPasser interface{ PassesHold() bool }

func passesHold(ch *pbx.Channel) bool {
	hp, ok := ch.Driver().(holdPasser)
	return ok && hp.PassesHold()
}

func (s *session) publish(t pbx.BusEventType, ch *pbx.Channel) {
	bus := s.b.eng.Bus()
	if !bus.Wants(t) {
		return
	}
	other := s.caller.ch
	if ch == other {
		other = s.peer.ch
	}
	bus.Publish(pbx.BusEvent{Type: t, Channel: ch, Peer: other, BridgeID: s.id, BridgeType: bridgeType})
}
