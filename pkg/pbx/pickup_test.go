package pbx

import "testing"

func TestParseGroups(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"", 0}, {"1", 1 << 1}, {"1,3", 1<<1 | 1<<3}, {"2-4", 1<<2 | 1<<3 | 1<<4},
		{"0, 63", 1 | 1<<63}, {"x,5,64", 1 << 5}, {"62-70", 1<<62 | 1<<63},
	} {
		if got := ParseGroups(tc.in); got != tc.want {
			t.Errorf("ParseGroups(%q) = %b, want %b", tc.in, got, tc.want)
		}
	}
}

func TestMayPickUp(t *testing.T) {
	for _, tc := range []struct {
		name           string
		picker, target Groups
		want           bool
	}{
		{"same number", Groups{Pickup: 1 << 1}, Groups{Call: 1 << 1}, true},
		{"other number", Groups{Pickup: 1 << 2}, Groups{Call: 1 << 1}, false},
		{"named", Groups{NamedPickup: []string{"sales"}}, Groups{NamedCall: []string{"support", "sales"}}, true},
		{"named other", Groups{NamedPickup: []string{"sales"}}, Groups{NamedCall: []string{"support"}}, false},
		{"call group is not pickup group", Groups{Call: 1 << 1}, Groups{Pickup: 1 << 1}, false},
	} {
		if got := mayPickUp(tc.picker, tc.target); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseFeatureLetters(t *testing.T) {
	if got := ParseFeatureLetters("tTkH"); got != FeatureTransfer|FeaturePark|FeatureDisconnect {
		t.Errorf("got %b", got)
	}
	if got := ParseFeatureLetters("gmr"); got != 0 {
		t.Errorf("got %b", got)
	}
}
