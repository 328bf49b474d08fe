package funcs

import (
	"strings"
	"time"
)

var monthNames = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
var dayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// strptime parses s with a C strptime format (C locale) in loc. It knows
// the conversions dialplans use: %Y %y %m %d %e %H %I %M %S %p %b %B %h
// %a %A %j(ignored value) %T %D %F %R %n %t %% and whitespace; fields not
// given are 0 (1 for the day of the month), as ast_strptime leaves them.
func strptime(s, format string, loc *time.Location) (time.Time, bool) {
	year, month, day, hour, minute, sec := 1900, 1, 1, 0, 0, 0
	pm, ampm := false, false
	seen := false
	num := func(maxDigits int) (int, bool) {
		s = strings.TrimLeft(s, " ")
		n, i := 0, 0
		neg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			neg = s[i] == '-'
			i++
		}
		start := i
		for i < len(s) && i-start < maxDigits && s[i] >= '0' && s[i] <= '9' {
			n = n*10 + int(s[i]-'0')
			i++
		}
		if i == start {
			return 0, false
		}
		s = s[i:]
		if neg {
			n = -n
		}
		return n, true
	}
	name := func(list []string) (int, bool) {
		low := strings.ToLower(s)
		for i, n := range list {
			if strings.HasPrefix(low, n) {
				s = s[len(n):]
				return i, true
			}
			if strings.HasPrefix(low, n[:3]) {
				s = s[3:]
				return i, true
			}
		}
		return 0, false
	}
	expand := strings.NewReplacer("%T", "%H:%M:%S", "%D", "%m/%d/%y", "%F", "%Y-%m-%d", "%R", "%H:%M")
	format = expand.Replace(format)
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == ' ' || c == '\t' || c == '\n' {
			s = strings.TrimLeft(s, " \t\n")
			continue
		}
		if c != '%' || i+1 >= len(format) {
			if s == "" || s[0] != c {
				return time.Time{}, false
			}
			s = s[1:]
			continue
		}
		i++
		var ok bool
		var v int
		switch format[i] {
		case 'Y':
			year, ok = num(4)
		case 'y':
			if v, ok = num(2); ok {
				year = 1900 + v
				if v < 69 {
					year = 2000 + v
				}
			}
		case 'm':
			month, ok = num(2)
		case 'd', 'e':
			day, ok = num(2)
		case 'H':
			hour, ok = num(2)
		case 'I':
			hour, ok = num(2)
			ampm = true
		case 'M':
			minute, ok = num(2)
		case 'S':
			sec, ok = num(2)
		case 'j':
			_, ok = num(3)
		case 'p':
			low := strings.ToLower(s)
			switch {
			case strings.HasPrefix(low, "am"):
				s, ok = s[2:], true
			case strings.HasPrefix(low, "pm"):
				s, ok, pm = s[2:], true, true
			}
		case 'b', 'B', 'h':
			if v, ok = name(monthNames); ok {
				month = v + 1
			}
		case 'a', 'A':
			_, ok = name(dayNames)
		case 'n', 't':
			s, ok = strings.TrimLeft(s, " \t\n"), true
		case '%':
			ok = strings.HasPrefix(s, "%")
			if ok {
				s = s[1:]
			}
		default:
			return time.Time{}, false
		}
		if !ok {
			return time.Time{}, false
		}
		seen = true
	}
	if !seen {
		return time.Time{}, false
	}
	if ampm {
		hour %= 12
		if pm {
			hour += 12
		}
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc), true
}
