package call

import (
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

// mediaAddrFor is the address of our c=/o= lines towards a far end at
// remote: the external address when remote is outside the local networks,
// else the address the RTP sockets are bound to.
func (m *Manager) mediaAddrFor(remote netip.Addr) netip.Addr {
	if a, _, ok := m.externFor(remote); ok {
		return a
	}
	return m.d.MediaIP
}

// contactURI is our Contact for a dialog with the given user part over a
// transport, seen from a far end at remote: behind NAT the external
// address (and its port when externaddr gives one) replaces the local
// socket's.
func (m *Manager) contactURI(user string, remote netip.Addr, transport string) sip.Uri {
	transport = strings.ToUpper(transport)
	local := m.d.Local
	if transport != "" && transport != "UDP" && m.d.LocalFor != nil {
		if ap, ok := m.d.LocalFor(transport); ok {
			local = ap
		}
	}
	host, port := local.Addr(), int(local.Port())
	if a, p, ok := m.externFor(remote); ok {
		host = a
		if p != 0 {
			port = int(p)
		}
	}
	u := sip.Uri{Scheme: "sip", User: user, Host: host.String(), Port: port}
	if transport != "" && transport != "UDP" {
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
