package confparse

import "strings"

// True is Asterisk's ast_true: the spellings a config value may use for
// "yes". Anything else, the empty string included, is not true.
func True(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "y", "t", "1", "on":
		return true
	}
	return false
}

// False is Asterisk's ast_false: the spellings of "no". A value that is
// neither True nor False is a mistake the caller may warn about.
func False(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "no", "false", "n", "f", "0", "off":
		return true
	}
	return false
}
