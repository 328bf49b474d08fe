package logger

import (
	"strconv"
	"strings"
)

// Level is a log level, numbered as Asterisk numbers them (the number is
// the bit in a channel's mask and orders "logger show channels").
type Level int

// Asterisk's built-in levels, and SECURITY, which Asterisk registers
// dynamically (res_security_log) in the first dynamic slot.
const (
	LevelDebug    Level = 0
	LevelTrace    Level = 1
	LevelNotice   Level = 2
	LevelWarning  Level = 3
	LevelError    Level = 4
	LevelVerbose  Level = 5
	LevelDTMF     Level = 6
	LevelSecurity Level = 16
)

var levelNames = map[Level]string{
	LevelDebug:    "DEBUG",
	LevelTrace:    "TRACE",
	LevelNotice:   "NOTICE",
	LevelWarning:  "WARNING",
	LevelError:    "ERROR",
	LevelVerbose:  "VERBOSE",
	LevelDTMF:     "DTMF",
	LevelSecurity: "SECURITY",
}

// allLevels lists the named levels in number order.
var allLevels = []Level{LevelDebug, LevelTrace, LevelNotice, LevelWarning, LevelError, LevelVerbose, LevelDTMF, LevelSecurity}

// String returns the level's name as printed in log lines.
func (l Level) String() string {
	if n, ok := levelNames[l]; ok {
		return n
	}
	return "LEVEL" + strconv.Itoa(int(l))
}

// ParseLevel finds a level by name, case-insensitively.
func ParseLevel(name string) (Level, bool) {
	for _, l := range allLevels {
		if strings.EqualFold(levelNames[l], name) {
			return l, true
		}
	}
	return 0, false
}

func (l Level) bit() uint32 { return 1 << uint(l) }

// verbosePrefix is what a console prints before a verbose line of level n.
func verbosePrefix(n int) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return " "
	case n == 2:
		return "  == "
	case n == 3:
		return "    -- "
	case n >= 10:
		return "             > "
	default: // 4..9: one more space of indent per level before "> "
		return strings.Repeat(" ", n+3) + "> "
	}
}
