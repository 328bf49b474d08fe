package confbridge

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// RegisterCLI adds app_confbridge's commands with its layouts.
func (m *Module) RegisterCLI(reg *cli.Registry) error {
	confNames := func(word string) []string {
		var out []string
		for _, c := range m.Conferences() {
			if strings.HasPrefix(strings.ToLower(c.name), strings.ToLower(word)) {
				out = append(out, c.name)
			}
		}
		return out
	}
	participants := func(conf, word string) []string {
		var out []string
		for _, w := range []string{"all", "participants"} {
			if strings.HasPrefix(w, strings.ToLower(word)) {
				out = append(out, w)
			}
		}
		if c := m.Find(conf); c != nil {
			for _, u := range c.Users() {
				if strings.HasPrefix(strings.ToLower(u.ch.Name()), strings.ToLower(word)) {
					out = append(out, u.ch.Name())
				}
			}
		}
		return out
	}
	at := func(p int, f func(a *cli.Args, word string) []string) func(a *cli.Args, pos int, word string) []string {
		return func(a *cli.Args, pos int, word string) []string {
			if pos != p {
				return nil
			}
			return f(a, word)
		}
	}
	nameAt := func(p int) func(a *cli.Args, pos int, word string) []string {
		return at(p, func(_ *cli.Args, w string) []string { return confNames(w) })
	}
	nameOrParticipant := func(a *cli.Args, pos int, word string) []string {
		switch pos {
		case 2:
			return confNames(word)
		case 3:
			return participants(a.Argv[2], word)
		}
		return nil
	}
	bridgeKind := sectionKind[*BridgeProfile]{heading: "Bridge Profiles", noun: "conference bridge profile",
		all: func() map[string]*BridgeProfile { return m.Config().Bridges }, name: func(b *BridgeProfile) string { return b.Name }, show: ShowBridgeProfile}
	userKind := sectionKind[*UserProfile]{heading: "User Profiles", noun: "conference user profile",
		all: func() map[string]*UserProfile { return m.Config().Users }, name: func(u *UserProfile) string { return u.Name }, show: ShowUserProfile}
	menuKind := sectionKind[*Menu]{heading: "Menus", noun: "conference menu",
		all: func() map[string]*Menu { return m.Config().Menus }, name: func(mn *Menu) string { return mn.Name }, show: ShowMenu}
	mute := func(on bool) func(a *cli.Args) error {
		return func(a *cli.Args) error {
			if len(a.Argv) != 4 {
				return cli.ErrShowUsage
			}
			conf, who := a.Argv[2], a.Argv[3]
			c := m.Find(conf)
			if c == nil {
				a.Printf("No conference bridge named '%s' found!\n", conf)
				return nil
			}
			if !c.Mute(who, on) {
				if strings.EqualFold(who, "all") || strings.EqualFold(who, "participants") {
					a.Printf("No participants found in conference %s\n", conf)
				} else {
					a.Printf("No channel named '%s' found in conference %s\n", who, conf)
				}
				return nil
			}
			verb := "Unmuting"
			if on {
				verb = "Muting"
			}
			a.Printf("%s %s from confbridge %s\n", verb, who, conf)
			return nil
		}
	}
	lock := func(on bool) func(a *cli.Args) error {
		return func(a *cli.Args) error {
			if len(a.Argv) != 3 {
				return cli.ErrShowUsage
			}
			c := m.Find(a.Argv[2])
			if c == nil {
				a.Printf("Conference %s is not found\n", a.Argv[2])
				return nil
			}
			c.SetLocked(on)
			if on {
				a.Printf("Conference %s is locked.\n", a.Argv[2])
			} else {
				a.Printf("Conference %s is unlocked.\n", a.Argv[2])
			}
			return nil
		}
	}
	const muteUsage = "       (all to %s everyone, participants to %s non-admins)\n" +
		"       If the specified channel is a prefix,\n" +
		"       the action will be taken on the first\n" +
		"       matching channel.\n"
	return reg.Register(
		&cli.Command{
			Words:   []string{"confbridge", "list"},
			Summary: "List conference bridges and participants.",
			Usage: "Usage: confbridge list [<name>]\n" +
				"       Lists all currently active conference bridges or a specific conference bridge.\n" +
				"\n" +
				"       When a conference bridge name is provided, flags may be shown for users. Below\n" +
				"       are the flags and what they represent.\n" +
				"\n" +
				"       Flags:\n" +
				"         A - The user is an admin\n" +
				"         M - The user is a marked user\n" +
				"         W - The user must wait for a marked user to join\n" +
				"         E - The user will be kicked after the last marked user leaves the conference\n" +
				"         m - The user is muted\n" +
				"         w - The user is waiting for a marked user to join\n",
			Handler: func(a *cli.Args) error {
				switch len(a.Argv) {
				case 2:
					a.Printf("%s", m.ShowList())
				case 3:
					out, ok := m.ShowConference(a.Argv[2])
					if !ok {
						a.Printf("No conference bridge named '%s' found!\n", a.Argv[2])
						return nil
					}
					a.Printf("%s", out)
				default:
					return cli.ErrShowUsage
				}
				return nil
			},
			Complete: nameAt(2),
		},
		&cli.Command{
			Words:   []string{"confbridge", "kick"},
			Summary: "Kick participants out of conference bridges.",
			Usage: "Usage: confbridge kick <conference> <channel>\n" +
				"       Kicks a channel out of the conference bridge.\n" +
				"             (all to kick everyone, participants to kick non-admins).\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				conf, who := a.Argv[2], a.Argv[3]
				c := m.Find(conf)
				if c == nil {
					a.Printf("No conference bridge named '%s' found!\n", conf)
					return nil
				}
				if !c.Kick(who) {
					if strings.EqualFold(who, "all") || strings.EqualFold(who, "participants") {
						a.Printf("No participants found!\n")
					} else {
						a.Printf("No participant named '%s' found!\n", who)
					}
					return nil
				}
				a.Printf("Kicked '%s' out of conference '%s'\n", who, conf)
				return nil
			},
			Complete: nameOrParticipant,
		},
		&cli.Command{
			Words:    []string{"confbridge", "mute"},
			Summary:  "Mute participants.",
			Usage:    "Usage: confbridge mute <conference> <channel>\n       Mute a channel in a conference.\n       " + strings.Replace(strings.Replace(muteUsage[7:], "%s", "mute", 1), "%s", "mute", 1),
			Handler:  mute(true),
			Complete: nameOrParticipant,
		},
		&cli.Command{
			Words:    []string{"confbridge", "unmute"},
			Summary:  "Unmute participants.",
			Usage:    "Usage: confbridge unmute <conference> <channel>\n       Unmute a channel in a conference.\n       " + strings.Replace(strings.Replace(muteUsage[7:], "%s", "unmute", 1), "%s", "unmute", 1),
			Handler:  mute(false),
			Complete: nameOrParticipant,
		},
		&cli.Command{
			Words:   []string{"confbridge", "lock"},
			Summary: "Lock a conference.",
			Usage: "Usage: confbridge lock <conference>\n" +
				"       Lock a conference. While locked, no new non-admins\n" +
				"       may join the conference.\n",
			Handler:  lock(true),
			Complete: nameAt(2),
		},
		&cli.Command{
			Words:    []string{"confbridge", "unlock"},
			Summary:  "Unlock a conference.",
			Usage:    "Usage: confbridge unlock <conference>\n       Unlock a previously locked conference.\n",
			Handler:  lock(false),
			Complete: nameAt(2),
		},
		&cli.Command{
			Words:   []string{"confbridge", "record", "start"},
			Summary: "Start recording a conference",
			Usage: "Usage: confbridge record start <conference> <file>\n" +
				"       <file> is optional, Otherwise the bridge profile\n" +
				"       record file will be used.  If the bridge profile\n" +
				"       has no record file specified, a file will automatically\n" +
				"       be generated in the monitor directory\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) < 4 {
					return cli.ErrShowUsage
				}
				c := m.Find(a.Argv[3])
				if c == nil {
					a.Printf("Conference not found.\n")
					return nil
				}
				if c.Recording() {
					a.Printf("Conference is already being recorded.\n")
					return nil
				}
				file := ""
				if len(a.Argv) == 5 {
					file = a.Argv[4]
				}
				if err := c.startRecord(file); err != nil {
					a.Printf("Could not start recording due to internal error.\n")
					return nil
				}
				a.Printf("Recording started\n")
				return nil
			},
			Complete: nameAt(3),
		},
		&cli.Command{
			Words:   []string{"confbridge", "record", "stop"},
			Summary: "Stop recording a conference.",
			Usage:   "Usage: confbridge record stop <conference>\n       Stop a previously started recording.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				c := m.Find(a.Argv[3])
				if c == nil {
					a.Printf("Conference not found.\n")
					return nil
				}
				if c.stopRecord() {
					a.Printf("Recording stopped.\n")
				} else {
					a.Printf("Recording could not be stopped.\n")
				}
				return nil
			},
			Complete: nameAt(3),
		},
		bridgeKind.listCommand([]string{"confbridge", "show", "profile", "bridges"},
			"Show a list of conference bridge profiles.", "Usage: confbridge show profile bridges\n"),
		userKind.listCommand([]string{"confbridge", "show", "profile", "users"},
			"Show a list of conference user profiles.", "Usage: confbridge show profile users\n"),
		userKind.showCommand([]string{"confbridge", "show", "profile", "user"},
			"Show a conference user profile.", "Usage: confbridge show profile user [<profile name>]\n"),
		bridgeKind.showCommand([]string{"confbridge", "show", "profile", "bridge"},
			"Show a conference bridge profile.", "Usage: confbridge show profile bridge <profile name>\n"),
		menuKind.showCommand([]string{"confbridge", "show", "menu"},
			"Show a conference menu", "Usage: confbridge show menu [<menu name>]\n"),
		menuKind.listCommand([]string{"confbridge", "show", "menus"},
			"Show a list of conference menus", "Usage: confbridge show menus\n"),
	)
}

func sortedNames[T any](m map[string]T, name func(T) string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, name(v))
	}
	sort.Strings(out)
	return out
}

// ShowList is "confbridge list" without a name.
func (m *Module) ShowList() string {
	var b strings.Builder
	b.WriteString("Conference Bridge Name           Users  Marked Locked Muted\n")
	b.WriteString("================================ ====== ====== ====== =====\n")
	for _, c := range m.Conferences() {
		users, marked, locked, muted := c.Counts()
		b.WriteString(sprintf("%-32s %6d %6d %-6s %s\n", c.name, users, marked, cliYesNo(locked), cliYesNo(muted)))
	}
	return b.String()
}

// ShowConference is "confbridge list <name>".
func (m *Module) ShowConference(name string) (string, bool) {
	c := m.Find(name)
	if c == nil {
		return "", false
	}
	var b strings.Builder
	b.WriteString("Channel                        Flags  User Profile     Bridge Profile   Menu             CallerID\n")
	b.WriteString("============================== ====== ================ ================ ================ ================\n")
	c.mu.Lock()
	active := append([]*User(nil), c.active...)
	waiting := append([]*User(nil), c.waiting...)
	c.mu.Unlock()
	row := func(u *User, waiting bool) {
		flags := ""
		for _, f := range []struct {
			on bool
			c  string
		}{{u.up.Admin, "A"}, {u.up.Marked, "M"}, {u.up.WaitMarked, "W"}, {u.up.EndMarked, "E"}, {u.muted.Load(), "m"}, {waiting, "w"}} {
			if f.on {
				flags += f.c
			}
		}
		num := u.ch.CallerID().Num
		if num == "" {
			num = "<unknown>"
		}
		b.WriteString(sprintf("%-30s %-6s %-16s %-16s %-16s %s\n", u.ch.Name(), flags, u.up.Name, c.bp.Name, u.menuName, num))
	}
	for _, u := range active {
		row(u, false)
	}
	for _, u := range waiting {
		row(u, true)
	}
	return b.String(), true
}

// cliYesNo is AST_CLI_YESNO.
func cliYesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func prefixed(names []string, word string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n), strings.ToLower(word)) {
			out = append(out, n)
		}
	}
	return out
}
