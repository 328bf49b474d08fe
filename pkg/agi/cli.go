package agi

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// RegisterCLI adds "agi set debug" and "agi show commands".
func (m *Module) RegisterCLI(reg *cli.Registry) error {
	err := reg.Register(
		&cli.Command{
			Words:   []string{"agi", "set", "debug", "[on|off]"},
			Summary: "Enable/Disable AGI debugging",
			Usage:   "Usage: agi set debug [on|off]\n       Enables/disables dumping of AGI transactions for\n       debugging purposes.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				switch strings.ToLower(a.Argv[3]) {
				case "on":
					m.debug.Store(true)
					a.Printf("AGI Debugging Enabled\n")
				case "off":
					m.debug.Store(false)
					a.Printf("AGI Debugging Disabled\n")
				default:
					return cli.ErrShowUsage
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"agi", "show", "commands", "[topic]"},
			Summary: "List AGI commands or specific help",
			Usage:   "Usage: agi show commands [topic] <topic>\n       When called with a topic as an argument, displays usage\n       information on the given command.  If called without a\n       topic, it provides a list of AGI commands.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) < 3 {
					return cli.ErrShowUsage
				}
				if len(a.Argv) > 4 || (len(a.Argv) == 4 && !strings.EqualFold(a.Argv[3], "topic")) {
					words := a.Argv[3:]
					if strings.EqualFold(words[0], "topic") {
						words = words[1:]
					}
					c := m.find(words)
					if c == nil || len(c.Words) != len(words) {
						a.Printf("No such command '%s'.\n", strings.Join(words, " "))
						return nil
					}
					a.Printf("%s", topic(c, strings.Join(words, " ")))
					return nil
				}
				a.Printf("%s", m.ShowCommands())
				return nil
			},
		},
	)
	if err != nil {
		return fmt.Errorf("res_agi: %w", err)
	}
	return nil
}

// ShowCommands is "agi show commands".
func (m *Module) ShowCommands() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%5.5s %30.30s   %s\n", "Dead", "Command", "Description")
	for _, c := range m.cmds {
		dead := "No"
		if c.Dead {
			dead = "Yes"
		}
		fmt.Fprintf(&b, "%5.5s %30.30s   %s\n", dead, c.FullName(), c.Summary)
	}
	return b.String()
}

// topic is "agi show commands topic <command>": res_agi's sections.
func topic(c *Command, name string) string {
	dead := "No"
	if c.Dead {
		dead = "Yes"
	}
	syntax, desc, _ := strings.Cut(strings.TrimSpace(c.Usage), "\n")
	syntax = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(syntax), "Usage:"))
	desc = strings.TrimSpace(desc)
	if desc == "" {
		desc = "Not available"
	}
	return fmt.Sprintf("\n  -= Info about agi '%s' =- \n\n[Syntax]\n%s\n\n[Description]\n%s\n\n[Synopsis]\n%s\n\n[Runs Dead]\n%s\n\n[See Also]\nNot available\n\n",
		name, syntax, desc, c.Summary, dead)
}
