package chansip

// pathOf is the route set requests to a registered peer go through: its
// registration's Path while the peer has supportpath=yes (a reload that
// turns it off stops using it, as chan_sip builds the route only for a
// peer with the flag), nil otherwise.
func (d *Driver) pathOf(peer string) []string {
	p := d.cfg.Load().Peer(peer)
	if p == nil || !p.UsePath {
		return nil
	}
	if r := d.regs.get(p.Name); r != nil {
		return r.Path
	}
	return nil
}
