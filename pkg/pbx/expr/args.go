package expr

import "strings"

// SplitArgs splits application data or function arguments at sep as
// Asterisk's AST_STANDARD_APP_ARGS / AST_NONSTANDARD_APP_ARGS do: sep inside
// parentheses, square brackets or double quotes does not split; double
// quotes are removed; a backslash is removed and makes the next character
// literal. An empty string has no arguments; a trailing sep adds an empty
// last argument.
func SplitArgs(s string, sep byte) []string {
	return splitArgs(s, sep, true, 0)
}

// SplitArgsN is SplitArgs for an application declaring n arguments: once
// n-1 arguments are split, the rest of the string is the last argument,
// unprocessed. n <= 0 means no limit.
func SplitArgsN(s string, sep byte, n int) []string {
	return splitArgs(s, sep, true, n)
}

// SplitRawArgs splits like AST_STANDARD_RAW_ARGS: the same grouping rules,
// but quotes and backslashes are kept. n <= 0 means no limit.
func SplitRawArgs(s string, sep byte, n int) []string {
	return splitArgs(s, sep, false, n)
}

func splitArgs(s string, sep byte, removeChars bool, n int) []string {
	if s == "" {
		return nil
	}
	var (
		out                    []string
		paren, bracket         int
		quote                  bool
		cur                    strings.Builder
		i                      int
		endedWithSep, anything bool
	)
	for i < len(s) && (n <= 0 || len(out) < n-1) {
		cur.Reset()
		endedWithSep = false
		for i < len(s) {
			c := s[i]
			switch {
			case c == '(':
				paren++
			case c == ')':
				if paren > 0 {
					paren--
				}
			case c == '[':
				bracket++
			case c == ']':
				if bracket > 0 {
					bracket--
				}
			case c == '"' && sep != '"':
				quote = !quote
				if removeChars {
					i++
					continue
				}
			case c == '\\':
				if removeChars {
					i++ // drop the backslash, keep what it protects
				} else {
					cur.WriteByte(c)
					i++
				}
				if i < len(s) {
					cur.WriteByte(s[i])
					i++
				}
				continue
			case c == sep && paren == 0 && bracket == 0 && !quote:
				i++
				endedWithSep = true
			}
			if endedWithSep {
				break
			}
			cur.WriteByte(c)
			i++
		}
		out = append(out, cur.String())
		anything = true
	}
	if i < len(s) || (anything && endedWithSep) {
		out = append(out, s[i:])
	}
	return out
}
