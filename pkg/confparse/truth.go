package confparse

import "strings"

// True is Asterisk's ast_true: yes, true, y, t, 1 and on, any case.
// Modules parse yes/no options through it so every file reads them alike.
func True(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "y", "t", "1", "on":
		return true
	}
	return false
}

// False is Asterisk's ast_false: no, false, n, f, 0 and off. A value that
// is neither True nor False is not a yes/no value at all.
func False(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "no", "false", "n", "f", "0", "off":
		return true
	}
	return false
}
