package moh

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/asthash"
	"github.com/gostrisk/gostrisk/pkg/cli"
)

// RegisterCLI adds res_musiconhold's commands. reload reloads the module
// as `module reload res_musiconhold.so` does (the daemon re-reads the
// configuration and calls SetConfig).
func (m *Module) RegisterCLI(reg *cli.Registry, reload func() error) error {
	err := reg.Register(
		&cli.Command{
			Words:   []string{"moh", "reload"},
			Summary: "Reload MusicOnHold",
			Usage: "Usage: moh reload\n" +
				"       Reloads the MusicOnHold module.\n" +
				"       Alias for 'module reload res_musiconhold.so'\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 2 {
					return cli.ErrShowUsage
				}
				if err := reload(); err != nil {
					a.Printf("%v\n", err)
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"moh", "show", "classes"},
			Summary: "List MusicOnHold classes",
			Usage: "Usage: moh show classes\n" +
				"       Lists all MusicOnHold classes.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				a.Printf("%s", ShowClasses(m.Config()))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"moh", "show", "files"},
			Summary: "List MusicOnHold file-based classes",
			Usage: "Usage: moh show files\n" +
				"       Lists all loaded file-based MusicOnHold classes and their\n" +
				"       files.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				a.Printf("%s", ShowFiles(m.Config()))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"moh", "unregister", "class"},
			Summary: "Unregister realtime MusicOnHold class",
			Usage: "Usage: moh unregister class <class>\n" +
				"       Unregisters a realtime moh class.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				// gostrisk has no realtime classes.
				a.Printf("No such realtime moh class '%s'\n", a.Argv[3])
				return nil
			},
		},
	)
	if err != nil {
		return fmt.Errorf("res_musiconhold: %w", err)
	}
	return nil
}

// ShowClasses is `moh show classes`, in the order Asterisk's class
// container iterates.
func ShowClasses(cfg *Config) string {
	var b strings.Builder
	for _, c := range containerOrder(cfg) {
		fmt.Fprintf(&b, "Class: %s\n", c.Name)
		fmt.Fprintf(&b, "\tMode: %s\n", orNone(c.Mode))
		fmt.Fprintf(&b, "\tDirectory: %s\n", orNone(c.Dir))
		if c.Announcement != "" {
			fmt.Fprintf(&b, "\tAnnouncement: %s\n", c.Announcement)
		}
		if !strings.EqualFold(c.Mode, "files") {
			fmt.Fprintf(&b, "\tFormat: %s\n", c.Format)
		}
	}
	return b.String()
}

// ShowFiles is `moh show files`.
func ShowFiles(cfg *Config) string {
	var b strings.Builder
	for _, c := range containerOrder(cfg) {
		if len(c.Files) == 0 {
			continue
		}
		fmt.Fprintf(&b, "Class: %s\n", c.Name)
		for _, f := range c.Files {
			fmt.Fprintf(&b, "\tFile: %s\n", f)
		}
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// mohBuckets is the size of res_musiconhold's class hash table.
const mohBuckets = 53

// caseHash is Asterisk's ast_str_case_hash.
func caseHash(s string) int32 { return int32(asthash.CaseHash(s)) }

// containerOrder lists classes as an iteration of Asterisk's hash
// container does: bucket by bucket, each in insertion order.
func containerOrder(cfg *Config) []*Class {
	if cfg == nil {
		return nil
	}
	out := append([]*Class(nil), cfg.Classes...)
	sort.SliceStable(out, func(i, j int) bool {
		return caseHash(out[i].Name)%mohBuckets < caseHash(out[j].Name)%mohBuckets
	})
	return out
}
