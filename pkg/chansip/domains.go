package chansip

import (
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// localDomains are sip.conf's domain= lines (name and optional context)
// and, with autodomain=yes, the addresses and host name chan_sip adds:
// the bind address unless it is a wildcard, externaddr, externhost and
// the host name.
func (d *Driver) localDomains(g *sipconf.General) map[string]string {
	out := map[string]string{}
	for _, v := range g.Domains {
		name, ctx, _ := strings.Cut(v, ",")
		out[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(ctx)
	}
	if !g.AutoDomain {
		return out
	}
	add := func(s string) {
		if s = strings.ToLower(s); s != "" {
			if _, ok := out[s]; !ok {
				out[s] = ""
			}
		}
	}
	if a := g.UDPBind.Addr(); a.IsValid() && !a.IsUnspecified() {
		add(a.String())
	}
	if ea := g.ExternAddr; ea != "" {
		if h, _, err := net.SplitHostPort(ea); err == nil {
			ea = h
		}
		add(strings.Trim(ea, "[]"))
	}
	add(g.ExternHost)
	if h, err := os.Hostname(); err == nil {
		add(h)
	}
	return out
}

// domainContext applies chan_sip's domain rules to a new INVITE (the part
// of get_destination that reads the domain list): with domains
// configured, an INVITE to a domain that is not local is refused (ok
// false: 403) unless allowexternaldomains=yes; a local domain's context
// replaces the context of a guest call (peer nil).
func (d *Driver) domainContext(cfg *sipconf.Config, req *sip.Request, peer *sipconf.Peer, dpContext string) (string, bool) {
	g := &cfg.General
	if len(g.Domains) == 0 && !g.AutoDomain {
		return dpContext, true
	}
	domains := d.localDomains(g)
	if len(domains) == 0 || strings.EqualFold(req.Recipient.Scheme, "tel") {
		return dpContext, true
	}
	host := strings.ToLower(strings.Trim(req.Recipient.Host, "[]"))
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.Unmap().String()
	}
	ctx, local := domains[host]
	if !local {
		if !g.AllowExternalDomains {
			d.log.Debug(1, "Got SIP %s to non-local domain '%s'; refusing request.", req.Method, host)
			return "", false
		}
		return dpContext, true
	}
	if peer == nil && ctx != "" {
		return ctx, true
	}
	return dpContext, true
}
