package chansip

// Connections lists the TCP and TLS connections our listeners accepted
// and that are still open ("sip show tcp" adds the ones we dialled).
func (d *Driver) Connections() []ConnInfo {
	d.mu.Lock()
	tp := d.tp
	d.mu.Unlock()
	if tp == nil {
		return nil
	}
	return tp.conns.list()
}
