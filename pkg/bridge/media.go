package bridge

import (
	"errors"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// start puts the media of a new bridge on its first path. It fails only
// when the driver's relay is the one possible path and it cannot be set up.
func (s *session) start() error {
	if mb, ok := s.nativeRelay(); ok {
		err := s.enterNative(mb)
		if err == nil {
			return nil
		}
		if !s.canFrame {
			return err
		}
		// The drivers cannot relay between these two (a SIP leg and a
		// channel of another kind): the core carries the frames.
	}
	s.enterFrame()
	return nil
}

// arrange moves the media to the path the bridge's state calls for: the
// driver's relay when nobody holds and the native rule allows it, the
// pumps otherwise.
func (s *session) arrange() {
	held := s.caller.held.Load() || s.peer.held.Load()
	if !held {
		if s.unbridge != nil {
			if _, ok := s.nativeRelay(); ok {
				return
			}
		}
		if mb, ok := s.nativeRelay(); ok {
			s.stopPumps()
			if s.enterNative(mb) == nil {
				return
			}
		}
	}
	if s.unbridge != nil {
		s.unbridge()
		s.unbridge = nil
	}
	s.enterFrame()
}

// nativeRelay returns the driver's relay when the bridge may use it: the
// caller's driver relays, and either the core cannot terminate the media
// anyway, or both channels speak one format and carry digits as RFC 2833
// events (which the relay passes as they are).
func (s *session) nativeRelay() (pbx.MediaBridger, bool) {
	mb, ok := s.caller.ch.Driver().(pbx.MediaBridger)
	if !ok {
		return nil, false
	}
	if !s.canFrame {
		return mb, true
	}
	if s.caller.feat != nil || s.peer.feat != nil {
		// Feature codes are seen on frames only.
		return nil, false
	}
	a, b := s.caller.ch, s.peer.ch
	if a.Tapped() || b.Tapped() || a.JitterBuffered() || b.JitterBuffered() {
		// A recording listens, or a jitter buffer paces what is read:
		// the core must see the frames.
		return nil, false
	}
	f := a.NativeFormat()
	if f == nil || f != b.NativeFormat() {
		return nil, false
	}
	if dtmfMode(a) != "rfc2833" || dtmfMode(b) != "rfc2833" {
		return nil, false
	}
	return mb, true
}

func dtmfMode(ch *pbx.Channel) string {
	if md, ok := ch.Driver().(pbx.MediaDriver); ok {
		return md.DTMFMode()
	}
	return ""
}

// enterNative hands the media to the caller's driver. Media the core
// terminated (a Playback before Dial, a hold just ended) is given back
// first: inside the bridge nobody else reads it, and the relay cannot run
// while the core holds a leg.
func (s *session) enterNative(mb pbx.MediaBridger) error {
	s.caller.ch.CloseMedia()
	s.peer.ch.CloseMedia()
	unbridge, err := mb.BridgeMedia(s.peer.ch)
	if err != nil {
		return err
	}
	s.unbridge = unbridge
	s.setTech(techNative)
	return nil
}

// enterFrame starts the pumps, unless they run or cannot run.
func (s *session) enterFrame() {
	s.setTech(techSimple)
	if s.pumps != nil || !s.canFrame || s.noMedia {
		return
	}
	for _, p := range []*party{&s.caller, &s.peer} {
		if err := p.ch.OpenMedia(); err != nil {
			s.noMedia = true
			if !errors.Is(err, pbx.ErrHangup) {
				s.b.log.Warning("Bridge <%s>: no audio between %s and %s: %v\n",
					s.id, s.caller.ch.Name(), s.peer.ch.Name(), err)
			}
			return
		}
		s.opened = true
	}
	pm := &pumps{stop: make(chan time.Time)}
	pm.wg.Add(2)
	go s.pump(pm, &s.caller)
	go s.pump(pm, &s.peer)
	s.pumps = pm
}

// leaveMedia takes the bridge off both channels' media: the relay ends,
// the pumps and the music stop and media the bridge opened is closed, so
// whoever owns a channel next starts from a clean state. It may be called
// more than once.
func (s *session) leaveMedia() {
	s.stopPumps()
	if s.unbridge != nil {
		s.unbridge()
		s.unbridge = nil
	}
	for _, p := range []*party{&s.caller, &s.peer} {
		if p.music {
			p.ch.StopGenerator()
			p.music = false
		}
	}
	if s.opened {
		s.caller.ch.CloseMedia()
		s.peer.ch.CloseMedia()
		s.opened = false
	}
}

// pumps are the two goroutines of a frame bridge. The session owns them:
// stopPumps ends both and waits for them.
type pumps struct {
	// stop is closed to end the pumps. It is a time channel so that it
	// can be ReadUntil's deadline: a pump blocked reading returns at once.
	stop chan time.Time
	wg   sync.WaitGroup
}

func (s *session) stopPumps() {
	pm := s.pumps
	if pm == nil {
		return
	}
	close(pm.stop)
	pm.wg.Wait()
	s.pumps = nil
}

// pump moves frames from one party to the other until stopped, or until
// the reading side hangs up or is interrupted (the session's goroutine
// sees that on the channel and ends the bridge). Voice is translated by
// the receiver's Write, which also paces it; DTMF passes as frames so the
// receiving driver sends it in its own mode.
func (s *session) pump(pm *pumps, from *party) {
	defer pm.wg.Done()
	to := from.other
	warned := false
	var dg digits
	for {
		var fr media.Frame
		var err error
		if dg.buf != "" {
			fr, err = readWithin(from.ch, pm.stop, from.feat.DigitTimeout())
			if errors.Is(err, pbx.ErrTimeout) {
				select {
				case <-pm.stop:
					return
				default:
				}
				dg.flush(to.ch)
				continue
			}
		} else {
			fr, err = from.ch.ReadUntil(pm.stop)
		}
		if err != nil {
			switch {
			case errors.Is(err, pbx.ErrTimeout), errors.Is(err, pbx.ErrHangup), errors.Is(err, pbx.ErrInterrupted):
			default:
				s.b.log.Warning("Bridge <%s>: no more audio from %s: %v\n", s.id, from.ch.Name(), err)
			}
			return
		}
		select {
		case <-pm.stop:
			return
		default:
		}
		if from.held.Load() {
			// The holder's audio is not passed; the other side hears
			// the music (or silence).
			continue
		}
		switch fr.Kind {
		case media.Voice:
		case media.DTMFBegin, media.DTMFEnd:
			if from.feat != nil {
				taken, run := dg.dtmf(from.feat, fr)
				if run != nil {
					// The session's goroutine runs it; this pump is done
					// (the session starts new ones afterwards).
					s.featReq <- featureReq{p: from, run: run}
					return
				}
				if taken {
					continue
				}
				if len(dg.held) > 0 {
					dg.flush(to.ch)
				}
			}
		default:
			continue
		}
		if err := to.ch.Write(fr); err != nil {
			if errors.Is(err, pbx.ErrHangup) {
				return
			}
			// One bad frame (a format nobody can translate) must not end
			// the call; the log says it once.
			if !warned {
				s.b.log.Warning("Bridge <%s>: audio from %s not passed to %s: %v\n", s.id, from.ch.Name(), to.ch.Name(), err)
				warned = true
			}
		}
	}
}
