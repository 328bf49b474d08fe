package pbx

import (
	"maps"
	"testing"
)

func TestParseAppOptions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want AppOptions
	}{
		{"", AppOptions{}},
		{"abc", AppOptions{'a': "", 'b': "", 'c': ""}},
		{"m(default)d", AppOptions{'m': "default", 'd': ""}},
		{"v(2)V(-3)r(in.wav)", AppOptions{'v': "2", 'V': "-3", 'r': "in.wav"}},
		{"g()x", AppOptions{'g': "", 'x': ""}},
		{"a(b(c)d", AppOptions{'a': "b(c", 'd': ""}},
		{"u(no end", AppOptions{'u': "no end"}},
		{"u(", AppOptions{'u': ""}},
		{"xx(2)", AppOptions{'x': "2"}}, // the last one wins
	} {
		if got := ParseAppOptions(tc.in); !maps.Equal(got, tc.want) {
			t.Errorf("ParseAppOptions(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
