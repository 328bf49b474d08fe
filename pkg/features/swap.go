package features

import (
	"context"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// swap is atxferswap while consulting: the target waits (music) while the
// presser talks with the transferee again (Asterisk's DOUBLECHECKING).
// There atxferswap goes back to the target, atxfercomplete and
// atxferthreeway act as in the consultation, atxferabort hangs the target
// up and leaves the presser with the transferee; the presser hanging up
// completes the transfer. It runs on the consultation bridge's goroutine,
// which gets the presser and the target back when it returns.
func (m *Module) swap(st *consult, presser, target *pbx.Channel) {
	if st.isOver() {
		return
	}
	a := st.transferee
	consultID, transferID := presser.BridgeID(), a.BridgeID()
	cause := a.HangupCause()
	sctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sw := &swapTalk{cancel: cancel}
	st.mu.Lock()
	st.swap = sw
	st.mu.Unlock()
	defer func() {
		st.mu.Lock()
		st.swap = nil
		st.mu.Unlock()
	}()
	// The target hanging up on hold ends the talk: the presser stays
	// with the transferee once the consultation's bridge noticed.
	go func() {
		select {
		case <-target.Done():
			st.endSwap(swapLost)
		case <-sctx.Done():
		}
	}()
	a.StopGenerator()
	m.hold(target, "")
	end, err := presser.Engine().Bridge(sctx, presser, a)
	target.StopGenerator()
	st.mu.Lock()
	next := sw.next
	st.mu.Unlock()
	if err != nil {
		m.log.Warning("Attended transfer swap of %s: %v\n", presser.Name(), err)
		next = swapBack
	}
	switch {
	case end == pbx.CallerLeft:
		// The bridge gave the transferee the presser's cause; it is not
		// hanging up.
		a.SetHangupCause(cause)
		if !a.HangupRequested() && !target.HangupRequested() {
			// Asterisk's DOUBLECHECKING -> COMPLETE: xfersound to the target.
			play(target, m.config().General.XferSound)
			m.complete(st, presser, target)
		}
		return
	case end == pbx.PeerLeft:
		// The transferee left: the transfer is over, the presser goes
		// back to the target.
		st.mu.Lock()
		st.over = true
		st.mu.Unlock()
		presser.SetBridged(target, consultID)
		return
	}
	switch next {
	case swapComplete:
		play(target, m.config().General.XferSound)
		m.complete(st, presser, target)
		return
	case swapThreeway:
		m.threeway(st, presser, target)
		return
	case swapAbort:
		target.SoftHangup(pbx.CauseNormalClearing)
	}
	presser.SetBridged(target, consultID)
	a.SetBridged(presser, transferID)
	if next == swapBack {
		m.hold(a, "")
	}
}
