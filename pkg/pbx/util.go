package pbx

import (
	"strconv"
	"strings"
	"time"
)

// SleepOrHangup waits d (forever when d < 0), or less if the channel is
// hung up or interrupted (an AsyncGoto); it reports whether the wait ran
// its whole length with the channel still up.
func SleepOrHangup(ch *Channel, d time.Duration) bool {
	var expire <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		expire = t.C
	}
	select {
	case <-expire:
		return !ch.HangupRequested()
	case <-ch.Done():
		return false
	case <-ch.Interrupted():
		return false
	}
}

// SplitArgs splits application data on sep the way Asterisk's standard
// argument parser does: separators inside (), [] or double quotes do not
// split, quotes are removed, and a backslash keeps the next character.
func SplitArgs(s string, sep byte) []string {
	var out []string
	var cur strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '"':
			quoted = !quoted
		case quoted:
			cur.WriteByte(c)
		case c == '(' || c == '[':
			depth++
			cur.WriteByte(c)
		case (c == ')' || c == ']') && depth > 0:
			depth--
			cur.WriteByte(c)
		case c == sep && depth == 0:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String())
}

// SplitCondition splits "cond?iftrue:iffalse" at the first '?' and the
// first ':' after it that is not inside parentheses.
func SplitCondition(s string) (cond, ifTrue, ifFalse string, hasQ bool) {
	q := strings.IndexByte(s, '?')
	if q < 0 {
		return s, "", "", false
	}
	cond, rest := s[:q], s[q+1:]
	depth := 0
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ':':
			if depth == 0 {
				return cond, rest[:i], rest[i+1:], true
			}
		}
	}
	return cond, rest, "", true
}

// CheckCondition is Asterisk's truth test: empty is false, a leading
// integer is its value, any other text is true.
func CheckCondition(s string) bool {
	t := strings.TrimLeft(s, " \t")
	if t == "" {
		return false
	}
	i := 0
	if t[0] == '+' || t[0] == '-' {
		i = 1
	}
	j := i
	for j < len(t) && t[j] >= '0' && t[j] <= '9' {
		j++
	}
	if j == i {
		return true
	}
	n, err := strconv.ParseInt(t[:j], 10, 64)
	return err != nil || n != 0
}

// ParseDuration reads Asterisk seconds ("20", "2.5"); an empty or invalid
// value returns def.
func ParseDuration(s string, def time.Duration) time.Duration {
	s = strings.TrimSpace(s)
	if s == "" {
		return def
	}
	// Whole seconds ("20" in Dial) are the usual case and need no float
	// parsing, which shows in profiles at a thousand calls a second.
	if len(s) <= 6 && strings.Trim(s, "0123456789") == "" {
		n, _ := strconv.Atoi(s)
		return time.Duration(n) * time.Second
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return def
	}
	return time.Duration(f * float64(time.Second))
}
