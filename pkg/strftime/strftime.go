package strftime

import (
	"strconv"
	"strings"
	"time"
)

// Format formats t with a C strftime format. Unknown conversions are
// copied through.
func Format(format string, t time.Time) string {
	var b strings.Builder
	b.Grow(len(format) + 16)
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		c = format[i]
		if c >= '1' && c <= '9' && i+1 < len(format) && format[i+1] == 'q' {
			writeFraction(&b, t, int(c-'0'))
			i++
			continue
		}
		switch c {
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'c':
			b.WriteString(t.Format("Mon Jan _2 15:04:05 2006"))
		case 'C':
			pad2(&b, t.Year()/100, '0')
		case 'd':
			pad2(&b, t.Day(), '0')
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'e':
			pad2(&b, t.Day(), ' ')
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'H':
			pad2(&b, t.Hour(), '0')
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad2(&b, h, '0')
		case 'j':
			d := t.YearDay()
			b.WriteByte(byte('0' + d/100))
			pad2(&b, d%100, '0')
		case 'k':
			pad2(&b, t.Hour(), ' ')
		case 'm':
			pad2(&b, int(t.Month()), '0')
		case 'M':
			pad2(&b, t.Minute(), '0')
		case 'n':
			b.WriteByte('\n')
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'q':
			writeFraction(&b, t, 3)
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 's':
			b.WriteString(strconv.Itoa(int(t.Unix())))
		case 'S':
			pad2(&b, t.Second(), '0')
		case 't':
			b.WriteByte('\t')
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b.WriteString(strconv.Itoa(wd))
		case 'w':
			b.WriteString(strconv.Itoa(int(t.Weekday())))
		case 'y':
			pad2(&b, t.Year()%100, '0')
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(c)
		}
	}
	return b.String()
}

func pad2(b *strings.Builder, n int, pad byte) {
	if n < 10 {
		b.WriteByte(pad)
	}
	b.WriteString(strconv.Itoa(n))
}

func writeFraction(b *strings.Builder, t time.Time, digits int) {
	ns := t.Nanosecond()
	s := strconv.Itoa(ns + 1_000_000_000)[1:] // nine digits, zero padded
	if digits > 9 {
		digits = 9
	}
	b.WriteString(s[:digits])
}
