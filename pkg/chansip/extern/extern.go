// Package extern decides which address gostrisk shows a SIP peer, as
// chan_sip's externaddr / externhost / localnet options say: a host outside
// every localnet sees the external address (and externaddr's port when it
// gives one), anyone else sees the local one. The driver (Via and Contact of
// its own requests) and the call legs (Contact and SDP) share this, so the
// two cannot drift apart.
package extern

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// Resolver is the part of *net.Resolver used for externaddr/externhost names.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// LookupTimeout bounds one lookup, so a dead resolver cannot stall a reply.
const LookupTimeout = 2 * time.Second

// Outside reports whether dst lies beyond every localnet. As in chan_sip,
// with no localnet at all nothing counts as outside, so externaddr alone
// changes nothing, and an IPv6 destination is never remapped (chan_sip's
// ast_sip_ouraddrfor: IPv6 needs no NAT; an IPv4 externaddr shown to an
// IPv6 phone would also be unreachable for it). An IPv4-mapped address is
// judged as the IPv4 address it carries.
func Outside(g *sipconf.General, dst netip.Addr) bool {
	if g == nil || len(g.Localnet) == 0 || !dst.IsValid() {
		return false
	}
	dst = dst.Unmap()
	if dst.Is6() {
		return false
	}
	for _, n := range g.Localnet {
		if n.Contains(dst) {
			return false
		}
	}
	return true
}

// Cache remembers what externaddr / externhost resolved to: chan_sip
// resolves externaddr once and externhost again every externrefresh
// seconds. The zero value is ready to use.
type Cache struct {
	mu       sync.Mutex
	spec     string
	addr     netip.Addr
	port     uint16
	resolved time.Time
	warned   bool
}

// Options are what a lookup needs besides the configuration.
type Options struct {
	Resolver Resolver          // nil: net.DefaultResolver
	Now      time.Time         // zero: time.Now()
	Warn     func(host string) // called once per name that does not resolve
}

// Addr returns the configured external address and the port externaddr
// names (0 when none). ok is false when none is configured or it cannot be
// resolved and no earlier answer is known.
func (c *Cache) Addr(ctx context.Context, g *sipconf.General, o Options) (addr netip.Addr, port uint16, ok bool) {
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
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spec == spec && c.addr.IsValid() && (refresh == 0 || now.Sub(c.resolved) < refresh) {
		return c.addr, c.port, true
	}
	host, portStr, err := net.SplitHostPort(spec)
	if err != nil {
		// No port: a name, an IPv4 address, or an IPv6 one bare or in
		// brackets ("2001:db8::7", "[2001:db8::7]").
		host, portStr = strings.TrimSuffix(strings.TrimPrefix(spec, "["), "]"), ""
	}
	p, _ := strconv.ParseUint(portStr, 10, 16)
	a, err := netip.ParseAddr(host)
	if err != nil {
		r := o.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		lctx, cancel := context.WithTimeout(ctx, LookupTimeout)
		addrs, lerr := r.LookupNetIP(lctx, "ip4", host)
		cancel()
		if lerr != nil || len(addrs) == 0 {
			if (!c.warned || c.spec != spec) && o.Warn != nil {
				o.Warn(host)
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
	c.spec, c.addr, c.port, c.resolved, c.warned = spec, a.Unmap(), uint16(p), now, false
	return c.addr, c.port, true
}

// For returns the external address to show dst when dst is outside every
// localnet; ok is false when dst is local or no external address is known.
func (c *Cache) For(ctx context.Context, g *sipconf.General, dst netip.Addr, o Options) (netip.Addr, uint16, bool) {
	if !Outside(g, dst) {
		return netip.Addr{}, 0, false
	}
	return c.Addr(ctx, g, o)
}
