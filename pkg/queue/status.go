package queue

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// watchDevices follows the bus for changes of the members' devices:
// DeviceStateChange where a driver publishes it, and the channel events
// that change a device's state (a channel of the device created, its
// state changed, hung up). A member whose state changed gets its
// QueueMemberStatus event, and waiting callers are woken (a member freed
// may be their turn). The module owns the goroutine; Stop ends it.
func (m *Module) watchDevices() {
	sub := m.eng.Bus().SubscribeTo(pbx.BusDeviceStateChange, pbx.BusNewchannel, pbx.BusNewstate, pbx.BusHangup)
	m.stopWatch = make(chan struct{})
	m.watchDone = make(chan struct{})
	go func() {
		defer close(m.watchDone)
		defer sub.Close()
		for {
			select {
			case <-m.stopWatch:
				return
			case <-sub.Ready():
			}
			devices := map[string]bool{}
			for _, ev := range sub.Take() {
				switch ev.Type {
				case pbx.BusDeviceStateChange:
					devices[strings.ToLower(ev.Value)] = true
				case pbx.BusNewchannel, pbx.BusNewstate, pbx.BusHangup:
					if ev.Channel != nil {
						devices[strings.ToLower(deviceOf(ev.Channel))] = true
					}
				}
			}
			if len(devices) > 0 {
				m.devicesChanged(devices)
			}
		}
	}()
}

// devicesChanged publishes QueueMemberStatus for the members of the
// devices whose state is not the one last published.
func (m *Module) devicesChanged(devices map[string]bool) {
	m.mu.Lock()
	var evs []pbx.BusEvent
	for _, q := range m.sortedLocked() {
		for _, mem := range q.memberOrder() {
			if !devices[strings.ToLower(localDevice(mem.stateIface))] {
				continue
			}
			st := m.status(mem)
			if mem.published == st {
				continue
			}
			mem.published = st
			evs = append(evs, m.memberEvent("QueueMemberStatus", q, mem))
		}
	}
	if len(evs) > 0 {
		m.signal()
	}
	m.mu.Unlock()
	for _, ev := range evs {
		m.publish(ev)
	}
}

// localDevice drops the options of a Local member ("Local/6000@agents/n"):
// the state changes name the device as its channels are named, without
// them, and app_queue strips them the same way before comparing.
func localDevice(iface string) string {
	if len(iface) > 6 && strings.EqualFold(iface[:6], "Local/") {
		if i := strings.IndexByte(iface[6:], '/'); i >= 0 {
			return iface[:6+i]
		}
	}
	return iface
}
