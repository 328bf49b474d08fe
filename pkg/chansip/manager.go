package chansip

// QualifyPeer asks the qualify loop to send an OPTIONS to the peer now
// (the manager's SIPqualifypeer); false when no such peer is qualified.
func (d *Driver) QualifyPeer(name string) bool {
	p := d.cfg.Load().Peer(name)
	if p == nil || !p.IsPeer() {
		return false
	}
	d.requestPoke(p.Name)
	return true
}
