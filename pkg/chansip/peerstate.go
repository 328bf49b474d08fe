package chansip

import (
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipshow"
)

// PeerState returns one peer's configuration and runtime state (its
// registration and qualify result), for SIPPEER(); ok is false for a peer
// sip.conf does not have.
func (d *Driver) PeerState(name string) (*sipconf.Peer, sipshow.PeerState, bool) {
	p := d.cfg.Load().Peer(name)
	if p == nil {
		return nil, sipshow.PeerState{}, false
	}
	return p, d.peerState(p), true
}
