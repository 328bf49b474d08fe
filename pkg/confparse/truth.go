package confparse

import "strings"

// True is Asterisk's ast_true: the words its config files accept for
// "yes". Parse yes/no options with it (and False) so every module reads
// them alike.
func True(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "y", "t", "1", "on":
		return true
	}
	return false
}

// False is Asterisk's ast_false: the words that mean "no". A value that
// is neither True nor False is invalid for a yes/no option.
func False(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "no", "false", "n", "f", "0", "off":
		return true
	}
	return false
}
