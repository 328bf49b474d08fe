package sipconf

import (
	"net/netip"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// applyBindPort sets the UDP socket's address as chan_sip's reload_config
// ends: bindaddr and udpbindaddr are one setting (IPv4, IPv6 such as "::"
// or "[2001:db8::1]:5062"); bindport, when given, wins over a port written
// in the address (chan_sip warns "bindport is also specified in
// bindaddr"); with neither, the port is 5060.
func (l *loader) applyBindPort(g *General, addr *netip.AddrPort, addrVar *confparse.Variable, addrHasPort bool, bindPort int) {
	if addr != nil {
		g.UDPBind = *addr
	}
	switch {
	case bindPort != 0:
		if addrHasPort && addrVar != nil {
			l.warnVar(addrVar, "bindport is also specified in bindaddr. Using %d.", bindPort)
		}
		g.UDPBind = netip.AddrPortFrom(g.UDPBind.Addr(), uint16(bindPort))
	case g.UDPBind.Port() == 0:
		g.UDPBind = netip.AddrPortFrom(g.UDPBind.Addr(), StandardSIPPort)
	}
}
