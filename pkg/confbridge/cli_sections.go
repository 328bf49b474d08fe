package confbridge

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// sectionKind is one kind of confbridge.conf section the CLI lists and
// shows (bridge profiles, user profiles, menus). The three pairs of
// commands differ only in these fields, so one pair of builders serves.
type sectionKind[T any] struct {
	heading string // list heading: "Bridge Profiles"
	noun    string // in "No <noun> named '%s' found!"
	all     func() map[string]T
	name    func(T) string
	show    func(T) string
}

// listCommand prints the sorted names under the kind's heading.
func (k sectionKind[T]) listCommand(words []string, summary, usage string) *cli.Command {
	return &cli.Command{
		Words:   words,
		Summary: summary,
		Usage:   usage,
		Handler: func(a *cli.Args) error {
			a.Printf("--------- %s -----------\n", k.heading)
			for _, n := range sortedNames(k.all(), k.name) {
				a.Printf("%s\n", n)
			}
			return nil
		},
	}
}

// showCommand prints one section, named by the word after words.
func (k sectionKind[T]) showCommand(words []string, summary, usage string) *cli.Command {
	pos := len(words)
	return &cli.Command{
		Words:   words,
		Summary: summary,
		Usage:   usage,
		Handler: func(a *cli.Args) error {
			if len(a.Argv) != pos+1 {
				return cli.ErrShowUsage
			}
			v, ok := k.all()[strings.ToLower(a.Argv[pos])]
			if !ok {
				a.Printf("No %s named '%s' found!\n", k.noun, a.Argv[pos])
				return nil
			}
			a.Printf("%s", k.show(v))
			return nil
		},
		Complete: func(_ *cli.Args, p int, word string) []string {
			if p != pos {
				return nil
			}
			return prefixed(sortedNames(k.all(), k.name), word)
		},
	}
}
