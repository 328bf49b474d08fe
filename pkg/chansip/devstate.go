package chansip

// publishDeviceState announces that SIP/<peer>'s device state may have
// changed (it registered, unregistered, or its qualify reachability
// changed), so hints and BLF subscriptions follow at once instead of
// polling, as chan_sip calls ast_devstate_changed.
func (d *Driver) publishDeviceState(peer string) {
	if eng := d.opts.Engine; eng != nil {
		eng.PublishDeviceState("SIP/" + peer)
	}
}

// registrationChanged follows the registrar: a new or moved registration
// and an unregistration change the device state; every successful
// registration sends the peer its MWI, as chan_sip does after REGISTER.
func (d *Driver) registrationChanged(peer string, fresh, gone bool) {
	if fresh || gone {
		d.publishDeviceState(peer)
	}
	if !gone {
		d.queueMWI(peer)
	}
}

// unreachable says whether a qualified peer stopped answering (its last
// OPTIONS got no answer) or answers too slowly (lagged): chan_sip reports
// such a peer UNAVAILABLE.
func (d *Driver) unreachable(peer string) bool {
	p := d.cfg.Load().Peer(peer)
	if p == nil || p.Qualify <= 0 {
		return false
	}
	rt := d.runtime(p.Name)
	if rt == nil {
		return false
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.lastMs < 0 || rt.lastMs > p.Qualify
}
