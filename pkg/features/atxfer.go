package features

import (
	"context"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// consultKey marks a transferer during its consultation call.
type consultKey struct{}

// consult is an attended transfer in progress: the transferee waits
// (music) while the transferer talks with the target. Its states follow
// Asterisk 18's bridge_basic: calling the target, consulting (target
// answered), double-checking (atxferswap: back with the transferee, the
// target on hold), then complete, three-way or failed.
type consult struct {
	transferee *pbx.Channel
	origBridge string // the transferer's bridge with the transferee
	mu         sync.Mutex
	// target is the target once it answered (its consultation bridge
	// began); nil while it rings.
	target *pbx.Channel
	// over: the transfer ended (completed, three-way, or the transferee
	// left); the consultation codes do nothing any more.
	over bool
	// handedOver: it ended with the transferee and the target handed over
	// to a bridge of their own.
	handedOver bool
	// timedOut: the target did not answer within atxfernoanswertimeout.
	timedOut bool
	// swap is the transferer's talk with the transferee again
	// (atxferswap), nil outside it.
	swap *swapTalk
	// blond is the target's leg, still ringing, that Dial left to the
	// transfer: the transferer hung up or pressed a code (blond.go).
	blond *pbx.Channel
	// ringNext is the code that took the ringing leg (ringKeyNone: the
	// transferer hung up, as atxfercomplete a blond transfer).
	ringNext ringKey
}

// swapNext is what ends the transferer's talk with the transferee.
type swapNext int

const (
	swapBack     swapNext = iota // atxferswap again: back to the target
	swapComplete                 // atxfercomplete
	swapThreeway                 // atxferthreeway
	swapAbort                    // atxferabort: the target is hung up
	swapLost                     // the target hung up while on hold
)

// swapTalk ends a double-checking talk: next says what follows.
type swapTalk struct {
	cancel context.CancelFunc
	next   swapNext
	ended  bool // the first reason wins
}

// ringCtx is the transferer's run context during the consultation: Dial
// gives up ringing the target when it is done, which is how
// atxfernoanswertimeout takes the transferer back to the transferee
// without interrupting it (its interruption would end the transfer's own
// bridge too). It is never done otherwise, so the target's leg, which
// Dial placed with it, outlives the consultation.
type ringCtx struct {
	context.Context
	once sync.Once
	done chan struct{}
}

func newRingCtx(parent context.Context) *ringCtx {
	return &ringCtx{Context: parent, done: make(chan struct{})}
}

func (c *ringCtx) Done() <-chan struct{} { return c.done }

func (c *ringCtx) Err() error {
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}

func (c *ringCtx) abort() { c.once.Do(func() { close(c.done) }) }

// deadline is when a target called at start is given up: after
// atxfernoanswertimeout (0: no limit).
func deadline(start time.Time, g General) time.Time {
	if g.AtxferNoAnswerTimeout <= 0 {
		return start.Add(24 * time.Hour)
	}
	return start.Add(g.AtxferNoAnswerTimeout)
}

func (st *consult) takenBy() ringKey {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.ringNext
}

// noAnswer is the no-answer timer's check: true (and the transfer marked
// timed out) when the target still has not answered.
func (st *consult) noAnswer() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.target != nil || st.over || st.blond != nil {
		return false
	}
	st.timedOut = true
	return true
}

// watchTransferee ends the transfer when the transferee hangs up during
// the consultation (Asterisk's CONSULTING -> FAIL): the presser and the
// target go on as a plain call, the codes do nothing, no blond transfer.
// It returns when ctx (the transfer's run) ends.
func (st *consult) watchTransferee(ctx context.Context) {
	select {
	case <-st.transferee.Done():
		st.mu.Lock()
		st.over = true
		st.mu.Unlock()
	case <-ctx.Done():
	}
}

func (st *consult) isOver() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.over
}

// attendedTransfer is atxfer: the other party hears music while the
// presser dials an extension of its transfer context and talks with
// whoever answers there (its dialplan runs on the presser, as Asterisk's
// Local channel would). In that call atxfercomplete (*2) bridges the
// transferee with the target and the presser leaves, atxferabort (*1)
// hangs the target up and brings the presser back, atxferthreeway (*3)
// joins the three, atxferswap (*4) toggles between the transferee and
// the target; the target hanging up or not answering within
// atxfernoanswertimeout brings the presser back too.
func (m *Module) attendedTransfer(ctx context.Context, presser, other *pbx.Channel) {
	g := m.configFor(presser).General
	m.hold(other, "")
	defer other.StopGenerator()
	first, hungup := announce(presser, g.TransferAnnounceSound)
	if hungup {
		return
	}
	xferCtx := transferContext(presser)
	e := presser.Engine()
	exten := collect(presser, xferCtx, g.TransferDigitTimeout, first)
	if exten == "" || !e.Exists(presser, xferCtx, exten, 1) || presser.HangupRequested() {
		if !presser.HangupRequested() {
			play(presser, g.XferFailSound)
		}
		return
	}
	st := &consult{transferee: other, origBridge: presser.BridgeID()}
	if st.origBridge == "" {
		st.origBridge = other.BridgeID()
	}
	presser.SetDatastore(consultKey{}, st)
	defer presser.SetDatastore(consultKey{}, nil)
	c, x, p := presser.Location()
	app, data := presser.Application()
	bridgeID := presser.BridgeID()
	runCtx := presser.Ctx()
	ring := newRingCtx(runCtx)
	presser.SetCtx(ring)
	start := time.Now()
	presser.SetRingingTaker(st.takeRinging)
	defer presser.SetRingingTaker(nil)
	presser.SetRingingKeys(st.ringingKeys(g))
	defer presser.SetRingingKeys(nil)
	watch, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go st.watchTransferee(watch)
	if g.AtxferNoAnswerTimeout > 0 {
		timer := time.AfterFunc(g.AtxferNoAnswerTimeout, func() {
			if st.noAnswer() {
				ring.abort()
			}
		})
		defer timer.Stop()
	}
	m.log.Verbose(3, "Attended transfer of %s: %s calls '%s@%s'\n", other.Name(), presser.Name(), exten, xferCtx)
	e.RunNested(presser, xferCtx, exten, 1)
	presser.SetCtx(runCtx)
	presser.SetLocation(c, x, p)
	presser.SetApplication(app, data)
	if leg, k := st.blondLeg(), st.takenBy(); leg != nil && (k == ringKeySwap || k == ringKeyThreeway) && !presser.HangupRequested() {
		// atxferswap or atxferthreeway while the target rang: the
		// transfer goes on here, the target's leg now its own.
		m.ringingOn(st, presser, leg, k, deadline(start, g), g)
	} else if leg != nil {
		if !presser.HangupRequested() {
			// atxfercomplete while the target rang: the presser leaves
			// (its owner hangs it up once the transfer's bridge ends).
			presser.SoftHangup(pbx.CauseNormalClearing)
		}
		m.blond(st, presser.Name(), leg, deadline(start, g), g)
		return
	}
	st.mu.Lock()
	over, handedOver := st.over, st.handedOver
	st.mu.Unlock()
	if !handedOver && !presser.HangupRequested() && !other.HangupRequested() {
		// Back in the transfer's bridge: the consultation's bridge took
		// the presser's peer and bridge id.
		presser.SetBridged(other, bridgeID)
		other.SetBridged(presser, bridgeID)
	}
	if !over && !presser.HangupRequested() {
		play(presser, g.XferFailSound)
	}
}

// consultCodes are the codes of a transferer in its consultation call
// with other: the target, or the transferee again (atxferswap).
func (m *Module) consultCodes(c *codes, presser, other *pbx.Channel) {
	st, ok := presser.Datastore(consultKey{}).(*consult)
	if !ok || other == nil {
		return
	}
	g := m.configFor(presser).General
	add := func(code string, f bridge.FeatureFunc) {
		if code != "" {
			c.byCode[code] = f
		}
	}
	if other == st.transferee {
		end := func(n swapNext) bridge.FeatureFunc {
			return func(ctx context.Context, presser, transferee *pbx.Channel) { st.endSwap(n) }
		}
		add(g.AtxferSwap, end(swapBack))
		add(g.AtxferComplete, end(swapComplete))
		add(g.AtxferThreeway, end(swapThreeway))
		add(g.AtxferAbort, end(swapAbort))
		return
	}
	st.mu.Lock()
	if st.target == nil {
		st.target = other
	}
	st.mu.Unlock()
	add(g.AtxferComplete, func(ctx context.Context, presser, target *pbx.Channel) {
		if !st.isOver() {
			play(target, g.XferSound) // Asterisk's COMPLETE: xfersound to the target
		}
		m.complete(st, presser, target)
	})
	add(g.AtxferAbort, func(ctx context.Context, presser, target *pbx.Channel) {
		if !st.isOver() {
			target.SoftHangup(pbx.CauseNormalClearing)
		}
	})
	add(g.AtxferThreeway, func(ctx context.Context, presser, target *pbx.Channel) { m.threeway(st, presser, target) })
	add(g.AtxferSwap, func(ctx context.Context, presser, target *pbx.Channel) { m.swap(st, presser, target) })
	// The transferer hanging up while consulting completes the transfer
	// (Asterisk's CONSULTING -> COMPLETE, whatever atxferdropcall says:
	// that option is about a target still ringing).
	// Asterisk's COMPLETE plays xfersound to the target however the
	// transfer completes; the bridge stopped its media for that.
	c.hangup = func(gone, target *pbx.Channel) bool {
		if st.transferee.HangupRequested() || target.HangupRequested() || st.isOver() {
			st.mu.Lock()
			defer st.mu.Unlock()
			return st.handedOver
		}
		play(target, g.XferSound)
		return m.complete(st, gone, target)
	}
}

// complete hands the transferee and the target over to a bridge of their
// own; the presser's part ends. It reports whether they were.
func (m *Module) complete(st *consult, presser, target *pbx.Channel) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.over {
		return st.handedOver
	}
	st.transferee.StopGenerator()
	target.StopGenerator()
	st.transferee.SetVar("ATTENDEDTRANSFER", presser.Name())
	target.SetVar("ATTENDEDTRANSFER", presser.Name())
	if err := presser.Engine().HandoverKeeping(st.transferee, target, st.origBridge); err != nil {
		m.log.Warning("Attended transfer of %s to %s failed: %v\n", st.transferee.Name(), target.Name(), err)
		return false
	}
	st.over, st.handedOver = true, true
	m.publishAttended(presser, target, st)
	return true
}

// endSwap ends the double-checking talk with what comes next.
func (st *consult) endSwap(n swapNext) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.swap != nil && !st.swap.ended {
		st.swap.next, st.swap.ended = n, true
		st.swap.cancel()
	}
}

// publishAttended is Asterisk's AttendedTransfer event for a completed
// DTMF transfer: the transferer is in both bridges (it moved from the one
// with the transferee to the consultation).
func (m *Module) publishAttended(transferer, target *pbx.Channel, st *consult) {
	transferer.Engine().PublishAttendedTransfer(pbx.AttendedTransfer{
		Orig: transferer, OrigBridge: st.origBridge, OrigMembers: 1,
		Second: transferer, SecondBridge: target.BridgeID(), SecondMembers: 2,
		Transferee: st.transferee, Target: target,
	})
}
