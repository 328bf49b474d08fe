package chansip

import (
	"github.com/gostrisk/gostrisk/pkg/cli"
)

// Connections lists the open TCP and TLS connections.
func (d *Driver) Connections() []ConnInfo {
	d.mu.Lock()
	tp := d.tp
	d.mu.Unlock()
	if tp == nil {
		return nil
	}
	return tp.conns.list()
}

// ShowTCPCommand is "sip show tcp". chan_sip registers it between "sip
// show settings" and "sip show users", and help lists commands in
// registration order, so it belongs there in registerCLI.
func (d *Driver) ShowTCPCommand() *cli.Command {
	return &cli.Command{
		Words:   []string{"sip", "show", "tcp"},
		Summary: "List TCP Connections",
		Usage:   "Usage: sip show tcp\n       Lists all active TCP/TLS sessions.\n",
		Handler: func(a *cli.Args) error {
			if len(a.Argv) != 3 {
				return cli.ErrShowUsage
			}
			a.Printf("%-47.47s %9.9s %6.6s\n", "Address", "Transport", "Type")
			for _, c := range d.Connections() {
				typ := "Server"
				if c.Client {
					typ = "Client"
				}
				a.Printf("%-47.47s %-9.9s %-6.6s\n", hostPort(c.Remote), c.Transport, typ)
			}
			return nil
		},
	}
}
