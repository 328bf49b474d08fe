package chansip

import (
	"net/netip"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipshow"
	"github.com/gostrisk/gostrisk/pkg/cli"
)

// registerCLI adds the "sip ..." commands with chan_sip's words, usage
// texts and outputs. They are registered in chan_sip's own order: the CLI
// lists commands that tie on their leading words in registration order, so
// "core show help sip" prints them as Asterisk does.
func (d *Driver) registerCLI(reg *cli.Registry) error {
	show := map[string]*cli.Command{}
	for _, c := range sipshow.Commands(d.View) {
		show[c.Words[2]] = c
	}
	withWords := func(c *cli.Command, words ...string) *cli.Command {
		c.Words = words
		return c
	}
	more := d.moreCommands()
	cmds := []*cli.Command{
		more["notify"],
		more["prune"],
		{
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
		{
			Words:   []string{"sip", "reload"},
			Summary: "Reload SIP configuration",
			Usage:   "Usage: sip reload\n       Reloads SIP configuration from sip.conf\n",
			Handler: d.cliReload,
		},
		{
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
		more["history"],
		{
			Words:   []string{"sip", "show", "{channels|subscriptions}"},
			Summary: "List active SIP channels or subscriptions",
			Usage:   "Usage: sip show channels\n       Lists all currently active SIP calls (dialogs).\nUsage: sip show subscriptions\n       Lists active SIP subscriptions.\n",
			Handler: d.cliShowChannels,
		},
		more["show channelstats"],
		{
			Words:   []string{"sip", "show", "channel"},
			Summary: "Show detailed SIP channel info",
			Usage:   "Usage: sip show channel <call-id>\n       Provides detailed status on a given SIP dialog (identified by SIP call-id).\n",
			Handler: d.cliShowChannel,
			Complete: func(a *cli.Args, pos int, w string) []string {
				m := d.callManager()
				if m == nil || pos != 3 {
					return nil
				}
				var ids []string
				for _, c := range m.Channels() {
					ids = append(ids, c.CallID)
				}
				return prefixMatch(w, ids)
			},
		},
		more["show domains"],
		more["show history"],
		withWords(show["inuse"], "sip", "show", "inuse", "[all]"),
		more["show mwi"],
		more["show objects"],
		withWords(show["peers"], "sip", "show", "peers", "[like]"),
		show["peer"],
		show["registry"],
		more["show sched"],
		show["settings"],
		more["show tcp"],
		withWords(show["users"], "sip", "show", "users", "[like]"),
		show["user"],
		{
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
	}
	return reg.Register(cmds...)
}

// cliShowChannels lists SIP dialogs ("channels") or subscriptions
// (subscribe.go).
func (d *Driver) cliShowChannels(a *cli.Args) error {
	if len(a.Argv) != 3 {
		return cli.ErrShowUsage
	}
	if strings.EqualFold(a.Argv[2], "subscriptions") {
		d.writeSubscriptions(a.Printf)
		return nil
	}
	var chans []call.ChannelInfo
	if m := d.callManager(); m != nil {
		chans = m.Channels()
	}
	call.WriteChannels(a.Out, chans)
	return nil
}

func (d *Driver) cliShowChannel(a *cli.Args) error {
	if len(a.Argv) != 4 {
		return cli.ErrShowUsage
	}
	var chans []call.ChannelInfo
	if m := d.callManager(); m != nil {
		chans = m.Channels()
	}
	call.WriteChannel(a.Out, chans, a.Argv[3])
	return nil
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
