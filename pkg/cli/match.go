package cli

import "strings"

// reserved are the characters that make a command word a pattern rather
// than a literal.
const reserved = "[]{}|*%"

// matchMode says how much of a typed line a command must cover to match.
type matchMode int

const (
	// matchArgs accepts a command whose words are all matched while more
	// words remain in the line: those are the command's arguments.
	matchArgs matchMode = iota
	// matchNear also accepts a command that differs from the line only in
	// the last word of both; it drives the "core show help <words>" hint.
	matchNear
	// matchExact accepts only a command whose words are exactly the line.
	matchExact
)

// choices returns the alternatives a pattern word offers ("{a|b}" -> a, b;
// "[like]" -> like), or the word itself when it is literal.
func choices(pattern string) []string {
	if pattern == "" || !strings.ContainsRune(reserved, rune(pattern[0])) {
		return []string{pattern}
	}
	var out []string
	for _, s := range strings.FieldsFunc(pattern, func(r rune) bool { return strings.ContainsRune(reserved, r) }) {
		out = append(out, s)
	}
	return out
}

// wordMatch reports whether a typed word fills a command word.
func wordMatch(typed, pattern string) bool {
	if typed == "" || pattern == "" {
		return false
	}
	if pattern[0] == '%' {
		return true
	}
	if strings.ContainsAny(typed, reserved) {
		return false
	}
	for _, c := range choices(pattern) {
		if strings.EqualFold(typed, c) {
			return true
		}
	}
	return false
}

func optional(pattern string) bool { return strings.HasPrefix(pattern, "[") }

// find returns the command the words select under mode; the caller holds
// r.mu. An exact match wins at once; otherwise the candidate covering the
// most typed words wins, the first registered on a tie.
func (r *Registry) find(argv []string, mode matchMode) *Command {
	var cand *Command
	best := -1
	for _, c := range r.cmds {
		n := 0
		for n < len(c.Words) && n < len(argv) && wordMatch(argv[n], c.Words[n]) {
			n++
		}
		rest := c.Words[n:]
		if len(rest) == 0 || (len(rest) == 1 && optional(rest[0])) {
			if n == len(argv) {
				return c
			}
			if mode != matchArgs {
				continue
			}
		} else {
			if n == len(argv) {
				continue // the line stops short of the command
			}
			// Both go on but differ: only a difference in the very last
			// word of both is close enough, and only when asked.
			if mode != matchNear || n+1 != len(argv) || len(rest) != 1 {
				continue
			}
		}
		if n > best {
			best, cand = n, c
		}
	}
	return cand
}

// findBest returns the words to suggest after an unknown command: the line
// up to and including the first word at which no command comes close.
func (r *Registry) findBest(argv []string) string {
	for i := range argv {
		if r.find(argv[:i+1], matchNear) == nil {
			return strings.Join(argv[:i+1], " ")
		}
	}
	return strings.Join(argv, " ")
}

// Complete returns the candidates for the last word of line (an empty word
// when line ends in white space): command words first, then, once a whole
// command has been typed, what that command's Complete callback offers.
// Candidates are sorted case-insensitively without duplicates.
func (r *Registry) Complete(line string) []string {
	argv := SplitArgs(line)
	word := ""
	if len(argv) > 0 && !strings.HasSuffix(line, " ") && !strings.HasSuffix(line, "\t") {
		word = argv[len(argv)-1]
	} else {
		argv = append(argv, "")
	}
	pos := len(argv) - 1

	r.mu.RLock()
	cmds := append([]*Command(nil), r.cmds...)
	r.mu.RUnlock()

	var out []string
	for _, c := range cmds {
		if c.hidden() {
			continue
		}
		n := 0
		for n < pos && n < len(c.Words) && wordMatch(argv[n], c.Words[n]) {
			n++
		}
		rest := c.Words[n:]
		if n != pos && !allOptional(rest) {
			continue
		}
		if len(rest) > 0 {
			if n == pos {
				out = append(out, prefixed(choices(rest[0]), word)...)
			}
			continue
		}
		// The whole command is typed: the word being completed is an
		// argument.
		if c.Complete != nil {
			a := &Args{Argv: argv[:pos:pos]}
			if word != "" {
				a.Argv = argv
			}
			out = append(out, prefixed(c.Complete(a, pos, word), word)...)
		}
	}
	return sortFold(out)
}

func allOptional(words []string) bool {
	for _, w := range words {
		if !optional(w) {
			return false
		}
	}
	return true
}

// prefixed keeps the candidates that start with word, ignoring case; a word
// holding pattern characters matches nothing.
func prefixed(cands []string, word string) []string {
	if strings.ContainsAny(word, reserved) {
		return nil
	}
	var out []string
	for _, c := range cands {
		if len(c) >= len(word) && strings.EqualFold(c[:len(word)], word) {
			out = append(out, c)
		}
	}
	return out
}
