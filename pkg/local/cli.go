package local

import "github.com/gostrisk/gostrisk/pkg/cli"

// RegisterCLI adds `local show channels`.
func RegisterCLI(reg *cli.Registry, t *Tech) error {
	return reg.Register(&cli.Command{
		Words:   []string{"local", "show", "channels"},
		Summary: "List status of local channels",
		Usage:   "Usage: local show channels\n       Provides summary information on active local proxy channels.\n",
		Handler: func(a *cli.Args) error {
			if len(a.Argv) != 3 {
				return cli.ErrShowUsage
			}
			pairs := t.Pairs()
			if len(pairs) == 0 {
				a.Printf("No local channels in use\n")
				return nil
			}
			for _, p := range pairs {
				a.Printf("%s -- %s\n", p.Owner, p.Name)
			}
			return nil
		},
	})
}
