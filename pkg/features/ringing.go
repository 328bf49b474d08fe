package features

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// A transferer pressing atxferswap or atxferthreeway while the target
// still rings takes the target's leg from Dial; the transfer then goes on
// here, following Asterisk 18's bridge_basic states: HESITANT (back with
// the transferee while the target rings; DOUBLECHECKING once it
// answered), CALLING_TARGET again (atxferswap: ringback while it rings),
// CONSULTING (it answered, the transferer talks with it), THREEWAY,
// BLOND (atxfercomplete or the transferer hanging up while it rings),
// COMPLETE, and RESUME (atxferabort, the target hanging up or not
// answering within atxfernoanswertimeout: the transferer stays with the
// transferee and hears xferfailsound).

// ringPhase is one state of that transfer.
type ringPhase int

const (
	phaseHesitant ringPhase = iota
	phaseCalling
	phaseConsult
	phaseThreeway
	phaseBlond
	phaseComplete
	phaseResume // the leg is hung up, back with the transferee
	phaseDone   // nothing more to do here
)

// legWatch follows the target's leg for the whole transfer: it is the
// one reader of the leg's events. answered is closed when the leg
// answers; lost when it fails, hangs up, or was not answered by the
// deadline.
type legWatch struct {
	answered chan struct{}
	lost     chan struct{}
	isAns    atomic.Bool
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

func watchLeg(leg *pbx.Channel, deadline time.Time) *legWatch {
	w := &legWatch{answered: make(chan struct{}), lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		if !waitAnswerOr(leg, nil, w.stop, time.Until(deadline)) {
			select {
			case <-w.stop:
			default:
				close(w.lost)
			}
			return
		}
		w.isAns.Store(true)
		close(w.answered)
		select {
		case <-leg.Done():
			close(w.lost)
		case <-w.stop:
		}
	}()
	return w
}

// close stops the watch and waits for it: afterwards isAns is final.
func (w *legWatch) close() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
}

func (w *legWatch) isLost() bool {
	select {
	case <-w.lost:
		return true
	default:
		return false
	}
}

// ringingOn runs the transfer from the code (k) that took the ringing leg
// until the transfer is over or the transferer is back with the
// transferee. It runs on the transfer's bridge goroutine, which owns the
// transferer's and the transferee's media; the leg is its own until it
// is handed over.
func (m *Module) ringingOn(st *consult, presser, leg *pbx.Channel, k ringKey, until time.Time, g General) {
	a := st.transferee
	w := watchLeg(leg, until)
	defer w.close()
	phase := phaseHesitant
	if k == ringKeyThreeway {
		phase = phaseThreeway
	}
	owned := true // the leg is still this transfer's to hang up
	defer func() {
		if owned && !leg.HangupRequested() {
			leg.Hangup(pbx.CauseNormalClearing)
		}
	}()
	for {
		if a.HangupRequested() && phase != phaseBlond {
			// The transferee left (Asterisk's FAIL): the target goes.
			return
		}
		switch phase {
		case phaseHesitant:
			phase = m.hesitant(st, presser, leg, w)
		case phaseCalling:
			phase = m.callingAgain(st, presser, leg, w, g)
		case phaseConsult:
			owned = !m.consultLeg(st, presser, leg)
			return
		case phaseThreeway:
			if !w.isAns.Load() {
				if phase = m.threewayRinging(st, presser, leg, w); phase != phaseThreeway {
					continue
				}
			}
			m.threeway(st, presser, leg)
			if st.handedOverNow() {
				owned = false
				return
			}
			if !presser.HangupRequested() && !leg.HangupRequested() {
				// The transferee left the three-way call: the two
				// others go on (Asterisk's merged bridge), in a bridge
				// of their own: the transfer's bridge ends with the
				// transferee, whose owner must not take the presser
				// along.
				if err := presser.Engine().Handover(presser, leg); err != nil {
					m.log.Warning("Three-way call of %s: %v\n", presser.Name(), err)
					return
				}
				owned = false
			}
			return
		case phaseBlond:
			w.close()
			if w.isAns.Load() {
				m.handOver(st, presser.Name(), leg)
			} else {
				if !presser.HangupRequested() {
					presser.SoftHangup(pbx.CauseNormalClearing)
				}
				m.blond(st, presser.Name(), leg, until, g)
			}
			owned = false
			return
		case phaseComplete:
			play(leg, g.XferSound)
			owned = !m.complete(st, presser, leg)
			return
		case phaseResume:
			leg.Hangup(pbx.CauseNormalClearing)
			return
		default:
			return
		}
	}
}

func (st *consult) handedOverNow() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.handedOver
}

// talkWithTransferee bridges the presser with the transferee again until
// the presser ends it with a code (st.swap's next), one of them leaves,
// or stop is closed. onAnswer runs when the target answers meanwhile.
func (m *Module) talkWithTransferee(st *consult, presser *pbx.Channel, w *legWatch, codes bool, onAnswer func(cancel func())) (pbx.BridgeEnd, swapNext) {
	a := st.transferee
	cause := a.HangupCause()
	sctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sw := &swapTalk{cancel: cancel, next: swapBack}
	if codes {
		st.mu.Lock()
		st.swap = sw
		st.mu.Unlock()
		defer func() {
			st.mu.Lock()
			st.swap = nil
			st.mu.Unlock()
		}()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		answered := w.answered
		for {
			select {
			case <-answered:
				answered = nil
				onAnswer(cancel)
			case <-w.lost:
				st.endSwap(swapLost)
				cancel()
				return
			case <-sctx.Done():
				return
			}
		}
	}()
	a.StopGenerator()
	end, err := presser.Engine().Bridge(sctx, presser, a)
	cancel()
	wg.Wait()
	if err != nil {
		m.log.Warning("Attended transfer of %s: %v\n", a.Name(), err)
	}
	if end == pbx.CallerLeft {
		// The bridge gave the transferee the presser's cause; it is not
		// hanging up.
		a.SetHangupCause(cause)
	}
	st.mu.Lock()
	next := sw.next
	st.mu.Unlock()
	if w.isLost() {
		next = swapLost
	}
	return end, next
}

// hesitant is Asterisk's HESITANT (the target rings) and DOUBLECHECKING
// (it answered and waits, hearing music): the presser talks with the
// transferee, the consultation codes deciding what follows.
func (m *Module) hesitant(st *consult, presser, leg *pbx.Channel, w *legWatch) ringPhase {
	if w.isAns.Load() {
		m.hold(leg, "")
	}
	defer leg.StopGenerator()
	end, next := m.talkWithTransferee(st, presser, w, true, func(func()) { m.hold(leg, "") })
	answered := w.isAns.Load()
	switch {
	case end == pbx.CallerLeft:
		if answered {
			return phaseComplete
		}
		return phaseBlond
	case end == pbx.PeerLeft:
		return phaseDone
	case presser.HangupRequested():
		return phaseBlond
	}
	switch next {
	case swapBack:
		if answered {
			return phaseConsult
		}
		return phaseCalling
	case swapComplete:
		if answered {
			return phaseComplete
		}
		return phaseBlond
	case swapThreeway:
		return phaseThreeway
	}
	return phaseResume // atxferabort, or the target lost
}

// callingAgain is CALLING_TARGET after atxferswap took the presser back
// to the transferee: the presser hears ringback and its keys are read
// while the target rings; the transferee hears music.
func (m *Module) callingAgain(st *consult, presser, leg *pbx.Channel, w *legWatch, g General) ringPhase {
	a := st.transferee
	m.hold(a, "")
	defer a.StopGenerator()
	app, data := presser.Application()
	_, _ = presser.Engine().ExecApp(presser, "PlayTones", "ring")
	presser.SetApplication(app, data)
	defer presser.StopGenerator()
	digits, stop := apps.ReadDigits(presser)
	defer stop()
	keys := ringKeys(g)
	for {
		select {
		case <-w.answered:
			return phaseConsult
		case <-w.lost:
			return phaseResume
		case <-presser.Done():
			return phaseBlond
		case <-a.Done():
			return phaseDone
		case d, ok := <-digits:
			if !ok {
				digits = nil
				continue
			}
			switch keys(d) {
			case ringKeyAbort:
				return phaseResume
			case ringKeyComplete:
				return phaseBlond
			case ringKeyThreeway:
				return phaseThreeway
			case ringKeySwap:
				return phaseHesitant
			}
		}
	}
}

// threewayRinging is Asterisk's THREEWAY entered while the target rings:
// the presser and the transferee talk, and the target joins them when it
// answers (phaseThreeway). The target not answering leaves the two
// talking, the transfer over; the presser hanging up leaves the target
// ringing for the transferee (the transferee is hung up if it does not
// answer: the bridge would be left with one party).
func (m *Module) threewayRinging(st *consult, presser, leg *pbx.Channel, w *legWatch) ringPhase {
	end, _ := m.talkWithTransferee(st, presser, w, false, func(cancel func()) { cancel() })
	switch {
	case end == pbx.PeerLeft:
		return phaseDone
	case end == pbx.CallerLeft || presser.HangupRequested():
		w.close()
		if w.isAns.Load() {
			m.handOver(st, presser.Name(), leg)
			return phaseDone
		}
		g := m.configFor(presser).General
		g.AtxferDropCall = true
		m.blond(st, presser.Name(), leg, time.Now().Add(g.AtxferNoAnswerTimeout), g)
		return phaseDone
	case w.isAns.Load():
		return phaseThreeway
	}
	st.mu.Lock()
	st.over = true
	st.mu.Unlock()
	return phaseResume
}

// consultLeg is CONSULTING with a leg this transfer owns: the presser and
// the target in a bridge with the consultation codes (complete, abort,
// three-way, swap; the presser hanging up completes). It reports whether
// the leg was handed over (another bridge has it now).
func (m *Module) consultLeg(st *consult, presser, leg *pbx.Channel) bool {
	a := st.transferee
	if !a.HangupRequested() {
		m.hold(a, "")
		defer a.StopGenerator()
	}
	leg.StopGenerator()
	cause := presser.HangupCause()
	// The transferee hanging up is Asterisk's CONSULTING -> FAIL: the
	// presser and the target go on as a plain call, handed over to a
	// bridge of their own, since the transfer's bridge (and its owner's
	// goroutine, running this) ends with the transferee.
	var handed atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-a.Done():
			if err := presser.Engine().Handover(presser, leg); err == nil {
				handed.Store(true)
			}
		case <-stop:
		}
	}()
	// Not the transfer's bridge's context: that one may end with the
	// transferee.
	_, err := presser.Engine().Bridge(context.Background(), presser, leg)
	close(stop)
	wg.Wait()
	if err != nil {
		m.log.Warning("Attended transfer of %s: %v\n", a.Name(), err)
	}
	if !presser.HangupRequested() {
		presser.SetHangupCause(cause)
	}
	return st.handedOverNow() || handed.Load()
}
