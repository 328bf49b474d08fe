package chansip

import (
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// publishPeerStatus puts chan_sip's PeerStatus on the engine bus (the
// manager's system class): ChannelType, Peer, PeerStatus, then extra
// (Cause, Address, Time) in Asterisk's order. As in Asterisk 18, Reachable
// and Lagged carry no Time (its integer does not survive the JSON blob),
// Unreachable carries Time: -1. extra is key, value, key, value...
func (d *Driver) publishPeerStatus(peer, status string, extra ...string) {
	eng := d.opts.Engine
	if eng == nil || !eng.Bus().Wants("PeerStatus") {
		return
	}
	f := []pbx.EventField{{Key: "ChannelType", Value: "SIP"}, {Key: "Peer", Value: "SIP/" + peer},
		{Key: "PeerStatus", Value: status}}
	for i := 0; i+1 < len(extra); i += 2 {
		f = append(f, pbx.EventField{Key: extra[i], Value: extra[i+1]})
	}
	eng.Bus().Publish(pbx.BusEvent{Type: "PeerStatus", Fields: f})
}

// publishRegistry announces an outbound registration's outcome as
// chan_sip's Registry event (system class). Called with r locked.
func (d *Driver) publishRegistry(r *outReg) {
	eng := d.opts.Engine
	if eng == nil || !eng.Bus().Wants("Registry") {
		return
	}
	eng.Bus().Publish(pbx.BusEvent{Type: "Registry", Fields: []pbx.EventField{
		{Key: "ChannelType", Value: "SIP"}, {Key: "Username", Value: r.conf.User},
		{Key: "Domain", Value: r.conf.Host}, {Key: "Status", Value: r.state.String()},
	}})
}
