package sipconf

import (
	"strconv"
	"strings"
)

// GroupString renders a callgroup=/pickupgroup= value ("1,3-4") as
// Asterisk prints a group set (ast_print_group): each member from 0 to 63
// in order, joined by ", " ("1, 3, 4"). Items that are not numbers or
// ranges of 0-63 are left out, as ast_get_group skips them.
func GroupString(s string) string {
	var set uint64
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(item, "-")
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil || a < 0 || b > 63 || a > b {
			continue
		}
		for i := a; i <= b; i++ {
			set |= 1 << uint(i)
		}
	}
	var out []string
	for i := 0; i < 64; i++ {
		if set&(1<<uint(i)) != 0 {
			out = append(out, strconv.Itoa(i))
		}
	}
	return strings.Join(out, ", ")
}
