package chansip

import "github.com/gostrisk/gostrisk/pkg/chansip/sipconf"

// addrPeers is the list of peers an INVITE may be matched to by its source
// address (see matchCaller), for one configuration: peers with a static
// host=, in the configuration's order. A site's thousands of phones are
// dynamic, and walking all of them for every INVITE from a user we do not
// know was half the CPU of an INVITE flood (about 50 µs an INVITE with
// 10,000 peers).
type addrPeers struct {
	cfg   *sipconf.Config
	peers []*sipconf.Peer
}

// peersByAddr returns the peers of cfg that can be recognised by address,
// built once per configuration.
func (d *Driver) peersByAddr(cfg *sipconf.Config) []*sipconf.Peer {
	if a := d.byAddr.Load(); a != nil && a.cfg == cfg {
		return a.peers
	}
	a := &addrPeers{cfg: cfg}
	for _, p := range cfg.Peers {
		if p.IsPeer() && !p.Dynamic {
			a.peers = append(a.peers, p)
		}
	}
	d.byAddr.Store(a)
	return a.peers
}
