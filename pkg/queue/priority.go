package queue

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// ChangePriority is change_priority_caller_on_queue (`queue priority
// caller`): the waiting caller on channel chanName gets priority prio;
// immediate moves it at once before the first caller of a lower
// priority (else the new priority only counts for later joins around
// it).
func (m *Module) ChangePriority(queueName, chanName string, prio int, immediate bool) Result {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.queues[strings.ToLower(queueName)]
	if q == nil {
		return ResNoSuchQueue
	}
	idx := -1
	for i, c := range q.callers {
		if c.ch.Name() == chanName {
			idx = i
			break
		}
	}
	if idx < 0 {
		return ResNotCaller
	}
	c := q.callers[idx]
	c.prio = prio
	if !immediate {
		return ResOK
	}
	rest := append(q.callers[:idx:idx], q.callers[idx+1:]...)
	at := len(rest)
	for i, cur := range rest {
		if prio > cur.prio {
			at = i
			break
		}
	}
	q.callers = append(rest[:at:at], append([]*caller{c}, rest[at:]...)...)
	for i, cur := range q.callers {
		cur.pos = i + 1
	}
	m.signal()
	return ResOK
}

// SetRingInUse is set_member_value's ringinuse: the member's ringinuse in
// queue queueName ("" for every queue it is in), with a RINGINUSE line in
// queue_log and a QueueMemberRinginuse event for each. It reports whether
// the member was found.
func (m *Module) SetRingInUse(queueName, iface string, on bool) bool {
	m.mu.Lock()
	found := false
	var evs []pbx.BusEvent
	for _, q := range m.sortedLocked() {
		if queueName != "" && !strings.EqualFold(q.name, queueName) {
			continue
		}
		mem := q.member(iface)
		if mem == nil {
			continue
		}
		found = true
		mem.ringInUse = on
		m.qlog(q.name, "NONE", mem.iface, "RINGINUSE", b2i(on))
		evs = append(evs, m.memberEvent("QueueMemberRinginuse", q, mem))
		if mem.dynamic {
			m.dumpLocked(q)
		}
	}
	m.signal()
	m.mu.Unlock()
	for _, ev := range evs {
		m.publish(ev)
	}
	return found
}
