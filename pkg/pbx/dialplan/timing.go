package dialplan

import (
	"strings"
	"time"
)

// timing is the "times,weekdays,mdays,months[,timezone]" restriction of an
// include, kept as bit masks: one bit per minute of the day, per weekday
// (Sunday = bit 0), per day of month and per month.
type timing struct {
	minutes [48]uint32 // half hours, 30 bits each
	dow     uint32
	dom     uint32
	month   uint32
	loc     *time.Location
}

var (
	dayNames   = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
)

// newInclude splits "ctx,timespec" (or "ctx|timespec").
func newInclude(value string) Include {
	inc := Include{Name: value, Context: value}
	if i := strings.IndexAny(value, "|,"); i >= 0 {
		inc.Context, inc.Timing = value[:i], value[i+1:]
		inc.timing = parseTiming(inc.Timing)
	}
	return inc
}

// parseTiming reads a timespec; bad elements are skipped, as Asterisk
// skips them with a warning. An empty spec means "always" (nil).
func parseTiming(spec string) *timing {
	if spec == "" {
		return nil
	}
	t := &timing{dow: 0x7f, dom: 0x7fffffff, month: 0xfff}
	fields := splitKeepEmpty(spec)
	if len(fields) == 5 {
		if loc, err := time.LoadLocation(fields[4]); err == nil {
			t.loc = loc
		}
	}
	t.times(fields[0])
	if len(fields) > 1 {
		t.dow = rangeMask(fields[1], 7, dayNames)
	}
	if len(fields) > 2 {
		t.dom = rangeMask(fields[2], 31, nil)
	}
	if len(fields) > 3 {
		t.month = rangeMask(fields[3], 12, monthNames)
	}
	return t
}

func splitKeepEmpty(s string) []string {
	var out []string
	for {
		i := strings.IndexAny(s, "|,")
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}

func lookupName(s string, names []string, max int) int {
	if names != nil && s != "" && s[0] > '9' {
		for i, n := range names {
			if strings.EqualFold(s, n) {
				return i
			}
		}
	}
	if len(s) > 2 {
		s = s[:2]
	}
	if n, ok := scanInt(s); ok && n >= 1 && n <= max {
		return n - 1
	}
	return -1
}

// rangeMask reads "mon-fri&sun" style lists; ranges wrap around.
func rangeMask(src string, max int, names []string) uint32 {
	if src == "" || src == "*" {
		return 1<<max - 1
	}
	var mask uint32
	for _, part := range strings.Split(src, "&") {
		startS, endS, isRange := strings.Cut(part, "-")
		start := lookupName(startS, names, max)
		if start < 0 {
			continue
		}
		end := start
		if isRange {
			if end = lookupName(endS, names, max); end < 0 {
				continue
			}
		}
		mask |= 1 << end
		for start != end {
			mask |= 1 << start
			if start++; start >= max {
				start = 0
			}
		}
	}
	return mask
}

// hhmm reads "H:MM" as sscanf("%2d:%2d") does.
func hhmm(s string) (int, int, bool) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) == 0 {
		return 0, 0, false
	}
	if len(hs) > 2 {
		return 0, 0, false
	}
	if len(ms) > 2 {
		ms = ms[:2]
	}
	h, ok1 := scanInt(hs)
	m, ok2 := scanInt(ms)
	if !ok1 || !ok2 || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

func (t *timing) times(spec string) {
	if spec == "" || spec == "*" {
		for i := range t.minutes {
			t.minutes[i] = 0x3fffffff
		}
		return
	}
	for _, part := range strings.Split(spec, "&") {
		startS, endS, isRange := strings.Cut(part, "-")
		if !isRange {
			if h, m, ok := hhmm(part); ok {
				t.setMinute(h*60 + m)
			}
			continue
		}
		endS = strings.TrimLeftFunc(endS, func(r rune) bool { return r < '0' || r > '9' })
		sh, sm, ok1 := hhmm(startS)
		eh, em, ok2 := hhmm(endS)
		if !ok1 || !ok2 {
			continue
		}
		x, end := sh*60+sm, eh*60+em
		for ; x != end; x = (x + 1) % (24 * 60) {
			t.setMinute(x)
		}
		t.setMinute(x)
	}
}

func (t *timing) setMinute(x int) { t.minutes[x/30] |= 1 << (x % 30) }

// active reports whether now falls inside the restriction.
func (t *timing) active(now time.Time) bool {
	if t.loc != nil {
		now = now.In(t.loc)
	}
	if t.month&(1<<(int(now.Month())-1)) == 0 || t.dom&(1<<(now.Day()-1)) == 0 || t.dow&(1<<int(now.Weekday())) == 0 {
		return false
	}
	m := now.Hour()*60 + now.Minute()
	return t.minutes[m/30]&(1<<(m%30)) != 0
}

// valid reports whether an include applies now.
func (i *Include) valid(now time.Time) bool { return i.timing == nil || i.timing.active(now) }
