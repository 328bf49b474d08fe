package chansip

import (
	"fmt"
	"net/netip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// peerURIHost is the host part of a URI naming a peer (the qualify
// OPTIONS, sip notify): a static peer's host= (a name, or an address with
// an IPv6 one in brackets as RFC 3261 19.1.1 writes it) with the port
// when it is not 5060, or the address a dynamic peer registered from.
func peerURIHost(p *sipconf.Peer, addr netip.AddrPort) string {
	if p.Host == "" || p.Dynamic {
		return hostPort(addr)
	}
	host := sipconf.URIHost(p.Host)
	if addr.Port() != sipconf.StandardSIPPort {
		host = fmt.Sprintf("%s:%d", host, addr.Port())
	}
	return host
}
