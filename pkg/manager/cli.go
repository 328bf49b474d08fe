package manager

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// RegisterCLI adds the "manager ..." commands. reload reloads the module
// (module reload manager).
func (m *Module) RegisterCLI(reg *cli.Registry, reload func() error) error {
	err := reg.Register(
		&cli.Command{
			Words:   []string{"manager", "reload"},
			Summary: "Reload manager configurations",
			Usage:   "Usage: manager reload\n       Reloads the manager configuration.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) > 2 {
					return cli.ErrShowUsage
				}
				if err := reload(); err != nil {
					a.Printf("%v\n", err)
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"manager", "show", "commands"},
			Summary: "List manager interface commands",
			Usage:   "Usage: manager show commands\n\tPrints a listing of all the available Asterisk manager interface commands.\n",
			Handler: func(a *cli.Args) error {
				a.Printf("%s", m.ShowCommands())
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"manager", "show", "connected"},
			Summary: "List connected manager interface users",
			Usage:   "Usage: manager show connected\n\tPrints a listing of the users that are currently connected to the\nAsterisk manager interface.\n",
			Handler: func(a *cli.Args) error {
				a.Printf("%s", m.ShowConnected(time.Now()))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"manager", "show", "settings"},
			Summary: "Show manager global settings",
			Usage:   "Usage: manager show settings\n       Provides detailed list of the configuration of the Manager.\n",
			Handler: func(a *cli.Args) error {
				a.Printf("%s", ShowSettings(m.Config()))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"manager", "show", "users"},
			Summary: "List configured manager users",
			Usage:   "Usage: manager show users\n       Prints a listing of all managers that are currently configured on that\n system.\n",
			Handler: func(a *cli.Args) error {
				a.Printf("%s", ShowUsers(m.Config()))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"manager", "show", "user"},
			Summary: "Display information on a specific manager user",
			Usage:   "Usage: manager show user <user>\n       Display all information related to the manager user specified.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				a.Printf("%s", ShowUser(m.Config(), a.Argv[3]))
				return nil
			},
			Complete: func(a *cli.Args, pos int, word string) []string {
				if pos != 3 {
					return nil
				}
				var out []string
				for _, u := range m.Config().Users {
					if strings.HasPrefix(strings.ToLower(u.Name), strings.ToLower(word)) {
						out = append(out, u.Name)
					}
				}
				return out
			},
		},
	)
	if err != nil {
		return fmt.Errorf("manager: %w", err)
	}
	return nil
}

// ShowSettings is "manager show settings".
func ShowSettings(c *Config) string {
	var b strings.Builder
	f := func(label, value string) { fmt.Fprintf(&b, "  %-25.25s  %-15.55s\n", label, value) }
	b.WriteString("\nGlobal Settings:\n----------------\n")
	f("Manager (AMI):", yesNo(c.Enabled))
	f("Web Manager (AMI/HTTP):", yesNo(false))
	bind := "Disabled"
	if c.Enabled {
		bind = net.JoinHostPort(c.BindAddr, strconv.Itoa(c.Port))
	}
	f("TCP Bindaddress:", bind)
	fmt.Fprintf(&b, "  %-25.25s  %-15d\n", "HTTP Timeout (seconds):", c.HTTPTimeout)
	f("TLS Enable:", yesNo(false))
	f("TLS Bindaddress:", "Disabled")
	f("TLS Certfile:", "asterisk.pem")
	f("TLS Privatekey:", "")
	f("TLS Cipher:", "")
	f("Allow multiple login:", yesNo(c.AllowMultiLogin))
	f("Display connects:", yesNo(c.DisplayConnects))
	f("Timestamp events:", yesNo(c.TimestampEvents))
	fmt.Fprintf(&b, "  %-25.25s  %s\n", "Channel vars:", strings.Join(c.ChannelVars, ","))
	fmt.Fprintf(&b, "  %-25.25s  %s\n", "Disabled events:", "")
	f("Debug:", yesNo(c.Debug))
	return b.String()
}

// ShowUsers is "manager show users".
func ShowUsers(c *Config) string {
	if len(c.Users) == 0 {
		return "There are no manager users.\n"
	}
	var b strings.Builder
	b.WriteString("\nusername\n--------\n")
	for _, u := range c.Users {
		b.WriteString(u.Name + "\n")
	}
	fmt.Fprintf(&b, "-------------------\n%d manager users configured.\n", len(c.Users))
	return b.String()
}

// ShowUser is "manager show user <name>".
func ShowUser(c *Config, name string) string {
	u := c.User(name)
	if u == nil {
		return fmt.Sprintf("There is no manager called %s\n", name)
	}
	var b strings.Builder
	secret := "(N/A)"
	if u.Secret != "" {
		secret = "<Set>"
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "          username: %s\n", u.Name)
	fmt.Fprintf(&b, "            secret: %s\n", secret)
	fmt.Fprintf(&b, "               ACL: %s\n", strings.ToLower(yesNo(len(u.ACL) > 0)))
	fmt.Fprintf(&b, "         read perm: %s\n", u.Read.UserString())
	fmt.Fprintf(&b, "        write perm: %s\n", u.Write.UserString())
	fmt.Fprintf(&b, "   displayconnects: %s\n", strings.ToLower(yesNo(u.DisplayConnects)))
	fmt.Fprintf(&b, "allowmultiplelogin: %s\n", strings.ToLower(yesNo(u.AllowMultiLogin)))
	b.WriteString("         Variables: \n")
	for _, v := range u.SetVars {
		name, val, _ := strings.Cut(v, "=")
		fmt.Fprintf(&b, "                 %s = %s\n", name, val)
	}
	return b.String()
}

// ShowConnected is "manager show connected": every session, logged in or
// not (FileDes is a session number: Go has no descriptor to show).
func (m *Module) ShowConnected(now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-15.15s  %-55.55s  %-10.10s  %-10.10s  %-8.8s  %-8.8s  %-10.10s  %-10.10s\n",
		"Username", "IP Address", "Start", "Elapsed", "FileDes", "HttpCnt", "ReadPerms", "WritePerms")
	n := 0
	for _, s := range m.sessionList() {
		s.mu.Lock()
		read, write := s.readPerm, s.writePerm
		s.mu.Unlock()
		n++
		fmt.Fprintf(&b, "  %-15.15s  %-55.55s  %-10d  %-10d  %-8d  %-8d  %-10.10d  %-10.10d\n",
			s.username(), s.host(), s.start.Unix(), int(now.Sub(s.start)/time.Second), s.id, 0, uint32(read), uint32(write))
	}
	fmt.Fprintf(&b, "%d users connected.\n", n)
	return b.String()
}

// showTerminalWidth is the width "manager show commands" fits in.
const showTerminalWidth = 80

// ShowCommands is "manager show commands".
func (m *Module) ShowCommands() string {
	acts := m.Actions()
	w := 1
	for _, a := range acts {
		w = max(w, len(a.Name))
	}
	rest := max(showTerminalWidth-w-4, 0)
	var b strings.Builder
	line := func(a, s string) {
		if len(s) > rest {
			s = s[:rest]
		}
		fmt.Fprintf(&b, "  %-*.*s  %s\n", w, w, a, s)
	}
	line("Action", "Synopsis")
	line("------", "--------")
	for _, a := range acts {
		line(a.Name, a.Synopsis)
	}
	return b.String()
}
