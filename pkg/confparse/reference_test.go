package confparse

import (
	"os"
	"strings"
	"testing"
)

// referenceDir is the reference configs copied into the repository (only
// asterisk.conf differs: its directories are relative there).
const referenceDir = "../../tests/testdata/reference-conf"

// TestReferenceConfigs loads the configs real Asterisk 18 ran with and
// checks what the modules built on them rely on.
func TestReferenceConfigs(t *testing.T) {
	if _, err := os.Stat(referenceDir); err != nil {
		t.Skipf("reference configs not available: %v", err)
	}
	type varCheck struct {
		cat, name, value, pos string
	}
	tests := []struct {
		file   string
		browse []string // names of the non-template categories, in order
		vars   []varCheck
		multi  map[string]int // "cat/name" -> how many lines
	}{
		{
			file:   "sip.conf",
			browse: []string{"general", "trunk-ovh", "6000", "6001"},
			vars: []varCheck{
				{"general", "bindaddr", "127.0.0.1", "sip.conf:4"},
				{"general", "register", "0033972124831:secretpw@127.0.0.1:5070/0033972124831", "sip.conf:11"},
				{"trunk-ovh", "insecure", "invite,port", "sip.conf:23"},
				{"6000", "fullname", "Sadek Adel", "sip.conf:31"},
				{"6001", "username", "choucheh", "sip.conf:41"},
			},
			multi: map[string]int{"general/allow": 2},
		},
		{file: "extensions.conf", browse: []string{"work", "sortant-ovh", "ovh-sip"}},
		{file: "users.conf", browse: []string{"general"}},
		{file: "asterisk.conf", browse: []string{"directories", "options"}},
		{file: "logger.conf", browse: []string{"general", "logfiles"}},
		{file: "modules.conf", browse: []string{"modules"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			cfg, diags := Load(tc.file, Options{Dir: referenceDir})
			if len(diags) != 0 {
				t.Fatalf("diagnostics: %v", diags)
			}
			var names []string
			for _, c := range cfg.Browse() {
				names = append(names, c.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.browse, ",") {
				t.Errorf("categories = %v, want %v", names, tc.browse)
			}
			for _, vc := range tc.vars {
				cat := cfg.Category(vc.cat)
				if cat == nil {
					t.Errorf("no category %q", vc.cat)
					continue
				}
				v := cat.Var(vc.name)
				if v == nil || v.Value != vc.value || v.Pos() != vc.pos {
					t.Errorf("[%s] %s = %+v, want %q at %s", vc.cat, vc.name, v, vc.value, vc.pos)
				}
			}
			for key, n := range tc.multi {
				cat, name, _ := strings.Cut(key, "/")
				if got := len(cfg.Category(cat).All(name)); got != n {
					t.Errorf("%s: %d lines, want %d", key, got, n)
				}
			}
		})
	}
}

// TestReferenceDialplanObjects checks the '=>' flag and line order of the
// reference dialplan, which the dialplan builder depends on.
func TestReferenceDialplanObjects(t *testing.T) {
	if _, err := os.Stat(referenceDir); err != nil {
		t.Skipf("reference configs not available: %v", err)
	}
	cfg, diags := Load("extensions.conf", Options{Dir: referenceDir})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	work := cfg.Category("WORK")
	if work == nil {
		t.Fatal("no [work] (case-insensitive lookup)")
	}
	exts := work.All("exten")
	if len(exts) == 0 {
		t.Fatal("no exten lines in [work]")
	}
	for _, v := range exts {
		if !v.Object {
			t.Errorf("%s: exten without the => flag", v.Pos())
		}
	}
	for i := 1; i < len(work.Vars); i++ {
		if work.Vars[i].Line <= work.Vars[i-1].Line {
			t.Errorf("variables out of file order at %s", work.Vars[i].Pos())
		}
	}
}
