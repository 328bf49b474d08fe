package sipshow

import "github.com/gostrisk/gostrisk/pkg/chansip/sipconf"

// PeerStatus is chan_sip's peer_status text for a peer ("OK (12 ms)",
// "UNREACHABLE", "Unmonitored", ...), as SIPPEER(peer,status) returns it.
func PeerStatus(p *sipconf.Peer, st PeerState) string {
	s, _ := peerStatus(p, st)
	return s
}
