package apps_test

import (
	"strings"
	"testing"
	"time"
)

const retryPlan = `
[r]
exten => busy,1,RetryDial(nothere,1,2,SIP/500,5)
 same => n,NoOp(after ${DIALSTATUS})
exten => ok,1,RetryDial(,1,3,SIP/600,5,g)
 same => n,NoOp(after ${DIALSTATUS})
exten => g,1,RetryDial(,1,3,SIP/600,5,G(r^next^1))
exten => next,1,NoOp(went on)
exten => noargs,1,RetryDial(,1,3)
 same => n,NoOp(not reached)
`

// countHas returns how many log lines contain s.
func countHas(lines []string, s string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

func TestRetryDial(t *testing.T) {
	tests := []struct {
		exten   string
		calls   int // Dial attempts (devices called)
		want    []string
		minTime time.Duration
	}{
		{exten: "busy", calls: 2, minTime: 2 * time.Second, want: []string{
			`WARNING: Announce file "nothere" specified in Retrydial does not exist`,
			`NoOp("SIP/6001-00000000", "after BUSY")`}},
		{exten: "ok", calls: 1, want: []string{`NoOp("SIP/6001-00000000", "after ANSWER")`}},
		{exten: "g", calls: 1, want: []string{`NoOp("SIP/6001-00000000", "went on")`}},
		{exten: "noargs", calls: 0, want: []string{`RetryDial requires a 4th argument (dialdata)`}},
	}
	for _, tc := range tests {
		t.Run(tc.exten, func(t *testing.T) {
			l := newLab(t, loadPlan(t, "extensions.conf", []byte(retryPlan)), map[string]behaviour{"500": busy, "600": answerThenHangup})
			start := time.Now()
			l.call(t, "r", tc.exten)
			lines := l.log.Lines()
			if n := countHas(lines, "-- Called SIP/"); n != tc.calls {
				t.Errorf("%d calls, want %d; log:\n%s", n, tc.calls, strings.Join(lines, "\n"))
			}
			for _, w := range tc.want {
				if countHas(lines, w) == 0 {
					t.Errorf("log lacks %q; log:\n%s", w, strings.Join(lines, "\n"))
				}
			}
			if el := time.Since(start); el < tc.minTime {
				t.Errorf("took %v, want at least %v (the sleeps)", el, tc.minTime)
			}
			if countHas(lines, "not reached") > 0 {
				t.Error("went on after the missing argument")
			}
		})
	}
}
