package call

import (
	"net"
	"net/netip"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/extern"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// externFor is the external address to show a far end at remote, when it
// is outside every localnet (see package extern).
func (m *Manager) externFor(remote netip.Addr) (netip.Addr, uint16, bool) {
	return m.ext.For(m.ctx, m.d.General(), remote, extern.Options{
		Warn: func(host string) { m.log.Warning("Invalid address for externaddr/externhost keyword: %s\n", host) },
	})
}

// publicAnchor stands for "somewhere on the Internet" when a far end's
// address is unknown (a.root-servers.net, which chan_sip asks for too).
var publicAnchor = netip.AddrFrom4([4]byte{198, 41, 0, 4})

// routeFrom is the local address the kernel picks to reach remote. A
// connected UDP socket answers without sending anything: connect() on UDP
// only consults the routing table.
func routeFrom(remote netip.Addr) netip.Addr {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(remote, 9)))
	if err != nil {
		return netip.Addr{}
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
}

// routeTo is our address towards remote as routing chooses it. A far end
// known only by name (SIP/123@host.example) is looked up towards a public
// address, as chan_sip finds its default address; without any route it
// falls back to the loopback address: a wildcard written into SDP would
// read as hold, into Contact as nowhere.
func (m *Manager) routeTo(remote netip.Addr) netip.Addr {
	remote = remote.Unmap()
	if !remote.IsValid() || remote.IsUnspecified() {
		remote = publicAnchor
	}
	route := m.d.Route
	if route == nil {
		route = routeFrom
	}
	if a := route(remote).Unmap(); a.IsValid() && !a.IsUnspecified() {
		return a
	}
	if remote.Is6() {
		return netip.IPv6Loopback()
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

// routeIP is routeTo for the dialog's far end, looked up once: the far
// end's signalling address does not change during a dialog.
func (d *dialog) routeIP() netip.Addr {
	d.mu.Lock()
	r, remote := d.route, d.addr.Addr()
	d.mu.Unlock()
	if r.IsValid() {
		return r
	}
	r = d.m.routeTo(remote)
	d.mu.Lock()
	d.route = r
	d.mu.Unlock()
	return r
}

// sourceIP is the address of ours a far end reaches a socket bound to
// bound at: bound itself when it names one address, else the one routing
// picks towards the far end (chan_sip's ast_ouraddrfor).
func (d *dialog) sourceIP(bound netip.Addr) netip.Addr {
	if bound.IsValid() && !bound.IsUnspecified() {
		return bound.Unmap()
	}
	return d.routeIP()
}

// mediaAddr is the address of our c=/o= lines towards the dialog's far
// end: media_address= when set, the external address when the far end is
// outside the local networks, else where our RTP reaches it from. It also
// returns the local address, for ICE host candidates.
func (d *dialog) mediaAddr() (adv, local netip.Addr) {
	local = d.sourceIP(d.m.d.MediaIP)
	if g := d.m.d.General; g != nil {
		if a := g().MediaAddr; a.IsValid() {
			// media_address= comes first in chan_sip's choice of the
			// address phones send RTP to.
			return a, local
		}
	}
	if a, _, ok := d.m.externFor(d.addr.Addr()); ok {
		return a, local
	}
	return local, local
}

// signalAddr is the address and port our requests and responses in the
// dialog carry (Contact, and From and Via of our requests) over a
// transport: behind NAT the external address (and its port when
// externaddr gives one) replaces the local socket's.
func (d *dialog) signalAddr(transport string) netip.AddrPort {
	m := d.m
	transport = strings.ToUpper(transport)
	local := m.d.Local
	if transport != "" && transport != "UDP" && m.d.LocalFor != nil {
		if ap, ok := m.d.LocalFor(transport); ok {
			local = ap
		}
	}
	if a, p, ok := m.externFor(d.addr.Addr()); ok {
		if p == 0 {
			p = local.Port()
		}
		return netip.AddrPortFrom(a, p)
	}
	return netip.AddrPortFrom(d.sourceIP(local.Addr()), local.Port())
}

// contactURI is our Contact for the dialog with the given user part.
func (d *dialog) contactURI(user string) sip.Uri {
	ap := d.signalAddr(d.transport)
	u := sip.Uri{Scheme: "sip", User: user, Host: ap.Addr().String(), Port: int(ap.Port())}
	if transport := strings.ToUpper(d.transport); transport != "" && transport != "UDP" {
		u.UriParams = sip.NewParams()
		u.UriParams.Add("transport", strings.ToLower(transport))
	}
	return u
}

// transportOf is the transport requests to a destination use: the one its
// registered Contact names, else the peer's first transport= entry.
func transportOf(p *sipconf.Peer, contact *sip.Uri) string {
	if contact != nil && contact.UriParams != nil {
		if t, ok := contact.UriParams.Get("transport"); ok && t != "" {
			return strings.ToUpper(t)
		}
	}
	if p != nil {
		switch p.PrimaryTransport {
		case sipconf.TCP, sipconf.TLS:
			return p.PrimaryTransport.String()
		}
	}
	return "UDP"
}

// comedia says whether a leg should send its RTP to where the peer's RTP
// comes from: nat=comedia, or nat=auto_comedia when the request shows NAT
// (its Via sent-by differs from the address it arrived from).
func comedia(p *sipconf.Peer, g *sipconf.General, req *sip.Request) bool {
	n := sipconf.DefaultNAT
	switch {
	case p != nil:
		n = p.NAT
	case g != nil:
		n = g.NAT
	}
	if n.Comedia {
		return true
	}
	return n.AutoComedia && req != nil && behindNAT(req)
}

// behindNAT compares the top Via's sent-by with the request's source.
func behindNAT(req *sip.Request) bool {
	via := req.Via()
	src := parseAddrPort(req.Source())
	if via == nil || !src.IsValid() {
		return false
	}
	a, err := netip.ParseAddr(via.Host)
	if err != nil {
		return true // a name in Via: the phone does not know its public address
	}
	port := via.Port
	if port == 0 {
		port = 5060
	}
	return a.Unmap() != src.Addr() || uint16(port) != src.Port()
}
