package followme

import (
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

func load(t *testing.T, text string) (*Config, confparse.Diagnostics) {
	t.Helper()
	cfg, diags := confparse.Parse("followme.conf", []byte(text), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return Load(cfg)
}

func TestLoad(t *testing.T) {
	c, diags := load(t, `[general]
featuredigittimeout=>3000
takecall=>9
call-from-prompt=>custom/from
connecting_prompt=>custom/conn

[boss]
musicclass=>jazz
context=>work
number=>6001,12
number=>6002&6003
number=>0612,30,1
followme-options-prompt=>custom/opts
bogus=>1

[open]
enable_callee_prompt=>no
declinecall=>*
`)
	if len(diags) != 1 || !strings.Contains(diags[0].String(), "followme.conf:14: warning: Unknown keyword in profile 'boss': bogus") {
		t.Errorf("diagnostics: %v", diags)
	}
	if c.FeatureDigitTimeout != 3000 {
		t.Errorf("featuredigittimeout %d", c.FeatureDigitTimeout)
	}
	b := c.Lookup("BOSS")
	if b == nil {
		t.Fatal("no profile boss")
	}
	want := []Number{{"6001", 12, 1}, {"6002&6003", 25, 2}, {"0612", 30, 1}}
	if len(b.Numbers) != len(want) {
		t.Fatalf("numbers %+v", b.Numbers)
	}
	for i, n := range want {
		if b.Numbers[i] != n {
			t.Errorf("number %d: %+v, want %+v", i, b.Numbers[i], n)
		}
	}
	for _, tc := range []struct{ name, got, want string }{
		{"musicclass", b.MusicClass, "jazz"},
		{"context", b.Context, "work"},
		{"takecall from [general]", b.TakeCall, "9"},
		{"declinecall default", b.DeclineCall, "2"},
		{"call-from from [general]", b.Prompts.CallFrom, "custom/from"},
		{"connecting from [general]", b.Prompts.Connecting, "custom/conn"},
		{"options in the profile", b.Prompts.Options, "custom/opts"},
		{"sorry default", b.Prompts.Sorry, "followme/sorry"},
		{"open's music default", c.Lookup("open").MusicClass, "default"},
		{"open's declinecall", c.Lookup("open").DeclineCall, "*"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if c.Lookup("open").EnableCalleePrompt || !b.EnableCalleePrompt {
		t.Error("enable_callee_prompt")
	}
	if m, _ := Load(nil); !m.Missing || m.Lookup("boss") != nil {
		t.Error("a missing file has profiles")
	}
}
