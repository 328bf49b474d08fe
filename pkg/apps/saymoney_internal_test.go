package apps

import (
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

func TestMoneyAndOrdinalFiles(t *testing.T) {
	tests := []struct {
		what, in, lang string
		want           string
		warn           string
	}{
		{what: "money", in: "0", lang: "en", want: "digits/0 cents"},
		{what: "money", in: "", lang: "en", want: "digits/0 cents"},
		{what: "money", in: "0.01", lang: "en", want: "digits/1 cent"},
		{what: "money", in: "0.42", lang: "en", want: "digits/40 digits/2 cents"},
		{what: "money", in: "1", lang: "en", want: "digits/1 letters/dollar"},
		{what: "money", in: "1.50", lang: "en", want: "digits/1 letters/dollar_ and digits/50 cents"},
		{what: "money", in: "2", lang: "en", want: "digits/2 dollars"},
		{what: "money", in: "1234.05", lang: "en", want: "digits/1 digits/thousand digits/2 digits/hundred digits/30 digits/4 dollars and digits/5 cents"},
		{what: "money", in: "-3", lang: "en", want: ""},
		{what: "money", in: "12abc", lang: "en", want: "digits/12 dollars"},
		{what: "money", in: "3", lang: "fr", want: "digits/3 dollars", warn: "Language fr not currently supported, defaulting to US Dollars"},
		{what: "ordinal", in: "1", want: "digits/h-1"},
		{what: "ordinal", in: "20", want: "digits/h-20"},
		{what: "ordinal", in: "42", want: "digits/40 digits/h-2"},
		{what: "ordinal", in: "100", want: "digits/1 digits/h-hundred"},
		{what: "ordinal", in: "101", want: "digits/1 digits/hundred digits/h-1"},
		{what: "ordinal", in: "1000", want: "digits/1 digits/h-thousand"},
		{what: "ordinal", in: "2021", want: "digits/2 digits/thousand digits/20 digits/h-1"},
		{what: "ordinal", in: "3000000", want: "digits/3 digits/h-million"},
		{what: "ordinal", in: "0", want: ""},
		{what: "ordinal", in: "-2", want: "digits/minus digits/h-2"},
	}
	for _, tt := range tests {
		t.Run(tt.what+" "+tt.in+" "+tt.lang, func(t *testing.T) {
			log := &pbxtest.Log{}
			var got []string
			if tt.what == "money" {
				got = moneyFiles(log, tt.in, tt.lang)
			} else {
				n := 0
				for i, c := range tt.in {
					if c == '-' && i == 0 {
						continue
					}
					n = n*10 + int(c-'0')
				}
				if strings.HasPrefix(tt.in, "-") {
					n = -n
				}
				got = ordinalEN(log, n)
			}
			if s := strings.Join(got, " "); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
			if tt.warn != "" && !strings.Contains(strings.Join(log.Lines(), "\n"), tt.warn) {
				t.Errorf("log lacks %q: %q", tt.warn, log.Lines())
			}
		})
	}
}

func TestCountedEndings(t *testing.T) {
	tests := []struct {
		lang, gender string
		n            int
		noun, adj    string
	}{
		{"en", "", 1, "", ""},
		{"en", "", -1, "", ""},
		{"en", "", 0, "s", ""},
		{"en", "", 5, "s", ""},
		{"fr", "", 2, "s", ""}, // French counts as English in say.c
		{"ru", "f", 1, "", "f"},
		{"ru", "f", 21, "", "f"},
		{"ru", "f", 2, "x1", "x"},
		{"ru", "f", 24, "x1", "x"},
		{"ru", "f", 5, "x2", "x"},
		{"ru", "f", 11, "x2", "x"},
		{"ru", "f", 112, "x2", "x"},
		{"pl", "", 0, "x2", "x"},
		{"ua", "m", -3, "x1", "x"},
	}
	for _, tt := range tests {
		if got := countedNounEnding(tt.lang, tt.n); got != tt.noun {
			t.Errorf("noun %s %d: %q, want %q", tt.lang, tt.n, got, tt.noun)
		}
		if got := countedAdjEnding(tt.lang, tt.n, tt.gender); got != tt.adj {
			t.Errorf("adjective %s %d %s: %q, want %q", tt.lang, tt.n, tt.gender, got, tt.adj)
		}
	}
	for in, want := range map[string]int{"5": 5, " -3x": -3, "+7": 7} {
		if n, ok := countArg(in); !ok || n != want {
			t.Errorf("countArg(%q) = %d, %v", in, n, ok)
		}
	}
	for _, in := range []string{"", "x", "-", "99999999999"} {
		if _, ok := countArg(in); ok {
			t.Errorf("countArg(%q) accepted", in)
		}
	}
}
