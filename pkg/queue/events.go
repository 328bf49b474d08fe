package queue

import (
	"strconv"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// The manager events the module publishes, with app_queue's names and
// fields in its order (see pbx.BusEvent).

func b2i(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func unix(t interface{ Unix() int64 }, zero bool) string {
	if zero {
		return "0"
	}
	return strconv.FormatInt(t.Unix(), 10)
}

// memberEvent is queue_member_blob_create's fields; m.mu is held.
func (m *Module) memberEvent(typ string, q *queue, mem *member) pbx.BusEvent {
	if !m.wants(typ) {
		return pbx.BusEvent{}
	}
	membership := "static"
	if mem.dynamic {
		membership = "dynamic"
	}
	return pbx.BusEvent{Type: pbx.BusEventType(typ), Fields: []pbx.EventField{
		{Key: "Queue", Value: q.name},
		{Key: "MemberName", Value: mem.name},
		{Key: "Interface", Value: mem.iface},
		{Key: "StateInterface", Value: mem.stateIface},
		{Key: "Membership", Value: membership},
		{Key: "Penalty", Value: strconv.Itoa(mem.penalty)},
		{Key: "CallsTaken", Value: strconv.Itoa(mem.calls)},
		{Key: "LastCall", Value: unix(mem.lastCall, mem.lastCall.IsZero())},
		{Key: "LastPause", Value: unix(mem.lastPause, mem.lastPause.IsZero())},
		{Key: "LoginTime", Value: unix(mem.login, mem.login.IsZero())},
		{Key: "InCall", Value: b2i(!mem.start.IsZero())},
		{Key: "Status", Value: strconv.Itoa(int(m.status(mem)))},
		{Key: "Paused", Value: b2i(mem.paused)},
		{Key: "PausedReason", Value: mem.reason},
		{Key: "Ringinuse", Value: b2i(mem.ringInUse)},
		{Key: "Wrapuptime", Value: strconv.Itoa(mem.wrapup)},
	}}
}

// callerEvent is a QueueCallerJoin/Leave/Abandon about ch; it is empty
// (publish drops it) when nobody reads typ.
func (m *Module) callerEvent(typ string, ch *pbx.Channel, fields ...string) pbx.BusEvent {
	if !m.wants(typ) {
		return pbx.BusEvent{}
	}
	ev := pbx.BusEvent{Type: pbx.BusEventType(typ), Channel: ch}
	for i := 0; i+1 < len(fields); i += 2 {
		ev.Fields = append(ev.Fields, pbx.EventField{Key: fields[i], Value: fields[i+1]})
	}
	return ev
}

// agentEvent is an Agent* event about the caller and the member's leg.
func (m *Module) agentEvent(typ string, caller, peer *pbx.Channel, fields ...string) pbx.BusEvent {
	ev := m.callerEvent(typ, caller, fields...)
	if ev.Type == "" {
		return ev
	}
	ev.Peer = peer
	return ev
}

// wants reports whether a bus subscriber reads events of type typ, so
// that events nobody reads are not built.
func (m *Module) wants(typ string) bool {
	return m.eng != nil && m.eng.Bus().Wants(pbx.BusEventType(typ))
}

// publish hands an event to the engine's bus.
func (m *Module) publish(ev pbx.BusEvent) {
	if m.eng != nil && ev.Type != "" {
		m.eng.Bus().Publish(ev)
	}
}
