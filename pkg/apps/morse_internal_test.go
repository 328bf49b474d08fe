package apps

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestMorseParts(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		s        string
		american bool
		want     string // freq/ms per part
	}{
		// E: dit, element gap, character gap (2 dits more).
		{"E", false, "800/10 0/10 0/20"},
		{"A", false, "800/10 0/10 800/30 0/10 0/20"},
		{"e", false, "800/10 0/10 0/20"},
		// A space is a 2-dit gap plus the gaps around it.
		{" ", false, "0/20 0/10 0/20"},
		{"#", false, "0/20"}, // no code: only the character gap
		{"L", true, "800/60 0/10 0/30"},
		{"C", true, "800/10 0/10 800/10 0/10 0/30 0/10 800/10 0/10 0/30"},
		{"0", true, "800/90 0/10 0/30"},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range morseParts(tt.s, tt.american, 10*ms, 800, 0) {
			got = append(got, fmt.Sprintf("%d/%d", p.Freq1, p.Duration/ms))
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("%q american=%v: %s, want %s", tt.s, tt.american, g, tt.want)
		}
	}
}
