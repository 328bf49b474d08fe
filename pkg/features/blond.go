package features

import (
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// takeRinging is the transferer's pbx.RingingTaker: when it hangs up
// while the target rings, the target's leg is kept for the transferee
// (the blond transfer) unless the transfer is over or the transferee
// left.
func (st *consult) takeRinging(leg *pbx.Channel) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.target != nil || st.over || st.timedOut || st.transferee.HangupRequested() {
		return false
	}
	st.blond = leg
	return true
}

func (st *consult) blondLeg() *pbx.Channel {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.blond
}

// blond goes on with the transfer once the transferer hung up while the
// target rang (Asterisk 18's bridge_basic): the transferee hears ringing
// while the target rings on, until atxfernoanswertimeout from the start
// of the consultation. The target answering gets it bridged with the
// transferee. Otherwise, with atxferdropcall=yes the transferee is hung
// up (the transfer failed); with no, the transferer is called back, then
// the target again, atxferloopdelay apart (the transferee hearing music
// meanwhile), until one answers or atxfercallbackretries calls back
// failed. It runs on the transfer's bridge goroutine, which owns the
// transferee's media.
func (m *Module) blond(st *consult, transferer string, leg *pbx.Channel, deadline time.Time, g General) {
	a := st.transferee
	app, data := a.Application()
	ringback := func() {
		a.StopGenerator()
		_, _ = a.Engine().ExecApp(a, "PlayTones", "ring")
		a.SetApplication(app, data)
	}
	ringback()
	target := leg.Name()
	if waitAnswer(leg, a, time.Until(deadline)) {
		m.handOver(st, transferer, leg)
		return
	}
	leg.Hangup(pbx.CauseNoAnswer)
	if g.AtxferDropCall {
		a.SoftHangup(pbx.CauseNormalClearing)
		return
	}
	for tries := 0; ; {
		ringback()
		if back := m.callBack(a, transferer, g.AtxferNoAnswerTimeout); back != nil {
			m.handOver(st, transferer, back)
			return
		}
		if tries++; tries >= g.AtxferCallbackRetries || !m.pause(a, g.AtxferLoopDelay) {
			a.SoftHangup(pbx.CauseNormalClearing)
			return
		}
		ringback()
		if again := m.callBack(a, target, g.AtxferNoAnswerTimeout); again != nil {
			m.handOver(st, transferer, again)
			return
		}
		if !m.pause(a, g.AtxferLoopDelay) {
			a.SoftHangup(pbx.CauseNormalClearing)
			return
		}
	}
}

// handOver bridges the transferee with the party that answered for it.
func (m *Module) handOver(st *consult, transferer string, to *pbx.Channel) {
	a := st.transferee
	a.StopGenerator()
	a.SetVar("ATTENDEDTRANSFER", transferer)
	to.SetVar("ATTENDEDTRANSFER", transferer)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.over = true
	if err := a.Engine().Handover(a, to); err != nil {
		m.log.Warning("Attended transfer of %s to %s failed: %v\n", a.Name(), to.Name(), err)
		to.Hangup(pbx.CauseNormalClearing)
		return
	}
	st.handedOver = true
}

// pause is atxferloopdelay between two calls: the transferee hears
// music; false when it hung up meanwhile.
func (m *Module) pause(a *pbx.Channel, d time.Duration) bool {
	a.StopGenerator()
	m.hold(a, "")
	defer a.StopGenerator()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return !a.HangupRequested()
	case <-a.Done():
		return false
	}
}

// callBack calls the device of a channel name ("SIP/6000-00000002":
// SIP/6000) for the transferee, as Asterisk calls back the transferer
// (and the target) of a blond transfer, and returns the answered
// channel, nil when it did not answer within timeout.
func (m *Module) callBack(a *pbx.Channel, name string, timeout time.Duration) *pbx.Channel {
	tech, addr, ok := strings.Cut(name, "/")
	if i := strings.LastIndexByte(addr, '-'); i > 0 {
		addr = addr[:i]
	}
	if !ok || addr == "" || a.HangupRequested() {
		return nil
	}
	e := a.Engine()
	out, err := e.Request(a.Ctx(), tech, addr, a)
	if err != nil {
		m.log.Warning("Unable to call back %s/%s for %s: %v\n", tech, addr, a.Name(), err)
		return nil
	}
	c, x, _ := a.Location()
	apps.PrepareOutbound(a, out, c, x)
	if err := out.Driver().Call(a.Ctx(), addr, timeout); err != nil {
		out.Hangup(pbx.CauseRequestedChanUnavail)
		return nil
	}
	m.log.Verbose(3, "Called %s/%s\n", tech, addr)
	if !waitAnswer(out, a, timeout) {
		out.Hangup(pbx.CauseNoAnswer)
		return nil
	}
	return out
}

// waitAnswer follows a leg being called until it answers (true), fails,
// the transferee hangs up or timeout passes.
func waitAnswer(leg, a *pbx.Channel, timeout time.Duration) bool {
	return waitAnswerOr(leg, a.Done(), nil, timeout)
}

// waitAnswerOr is waitAnswer ending early when quit or stop is closed.
func waitAnswerOr(leg *pbx.Channel, quit, stop <-chan struct{}, timeout time.Duration) bool {
	if timeout <= 0 {
		return false
	}
	wake := make(chan struct{}, 1)
	unwatch := leg.Watch(wake)
	defer unwatch()
	// Events queued before the watch (Dial no longer reads them).
	select {
	case wake <- struct{}{}:
	default:
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-quit:
			return false
		case <-stop:
			return false
		case <-leg.Done():
			return false
		case <-timer.C:
			return false
		case <-wake:
		}
		for _, ev := range leg.TakeEvents() {
			switch ev.Kind {
			case pbx.EventAnswer:
				return true
			case pbx.EventBusy, pbx.EventCongestion, pbx.EventHangup:
				return false
			}
		}
	}
}

// ringKey is what a transferer's key does while the target rings.
type ringKey int

const (
	ringKeyNone     ringKey = iota // nothing (yet)
	ringKeyAbort                   // atxferabort: the target is cancelled
	ringKeyComplete                // atxfercomplete: a blond transfer
	ringKeyThreeway                // atxferthreeway
	ringKeySwap                    // atxferswap: back to the transferee
)

// ringKeys reads the presser's keys while the target rings (Asterisk's
// CALLING_TARGET and HESITANT): one result per key. A key that does not
// continue a code, or comes after featuredigittimeout, starts over.
func ringKeys(g General) func(rune) ringKey {
	var typed string
	var last time.Time
	codes := []struct {
		code string
		key  ringKey
	}{{g.AtxferAbort, ringKeyAbort}, {g.AtxferComplete, ringKeyComplete}, {g.AtxferThreeway, ringKeyThreeway}, {g.AtxferSwap, ringKeySwap}}
	return func(d rune) ringKey {
		if time.Since(last) > g.FeatureDigitTimeout {
			typed = ""
		}
		last = time.Now()
		typed += string(d)
		partial := false
		for _, c := range codes {
			switch {
			case c.code == "":
			case typed == c.code:
				typed = ""
				return c.key
			case strings.HasPrefix(c.code, typed):
				partial = true
			}
		}
		if !partial {
			typed = ""
		}
		return ringKeyNone
	}
}

// ringingKeys are the presser's keys while its Dial rings the target:
// atxferabort cancels the call (back to the transferee); atxfercomplete,
// atxferthreeway and atxferswap take the ringing leg from Dial, the
// transfer going on (st.ringNext) once Dial returned.
func (st *consult) ringingKeys(g General) func(rune) pbx.RingingKey {
	keys := ringKeys(g)
	return func(d rune) pbx.RingingKey {
		k := keys(d)
		switch k {
		case ringKeyAbort:
			return pbx.RingingKeyCancel
		case ringKeyComplete, ringKeyThreeway, ringKeySwap:
			st.mu.Lock()
			st.ringNext = k
			st.mu.Unlock()
			return pbx.RingingKeyTake
		}
		return pbx.RingingKeyNone
	}
}
