package bridge

import (
	"context"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Features are the DTMF features one party of a bridge may use (Dial's
// t/T, k/K, h/H, ... mapped to features.conf's codes). The bridge holds
// back the digits that begin a code, so the other party never hears a
// feature code, and passes them on when they turn out not to be one.
type Features interface {
	// Match looks at the digits the party pressed since the last
	// feature or passed digit: run is the feature they complete, partial
	// says they begin a code and the next digit is awaited.
	Match(digits string) (run FeatureFunc, partial bool)
	// DigitTimeout is featuredigittimeout: how long a partial code
	// waits for its next digit before its digits are passed on.
	DigitTimeout() time.Duration
}

// FeatureFunc runs a feature on the bridge's goroutine. The media of
// both channels are the core's and nobody else reads them: it may play
// to and read digits from the presser and start a generator on the
// other (it stops that generator before it returns). To end the bridge it
// interrupts or hangs up a party (Channel.AsyncGoto, SoftHangup,
// Engine.Handover); otherwise the bridge resumes when it returns.
type FeatureFunc func(ctx context.Context, presser, other *pbx.Channel)

// HangupHandler is implemented by Features that act when their party
// hangs up in the bridge (an attended transfer completes when the
// transferer hangs up during the consultation). OnHangup reports whether
// it took the other party elsewhere (it interrupted it): the bridge then
// ends as if that party had been interrupted, so its owner does not hang
// it up. OnHangup runs with the bridge's media stopped (the bridge is
// ending): it may play to other before taking it elsewhere.
type HangupHandler interface {
	OnHangup(gone, other *pbx.Channel) bool
}

// leftEnd is how the bridge ends when p hung up: p's features may take
// the other party elsewhere, and an interruption of the other party (a
// transfer under way) wins over the hangup, so the transferred party is
// not hung up with the one who left.
func (s *session) leftEnd(p *party) pbx.BridgeEnd {
	interrupted, left := pbx.PeerInterrupted, pbx.CallerLeft
	if p == &s.peer {
		interrupted, left = pbx.CallerInterrupted, pbx.PeerLeft
	}
	if h, ok := p.feat.(HangupHandler); ok {
		// The bridge ends either way: its media stop now so the handler
		// owns the other party's (an attended transfer completing plays
		// xfersound to the target).
		s.stopPumps()
		if s.unbridge != nil {
			s.unbridge()
			s.unbridge = nil
		}
		if h.OnHangup(p.ch, p.other.ch) {
			return interrupted
		}
	}
	select {
	case <-p.other.intr:
		return interrupted
	default:
	}
	return left
}

// featureReq is a feature a pump recognised, for the session's goroutine.
type featureReq struct {
	p   *party
	run FeatureFunc
}

// runFeature stops the pumps, runs the feature and puts the media back.
func (s *session) runFeature(ctx context.Context, req featureReq) {
	s.stopPumps()
	if s.unbridge != nil {
		s.unbridge()
		s.unbridge = nil
	}
	req.run(ctx, req.p.ch, req.p.other.ch)
	s.arrange()
}

// digits is one pump's state of a feature code being typed.
type digits struct {
	buf  string
	held []media.Frame // frames of buf, not passed yet
}

// dtmf handles one DTMF frame of a party with features. It reports
// whether the frame was taken (held back or a feature found) and the
// feature to run, if one is complete.
func (d *digits) dtmf(f Features, fr media.Frame) (taken bool, run FeatureFunc) {
	cand := d.buf + string(fr.Digit)
	r, partial := f.Match(cand)
	switch fr.Kind {
	case media.DTMFBegin:
		if r != nil || partial {
			d.held = append(d.held, fr)
			return true, nil
		}
		return false, nil
	case media.DTMFEnd:
		if r != nil {
			d.buf, d.held = "", nil
			return true, r
		}
		if partial {
			d.buf = cand
			d.held = append(d.held, fr)
			return true, nil
		}
	}
	return false, nil
}

// flush passes the held digits on (the code did not complete).
func (d *digits) flush(to *pbx.Channel) {
	for _, fr := range d.held {
		_ = to.Write(fr)
	}
	d.buf, d.held = "", nil
}

// readWithin is ReadUntil with a second deadline, the digit timeout.
func readWithin(ch *pbx.Channel, stop chan time.Time, d time.Duration) (media.Frame, error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	merged := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		select {
		case <-stop:
			close(merged)
		case t := <-timer.C:
			select {
			case merged <- t:
			case <-done:
			}
		case <-done:
		}
	}()
	fr, err := ch.ReadUntil(merged)
	close(done)
	return fr, err
}
