package chansip

import (
	"context"
	"github.com/gostrisk/gostrisk/pkg/chansip/extern"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"net"
	"net/netip"
)

// Resolver is the part of *net.Resolver the driver uses for registrar
// hosts, externhost and peers whose host= is a name. Tests plug in a fake.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
}

// dnsTimeout bounds one lookup so a dead resolver cannot stall a
// registration or a reply for long.
const dnsTimeout = extern.LookupTimeout

func (d *Driver) resolver() Resolver {
	if d.opts.Resolver != nil {
		return d.opts.Resolver
	}
	return net.DefaultResolver
}

// externFor is the external address to show dst (see package extern).
func (d *Driver) externFor(g *sipconf.General, dst netip.Addr) (netip.Addr, uint16, bool) {
	return d.ext.For(context.Background(), g, dst, extern.Options{
		Resolver: d.resolver(), Now: d.now(),
		Warn: func(host string) { d.log.Warning("Invalid address for externaddr/externhost keyword: %s", host) },
	})
}

// advertisedAddr is the address our own requests (REGISTER, OPTIONS)
// put in Via and Contact for a destination dst: the external address for
// a destination outside every localnet (with externaddr's port when it
// gives one, else the bound port), otherwise the local address the
// destination reaches us at.
func (d *Driver) advertisedAddr(dst netip.Addr) netip.AddrPort {
	local := d.LocalAddr()
	g := &d.cfg.Load().General
	if a, p, ok := d.externFor(g, dst); ok {
		if p == 0 {
			p = local.Port()
		}
		return netip.AddrPortFrom(a, p)
	}
	port := local.Port()
	if port == 0 {
		port = sipconf.StandardSIPPort
	}
	return d.ourAddrFor(netip.AddrPortFrom(dst.Unmap(), port))
}
