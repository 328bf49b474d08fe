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
	if timeout <= 0 {
		return false
	}
	wake := make(chan struct{}, 1)
	stop := leg.Watch(wake)
	defer stop()
	// Events queued before the watch (Dial no longer reads them).
	select {
	case wake <- struct{}{}:
	default:
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-a.Done():
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

// ringingKeys reads the presser's keys while the target rings (Asterisk's
// CALLING_TARGET): atxferabort cancels the call to the target (back to
// the transferee), atxfercomplete leaves the ringing target to the
// transferee (a blond transfer, the presser leaves). A key that does not
// continue a code, or comes after featuredigittimeout, starts over.
// atxferthreeway and atxferswap are not read while the target rings.
func ringingKeys(g General) func(rune) pbx.RingingKey {
	var typed string
	var last time.Time
	return func(d rune) pbx.RingingKey {
		if time.Since(last) > g.FeatureDigitTimeout {
			typed = ""
		}
		last = time.Now()
		typed += string(d)
		switch {
		case typed == g.AtxferAbort:
			typed = ""
			return pbx.RingingKeyCancel
		case typed == g.AtxferComplete:
			typed = ""
			return pbx.RingingKeyTake
		case g.AtxferAbort != "" && strings.HasPrefix(g.AtxferAbort, typed),
			g.AtxferComplete != "" && strings.HasPrefix(g.AtxferComplete, typed):
			return pbx.RingingKeyNone
		}
		typed = ""
		return pbx.RingingKeyNone
	}
}
