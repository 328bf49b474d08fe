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
	origBridge string // the transferer's bridge with the transferee
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
	g := m.config().General
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
	g := m.config().General
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
		m.publishAttended(presser, target, st)
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

// publishAttended is Asterisk's AttendedTransfer event for a completed
// DTMF transfer: the transferer in both bridges (it moved from the one
// with the transferee to the consultation), the transferee and the
// target, and the transferee's bridge as the destination (Asterisk merges
// the consultation bridge into it; gostrisk's handover bridge gets a new
// id, announced by its own BridgeEnter events).
func (m *Module) publishAttended(transferer, target *pbx.Channel, st *consult) {
	bus := transferer.Engine().Bus()
	const typ = pbx.BusEventType("AttendedTransfer")
	if !bus.Wants(typ) {
		return
	}
	second := target.BridgeID()
	fields := []pbx.EventField{{Key: "Result", Value: "Success"}, {Key: "OrigTransferer", Channel: transferer}}
	if st.origBridge != "" {
		fields = append(fields, pbx.BridgeFields("Orig", st.origBridge, 1)...)
	}
	fields = append(fields, pbx.EventField{Key: "SecondTransferer", Channel: transferer})
	if second != "" {
		fields = append(fields, pbx.BridgeFields("Second", second, 2)...)
	}
	fields = append(fields,
		pbx.EventField{Key: "Transferee", Channel: st.transferee},
		pbx.EventField{Key: "TransferTarget", Channel: target},
		pbx.EventField{Key: "IsExternal", Value: "No"},
		pbx.EventField{Key: "DestType", Value: "Bridge"},
		pbx.EventField{Key: "DestBridgeUniqueid", Value: st.origBridge})
	bus.Publish(pbx.BusEvent{Type: typ, Fields: fields})
}
