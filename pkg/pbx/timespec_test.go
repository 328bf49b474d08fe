package pbx

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

type warnLog struct{ lines []string }

func (l *warnLog) Verbose(int, string, ...any) {}
func (l *warnLog) Notice(string, ...any)       {}
func (l *warnLog) Warning(format string, args ...any) {
	l.lines = append(l.lines, strings.TrimSuffix(fmt.Sprintf(format, args...), "\n"))
}

func TestTimeSpec(t *testing.T) {
	_, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	// Wednesday 2026-12-02 09:30 UTC = 10:30 in Paris.
	wed := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		spec string
		at   time.Time
		want bool
		warn string
	}{
		{"*,*,*,*,UTC", wed, true, ""},
		{"09:00-17:00,mon-fri,*,*,UTC", wed, true, ""},
		{"09:00-17:00,sat-sun,*,*,UTC", wed, false, ""},
		{"09:00-17:00,fri-mon&wed,*,*,UTC", wed, true, ""}, // wrapping range plus a day
		{"09:31-17:00,*,*,*,UTC", wed, false, ""},
		{"08:00-09:30,*,*,*,UTC", wed, true, ""}, // the end minute is included
		{"22:00-10:00,*,*,*,UTC", wed, true, ""}, // wraps past midnight
		{"10:00-11:00,*,*,*,Europe/Paris", wed, true, ""},
		{"10:00-11:00,*,*,*,UTC", wed, false, ""},
		{"09:30,*,*,*,UTC", wed, true, ""}, // a single minute
		{"*,*,1-2,dec,UTC", wed, true, ""},
		{"*,*,3-31,*,UTC", wed, false, ""},
		{"*,*,*,nov-jan,UTC", wed, true, ""},
		{"*,*,*,jan-nov,UTC", wed, false, ""},
		{"*,3,*,12,UTC", wed, false, ""},              // numbers count from 1: 3 is Tuesday
		{"*,4,*,12,UTC", wed, true, ""},               // 4 is Wednesday
		{"*|wed|2|dec", wed.In(time.Local), true, ""}, // the old '|' separator, local time
		{"25:00-26:00,*,*,*,UTC", wed, false, "'25:00' isn't a valid start time."},
		{"*,funday,*,*,UTC", wed, false, "Invalid day of week 'funday', skipping element"},
		{"*,mon-xx,*,*,UTC", wed, false, "Invalid end day of week 'xx', skipping element"},
		{"9-,*,*,*,UTC", wed, false, "Invalid time range starting with '9-'."},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			l := &warnLog{}
			ts, ok := ParseTimeSpec(tt.spec, l)
			if !ok {
				t.Fatal("not parsed")
			}
			at := tt.at
			if ts.Zone == "" {
				// a local-time spec: build the instant in local time
				at = time.Date(2026, 12, 2, 9, 30, 0, 0, time.Local)
			}
			if got := ts.Match(at); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
			if tt.warn != "" && (len(l.lines) == 0 || l.lines[0] != tt.warn) {
				t.Errorf("warnings %q, want %q", l.lines, tt.warn)
			}
			if tt.warn == "" && len(l.lines) > 0 {
				t.Errorf("unexpected warnings %q", l.lines)
			}
		})
	}
	if _, ok := ParseTimeSpec("", nil); ok {
		t.Error("an empty spec parsed")
	}
}
