package devstate

import (
	"fmt"
	"io"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/funcs"
)

// ListPresence is func_presencestate.c's "presencestate list".
func (s *Service) ListPresence(w io.Writer) {
	listHeader(w, "Custom Presence States")
	var entries []string
	var values []string
	if s.db != nil {
		for _, en := range s.db.Entries(funcs.CustomPresenceFamily, "") {
			entries = append(entries, en.Key)
			values = append(values, en.Value)
		}
	}
	if len(entries) == 0 {
		fmt.Fprintf(w, "No custom presence states defined\n")
		return
	}
	for i, k := range entries {
		p, err := funcs.ParsePresence(values[i])
		if err != nil {
			continue // Asterisk logs "Invalid CustomPresence entry" and skips it
		}
		name := k[strings.LastIndexByte(k, '/')+1:]
		if name == "" {
			continue
		}
		enc := "No"
		if p.Encoded {
			enc = "Yes"
		}
		fmt.Fprintf(w, "--- Name: 'CustomPresence:%s'\n    --- State: '%s'\n    --- Subtype: '%s'\n    --- Message: '%s'\n    --- Base64 Encoded: '%s'\n---\n",
			name, p.State, p.Subtype, p.Message, enc)
	}
	listFooter(w)
}

// RegisterPresenceCLI adds func_presencestate.c's "presencestate list"
// and "presencestate change".
func (s *Service) RegisterPresenceCLI(reg *cli.Registry) error {
	err := reg.Register(
		&cli.Command{
			Words:   []string{"presencestate", "list"},
			Summary: "List currently know custom presence states",
			Usage: "Usage: presencestate list\n" +
				"       List all custom presence states that have been set by using\n" +
				"       the PRESENCE_STATE dialplan function.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 2 {
					return cli.ErrShowUsage
				}
				s.ListPresence(a.Out)
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"presencestate", "change"},
			Summary: "Change a custom presence state",
			Usage: "Usage: presencestate change <entity> <state>[,<subtype>[,message[,options]]]\n" +
				"       Change a custom presence to a new state.\n" +
				"       The possible values for the state are:\n" +
				"NOT_SET | UNAVAILABLE | AVAILABLE | AWAY | XA | CHAT | DND\n" +
				"Optionally, a custom subtype and message may be provided, along with any options\n" +
				"accepted by func_presencestate. If the subtype or message provided contain spaces,\n" +
				"be sure to enclose the data in quotation marks (\"\")\n" +
				"\n" +
				"Examples:\n" +
				"       presencestate change CustomPresence:mystate1 AWAY\n" +
				"       presencestate change CustomPresence:mystate1 AVAILABLE\n" +
				"       presencestate change CustomPresence:mystate1 \"Away,upstairs,eating lunch\"\n" +
				"       \n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				name, ok := cutPrefixFold(a.Argv[2], "CustomPresence:")
				if !ok {
					a.Printf("The presencestate command can only be used to set 'CustomPresence:' presence state!\n")
					return nil
				}
				if name == "" {
					return cli.ErrShowUsage
				}
				p, err := funcs.ParsePresence(a.Argv[3])
				if err != nil || p.State == "not_set" {
					return cli.ErrShowUsage
				}
				// Asterisk prints the value after its parser cut it at
				// the first comma: the state as typed.
				first, _, _ := strings.Cut(a.Argv[3], ",")
				a.Printf("Changing %s to %s\n", name, first)
				if s.db != nil {
					if err := s.db.Put(funcs.CustomPresenceFamily, name, a.Argv[3]); err != nil {
						a.Printf("%v\n", err)
						return nil
					}
				}
				funcs.PublishPresence(s.eng, a.Argv[2], p)
				return nil
			},
		},
	)
	if err != nil {
		return fmt.Errorf("func_presencestate CLI: %w", err)
	}
	return nil
}
