package features

import (
	"context"
	"sync"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// consultKey marks a transferer during its consultation call.
type consultKey struct{}

// consult is an attended transfer in progress: the transferee waits
// (music) while the transferer talks with the target.
type consult struct {
	transferee *pbx.Channel
	mu         sync.Mutex
	done       bool // completed: the transferee and the target are handed over
}

// attendedTransfer is atxfer: the other party hears music while the
// presser dials an extension of its transfer context and talks with
// whoever answers there (its dialplan runs on the presser, as Asterisk's
// Local channel would). In that call atxfercomplete (*2) bridges the
// transferee with the target and the presser leaves, atxferabort (*1)
// hangs the target up and brings the presser back; the target hanging
// up or not answering brings it back too.
func (m *Module) attendedTransfer(ctx context.Context, presser, other *pbx.Channel) {
	g := m.configFor(presser).General
	m.hold(other, "")
	defer other.StopGenerator()
	play(presser, g.TransferAnnounceSound)
	xferCtx := transferContext(presser)
	e := presser.Engine()
	exten := collect(presser, xferCtx, g.TransferDigitTimeout)
	if exten == "" || !e.Exists(presser, xferCtx, exten, 1) || presser.HangupRequested() {
		if !presser.HangupRequested() {
			play(presser, g.XferFailSound)
		}
		return
	}
	st := &consult{transferee: other}
	presser.SetDatastore(consultKey{}, st)
	defer presser.SetDatastore(consultKey{}, nil)
	c, x, p := presser.Location()
	app, data := presser.Application()
	m.log.Verbose(3, "Attended transfer of %s: %s calls '%s@%s'\n", other.Name(), presser.Name(), exten, xferCtx)
	e.RunNested(presser, xferCtx, exten, 1)
	presser.SetLocation(c, x, p)
	presser.SetApplication(app, data)
	st.mu.Lock()
	done := st.done
	st.mu.Unlock()
	if !done && !presser.HangupRequested() {
		play(presser, g.XferFailSound)
	}
}

// consultCodes are the codes of a transferer in its consultation call.
func (m *Module) consultCodes(c *codes, presser *pbx.Channel) {
	st, ok := presser.Datastore(consultKey{}).(*consult)
	if !ok {
		return
	}
	g := m.configFor(presser).General
	add := func(code string, f bridge.FeatureFunc) {
		if code != "" {
			c.byCode[code] = f
		}
	}
	complete := func(presser, target *pbx.Channel) bool {
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.done {
			return true
		}
		st.transferee.StopGenerator()
		st.transferee.SetVar("ATTENDEDTRANSFER", presser.Name())
		target.SetVar("ATTENDEDTRANSFER", presser.Name())
		if err := presser.Engine().Handover(st.transferee, target); err != nil {
			m.log.Warning("Attended transfer of %s to %s failed: %v\n", st.transferee.Name(), target.Name(), err)
			return false
		}
		st.done = true
		return true
	}
	add(g.AtxferComplete, func(ctx context.Context, presser, target *pbx.Channel) { complete(presser, target) })
	if !g.AtxferDropCall {
		// The transferer hanging up completes the transfer (atxferdropcall=no).
		c.hangup = func(gone, target *pbx.Channel) bool {
			if st.transferee.HangupRequested() || target.HangupRequested() {
				return false
			}
			return complete(gone, target)
		}
	}
	add(g.AtxferAbort, func(ctx context.Context, presser, target *pbx.Channel) {
		target.SoftHangup(pbx.CauseNormalClearing)
	})
}
