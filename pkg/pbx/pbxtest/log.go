package pbxtest

import (
	"fmt"
	"strings"
	"sync"
)

// Log is a pbx.Logger that keeps its lines for assertions, shaped as the
// console shows them: verbose levels 2 and 3 with Asterisk's "  == " and
// "    -- " prefixes, notices and warnings after "NOTICE: " and
// "WARNING: ", the trailing newline dropped. It has no Error method, so
// code that logs errors when it can falls back to Warning. The zero value
// is ready; it is safe for concurrent use.
type Log struct {
	mu    sync.Mutex
	lines []string
}

func (l *Log) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, strings.TrimSuffix(s, "\n"))
	l.mu.Unlock()
}

// Verbose logs at a verbose level.
func (l *Log) Verbose(level int, format string, args ...any) {
	l.add(map[int]string{2: "  == ", 3: "    -- "}[level] + fmt.Sprintf(format, args...))
}

// Notice logs a NOTICE line.
func (l *Log) Notice(format string, args ...any) { l.add("NOTICE: " + fmt.Sprintf(format, args...)) }

// Warning logs a WARNING line.
func (l *Log) Warning(format string, args ...any) { l.add("WARNING: " + fmt.Sprintf(format, args...)) }

// Lines returns a copy of the lines so far.
func (l *Log) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// ErrorLog is Log with an ERROR level too, for code that logs errors at
// ERROR when its logger has that level.
type ErrorLog struct{ Log }

// Error logs an ERROR line.
func (l *ErrorLog) Error(format string, args ...any) { l.add("ERROR: " + fmt.Sprintf(format, args...)) }

// TLog is a pbx.Logger writing to a test's log (t.Logf), for tests that
// only want the lines shown when they fail.
type TLog struct {
	T interface {
		Logf(format string, args ...any)
	}
}

// Verbose logs at a verbose level.
func (l TLog) Verbose(_ int, f string, a ...any) { l.T.Logf("verbose: "+f, a...) }

// Notice logs a notice.
func (l TLog) Notice(f string, a ...any) { l.T.Logf("notice: "+f, a...) }

// Warning logs a warning.
func (l TLog) Warning(f string, a ...any) { l.T.Logf("warning: "+f, a...) }
