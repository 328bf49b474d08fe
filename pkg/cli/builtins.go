package cli

import (
	"strconv"
	"strings"
)

const helpUsage = "Usage: core show help [topic]\n" +
	"       When called with a topic as an argument, displays usage\n" +
	"       information on the given command. If called without a\n" +
	"       topic, it provides a list of commands.\n"

const verboseUsage = "Usage: core set verbose [atleast] <level> [silent]\n" +
	"       core set verbose off\n" +
	"\n" +
	"       Sets level of verbose messages to be displayed.\n" +
	"       0 or off means no verbose messages should be displayed.\n" +
	"       The silent option means the command does not report what\n" +
	"       happened to the verbose level.\n" +
	"       Equivalent to -v[v[...]] on startup\n"

const debugUsage = "Usage: core set debug [atleast] <level> [module]\n" +
	"       core set debug off\n" +
	"\n" +
	"       Sets level of debug messages to be displayed or\n" +
	"       sets a module name to display debug messages from.\n" +
	"       0 or off means no messages should be displayed.\n" +
	"       Equivalent to -d[d[...]] on startup\n"

const bangUsage = "Usage: !<command>\n" +
	"       Executes a given shell command\n"

// RegisterBuiltins adds the commands the CLI itself provides: "core show
// help", "core set verbose", "core set debug" and "!" (the shell escape,
// which consoles run locally; registered so that help lists it and unknown
// commands get Asterisk's suggestion).
func RegisterBuiltins(reg *Registry) {
	reg.MustRegister(
		&Command{
			Words:   []string{"core", "show", "help"},
			Summary: "Display help list, or specific help on a command",
			Usage:   helpUsage,
			Handler: func(a *Args) error { return reg.help(a) },
			Complete: func(a *Args, pos int, word string) []string {
				rest := append([]string(nil), a.Argv[3:pos]...)
				return reg.Complete(strings.Join(append(rest, word), " "))
			},
		},
		&Command{
			Words:    []string{"core", "set", "debug"},
			Summary:  "Set level of debug chattiness",
			Usage:    debugUsage,
			Handler:  setLevel("Core debug", (*Session).Debug, (*Session).SetDebug, false),
			Complete: completeLevel(false),
		},
		&Command{
			Words:    []string{"core", "set", "verbose"},
			Summary:  "Set level of verbose chattiness",
			Usage:    verboseUsage,
			Handler:  setLevel("Console verbose", (*Session).Verbose, (*Session).SetVerbose, true),
			Complete: completeLevel(true),
		},
		&Command{
			Words:   []string{"!"},
			Summary: "Execute a shell command",
			Usage:   bangUsage,
			Handler: func(*Args) error { return nil },
		},
	)
}

// help lists the commands starting with the given words, or prints the usage
// of the command they name exactly.
func (r *Registry) help(a *Args) error {
	topic := a.Argv[3:]
	if len(topic) > 0 {
		r.mu.RLock()
		c := r.find(topic, matchExact)
		r.mu.RUnlock()
		if c != nil {
			if c.Usage == "" {
				a.Printf("No help text available for '%s'.\n", strings.Join(topic, " "))
			} else {
				a.Printf("%s", c.Usage)
			}
			return nil
		}
	}
	prefix := strings.ToLower(strings.Join(topic, " "))
	found := 0
	for _, c := range r.Commands() {
		full := c.FullCommand()
		if c.hidden() || !strings.HasPrefix(strings.ToLower(full), prefix) {
			continue
		}
		summary := c.Summary
		if summary == "" {
			summary = "<no description available>"
		}
		a.Printf("%-30s -- %s\n", full, summary)
		found++
	}
	if found == 0 && prefix != "" {
		a.Printf("No such command '%s'.\n", strings.Join(topic, " "))
	}
	return nil
}

// setLevel returns the handler of "core set verbose|debug": an absolute
// level, "atleast <n>" (raise only) or "off", reported as Asterisk 18 does
// ("Console verbose was 3 and is now 5.").
func setLevel(what string, get func(*Session) int, set func(*Session, int), allowSilent bool) func(a *Args) error {
	return func(a *Args) error {
		args := a.Argv[3:]
		if len(args) == 0 {
			return ErrShowUsage
		}
		level, atleast, silent := 0, false, false
		if !(len(args) == 1 && strings.EqualFold(args[0], "off")) {
			if strings.EqualFold(args[0], "atleast") {
				atleast = true
				args = args[1:]
			}
			if len(args) == 2 && allowSilent && strings.EqualFold(args[1], "silent") {
				silent = true
				args = args[:1]
			}
			if len(args) != 1 {
				// A module name after the level (per-module debug) is not
				// supported: the level is process-wide here.
				return ErrShowUsage
			}
			n, err := strconv.Atoi(args[0])
			if err != nil {
				return ErrShowUsage
			}
			level = n
		}
		s := a.Session
		if s == nil {
			// Run internally (no console): report against a scratch
			// session so the wording stays the same.
			s = NewSession(0)
		}
		old := get(s)
		if !atleast || level > old {
			set(s, level)
		} else {
			level = old
		}
		if silent {
			return nil
		}
		if old == level {
			a.Printf("%s is still %s.\n", what, levelWord(old))
		} else {
			a.Printf("%s was %s and is now %s.\n", what, levelWord(old), levelWord(level))
		}
		return nil
	}
}

func levelWord(n int) string {
	if n == 0 {
		return "OFF"
	}
	return strconv.Itoa(n)
}

// completeLevel offers the keywords of "core set verbose|debug"; numbers are
// left to the user.
func completeLevel(allowSilent bool) func(a *Args, pos int, word string) []string {
	return func(a *Args, pos int, word string) []string {
		atleast := len(a.Argv) > 3 && strings.EqualFold(a.Argv[3], "atleast")
		switch {
		case pos == 3:
			return []string{"atleast", "off"}
		case allowSilent && (pos == 4 && !atleast || pos == 5 && atleast):
			if pos == 4 && strings.EqualFold(a.Argv[3], "off") {
				return nil
			}
			return []string{"silent"}
		}
		return nil
	}
}
