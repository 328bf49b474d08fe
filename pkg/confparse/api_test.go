package confparse

import (
	"strings"
	"testing"
)

func TestParseInMemory(t *testing.T) {
	cfg, diags := Parse("sip.conf", []byte("[general]\nallow=ulaw\nallow=alaw\n[t](!)\nhost=dynamic\n[6000](t)\nHost=static\n[6000]\n"), Options{})
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	if got := len(cfg.Browse()); got != 3 {
		t.Errorf("Browse: %d categories, want 3 (template skipped, duplicate kept)", got)
	}
	if cfg.Category("t") != nil {
		t.Error("Category returned a template")
	}
	peer := cfg.Category("6000")
	if peer == nil || peer.Line != 6 {
		t.Fatalf("Category(6000) = %+v, want the first one, line 6", peer)
	}
	if v, ok := peer.Get("HOST"); !ok || v != "static" {
		t.Errorf("Get(HOST) = %q, %v; want the own line over the inherited one", v, ok)
	}
	if v := peer.Var("host"); v.Pos() != "sip.conf:7" || v.Inherited {
		t.Errorf("Var(host) at %s inherited=%v", v.Pos(), v.Inherited)
	}
	if all := cfg.Category("GENERAL").All("allow"); len(all) != 2 || all[0].Value != "ulaw" || all[1].Value != "alaw" {
		t.Errorf("All(allow) = %v", all)
	}
	if _, ok := peer.Get("nope"); ok {
		t.Error("Get of a missing variable reported ok")
	}
}

func TestCategoryLookupIsASCIIOnly(t *testing.T) {
	cfg, _ := Parse("x.conf", []byte("[Élan]\na=1\n[ÉLAN]\n"), Options{})
	// strcasecmp folds ASCII only: "é" and "É" differ.
	if c := cfg.Category("éLAN"); c != nil {
		t.Errorf("matched %q with non-ASCII folding", c.Name)
	}
	if c := cfg.Category("ÉlAn"); c == nil || c.Line != 1 {
		t.Errorf("ASCII case folding failed: %+v", c)
	}
}

func TestHandBuiltConfigLookup(t *testing.T) {
	cfg := &Config{Categories: []*Category{{Name: "A", Template: true}, {Name: "a", Line: 2}}}
	if c := cfg.Category("A"); c == nil || c.Line != 2 {
		t.Errorf("lookup without an index = %+v", c)
	}
}

func TestDiagnostics(t *testing.T) {
	_, diags := Parse("e.conf", []byte("[g]\nnoequal\n[bad\n"), Options{})
	if !diags.HasErrors() {
		t.Fatal("no error for a missing ']'")
	}
	err := diags.Err()
	if err == nil || !strings.HasPrefix(err.Error(), "e.conf:3: error: parse error: no closing ']'") {
		t.Errorf("Err() = %v", err)
	}
	if got := diags[0].String(); got != "e.conf:2: warning: No '=' (equal sign) in line 2 of e.conf" {
		t.Errorf("first diagnostic = %q", got)
	}
	if (Diagnostics{{File: "f", Severity: Warning, Message: "m"}}).HasErrors() {
		t.Error("a warning counted as an error")
	}
	var ds Diagnostics
	warn := ds.Warnf // the method value keeps appending to ds
	warn("q.conf", 4, "bad value '%s'", "x")
	warn("q.conf", 0, "no line")
	if len(ds) != 2 || ds.HasErrors() || ds[0].String() != "q.conf:4: warning: bad value 'x'" || ds[1].String() != "q.conf: warning: no line" {
		t.Errorf("Warnf gave %v", ds)
	}
}

func TestBraceExpand(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a.conf", "a.conf"},
		{"{a,b}.conf", "a.conf b.conf"},
		{"x{a,{b,c}}y", "xay xby xcy"},
		{"{a,b}{1,2}", "a1 a2 b1 b2"},
		{"un{matched", "un{matched"},
		{"un{matched{a,b}", "un{matcheda un{matchedb"},
		{`esc\{a,b}`, `esc\{a,b}`},
		{"{}", ""},
	}
	for _, tc := range tests {
		if got := strings.Join(braceExpand(tc.in, 100), " "); got != tc.want {
			t.Errorf("braceExpand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := len(braceExpand(strings.Repeat("{a,b}", 20), maxBraceAlternatives)); n != maxBraceAlternatives {
		t.Errorf("expansion not bounded: %d results", n)
	}
}

func TestLoadBudget(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.conf": "[g]\n#tryinclude *.conf\n#tryinclude *.conf\n",
		"b.conf":    "#tryinclude *.conf\n#tryinclude *.conf\n",
	})
	_, diags := Load("main.conf", Options{Dir: dir, maxLoads: 50})
	if !diags.HasErrors() || !strings.Contains(diags.Err().Error(), "More than 50 files read") {
		t.Errorf("diags = %v", diags)
	}
}
