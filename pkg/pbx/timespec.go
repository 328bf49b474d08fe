package pbx

import (
	"strconv"
	"strings"
	"time"
)

// TimeSpec is a parsed Asterisk time specification,
// "times,weekdays,mdays,months[,timezone]", as GotoIfTime, ExecIfTime,
// IFTIME() and timed includes read it (pbx_timing.c). Each field is "*"
// (or empty) for any value, or a list of values and cyclic ranges joined
// by '&': "09:00-12:00&14:00-18:00", "mon-fri&sun", "1-15", "dec-feb".
// The fields may also be separated by '|', the pre-1.6 syntax.
type TimeSpec struct {
	// minutes has one bit per minute of the day; an "a-b" range includes
	// both ends, so "09:00-17:00" still matches at 17:00:59.
	minutes  [(24*60 + 63) / 64]uint64 // 1440 bits
	weekdays uint8                     // bit 0 = Sunday
	mdays    uint32                    // bit 0 = the 1st
	months   uint16                    // bit 0 = January
	// Zone is the fifth field as written ("" when absent); Location is
	// where the spec is evaluated (time.Local when no or an unknown zone).
	Zone     string
	Location *time.Location
}

var (
	weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	monthNames   = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
)

// ParseTimeSpec parses spec. Bad elements are skipped with Asterisk's
// warnings, logged on log when it is not nil; ok is false only for an
// empty spec, which Asterisk's ast_build_timing refuses.
func ParseTimeSpec(spec string, log Logger) (ts TimeSpec, ok bool) {
	ts = TimeSpec{weekdays: 0x7f, mdays: 0x7fffffff, months: 0xfff, Location: time.Local}
	if spec == "" {
		return ts, false
	}
	warn := func(format string, args ...any) {
		if log != nil {
			log.Warning(format, args...)
		}
	}
	// Empty fields keep their position, as with Asterisk's strsep.
	fields := splitAny(spec, ",|")
	if len(fields) == 5 {
		ts.Zone = fields[4]
		if ts.Zone != "" {
			if loc, err := time.LoadLocation(ts.Zone); err == nil {
				ts.Location = loc
			} else {
				warn("Unknown timezone '%s': using local time\n", ts.Zone)
			}
		}
	}
	ts.parseTimes(fields[0], warn)
	if len(fields) > 1 {
		ts.weekdays = uint8(parseCyclic(fields[1], 7, weekdayNames, "day of week", warn))
	}
	if len(fields) > 2 {
		ts.mdays = uint32(parseCyclic(fields[2], 31, nil, "day", warn))
	}
	if len(fields) > 3 {
		ts.months = uint16(parseCyclic(fields[3], 12, monthNames, "month", warn))
	}
	return ts, true
}

func splitAny(s, seps string) []string {
	var out []string
	for {
		i := strings.IndexAny(s, seps)
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}

func (ts *TimeSpec) setMinute(m int) { ts.minutes[m/64] |= 1 << (m % 64) }

// parseTimes reads "*" or '&'-joined "hh:mm" and "hh:mm-hh:mm" elements.
func (ts *TimeSpec) parseTimes(s string, warn func(string, ...any)) {
	if s == "" || s == "*" {
		for i := range ts.minutes {
			ts.minutes[i] = ^uint64(0)
		}
		return
	}
	for _, part := range strings.Split(s, "&") {
		start, end, isRange := strings.Cut(part, "-")
		if !isRange {
			m, ok := parseHHMM(part)
			if !ok {
				warn("%s isn't a valid time.\n", part)
				continue
			}
			ts.setMinute(m)
			continue
		}
		// Asterisk skips anything before the end's first digit (spaces).
		end = strings.TrimLeftFunc(end, func(r rune) bool { return r < '0' || r > '9' })
		if end == "" {
			warn("Invalid time range starting with '%s-'.\n", start)
			continue
		}
		from, ok := parseHHMM(start)
		if !ok {
			warn("'%s' isn't a valid start time.\n", start)
			continue
		}
		to, ok := parseHHMM(end)
		if !ok {
			warn("'%s' isn't a valid end time.\n", end)
			continue
		}
		for m := from; m != to; m = (m + 1) % (24 * 60) {
			ts.setMinute(m)
		}
		ts.setMinute(to)
	}
}

// parseHHMM reads "%2d:%2d" as sscanf does: leading spaces allowed, at
// most two digits each, trailing text ignored.
func parseHHMM(s string) (int, bool) {
	h, rest, ok := scan2d(s)
	if !ok || !strings.HasPrefix(rest, ":") {
		return 0, false
	}
	m, _, ok := scan2d(rest[1:])
	if !ok || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// scan2d is sscanf's "%2d": optional spaces, an optional sign, then up to
// two characters in all of sign and digits.
func scan2d(s string) (int, string, bool) {
	s = strings.TrimLeft(s, " \t")
	i, limit := 0, 2
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	j := i
	for j < len(s) && j < limit && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i {
		return 0, s, false
	}
	n, err := strconv.Atoi(s[:j])
	return n, s[j:], err == nil
}

// lookupName is a weekday or month name (case-insensitive, when names is
// not nil and s does not start with a digit) or its 1-based number.
func lookupName(s string, names []string, max int) int {
	if names != nil && s != "" && s[0] > '9' {
		for i, n := range names {
			if strings.EqualFold(s, n) {
				return i
			}
		}
	}
	if n, _, ok := scan2d(s); ok && n >= 1 && n <= max {
		return n - 1
	}
	return -1
}

// parseCyclic reads "*" or '&'-joined values and ranges into a bit mask
// of max bits; a range may wrap ("fri-mon", "nov-feb").
func parseCyclic(s string, max int, names []string, what string, warn func(string, ...any)) uint32 {
	if s == "" || s == "*" {
		return 1<<max - 1
	}
	var mask uint32
	for _, part := range strings.Split(s, "&") {
		first, last, isRange := strings.Cut(part, "-")
		start := lookupName(first, names, max)
		if start < 0 {
			warn("Invalid %s '%s', skipping element\n", what, first)
			continue
		}
		end := start
		if isRange {
			if end = lookupName(last, names, max); end < 0 {
				warn("Invalid end %s '%s', skipping element\n", what, last)
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

// Match reports whether t, seen in the spec's time zone, falls in it.
func (ts TimeSpec) Match(t time.Time) bool {
	loc := ts.Location
	if loc == nil {
		loc = time.Local
	}
	t = t.In(loc)
	if ts.months&(1<<(int(t.Month())-1)) == 0 || ts.mdays&(1<<(t.Day()-1)) == 0 || ts.weekdays&(1<<int(t.Weekday())) == 0 {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	return ts.minutes[m/64]&(1<<(m%64)) != 0
}
