package sipconf

import "testing"

func TestGroupString(t *testing.T) {
	tests := map[string]string{
		"":          "",
		"1":         "1",
		"1,3-4":     "1, 3, 4",
		"4,1,1":     "1, 4",
		"0-2, 63":   "0, 1, 2, 63",
		"x,5,64,3-": "5",
	}
	for in, want := range tests {
		if got := GroupString(in); got != want {
			t.Errorf("GroupString(%q) = %q, want %q", in, got, want)
		}
	}
}
