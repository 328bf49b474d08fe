package call

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// outboundProxy is where requests to peer p go instead of its own address
// (chan_sip's outboundproxy=host[:port][,force], the peer's, else
// [general]'s): the Request-URI still names the peer, only the packets go
// to the proxy; ok is false without one or when it does not resolve.
func (m *Manager) outboundProxy(p *sipconf.Peer) (netip.AddrPort, bool) {
	v := ""
	if p != nil {
		v = p.OutboundProxy
	}
	if v == "" && m.d.General != nil {
		v = m.d.General().OutboundProxy
	}
	v, _, _ = strings.Cut(strings.TrimSpace(v), ",") // ",force": in-dialog requests go there anyway
	v = strings.TrimPrefix(strings.TrimPrefix(v, "sip:"), "sips:")
	if v == "" {
		return netip.AddrPort{}, false
	}
	host, port := v, sipconf.StandardSIPPort
	if h, ps, err := net.SplitHostPort(v); err == nil {
		n, err := strconv.Atoi(ps)
		if err != nil || n <= 0 || n > 65535 {
			m.log.Warning("Invalid outboundproxy '%s'\n", v)
			return netip.AddrPort{}, false
		}
		host, port = h, n
	}
	host = strings.Trim(host, "[]")
	if a, err := netip.ParseAddr(host); err == nil {
		return netip.AddrPortFrom(a.Unmap(), uint16(port)), true
	}
	ctx, cancel := context.WithTimeout(m.ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, m.lookupNetwork(), host)
	first, ok := sipconf.FirstAddr(addrs)
	if err != nil || !ok {
		m.log.Warning("Unable to lookup outboundproxy '%s'\n", host)
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(first, uint16(port)), true
}

// lookupNetwork is the DNS family [general]'s bind address asks for
// (sipconf.General.LookupNetwork).
func (m *Manager) lookupNetwork() string {
	if m.d.General == nil {
		return "ip4"
	}
	return m.d.General().LookupNetwork()
}
