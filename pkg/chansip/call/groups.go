package call

import "github.com/gostrisk/gostrisk/pkg/pbx"

// Groups are the dialog's peer's callgroup, pickupgroup, namedcallgroup
// and namedpickupgroup, which chan_sip gives the channels of its dialogs
// (call pickup matches them).
func (d *dialog) Groups() pbx.Groups {
	p := d.peer
	if p == nil {
		return pbx.Groups{}
	}
	return pbx.Groups{
		Call: pbx.ParseGroups(p.CallGroup), Pickup: pbx.ParseGroups(p.PickupGroup),
		NamedCall: pbx.ParseNamedGroups(p.NamedCallGroup), NamedPickup: pbx.ParseNamedGroups(p.NamedPickupGroup),
	}
}

// isPickupExten reports whether exten is features.conf's pickupexten,
// which chan_sip answers with a group pickup whatever the dialplan says.
func (m *Manager) isPickupExten(exten string) bool {
	if m.d.PickupExten == nil || m.d.Pickup == nil {
		return false
	}
	p := m.d.PickupExten()
	return p != "" && exten == p
}
