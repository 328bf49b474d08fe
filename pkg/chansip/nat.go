package chansip

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// Resolver is the part of *net.Resolver the driver uses for registrar
// hosts, externhost and peers whose host= is a name. Tests plug in a fake.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
}

// externCache remembers what externaddr / externhost resolved to: chan_sip
// resolves externaddr once and externhost again every externrefresh seconds.
type externCache struct {
	mu       sync.Mutex
	spec     string
	addr     netip.Addr
	port     uint16
	resolved time.Time
	warned   bool
}

// dnsTimeout bounds one lookup so a dead resolver cannot stall a
// registration or a reply for long.
const dnsTimeout = 2 * time.Second

func (d *Driver) resolver() Resolver {
	if d.opts.Resolver != nil {
		return d.opts.Resolver
	}
	return net.DefaultResolver
}

// external is the address we claim to hosts outside every localnet, with
// the port externaddr names (0 when it names none). ok is false when no
// external address is configured or it cannot be resolved.
func (d *Driver) external(g *sipconf.General) (netip.Addr, uint16, bool) {
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
	c := &d.ext
	c.mu.Lock()
	defer c.mu.Unlock()
	now := d.now()
	if c.spec == spec && c.addr.IsValid() && (refresh == 0 || now.Sub(c.resolved) < refresh) {
		return c.addr, c.port, true
	}
	host, portStr, err := net.SplitHostPort(spec)
	if err != nil {
		host, portStr = spec, ""
	}
	port, _ := strconv.ParseUint(portStr, 10, 16)
	a, err := netip.ParseAddr(host)
	if err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), dnsTimeout)
		addrs, lerr := d.resolver().LookupNetIP(ctx, "ip4", host)
		cancel()
		if lerr != nil || len(addrs) == 0 {
			if !c.warned || c.spec != spec {
				d.log.Warning("Invalid address for externaddr/externhost keyword: %s", host)
			}
			c.spec, c.warned = spec, true
			if c.addr.IsValid() {
				// A stale answer beats leaking our private address
				// while DNS is down.
				return c.addr, c.port, true
			}
			return netip.Addr{}, 0, false
		}
		a = addrs[0]
	}
	c.spec, c.addr, c.port, c.resolved, c.warned = spec, a.Unmap(), uint16(port), now, false
	return c.addr, c.port, true
}

// outsideLocalnets reports whether dst lies beyond every localnet. As in
// chan_sip, with no localnet at all nothing counts as outside, so
// externaddr alone changes nothing.
func outsideLocalnets(g *sipconf.General, dst netip.Addr) bool {
	if len(g.Localnet) == 0 || !dst.IsValid() {
		return false
	}
	dst = dst.Unmap()
	for _, n := range g.Localnet {
		if n.Contains(dst) {
			return false
		}
	}
	return true
}

// advertisedAddr is the address our own requests (REGISTER, OPTIONS)
// put in Via and Contact for a destination dst: the external address for
// a destination outside every localnet (with externaddr's port when it
// gives one, else the bound port), otherwise the local address the
// destination reaches us at.
func (d *Driver) advertisedAddr(dst netip.Addr) netip.AddrPort {
	local := d.LocalAddr()
	g := &d.cfg.Load().General
	if outsideLocalnets(g, dst) {
		if a, p, ok := d.external(g); ok {
			if p == 0 {
				p = local.Port()
			}
			return netip.AddrPortFrom(a, p)
		}
	}
	port := local.Port()
	if port == 0 {
		port = sipconf.StandardSIPPort
	}
	return d.ourAddrFor(netip.AddrPortFrom(dst.Unmap(), port))
}
