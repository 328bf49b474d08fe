package apps

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func TestCanEarlyBridge(t *testing.T) {
	tests := []struct {
		opts  string
		dests int
		want  bool
	}{
		{"", 1, true},
		{"rm", 1, true},
		{"L(60000)", 1, true},
		{"", 2, false},
		{"t", 1, false},
		{"T", 1, false},
		{"h", 1, false},
		{"H", 1, false},
		{"w", 1, false},
		{"W", 1, false},
		{"k", 1, false},
		{"K", 1, false},
		{"A(beep)", 1, false},
		{"U(sub)", 1, false},
		{"M(mac)", 1, false},
		{"rTt", 1, false},
	}
	for _, tc := range tests {
		if got := canEarlyBridge(tc.dests, pbx.ParseAppOptions(tc.opts)); got != tc.want {
			t.Errorf("canEarlyBridge(%d, %q) = %v, want %v", tc.dests, tc.opts, got, tc.want)
		}
	}
}
