package confparse

import "strings"

// True is Asterisk's ast_true: yes, true, y, t, 1 and on (any case) are
// true; anything else is not.
func True(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "y", "t", "1", "on":
		return true
	}
	return false
}

// False is Asterisk's ast_false: no, false, n, f, 0 and off (any case).
// A value that is neither True nor False is neither.
func False(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "no", "false", "n", "f", "0", "off":
		return true
	}
	return false
}
