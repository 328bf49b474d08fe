package cli

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// ErrShowUsage is returned by a handler when its arguments are wrong; the
// registry then prints the command's Usage, as Asterisk's CLI_SHOWUSAGE does.
var ErrShowUsage = errors.New("cli: show usage")

// Command is one CLI command: a fixed sequence of words followed by
// arguments.
type Command struct {
	Words   []string // command words, e.g. {"sip", "show", "peers"}
	Summary string   // one line, shown by "core show help"
	Usage   string   // full text, shown by "core show help <words>" and on ErrShowUsage
	Handler func(a *Args) error
	// Complete returns candidates for the argument word being typed.
	// pos indexes Argv (the word being completed), word is its prefix.
	Complete func(a *Args, pos int, word string) []string
}

// Args is what a handler receives.
type Args struct {
	Argv    []string  // every word typed, command words included
	Out     io.Writer // the command's output, byte for byte what the user sees
	Session *Session  // the console that ran the command; nil when run internally
}

// Printf writes formatted output.
func (a *Args) Printf(format string, args ...any) { fmt.Fprintf(a.Out, format, args...) }

// Session is the per-console state a command may read or change.
type Session struct {
	mu      sync.Mutex
	verbose int
	debug   int
}

// NewSession returns a session at the given verbosity.
func NewSession(verbose int) *Session { return &Session{verbose: verbose} }

// Verbose returns the session's verbosity.
func (s *Session) Verbose() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.verbose
}

// SetVerbose changes the session's verbosity.
func (s *Session) SetVerbose(n int) {
	s.mu.Lock()
	s.verbose = n
	s.mu.Unlock()
}

// Registry holds the commands modules register.
type Registry struct {
	mu   sync.RWMutex
	cmds []*Command
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Register adds commands; a command whose words are already taken is an
// error (a programming mistake in a module).
func (r *Registry) Register(cmds ...*Command) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cmds {
		key := strings.Join(c.Words, " ")
		for _, old := range r.cmds {
			if strings.Join(old.Words, " ") == key {
				return fmt.Errorf("cli: command %q registered twice", key)
			}
		}
		r.cmds = append(r.cmds, c)
	}
	sort.SliceStable(r.cmds, func(i, j int) bool {
		return strings.Join(r.cmds[i].Words, " ") < strings.Join(r.cmds[j].Words, " ")
	})
	return nil
}

// MustRegister is Register for start-up code, where a clash is a bug.
func (r *Registry) MustRegister(cmds ...*Command) {
	if err := r.Register(cmds...); err != nil {
		panic(err)
	}
}

// Unregister removes the command with exactly these words.
func (r *Registry) Unregister(words ...string) {
	key := strings.Join(words, " ")
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, c := range r.cmds {
		if strings.Join(c.Words, " ") == key {
			r.cmds = append(r.cmds[:i], r.cmds[i+1:]...)
			return
		}
	}
}

// Commands returns a snapshot of the registered commands, sorted by words.
func (r *Registry) Commands() []*Command {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Command(nil), r.cmds...)
}

// Find returns the command whose words are the longest prefix of argv
// (words compared case-insensitively), or nil.
func (r *Registry) Find(argv []string) *Command {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var best *Command
	for _, c := range r.cmds {
		if len(c.Words) > len(argv) {
			continue
		}
		ok := true
		for i, w := range c.Words {
			if !strings.EqualFold(w, argv[i]) {
				ok = false
				break
			}
		}
		if ok && (best == nil || len(c.Words) > len(best.Words)) {
			best = c
		}
	}
	return best
}

// Execute runs one command line, writing its output to out.
func (r *Registry) Execute(s *Session, line string, out io.Writer) error {
	argv := SplitArgs(line)
	if len(argv) == 0 {
		return nil
	}
	c := r.Find(argv)
	if c == nil {
		fmt.Fprintf(out, "No such command '%s' (type 'core show help %s' for other possible commands)\n", strings.Join(argv, " "), argv[0])
		return fmt.Errorf("no such command %q", strings.Join(argv, " "))
	}
	err := c.Handler(&Args{Argv: argv, Out: out, Session: s})
	if errors.Is(err, ErrShowUsage) {
		io.WriteString(out, c.Usage)
		if !strings.HasSuffix(c.Usage, "\n") {
			io.WriteString(out, "\n")
		}
	}
	return err
}

// SplitArgs splits a command line into words; double quotes group words and
// a backslash escapes the next character, as Asterisk's CLI parser does.
func SplitArgs(line string) []string {
	var words []string
	var cur strings.Builder
	inQuote, have, escaped := false, false, false
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped, have = false, true
		case r == '\\':
			escaped = true
		case r == '"':
			inQuote = !inQuote
			have = true
		case (r == ' ' || r == '\t') && !inQuote:
			if have {
				words = append(words, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if have {
		words = append(words, cur.String())
	}
	return words
}
