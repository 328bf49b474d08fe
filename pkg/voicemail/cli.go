package voicemail

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// ShowUsers is "voicemail show users [for <context>]": Asterisk's
// columns, the NewMsg count being INBOX plus Urgent (inboxcount). ok is
// false for app_voicemail's CLI_FAILURE cases.
func (m *Module) ShowUsers(context string) (out string, ok bool) {
	cfg := m.Config()
	const row = "%-10s %-5s %-25s %-10s %6s\n"
	if len(cfg.Users) == 0 {
		return "There are no voicemail users currently defined\n", false
	}
	var b strings.Builder
	if context != "" {
		found := false
		for _, u := range cfg.Users {
			if u.Context == context {
				found = true
				break
			}
		}
		if !found {
			return fmt.Sprintf("No such voicemail context \"%s\"\n", context), false
		}
	}
	fmt.Fprintf(&b, row, "Context", "Mbox", "User", "Zone", "NewMsg")
	n := 0
	for _, u := range cfg.Users {
		if context != "" && u.Context != context {
			continue
		}
		c := m.counts(u)
		fmt.Fprintf(&b, row, u.Context, u.Mailbox, u.FullName, u.Zone, fmt.Sprint(c.New))
		n++
	}
	fmt.Fprintf(&b, "%d voicemail users configured.\n", n)
	return b.String(), true
}

// ShowZones is "voicemail show zones".
func ShowZones(cfg *Config) string {
	if len(cfg.Zones) == 0 {
		return "There are no voicemail zones currently defined\n"
	}
	const row = "%-15s %-20s %-45s\n"
	var b strings.Builder
	fmt.Fprintf(&b, row, "Zone", "Timezone", "Message Format")
	for _, z := range cfg.Zones {
		fmt.Fprintf(&b, row, z.Name, z.Timezone, z.MsgFormat)
	}
	return b.String()
}

// ShowAliases is "voicemail show aliases".
func ShowAliases(cfg *Config) string {
	if cfg.General.AliasesContext == "" {
		return "Aliases are not enabled\n"
	}
	const row = "%-32s %-32s\n"
	var b strings.Builder
	fmt.Fprintf(&b, "Aliases context: %s\n", cfg.General.AliasesContext)
	fmt.Fprintf(&b, row, "Alias", "Mailbox")
	for _, a := range cfg.Aliases() {
		fmt.Fprintf(&b, row, a[0], a[1])
	}
	return b.String()
}

// RegisterCLI adds app_voicemail's commands; reload reloads the module
// (the daemon's reload path, which reads voicemail.conf again).
func (m *Module) RegisterCLI(reg *cli.Registry, reload func() error) error {
	if err := reg.Register(
		&cli.Command{
			Words:   []string{"voicemail", "show", "users"},
			Summary: "List defined voicemail boxes",
			Usage:   "Usage: voicemail show users [for <context>]\n       Lists all mailboxes currently set up\n",
			Handler: func(a *cli.Args) error {
				n := len(a.Argv)
				if n < 3 || n > 5 || n == 4 {
					return cli.ErrShowUsage
				}
				ctx := ""
				if n == 5 {
					if a.Argv[3] != "for" {
						return cli.ErrShowUsage
					}
					ctx = a.Argv[4]
				}
				out, _ := m.ShowUsers(ctx)
				a.Printf("%s", out)
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"voicemail", "show", "zones"},
			Summary: "List zone message formats",
			Usage:   "Usage: voicemail show zones\n       Lists zone message formats\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				a.Printf("%s", ShowZones(m.Config()))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"voicemail", "show", "aliases"},
			Summary: "List mailbox aliases",
			Usage:   "Usage: voicemail show aliases\n       Lists mailbox aliases\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				a.Printf("%s", ShowAliases(m.Config()))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"voicemail", "reload"},
			Summary: "Reload voicemail configuration",
			Usage:   "Usage: voicemail reload\n       Reload voicemail configuration\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 2 {
					return cli.ErrShowUsage
				}
				a.Printf("Reloading voicemail configuration...\n")
				if err := reload(); err != nil {
					a.Printf("%v\n", err)
				}
				return nil
			},
		},
	); err != nil {
		return err
	}
	return reg.Register(m.messageCommands()...)
}
