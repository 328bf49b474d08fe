package sipconf

import (
	"fmt"
	"net/netip"
	"strings"

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

// LookupNetwork is the network host names are resolved in (register =>,
// outboundproxy, host=, mwi =>, MessageSend), chosen by the family of the
// UDP bind address as sip.conf.sample describes: an IPv4 address or
// 0.0.0.0 looks up A records only ("ip4"), a specific IPv6 address AAAA
// only ("ip6"), the IPv6 wildcard :: both ("ip"; see FirstAddr).
func (g *General) LookupNetwork() string {
	a := g.UDPBind.Addr()
	switch {
	case !a.IsValid() || a.Is4() || a.Is4In6():
		return "ip4"
	case a.IsUnspecified():
		return "ip"
	default:
		return "ip6"
	}
}

// FirstAddr is the address chan_sip uses of a lookup's answers: the
// first, IPv6 ones ahead of IPv4 ones when both families were asked for
// (glibc's order, which the sample's note describes). ok is false when
// there is none.
func FirstAddr(addrs []netip.Addr) (netip.Addr, bool) {
	if len(addrs) == 0 {
		return netip.Addr{}, false
	}
	for _, a := range addrs {
		if a.Is6() && !a.Is4In6() {
			return a, true
		}
	}
	return addrs[0].Unmap(), true
}

// mediaAddr parses media_address= or rtpbindaddr= (an IPv4 or IPv6
// address, brackets and a port allowed and the port ignored, as
// ast_parse_arg's PARSE_ADDR reads them); a bad value is warned about in
// chan_sip's words and left unset.
func (l *loader) mediaAddr(v *confparse.Variable) netip.Addr {
	s := strings.TrimSpace(v.Value)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		l.warnVar(v, "Invalid address for %s keyword: %s", strings.ToLower(v.Name), v.Value)
		return netip.Addr{}
	}
	return a.Unmap()
}

// splitBracketHost splits "host[:port]" where host may be an IPv6
// address in brackets ("[2001:db8::1]:5070"); the brackets are taken off.
// A bare IPv6 address cannot carry a port and is taken whole.
func splitBracketHost(s string) (host, port string, hasPort bool, err error) {
	if rest, ok := strings.CutPrefix(s, "["); ok {
		h, after, ok := strings.Cut(rest, "]")
		if !ok {
			return "", "", false, fmt.Errorf("unterminated IPv6 address %q", s)
		}
		if after == "" {
			return h, "", false, nil
		}
		p, ok := strings.CutPrefix(after, ":")
		if !ok {
			return "", "", false, fmt.Errorf("unexpected %q after IPv6 address", after)
		}
		return h, p, true, nil
	}
	if strings.Count(s, ":") > 1 {
		return s, "", false, nil
	}
	h, p, ok := strings.Cut(s, ":")
	return h, p, ok, nil
}

// URIHost writes a host for a SIP URI built as text: an IPv6 address in
// brackets (RFC 3261 19.1.1), anything else as it is.
func URIHost(h string) string {
	if a, err := netip.ParseAddr(h); err == nil && a.Is6() {
		return "[" + h + "]"
	}
	return h
}

// checkIPv6Remap warns, with chan_sip's words, when address remapping
// (localnet and externaddr) is set on a server bound to one IPv6 address:
// chan_sip never remaps towards IPv6 and says so on every request; here
// it is said once, at the externaddr line, so gostrisk check shows it.
func (l *loader) checkIPv6Remap(g *General, externVar *confparse.Variable) {
	a := g.UDPBind.Addr()
	if externVar == nil || len(g.Localnet) == 0 || !a.Is6() || a.Is4In6() || a.IsUnspecified() {
		return
	}
	l.warnVar(externVar, "Address remapping activated in sip.conf but we're using IPv6, which doesn't need it. "+
		"Please remove \"localnet\" and/or \"externaddr\" settings.")
}

// defaultStreamBinds gives TCP and TLS chan_sip's defaults when
// tcpbindaddr / tlsbindaddr are not written: TCP listens where UDP does
// (bindaddr and its port, so bindaddr=:: puts TCP on IPv6 too), TLS on
// bindaddr's address at port 5061.
func defaultStreamBinds(g *General, tcpSet, tlsSet bool) {
	if !tcpSet {
		g.TCPBind = g.UDPBind
	}
	if !tlsSet {
		g.TLSBind = netip.AddrPortFrom(g.UDPBind.Addr(), StandardTLSPort)
	}
}
