package sipshow

import (
	"errors"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// Commands returns the "sip show" commands for a cli.Registry. snapshot is
// called once per command and returns the View to print (the current
// configuration and runtime state); it must not return nil.
func Commands(snapshot func() *View) []*cli.Command {
	mk := func(word, summary, usage string, complete func(*View, int, string) []string) *cli.Command {
		c := &cli.Command{
			Words:   []string{"sip", "show", word},
			Summary: summary,
			Usage:   usage,
			Handler: func(a *cli.Args) error {
				err := snapshot().Run(a.Out, a.Argv[2:])
				if errors.Is(err, ErrUsage) {
					return cli.ErrShowUsage
				}
				return err
			},
		}
		if complete != nil {
			c.Complete = func(a *cli.Args, pos int, w string) []string { return complete(snapshot(), pos, w) }
		}
		return c
	}
	return []*cli.Command{
		mk("inuse", "List all inuse/limits",
			"Usage: sip show inuse [all]\n       List all SIP devices usage counters and limits.\n       Add option \"all\" to show all devices, not only those with a limit.\n",
			func(_ *View, pos int, w string) []string { return prefixed(pos == 3, w, []string{"all"}) }),
		mk("peers", "List defined SIP peers",
			"Usage: sip show peers [like <pattern>]\n       Lists all known SIP peers.\n       Optional regular expression pattern is used to filter the peer list.\n",
			func(_ *View, pos int, w string) []string { return prefixed(pos == 3, w, []string{"like"}) }),
		mk("peer", "Show details on specific SIP peer",
			"Usage: sip show peer <name> [load]\n       Shows all details on one SIP peer and the current status.\n       Option \"load\" forces lookup of peer in realtime storage.\n",
			func(v *View, pos int, w string) []string { return completeNames(v, pos, w, true) }),
		mk("users", "List defined SIP users",
			"Usage: sip show users [like <pattern>]\n       Lists all known SIP users.\n       Optional regular expression pattern is used to filter the user list.\n",
			func(_ *View, pos int, w string) []string { return prefixed(pos == 3, w, []string{"like"}) }),
		mk("user", "Show details on specific SIP user",
			"Usage: sip show user <name> [load]\n       Shows all details on one SIP user and the current status.\n       Option \"load\" forces lookup of peer in realtime storage.\n",
			func(v *View, pos int, w string) []string { return completeNames(v, pos, w, false) }),
		mk("registry", "List SIP registration status",
			"Usage: sip show registry\n       Lists all registration requests and status.\n", nil),
		mk("settings", "Show SIP global settings",
			"Usage: sip show settings\n       Provides detailed list of the configuration of the SIP channel.\n", nil),
	}
}

func prefixed(ok bool, w string, words []string) []string {
	if !ok {
		return nil
	}
	var out []string
	for _, x := range words {
		if strings.HasPrefix(x, strings.ToLower(w)) {
			out = append(out, x)
		}
	}
	return out
}

// completeNames completes peer (or user) names at position 3, and "load"
// after them.
func completeNames(v *View, pos int, w string, peers bool) []string {
	switch pos {
	case 3:
		var out []string
		for _, p := range v.Config.Peers {
			if (peers && !p.IsPeer()) || (!peers && !p.IsUser()) {
				continue
			}
			if strings.HasPrefix(strings.ToLower(p.Name), strings.ToLower(w)) {
				out = append(out, p.Name)
			}
		}
		return out
	case 4:
		return prefixed(true, w, []string{"load"})
	}
	return nil
}
