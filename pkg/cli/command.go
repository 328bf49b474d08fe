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

// ErrNoSuchCommand is wrapped by the error Execute returns when no command
// matches the line.
var ErrNoSuchCommand = errors.New("cli: no such command")

// Command is one CLI command: a fixed sequence of words followed by
// arguments.
//
// Words use Asterisk's command-string grammar, so a module can copy the
// command string of the Asterisk command it reproduces:
//
//   - a plain word ("show") matches itself, case-insensitively;
//   - "{channels|subscriptions}" matches any one of the alternatives;
//   - a last word in brackets, "[like]" or "[peer|all]", is optional: the
//     command also matches without it.
//
// The words joined by single spaces are what "core show help" prints in
// its first column (e.g. "sip show peers [like]"), exactly as Asterisk does.
type Command struct {
	Words   []string // command words, e.g. {"sip", "show", "peers", "[like]"}
	Summary string   // one line, shown by "core show help"
	Usage   string   // full text, shown by "core show help <words>" and on ErrShowUsage
	Handler func(a *Args) error
	// Complete returns candidates for the argument word being typed.
	// pos indexes Argv (the word being completed), word is its prefix.
	Complete func(a *Args, pos int, word string) []string
}

// FullCommand is the command's words joined by spaces, the form "core show
// help" lists.
func (c *Command) FullCommand() string { return strings.Join(c.Words, " ") }

// plainLen is the length of the full command up to its first reserved
// character; the registry orders commands by comparing only that much, which
// is why Asterisk lists "sip show channelstats" before "sip show channel".
func (c *Command) plainLen() int {
	full := c.FullCommand()
	if i := strings.IndexAny(full, reserved); i >= 0 {
		return i
	}
	return len(full)
}

// hidden commands (a leading '_') are callable but never listed or offered.
func (c *Command) hidden() bool { return strings.HasPrefix(c.FullCommand(), "_") }

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

// Debug returns the debug level last set through this session.
func (s *Session) Debug() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.debug
}

// SetDebug changes the session's debug level.
func (s *Session) SetDebug(n int) {
	s.mu.Lock()
	s.debug = n
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
//
// Commands are kept in Asterisk's order: a new command goes before the first
// registered one that sorts after it when only the plain part of the shorter
// of both (up to the first '[', '{', '|' ...) is compared. Listing order
// therefore depends on registration order, as in Asterisk; modules register
// their commands in the order of the Asterisk module's own table.
func (r *Registry) Register(cmds ...*Command) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cmds {
		if len(c.Words) == 0 {
			return errors.New("cli: command without words")
		}
		if c.Handler == nil {
			return fmt.Errorf("cli: command %q has no handler", c.FullCommand())
		}
		key := c.FullCommand()
		for _, old := range r.cmds {
			if strings.EqualFold(old.FullCommand(), key) {
				return fmt.Errorf("cli: command %q registered twice", key)
			}
		}
		r.insert(c)
	}
	return nil
}

func (r *Registry) insert(c *Command) {
	full, n := strings.ToLower(c.FullCommand()), c.plainLen()
	for i, cur := range r.cmds {
		m := min(n, cur.plainLen())
		if prefixLess(full, strings.ToLower(cur.FullCommand()), m) {
			r.cmds = append(r.cmds[:i], append([]*Command{c}, r.cmds[i:]...)...)
			return
		}
	}
	r.cmds = append(r.cmds, c)
}

// prefixLess compares at most n bytes of a and b the way strncmp does: a
// string that ends first sorts first.
func prefixLess(a, b string, n int) bool {
	if len(a) > n {
		a = a[:n]
	}
	if len(b) > n {
		b = b[:n]
	}
	return a < b
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
		if strings.EqualFold(c.FullCommand(), key) {
			r.cmds = append(r.cmds[:i], r.cmds[i+1:]...)
			return
		}
	}
}

// Commands returns a snapshot of the registered commands in listing order.
func (r *Registry) Commands() []*Command {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Command(nil), r.cmds...)
}

// Find returns the command a line with these words runs: an exact match of
// all words, or else the command matching the longest leading part of argv
// (the rest being its arguments), or nil.
func (r *Registry) Find(argv []string) *Command {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.find(argv, matchArgs)
}

// Execute runs one command line, writing its output to out. The returned
// error wraps ErrNoSuchCommand, ErrShowUsage or the handler's error; in each
// case the text Asterisk would print has already been written to out.
func (r *Registry) Execute(s *Session, line string, out io.Writer) error {
	argv := SplitArgs(line)
	if len(argv) == 0 {
		return nil
	}
	typed := strings.TrimSpace(line)
	r.mu.RLock()
	c := r.find(argv, matchArgs)
	var best string
	if c == nil {
		best = r.findBest(argv)
	}
	r.mu.RUnlock()
	if c == nil {
		fmt.Fprintf(out, "No such command '%s' (type 'core show help %s' for other possible commands)\n", typed, best)
		return fmt.Errorf("%w: %q", ErrNoSuchCommand, typed)
	}
	err := c.Handler(&Args{Argv: argv, Out: out, Session: s})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrShowUsage):
		if c.Usage == "" {
			io.WriteString(out, "Invalid usage, but no usage information available.\n")
		} else {
			io.WriteString(out, c.Usage)
			if !strings.HasSuffix(c.Usage, "\n") {
				io.WriteString(out, "\n")
			}
		}
		return fmt.Errorf("%s: %w", c.FullCommand(), err)
	default:
		fmt.Fprintf(out, "Command '%s' failed.\n", typed)
		return fmt.Errorf("%s: %w", c.FullCommand(), err)
	}
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

// sortFold sorts case-insensitively and drops case-insensitive duplicates,
// the order Asterisk presents completion candidates in.
func sortFold(in []string) []string {
	sort.SliceStable(in, func(i, j int) bool { return strings.ToLower(in[i]) < strings.ToLower(in[j]) })
	out := in[:0]
	for _, s := range in {
		if len(out) > 0 && strings.EqualFold(out[len(out)-1], s) {
			continue
		}
		out = append(out, s)
	}
	return out
}
