package pbx

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// RegisterCLI adds the core channel, application, function and global
// variable commands.
func RegisterCLI(reg *cli.Registry, e *Engine) error {
	completeChannel := func(_ *cli.Args, _ int, word string) []string {
		var out []string
		for _, c := range e.Channels() {
			if strings.HasPrefix(strings.ToLower(c.Name()), strings.ToLower(word)) {
				out = append(out, c.Name())
			}
		}
		return out
	}
	return reg.Register(
		&cli.Command{
			Words:   []string{"core", "show", "applications"},
			Summary: "Shows registered dialplan applications",
			Usage: "Usage: core show applications [{like|describing} <text>]\n" +
				"       List applications which are currently available.\n" +
				"       If 'like', <text> will be a substring of the app name\n" +
				"       If 'describing', <text> will be a substring of the description\n",
			Handler: e.cliShowApplications,
		},
		&cli.Command{
			Words:   []string{"core", "show", "application"},
			Summary: "Describe a specific dialplan application",
			Usage: "Usage: core show application <application> [<application> [<application> [...]]]\n" +
				"       Describes a particular application.\n",
			Handler: e.cliShowApplication,
			Complete: func(_ *cli.Args, _ int, word string) []string {
				var out []string
				for _, a := range e.Apps() {
					if strings.HasPrefix(strings.ToLower(a.Name), strings.ToLower(word)) {
						out = append(out, a.Name)
					}
				}
				return out
			},
		},
		&cli.Command{
			Words:   []string{"core", "show", "functions"},
			Summary: "Shows registered dialplan functions",
			Usage: "Usage: core show functions [like <text>]\n" +
				"       List builtin functions, optionally only those matching a given string\n",
			Handler: e.cliShowFunctions,
		},
		&cli.Command{
			Words:   []string{"core", "show", "function"},
			Summary: "Describe a specific dialplan function",
			Usage: "Usage: core show function <function>\n" +
				"       Describe a particular dialplan function.\n",
			Handler: e.cliShowFunction,
			Complete: func(_ *cli.Args, _ int, word string) []string {
				// Case-insensitive for convenience, as Asterisk's completion.
				var out []string
				for _, f := range e.functionsByName() {
					if strings.HasPrefix(strings.ToLower(f.Name), strings.ToLower(word)) {
						out = append(out, f.Name)
					}
				}
				return out
			},
		},
		&cli.Command{
			// gostrisk's own: Asterisk has no such count. A separate command
			// keeps "core show applications" and "core show functions" byte
			// for byte Asterisk's, for the scripts that read them.
			Words:   []string{"core", "show", "missing"},
			Summary: "Shows applications and functions called but not available",
			Usage: "Usage: core show missing\n" +
				"       Lists the dialplan applications and functions that calls asked for\n" +
				"       since start-up but that this build does not provide (or modules.conf\n" +
				"       does not load), with how many times and the last place.\n",
			Handler: e.cliShowMissing,
		},
		&cli.Command{
			Words:   []string{"dialplan", "show", "globals"},
			Summary: "Show global dialplan variables",
			Usage: "Usage: dialplan show globals\n" +
				"       List current global dialplan variables and their values\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				gs := e.Globals()
				for _, g := range gs {
					a.Printf("   %s=%s\n", g.Name, g.Value)
				}
				a.Printf("\n    -- %d variable(s)\n", len(gs))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"dialplan", "set", "global"},
			Summary: "Set global dialplan variable",
			Usage: "Usage: dialplan set global <name> <value>\n" +
				"       Set global dialplan variable <name> to <value>\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 5 {
					return cli.ErrShowUsage
				}
				e.SetGlobalVar(a.Argv[3], a.Argv[4])
				a.Printf("\n    -- Global variable '%s' set to '%s'\n", a.Argv[3], a.Argv[4])
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"core", "show", "channels"},
			Summary: "Display information on channels",
			Usage: "Usage: core show channels [concise|verbose|count]\n" +
				"       Lists currently defined channels and some information about them. If\n" +
				"       'concise' is specified, the format is abridged and in a more easily\n" +
				"       machine parsable format. If 'verbose' is specified, the output includes\n" +
				"       more and longer fields. If 'count' is specified only the channel and call\n" +
				"       count is output.\n",
			Handler: e.cliShowChannels,
		},
		&cli.Command{
			Words:   []string{"core", "show", "calls"},
			Summary: "Display information on calls",
			Usage: "Usage: core show calls [uptime [seconds]]\n" +
				"       Lists number of currently active calls and total number of calls\n" +
				"       processed through PBX since last restart. If 'uptime' is specified\n" +
				"       the system uptime is also displayed. If 'seconds' is specified in\n" +
				"       addition to 'uptime', the system uptime is displayed in seconds.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) > 5 {
					return cli.ErrShowUsage
				}
				e.printCallCounts(a)
				return nil
			},
		},
		&cli.Command{
			Words:    []string{"core", "show", "channel"},
			Summary:  "Display information on a specific channel",
			Usage:    "Usage: core show channel <channel>\n       Shows lots of information about the specified channel.\n",
			Handler:  e.cliShowChannel,
			Complete: completeChannel,
		},
		&cli.Command{
			Words:   []string{"core", "show", "channeltypes"},
			Summary: "List available channel types",
			Usage:   "Usage: core show channeltypes\n       Lists available channel types registered in your Asterisk server.\n",
			Handler: e.cliShowChannelTypes,
		},
		&cli.Command{
			Words:   []string{"channel", "request", "hangup"},
			Summary: "Request a hangup on a given channel",
			Usage: "Usage: channel request hangup <channel>|<all>\n" +
				"       Request that a channel be hung up. The hangup takes effect\n" +
				"       the next time the driver reads or writes from the channel.\n" +
				"       If 'all' is specified instead of a channel name, all channels\n" +
				"       will see the hangup request.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				if strings.EqualFold(a.Argv[3], "all") {
					for _, c := range e.Channels() {
						a.Printf("Requested Hangup on channel '%s'\n", c.Name())
						c.SoftHangup(CauseNormalClearing)
					}
					return nil
				}
				c, ok := e.FindChannel(a.Argv[3])
				if !ok {
					a.Printf("%s is not a known channel\n", a.Argv[3])
					return nil
				}
				a.Printf("Requested Hangup on channel '%s'\n", c.Name())
				c.SoftHangup(CauseNormalClearing)
				return nil
			},
			Complete: completeChannel,
		},
	)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (e *Engine) printCallCounts(a *cli.Args) {
	n := e.ActiveCalls()
	a.Printf("%d active call%s\n", n, plural(n))
	p := e.CallsProcessed()
	a.Printf("%d call%s processed\n", p, plural(p))
}

func (e *Engine) cliShowApplications(a *cli.Args) error {
	apps := e.Apps()
	if len(apps) == 0 {
		a.Printf("There are no registered applications\n")
		return nil
	}
	// pbx_app.c's tests, kept as they are: "like" needs exactly one word
	// and "describing" at least one, both spelt in lower case; anything
	// else lists every application.
	argv := a.Argv
	like := len(argv) == 5 && argv[3] == "like"
	describing := !like && len(argv) > 4 && argv[3] == "describing"
	if like || describing {
		a.Printf("    -= Matching Asterisk Applications =-\n")
	} else {
		a.Printf("    -= Registered Asterisk Applications =-\n")
	}
	total, matched := 0, 0
	for _, app := range apps {
		total++
		show := true
		switch {
		case like:
			show = containsFold(app.Name, argv[4])
			if show {
				matched++
			}
		case describing:
			// Every word must be in the description; Asterisk counts a
			// match per word found, not per application, and so do we.
			show = app.Description != ""
			if show {
				for _, w := range argv[4:] {
					if containsFold(app.Description, w) {
						matched++
					} else {
						show = false
					}
				}
			}
		}
		if show {
			syn := "<Synopsis not available>"
			if app.Synopsis != "" {
				syn = docSynopsis(app.Name, app.Synopsis)
			}
			a.Printf("  %20s: %s\n", app.Name, syn)
		}
	}
	if like || describing {
		a.Printf("    -= %d Applications Matching =-\n", matched)
	} else {
		a.Printf("    -= %d Applications Registered =-\n", total)
	}
	return nil
}

// containsFold is strcasestr: s contains sub, ignoring case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// oneLineSynopsis are the few applications and functions whose synopsis
// Asterisk 18's XML documentation writes on the line of its tags; every
// other synopsis is written on lines of its own, and the documentation
// parser turns the line break before the closing tag into a space. That
// space is part of what "core show applications" and "core show
// functions" print.
var oneLineSynopsis = map[string]bool{"Stasis": true, "CALENDAR_WRITE": true, "LISTFILTER": true}

// docSynopsis is a synopsis as Asterisk's documentation hands it out.
func docSynopsis(name, synopsis string) string {
	if synopsis == "" || oneLineSynopsis[name] {
		return synopsis
	}
	return synopsis + " "
}

func orNA(s string) string {
	if s == "" {
		return "Not available"
	}
	return s
}

func (e *Engine) cliShowApplication(a *cli.Args) error {
	if len(a.Argv) < 4 {
		return cli.ErrShowUsage
	}
	found := false
	for _, app := range e.Apps() {
		for _, want := range a.Argv[3:] {
			if strings.EqualFold(app.Name, want) {
				found = true
				printDocs(a, "application", app.Name, docSynopsis(app.Name, app.Synopsis), app.Description, app.Syntax, app.Arguments, app.SeeAlso)
			}
		}
	}
	if !found {
		a.Printf("Your application(s) is (are) not registered\n")
	}
	return nil
}

// printDocs prints the documentation of an application or function as
// pbx_app.c and pbx_functions.c do (without terminal colours): the syntax
// as it is, the other fields wrapped at 79 columns by wrapDoc.
func printDocs(a *cli.Args, kind, name, synopsis, description, syntax, arguments, seeAlso string) {
	a.Printf("\n  -= Info about %s '%s' =- \n\n", kind, name)
	a.Printf("[Synopsis]\n%s\n\n", wrapDoc(orNA(synopsis)))
	a.Printf("[Description]\n%s\n\n", wrapDoc(orNA(description)))
	a.Printf("[Syntax]\n%s\n\n", orNA(syntax))
	a.Printf("[Arguments]\n%s\n\n", wrapDoc(orNA(arguments)))
	a.Printf("[See Also]\n%s\n", wrapDoc(orNA(seeAlso)))
}

// docColumns is the width Asterisk's documentation printer wraps at.
const docColumns = 79

// wrapDoc wraps text at docColumns as xmldoc.c's string wrapper does: a
// line too long breaks at its last blank when that is fewer than 30
// characters back (the blank is dropped), otherwise right there (the
// character at the break is dropped, as Asterisk's is), and continuation
// lines take the blanks that began the line (a tab counting to the next
// multiple of 8).
func wrapDoc(text string) string {
	var b strings.Builder
	indent := func(from int) (string, int) {
		j := from
		for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
			j++
		}
		n := 0
		for _, c := range text[from:j] {
			if c == '\t' {
				n += 8 - n%8
			} else {
				n++
			}
		}
		return text[from:j], n
	}
	postbr, postbrLen := indent(0)
	count, lastBreak := 0, 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			postbr, postbrLen = indent(i + 1)
			count, lastBreak = 0, 0
		case ' ':
			lastBreak = i
			count++
		default:
			count++
		}
		if count <= docColumns {
			b.WriteByte(text[i])
			continue
		}
		if back := i - lastBreak; lastBreak != 0 && back > 0 && back < 30 {
			out := b.String()
			b.Reset()
			b.WriteString(out[:len(out)-back])
			i = lastBreak
		}
		b.WriteString("\n" + postbr)
		count, lastBreak = postbrLen, 0
	}
	return b.String()
}

func (e *Engine) cliShowFunctions(a *cli.Args) error {
	like := false
	switch {
	case len(a.Argv) == 5 && a.Argv[3] == "like":
		like = true
	case len(a.Argv) != 3:
		return cli.ErrShowUsage
	}
	if like {
		a.Printf("Matching Custom Functions:\n")
	} else {
		a.Printf("Installed Custom Functions:\n")
	}
	a.Printf("%s\n", strings.Repeat("-", 80))
	n := 0
	for _, f := range e.functionsByName() {
		// strstr: the match is case-sensitive, as function names are.
		if like && !strings.Contains(f.Name, a.Argv[4]) {
			continue
		}
		n++
		a.Printf("%-20.20s  %-35.35s  %s\n", f.Name, f.Syntax, docSynopsis(f.Name, f.Synopsis))
	}
	if like {
		a.Printf("%d matching custom functions installed.\n", n)
	} else {
		a.Printf("%d custom functions installed.\n", n)
	}
	return nil
}

// functionsByName returns the functions in Asterisk's list order: byte
// order of the names (strcmp), so upper case sorts before lower case.
func (e *Engine) functionsByName() []*Function {
	fs := e.Functions()
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	return fs
}

func (e *Engine) cliShowFunction(a *cli.Args) error {
	if len(a.Argv) != 4 {
		return cli.ErrShowUsage
	}
	// Asterisk finds functions by their exact name (strcmp).
	var f *Function
	for _, c := range e.Functions() {
		if c.Name == a.Argv[3] {
			f = c
			break
		}
	}
	if f == nil {
		a.Printf("No function by that name registered.\n")
		return nil
	}
	printDocs(a, "function", f.Name, docSynopsis(f.Name, f.Synopsis), f.Description, f.Syntax, f.Arguments, f.SeeAlso)
	return nil
}

func (e *Engine) cliShowMissing(a *cli.Args) error {
	if len(a.Argv) != 3 {
		return cli.ErrShowUsage
	}
	const format = "%-25.25s %-9.9s %10s  %s\n"
	a.Printf(format, "Name", "Kind", "Calls", "Last called from")
	n := 0
	for _, kind := range []struct {
		name string
		uses []MissingUse
	}{{"app", e.MissingApps()}, {"function", e.MissingFunctions()}} {
		for _, u := range kind.uses {
			n++
			a.Printf(format, u.Name, kind.name, fmt.Sprint(u.Count), u.Last)
		}
	}
	a.Printf("%d missing application%s and function%s called since start-up\n", n, plural(n), plural(n))
	return nil
}

func (e *Engine) cliShowChannelTypes(a *cli.Args) error {
	if len(a.Argv) != 3 {
		return cli.ErrShowUsage
	}
	const format = "%-15.15s  %-40.40s %-13.13s %-13.13s %-13.13s %-13.13s\n"
	a.Printf(format, "Type", "Description", "Devicestate", "Presencestate", "Indications", "Transfer")
	a.Printf(format, "-------------", "-------------", "-------------", "-------------", "-------------", "-------------")
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	techs := e.Technologies()
	for _, t := range techs {
		var f TechFeatures
		if ff, ok := t.(interface{ Features() TechFeatures }); ok {
			f = ff.Features()
		}
		a.Printf(format, t.Type(), t.Description(), yn(f.DeviceState), yn(f.PresenceState), yn(f.Indications), yn(f.Transfer))
	}
	a.Printf("----------\n%d channel drivers registered.\n", len(techs))
	return nil
}

func durationHMS(d time.Duration) string {
	s := int(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

func (e *Engine) cliShowChannels(a *cli.Args) error {
	mode := ""
	switch len(a.Argv) {
	case 3:
	case 4:
		mode = strings.ToLower(a.Argv[3])
		if mode != "concise" && mode != "verbose" && mode != "count" {
			return cli.ErrShowUsage
		}
	default:
		return cli.ErrShowUsage
	}
	const (
		format        = "%-64.64s %-32.32s %-7.7s %-30.30s\n"
		verboseHeader = "%-80.80s %-24.24s %-24.24s %-4.4s %-7.7s %-12.12s %-25.25s %-15.15s %8.8s %-11.11s %-11.11s %-20.20s\n"
		verboseRow    = "%-80.80s %-24.24s %-24.24s %4d %-7.7s %-12.12s %-25.25s %-15.15s %8.8s %-11.11s %-11.11s %-20.20s\n"
	)
	switch mode {
	case "":
		a.Printf(format, "Channel", "Location", "State", "Application(Data)")
	case "verbose":
		a.Printf(verboseHeader, "Channel", "Context", "Extension", "Prio", "State", "Application", "Data", "CallerID", "Duration", "Accountcode", "PeerAccount", "BridgeID")
	}
	chans := e.Channels()
	now := time.Now()
	for _, c := range chans {
		if mode == "count" {
			break
		}
		dpc, exten, prio := c.Location()
		app, data := c.Application()
		state := c.State().String()
		peerAcct := ""
		if p := c.Peer(); p != nil {
			peerAcct = p.AccountCode()
		}
		switch mode {
		case "":
			loc := "(None)"
			if dpc != "" && exten != "" {
				loc = fmt.Sprintf("%s@%s:%d", exten, dpc, prio)
			}
			ad := "(None)"
			if app != "" {
				ad = fmt.Sprintf("%s(%s)", app, data)
			}
			a.Printf(format, c.Name(), loc, state, ad)
		case "concise":
			a.Printf("%s!%s!%s!%d!%s!%s!%s!%s!%s!%s!%d!%d!%s!%s\n", c.Name(), dpc, exten, prio, state,
				orNone(app), data, c.CallerID().Num, c.AccountCode(), peerAcct, 3,
				int(now.Sub(c.Created())/time.Second), c.BridgeID(), c.UniqueID())
		case "verbose":
			a.Printf(verboseRow, c.Name(), dpc, exten, prio, state, orNone(app), orEmpty(data),
				c.CallerID().Num, durationHMS(now.Sub(c.Created())), c.AccountCode(), peerAcct, c.BridgeID())
		}
	}
	if mode == "concise" {
		return nil
	}
	n := len(chans)
	a.Printf("%d active channel%s\n", n, plural(n))
	e.printCallCounts(a)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(None)"
	}
	return s
}

func orEmpty(s string) string {
	if s == "" {
		return "(Empty)"
	}
	return s
}

func orNotAvail(s string) string {
	if s == "" {
		return "(N/A)"
	}
	return s
}

func (e *Engine) cliShowChannel(a *cli.Args) error {
	if len(a.Argv) != 4 {
		return cli.ErrShowUsage
	}
	c, ok := e.FindChannel(a.Argv[3])
	if !ok {
		a.Printf("%s is not a known channel\n", a.Argv[3])
		return nil
	}
	dpc, exten, prio := c.Location()
	app, data := c.Application()
	id, conn := c.CallerID(), c.Connected()
	el := time.Since(c.Created())
	s := int(el / time.Second)
	a.Printf(" -- General --\n")
	a.Printf("           Name: %s\n", c.Name())
	a.Printf("           Type: %s\n", c.Tech())
	a.Printf("       UniqueID: %s\n", c.UniqueID())
	a.Printf("       LinkedID: %s\n", c.LinkedID())
	a.Printf("      Caller ID: %s\n", orNotAvail(id.Num))
	a.Printf(" Caller ID Name: %s\n", orNotAvail(id.Name))
	a.Printf("Connected Line ID: %s\n", orNotAvail(conn.Num))
	a.Printf("Connected Line ID Name: %s\n", orNotAvail(conn.Name))
	a.Printf("Eff. Connected Line ID: %s\n", orNotAvail(conn.Num))
	a.Printf("Eff. Connected Line ID Name: %s\n", orNotAvail(conn.Name))
	a.Printf("    DNID Digits: %s\n", orNotAvail(id.DNID))
	a.Printf("       Language: %s\n", c.Language())
	a.Printf("          State: %s (%d)\n", c.State(), int(c.State()))
	a.Printf(" Time to Hangup: 0\n")
	a.Printf("   Elapsed Time: %dh%dm%ds\n", s/3600, s/60%60, s%60)
	a.Printf("      Bridge ID: %s\n", orNotAvail(c.BridgeID()))
	if p := c.Peer(); p != nil {
		a.Printf("Direct Bridge: %s\n", p.Name())
	}
	a.Printf(" --   PBX   --\n")
	a.Printf("        Context: %s\n", dpc)
	a.Printf("      Extension: %s\n", exten)
	a.Printf("       Priority: %d\n", prio)
	a.Printf("    Application: %s\n", app)
	a.Printf("           Data: %s\n", orEmpty(data))
	a.Printf("      Variables:\n")
	for _, v := range c.Vars() {
		a.Printf("%s\n", v)
	}
	return nil
}
