package call

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// DeviceBusy is chan_sip's BUSY (pbx.BusyStater): the peer's calls reach
// its call-limit, or its busylevel when it has a call-limit.
func (t technology) DeviceBusy(resource string) bool {
	if t.m.d.Peer == nil {
		return false
	}
	p := t.m.d.Peer(resource)
	if p == nil || p.CallLimit <= 0 {
		return false
	}
	n := t.m.InUse(p.Name)
	return n >= p.CallLimit || p.BusyLevel > 0 && n >= p.BusyLevel
}

// DeviceState is chan_sip's view of SIP/<peer> when the engine has no
// channel of it (pbx.DeviceStater): INVALID for a peer sip.conf does not
// have, UNAVAILABLE for one without an address (a dynamic peer that has
// not registered), NOT_INUSE otherwise. The engine derives RINGING, INUSE
// and ONHOLD from the peer's channels before asking. A qualified peer
// that stopped answering is UNAVAILABLE (Deps.Unreachable: the qualify
// state lives in the driver).
func (t technology) DeviceState(resource string) pbx.DeviceState {
	if _, host, ok := strings.Cut(resource, "@"); ok {
		resource = host
	}
	if t.m.d.Peer == nil {
		return pbx.DeviceInvalid
	}
	p := t.m.d.Peer(resource)
	if p == nil {
		return pbx.DeviceInvalid
	}
	if t.m.d.Unreachable != nil && t.m.d.Unreachable(p.Name) {
		return pbx.DeviceUnavailable
	}
	if p.Dynamic {
		if t.m.d.Contact == nil {
			return pbx.DeviceUnavailable
		}
		if _, _, ok := t.m.d.Contact(p.Name); !ok {
			return pbx.DeviceUnavailable
		}
		return pbx.DeviceNotInUse
	}
	if !p.Addr.IsValid() && p.Host == "" {
		return pbx.DeviceUnavailable
	}
	return pbx.DeviceNotInUse
}

// CountsCalls is pbx.CallCounter: a peer counts its calls (and so shows
// RINGING, INUSE and BUSY) only with callcounter=yes or a call-limit, as
// chan_sip updates a peer's inuse and ringing counters only then. An
// unknown peer counts nothing (its state is INVALID anyway).
func (t technology) CountsCalls(resource string) bool {
	if _, host, ok := strings.Cut(resource, "@"); ok {
		resource = host
	}
	if t.m.d.Peer == nil {
		return false
	}
	p := t.m.d.Peer(resource)
	return p != nil && p.CallLimit > 0
}
