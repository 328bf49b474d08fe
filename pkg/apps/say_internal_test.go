package apps

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSayNumberFiles(t *testing.T) {
	tests := []struct {
		n       int
		lang    string
		options string
		want    string
	}{
		{0, "en", "", "digits/0"},
		{7, "en", "", "digits/7"},
		{19, "en", "", "digits/19"},
		{42, "en", "", "digits/40 digits/2"},
		{100, "en", "", "digits/1 digits/hundred"},
		{1234, "en", "", "digits/1 digits/thousand digits/2 digits/hundred digits/30 digits/4"},
		{2000000, "en", "", "digits/2 digits/million"},
		{1000000000, "en", "", "digits/1 digits/billion"},
		{-5, "en", "", "digits/minus digits/5"},
		{42, "de", "", "digits/40 digits/2"}, // unknown syntaxes speak English
		{0, "fr", "", "digits/0"},
		{1, "fr", "", "digits/1"},
		{1, "fr", "f", "digits/1F"},
		{16, "fr", "", "digits/16"},
		{20, "fr", "", "digits/20"},
		{21, "fr", "", "digits/20 digits/et digits/1"},
		{42, "fr", "", "digits/40 digits/2"},
		{61, "fr", "", "digits/60 digits/et digits/1"},
		{70, "fr", "", "digits/60 digits/10"},
		{71, "fr", "", "digits/60 digits/et digits/11"},
		{77, "fr", "", "digits/60 digits/17"},
		{80, "fr", "", "digits/80"},
		{81, "fr", "", "digits/80 digits/1"},
		{91, "fr", "", "digits/80 digits/11"},
		{99, "fr", "", "digits/80 digits/19"},
		{100, "fr", "", "digits/hundred"},
		{101, "fr", "", "digits/hundred digits/1"},
		{200, "fr", "", "digits/2 digits/hundred"},
		{321, "fr", "", "digits/3 digits/hundred digits/20 digits/et digits/1"},
		{1000, "fr", "", "digits/thousand"},
		{1999, "fr", "", "digits/thousand digits/9 digits/hundred digits/80 digits/19"},
		{2026, "fr", "", "digits/2 digits/thousand digits/20 digits/6"},
		{1000000, "fr", "", "digits/1 digits/million"},
		{-3, "fr_CA", "", "digits/minus digits/3"},
	}
	for _, tc := range tests {
		got := strings.Join(names(sayNumberFiles(tc.n, tc.lang, tc.options)), " ")
		if got != tc.want {
			t.Errorf("SayNumber(%d,%s) in %s = %s, want %s", tc.n, tc.options, tc.lang, got, tc.want)
		}
	}
}

func TestSayDigitsAndAlphaFiles(t *testing.T) {
	if got := strings.Join(names(sayDigitFiles("12*#-x9")), " "); got != "digits/1 digits/2 digits/star digits/pound digits/minus digits/9" {
		t.Errorf("SayDigits = %s", got)
	}
	tests := []struct {
		s    string
		sens int
		want string
	}{
		{"aB3", caseNone, "letters/a letters/b digits/3"},
		{"a@b.c", caseNone, "letters/a letters/at letters/b letters/dot letters/c"},
		{"aBc", caseAll, "lowercase letters/a uppercase letters/b lowercase letters/c"},
		{"aBc", caseUpper, "letters/a uppercase letters/b letters/c"},
		{"aBc", caseLower, "lowercase letters/a letters/b lowercase letters/c"},
	}
	for _, tc := range tests {
		if got := strings.Join(names(sayAlphaFiles(tc.s, tc.sens)), " "); got != tc.want {
			t.Errorf("SayAlpha(%q, %d) = %s, want %s", tc.s, tc.sens, got, tc.want)
		}
	}
	if seq := sayAlphaFiles(",", caseNone); len(seq) != 1 || seq[0].alt != "letters/ascii44" {
		t.Errorf("',' has no ascii fallback: %+v", seq)
	}
}

func TestSayDateFiles(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	// Saturday 5 December 2026, 15:07:09 in Paris.
	when := time.Date(2026, 12, 5, 15, 7, 9, 0, paris)
	now := when.Add(time.Hour)
	tests := []struct {
		lang, format string
		when         time.Time
		want         string
	}{
		{"en", "", when, "digits/day-6 digits/mon-11 digits/h-5 digits/2 digits/thousand digits/20 digits/6 digits/at digits/3 digits/oh digits/7 digits/p-m"},
		{"fr", "", when, "digits/day-6 digits/5 digits/mon-11 digits/2 digits/thousand digits/20 digits/6 digits/at digits/3 digits/oclock digits/7 digits/p-m"},
		{"en", "HMS", when, "digits/15 digits/oh digits/7 digits/oh digits/9"},
		{"en", "R", when.Add(-15 * time.Hour), "digits/oh digits/oh digits/7"},
		{"en", "R", when.Add(-15*time.Hour - 7*time.Minute), "digits/oh digits/oclock"},
		{"en", "d", time.Date(2026, 1, 21, 0, 0, 0, 0, paris), "digits/20 digits/h-1"},
		{"en", "d", time.Date(2026, 1, 30, 0, 0, 0, 0, paris), "digits/h-30"},
		{"en", "Y", time.Date(1905, 1, 1, 0, 0, 0, 0, paris), "digits/19 digits/oh digits/5"},
		{"fr", "dB", time.Date(2026, 3, 1, 0, 0, 0, 0, paris), "digits/h-1 digits/mon-2"},
		{"fr", "HM", when, "digits/15 digits/oclock digits/7"},
		{"en", "Q", when, "digits/today"},
		{"en", "Q", when.Add(-24 * time.Hour), "digits/yesterday"},
		{"fr", "q", when, ""},
		{"en", "'vm-received' A", when, "vm-received digits/day-6"},
	}
	for _, tc := range tests {
		seq, bad := sayDateFiles(tc.when, now, tc.lang, tc.format)
		if got := strings.Join(names(seq), " "); got != tc.want || len(bad) != 0 {
			t.Errorf("date %s %q in %s = %s (%v), want %s", tc.when, tc.format, tc.lang, got, bad, tc.want)
		}
	}
	_, bad := sayDateFiles(when, now, "en", "AZ")
	if !slices.Equal(bad, []string{"Unknown character in datetime format AZ: Z at pos 1"}) {
		t.Errorf("unknown letter warnings = %v", bad)
	}
}
