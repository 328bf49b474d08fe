package pbx

import (
	"context"
	"errors"
	"time"
)

// Handing two channels over to each other is what an attended transfer
// (and a pickup by INVITE with Replaces) needs: each is taken out of the
// bridge it is in, and the two are bridged together. Which goroutine owns
// the new bridge follows who owns the channels: a channel running its
// dialplan bridges from its own executor (as if its application had been
// Bridge()) and then goes on in its dialplan; a channel without dialplan
// (a dialed leg) is owned by whoever bridges it, and hung up when that
// bridge ends, as Dial does with its peer.

// handoverKey holds a channel's pending part in a handover.
type handoverKey struct{}

// handover is one pair of channels to bridge.
type handover struct {
	a, b *Channel
	done chan struct{}
}

// pendingBridge is what the executor of a dialplan-running channel does
// after its application returns: bridge with other (drive) or wait until
// the bridge another goroutine runs ends (!drive).
type pendingBridge struct {
	h     *handover
	other *Channel
	drive bool
}

// Handover bridges a and b, each taken out of what it is in now (its
// bridge, its application), without hanging either up. The parties they
// were bridged with see them leave (Dial returns as if they hung up).
// It returns once the handover is arranged; the bridge runs on the
// channels' owners' goroutines or on one the engine spawns. a is the
// transferee: a dialed leg there starts a CDR record of its own with b.
func (e *Engine) Handover(a, b *Channel) error {
	if a == nil || b == nil || a == b {
		return errors.New("handover needs two channels")
	}
	if a.Gone() || a.HangupRequested() || b.Gone() || b.HangupRequested() {
		return ErrHangup
	}
	h := &handover{a: a, b: b, done: make(chan struct{})}
	runA := a.redirect.runs.Load()
	runB := b.redirect.runs.Load()
	if _, dialed := a.Datastore(dialedFromKey{}).(dialedFrom); !runA && dialed && !a.OwnsCDR() {
		// a is the transferee: its record with b starts when its bridge
		// lets it go (cdrAfterBridge).
		a.SetDatastore(handedOverKey{}, true)
	}
	switch {
	case runA:
		a.SetDatastore(handoverKey{}, pendingBridge{h: h, other: b, drive: true})
		if runB {
			b.SetDatastore(handoverKey{}, pendingBridge{h: h, other: a})
		}
	case runB:
		b.SetDatastore(handoverKey{}, pendingBridge{h: h, other: a, drive: true})
	default:
		e.Spawn(func() {
			defer close(h.done)
			ctx := a.Ctx()
			e.bridgeHandedOver(ctx, a, b)
			a.Hangup(CauseNormalClearing)
			b.Hangup(CauseNormalClearing)
		})
	}
	a.Interrupt()
	b.Interrupt()
	return nil
}

// waitUnbridged waits until ch's old bridge let go of it (its owner
// clears BridgeID once the bridge returned), or ch hangs up.
func waitUnbridged(ch *Channel) bool {
	deadline := time.Now().Add(5 * time.Second)
	for ch.BridgeID() != "" && time.Now().Before(deadline) {
		if ch.HangupRequested() {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return !ch.HangupRequested() && ch.BridgeID() == ""
}

// bridgeHandedOver bridges a and b once both left their old bridges.
func (e *Engine) bridgeHandedOver(ctx context.Context, a, b *Channel) BridgeEnd {
	if !waitUnbridged(a) || !waitUnbridged(b) {
		a.TakeKeptBridge()
		b.TakeKeptBridge()
		return Cancelled
	}
	a.ClearInterrupt()
	b.ClearInterrupt()
	end, err := e.Bridge(ctx, a, b)
	if err != nil {
		e.log.Warning("%v\n", err)
	}
	return end
}

// runPendingBridge is the executor's part: after an application returned
// it runs the bridge a Handover left for the channel, if any (ok false
// when none). As after Dial without g, the dialplan ends when the other
// party hung up, and goes on at the next priority when this channel was
// taken out of the bridge alive.
func (e *Engine) runPendingBridge(ch *Channel) (res Result, ok bool) {
	v := ch.Datastore(handoverKey{})
	if v == nil {
		return Result{}, false
	}
	ch.SetDatastore(handoverKey{}, nil)
	p := v.(pendingBridge)
	if !p.drive {
		ch.ClearInterrupt()
		select {
		case <-p.h.done:
		case <-ch.Done():
		}
		if ch.HangupRequested() || p.other.HangupRequested() || p.other.Gone() {
			return HangupResult, true
		}
		return Continue, true
	}
	defer close(p.h.done)
	end := e.bridgeHandedOver(ch.Ctx(), ch, p.other)
	if !p.other.redirect.runs.Load() && end != PeerInterrupted {
		// A dialed leg belongs to the bridge's owner, as Dial's peer does.
		p.other.Hangup(CauseNormalClearing)
	}
	if end == CallerInterrupted || end == PeerInterrupted {
		return Continue, true
	}
	return HangupResult, true
}
