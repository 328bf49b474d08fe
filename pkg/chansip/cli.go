package chansip

import (
	"net/netip"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipshow"
	"github.com/gostrisk/gostrisk/pkg/cli"
)

// registerCLI adds the "sip ..." commands with chan_sip's words, usage
// texts and outputs.
func (d *Driver) registerCLI(reg *cli.Registry) error {
	cmds := sipshow.Commands(d.View)
	cmds = append(cmds,
		&cli.Command{
			Words:   []string{"sip", "qualify", "peer"},
			Summary: "Send an OPTIONS packet to a peer",
			Usage:   "Usage: sip qualify peer <name> [load]\n       Requests a response from one SIP peer and the current status.\n       Option \"load\" forces lookup of peer in realtime storage.\n",
			Handler: d.cliQualify,
			Complete: func(a *cli.Args, pos int, w string) []string {
				switch pos {
				case 3:
					return d.completePeers(w)
				case 4:
					return prefixMatch(w, []string{"load"})
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"sip", "unregister"},
			Summary: "Unregister (force expiration) a SIP peer from the registry",
			Usage:   "Usage: sip unregister <peer>\n       Unregister (force expiration) a SIP peer from the registry\n",
			Handler: d.cliUnregister,
			Complete: func(a *cli.Args, pos int, w string) []string {
				if pos == 2 {
					return d.completePeers(w)
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"sip", "reload"},
			Summary: "Reload SIP configuration",
			Usage:   "Usage: sip reload\n       Reloads SIP configuration from sip.conf\n",
			Handler: d.cliReload,
		},
		&cli.Command{
			Words:   []string{"sip", "set", "debug", "{on|off|ip|peer}"},
			Summary: "Enable/Disable SIP debugging",
			Usage:   "Usage: sip set debug {on|off|ip addr[:port]|peer peername}\n       Globally disables dumping of SIP packets,\n       or enables it either globally or for a (single)\n       IP address or registered peer.\n",
			Handler: d.cliDebug,
			Complete: func(a *cli.Args, pos int, w string) []string {
				if pos == 4 && len(a.Argv) > 3 && strings.EqualFold(a.Argv[3], "peer") {
					return d.completePeers(w)
				}
				return nil
			},
		},
	)
	return reg.Register(cmds...)
}

func prefixMatch(w string, words []string) []string {
	var out []string
	for _, x := range words {
		if strings.HasPrefix(strings.ToLower(x), strings.ToLower(w)) {
			out = append(out, x)
		}
	}
	return out
}

func (d *Driver) completePeers(w string) []string {
	var names []string
	for _, p := range d.cfg.Load().SortedPeers() {
		if p.IsPeer() {
			names = append(names, p.Name)
		}
	}
	return prefixMatch(w, names)
}

func (d *Driver) cliQualify(a *cli.Args) error {
	if len(a.Argv) < 4 || len(a.Argv) > 5 {
		return cli.ErrShowUsage
	}
	p := d.cfg.Load().Peer(a.Argv[3])
	if p == nil || !p.IsPeer() {
		a.Printf("Peer '%s' not found\n", a.Argv[3])
		return nil
	}
	d.requestPoke(p.Name)
	return nil
}

func (d *Driver) cliUnregister(a *cli.Args) error {
	if len(a.Argv) != 3 {
		return cli.ErrShowUsage
	}
	name := a.Argv[2]
	p := d.cfg.Load().Peer(name)
	if p == nil {
		a.Printf("Peer unknown: '%s'. Not unregistered.\n", name)
		return nil
	}
	if d.regs.get(p.Name) == nil {
		a.Printf("Peer %s not registered\n", name)
		return nil
	}
	d.regs.remove(p.Name)
	d.resetQualify(p.Name)
	a.Printf("Unregistered peer '%s'\n\n", name)
	return nil
}

func (d *Driver) cliReload(a *cli.Args) error {
	if len(a.Argv) != 2 {
		return cli.ErrShowUsage
	}
	var err error
	if d.opts.Reload != nil {
		err = d.opts.Reload()
	} else {
		err = d.Reload(d.cfg.Load())
	}
	if err != nil {
		d.log.Error("chan_sip reload failed: %v", err)
	}
	return nil
}

func (d *Driver) cliDebug(a *cli.Args) error {
	if len(a.Argv) < 4 {
		return cli.ErrShowUsage
	}
	switch strings.ToLower(a.Argv[3]) {
	case "on":
		if len(a.Argv) != 4 {
			return cli.ErrShowUsage
		}
		d.debug.Store(&debugFilter{all: true})
		a.Printf("SIP Debugging enabled\n")
	case "off":
		if len(a.Argv) != 4 {
			return cli.ErrShowUsage
		}
		d.debug.Store(&debugFilter{})
		a.Printf("SIP Debugging Disabled\n")
	case "ip":
		if len(a.Argv) != 5 {
			return cli.ErrShowUsage
		}
		f := &debugFilter{}
		if ap, err := netip.ParseAddrPort(a.Argv[4]); err == nil {
			f.addr, f.port = ap.Addr().Unmap(), ap.Port()
		} else if ip, err := netip.ParseAddr(strings.Trim(a.Argv[4], "[]")); err == nil {
			f.addr = ip.Unmap()
		} else {
			return cli.ErrShowUsage
		}
		d.debug.Store(f)
		a.Printf("SIP Debugging Enabled for IP: %s\n", a.Argv[4])
	case "peer":
		if len(a.Argv) != 5 {
			return cli.ErrShowUsage
		}
		p := d.cfg.Load().Peer(a.Argv[4])
		if p == nil {
			a.Printf("No such peer '%s'\n", a.Argv[4])
			return nil
		}
		addr, ok := d.peerAddr(p)
		if !ok {
			a.Printf("Unable to get IP address of peer '%s'\n", a.Argv[4])
			return nil
		}
		d.debug.Store(&debugFilter{addr: addr.Addr(), port: addr.Port()})
		a.Printf("SIP Debugging Enabled for IP: %s\n", addr)
	default:
		return cli.ErrShowUsage
	}
	return nil
}
