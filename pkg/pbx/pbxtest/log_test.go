package pbxtest

import (
	"fmt"
	"slices"
	"testing"
)

func TestLog(t *testing.T) {
	var l Log
	l.Verbose(2, "two\n")
	l.Verbose(3, "Executing [%s]\n", "s@ctx:1")
	l.Verbose(4, "four")
	l.Notice("n %d\n", 1)
	l.Warning("w")
	want := []string{"  == two", "    -- Executing [s@ctx:1]", "four", "NOTICE: n 1", "WARNING: w"}
	if got := l.Lines(); !slices.Equal(got, want) {
		t.Errorf("Lines() = %q, want %q", got, want)
	}
}

func TestErrorLog(t *testing.T) {
	var l ErrorLog
	l.Error("e %s\n", "x")
	l.Warning("w")
	if got, want := l.Lines(), []string{"ERROR: e x", "WARNING: w"}; !slices.Equal(got, want) {
		t.Errorf("Lines() = %q, want %q", got, want)
	}
}

type logfRecorder []string

func (r *logfRecorder) Logf(f string, a ...any) { *r = append(*r, fmt.Sprintf(f, a...)) }

func TestTLog(t *testing.T) {
	var r logfRecorder
	l := TLog{T: &r}
	l.Verbose(3, "v %d", 1)
	l.Notice("n")
	l.Warning("w %s", "x")
	if want := []string{"verbose: v 1", "notice: n", "warning: w x"}; !slices.Equal(r, want) {
		t.Errorf("logged %q, want %q", r, want)
	}
}
