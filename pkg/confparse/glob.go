package confparse

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxBraceAlternatives bounds "{a,b}{c,d}..." expansion, which grows
// exponentially with the number of groups.
const maxBraceAlternatives = 1024

// expand resolves an include pattern the way Asterisk's glob call does
// (GLOB_NOMAGIC | GLOB_BRACE): braces expand left to right, a pattern
// without wildcards is returned as is (the caller then finds out whether
// it exists), matches are sorted within each brace alternative, and a
// wildcard does not match a leading '.' of a name.
func (p *parser) expand(pattern string) []string {
	var out []string
	for _, alt := range braceExpand(pattern, maxBraceAlternatives) {
		if !hasMeta(alt) {
			out = append(out, alt)
			continue
		}
		matches, err := filepath.Glob(alt)
		if err != nil {
			// A malformed class such as "[a" is an ordinary
			// character for the C library.
			if _, statErr := os.Lstat(alt); statErr == nil {
				out = append(out, alt)
			}
			continue
		}
		matches = dropHidden(alt, matches)
		sort.Strings(matches)
		out = append(out, matches...)
	}
	return out
}

func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[`) }

// dropHidden removes matches where a wildcard component matched a name
// starting with '.', which the C library's glob never does.
func dropHidden(pattern string, matches []string) []string {
	pc := strings.Split(pattern, "/")
	kept := matches[:0]
next:
	for _, m := range matches {
		mc := strings.Split(m, "/")
		if len(mc) == len(pc) {
			for i := range pc {
				if hasMeta(pc[i]) && !strings.HasPrefix(pc[i], ".") && strings.HasPrefix(mc[i], ".") {
					continue next
				}
			}
		}
		kept = append(kept, m)
	}
	return kept
}

// braceExpand expands "{a,b}" groups (nested allowed). An unmatched '{'
// stays literal. At most limit results are returned.
func braceExpand(s string, limit int) []string {
	if limit <= 0 {
		return nil
	}
	open := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '{' {
			open = i
			break
		}
	}
	if open < 0 {
		return []string{s}
	}
	depth := 0
	var commas []int
	closeAt := -1
scan:
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				closeAt = i
				break scan
			}
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		}
	}
	if closeAt < 0 {
		// Expand what follows the literal '{'.
		var out []string
		for _, rest := range braceExpand(s[open+1:], limit) {
			out = append(out, s[:open+1]+rest)
		}
		return out
	}
	prefix, suffix := s[:open], s[closeAt+1:]
	bounds := append([]int{open}, commas...)
	bounds = append(bounds, closeAt)
	var out []string
	for i := 0; i+1 < len(bounds); i++ {
		alt := s[bounds[i]+1 : bounds[i+1]]
		for _, e := range braceExpand(prefix+alt+suffix, limit-len(out)) {
			if len(out) >= limit {
				return out
			}
			out = append(out, e)
		}
	}
	return out
}
