package call

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// externState caches the resolution of externaddr / externhost, which may
// be DNS names: chan_sip resolves externaddr once at load and externhost
// every externrefresh seconds.
type externState struct {
	spec     string // the option the cache was filled from
	addr     netip.Addr
	port     int
	resolved time.Time
	warned   bool
}

// external returns the address to show a host outside every localnet, and
// the SIP port given with it (0 when none). ok is false when no external
// address is configured or it cannot be resolved.
func (m *Manager) external() (addr netip.Addr, port int, ok bool) {
	g := m.d.General()
	if g == nil {
		return netip.Addr{}, 0, false
	}
	spec, refresh := g.ExternAddr, time.Duration(0)
	if spec == "" {
		spec = g.ExternHost
		refresh = time.Duration(g.ExternRefresh) * time.Second
		if refresh <= 0 {
			refresh = 10 * time.Second
		}
	}
	if spec == "" {
		return netip.Addr{}, 0, false
	}
	m.extMu.Lock()
	defer m.extMu.Unlock()
	st := &m.ext
	fresh := st.spec == spec && st.addr.IsValid() && (refresh == 0 || time.Since(st.resolved) < refresh)
	if fresh {
		return st.addr, st.port, true
	}
	host, portStr, err := net.SplitHostPort(spec)
	if err != nil {
		host, portStr = spec, ""
	}
	p, _ := strconv.Atoi(portStr)
	a, err := netip.ParseAddr(host)
	if err != nil {
		ctx, cancel := context.WithTimeout(m.ctx, 2*time.Second)
		addrs, lerr := net.DefaultResolver.LookupNetIP(ctx, "ip4", host)
		cancel()
		if lerr != nil || len(addrs) == 0 {
			if !st.warned || st.spec != spec {
				m.log.Warning("Invalid address for externaddr/externhost keyword: %s\n", host)
			}
			st.spec, st.warned = spec, true
			if st.addr.IsValid() {
				// Keep the last good answer rather than leaking the
				// private address while DNS is down.
				return st.addr, st.port, true
			}
			return netip.Addr{}, 0, false
		}
		a = addrs[0]
	}
	*st = externState{spec: spec, addr: a.Unmap(), port: p, resolved: time.Now()}
	return st.addr, st.port, true
}

// outside reports whether remote is beyond every localnet, so that it must
// be shown the external address. Like chan_sip, nothing is outside when no
// localnet is configured.
func (m *Manager) outside(remote netip.Addr) bool {
	g := m.d.General()
	if g == nil || len(g.Localnet) == 0 || !remote.IsValid() {
		return false
	}
	remote = remote.Unmap()
	for _, n := range g.Localnet {
		if n.Contains(remote) {
			return false
		}
	}
	return true
}

// mediaAddrFor is the address of our c=/o= lines towards a far end at
// remote: the external address when remote is outside the local networks,
// else the address the RTP sockets are bound to.
func (m *Manager) mediaAddrFor(remote netip.Addr) netip.Addr {
	if m.outside(remote) {
		if a, _, ok := m.external(); ok {
			return a
		}
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
	if m.outside(remote) {
		if a, p, ok := m.external(); ok {
			host = a
			if p != 0 {
				port = p
			}
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
