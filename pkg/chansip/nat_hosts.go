package chansip

import (
	"context"
	"net/netip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// peerHosts maps a peer whose host= is a DNS name to the address it
// resolved to at load or reload, so that INVITEs from a trunk named by
// host can be matched by source address as chan_sip does.
type peerHosts map[string]netip.Addr

// resolvePeerHosts looks up every static peer whose host= is a name.
// A name that does not resolve is left out (and warned about): such a
// peer can still be called, it just cannot be recognised by address.
func (d *Driver) resolvePeerHosts(cfg *sipconf.Config) {
	hosts := peerHosts{}
	for _, p := range cfg.Peers {
		if p.Dynamic || p.Host == "" || p.Addr.IsValid() {
			continue
		}
		if _, err := netip.ParseAddr(p.Host); err == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), dnsTimeout)
		addrs, err := d.resolver().LookupNetIP(ctx, cfg.General.LookupNetwork(), p.Host)
		cancel()
		first, ok := sipconf.FirstAddr(addrs)
		if err != nil || !ok {
			d.log.Warning("Unable to lookup host '%s' for peer '%s'", p.Host, p.Name)
			continue
		}
		hosts[p.Name] = first
	}
	d.hosts.Store(&hosts)
}

// staticAddr is the address a static peer's requests come from: host=
// as an IP, or as the name resolved at load. ok is false for dynamic
// peers and names that did not resolve.
func (d *Driver) staticAddr(p *sipconf.Peer) (netip.AddrPort, bool) {
	if p.Dynamic {
		return netip.AddrPort{}, false
	}
	if p.Addr.IsValid() {
		return p.Addr, true
	}
	if h := d.hosts.Load(); h != nil {
		if a, ok := (*h)[p.Name]; ok {
			port := p.Port
			if port == 0 {
				port = sipconf.StandardSIPPort
			}
			return netip.AddrPortFrom(a, uint16(port)), true
		}
	}
	return netip.AddrPort{}, false
}
