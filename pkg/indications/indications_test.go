package indications

import (
	"bytes"
	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confparse"
)

const sampleDir = "../../samples/etc-asterisk"

func loadSample(t *testing.T) *Zones {
	t.Helper()
	cfg, diags := confparse.Load("indications.conf", confparse.Options{Dir: sampleDir})
	if len(diags) > 0 {
		t.Fatalf("parse: %v", diags)
	}
	zs, diags := Load(cfg)
	if len(diags) > 0 {
		t.Fatalf("sample indications.conf: %v", diags)
	}
	return zs
}

func TestSample(t *testing.T) {
	zs := loadSample(t)
	if n := len(zs.Countries()); n != 41 {
		t.Errorf("%d zones, want the sample's 41", n)
	}
	if zs.Default != "us" {
		t.Errorf("default %q", zs.Default)
	}
	for _, c := range []string{"us", "fr", "uk", "de", "be", "ch", "it", "es", "nl"} {
		z, ok := zs.Zone(c)
		if !ok {
			t.Errorf("no zone %s", c)
			continue
		}
		for _, name := range []string{"dial", "busy", "ring", "congestion"} {
			if l, ok := zs.Get(c, name); !ok || len(l.Parts) == 0 {
				t.Errorf("%s has no %s tone", c, name)
			}
		}
		if len(z.RingCadence) < 2 || z.Description == "" {
			t.Errorf("%s: %+v", c, z)
		}
	}
	tests := []struct {
		country, name, want string
		ok                  bool
	}{
		{"fr", "busy", "440/500,0/500", true},
		{"FR", "BUSY", "440/500,0/500", true},
		{"", "dial", "350+440", true}, // the default country
		{"us", "info", "!950/330,!1400/330,!1800/330,0", true},
		{"fr", "callwait", "440/300,0/10000", true}, // any name is a tone
		{"uk", "nosuchtone", "", false},
		{"xx", "busy", "", false},
	}
	for _, tc := range tests {
		l, ok := zs.Get(tc.country, tc.name)
		if ok != tc.ok || (ok && l.String() != tc.want) {
			t.Errorf("Get(%q, %q) = %q %v, want %q %v", tc.country, tc.name, l.String(), ok, tc.want, tc.ok)
		}
	}
}

func TestDiagnostics(t *testing.T) {
	conf := `[general]
country=zz
[ok]
description = Fine
busy = 480+620/500,0/500
ringcadence = 1000,x4000,500
fancy = abc,480
[nodesc]
busy = 440
[notones]
description = No tones
[ok]
busy = 425/500,0/500
`
	cfg, d := confparse.Parse("indications.conf", []byte(conf), confparse.Options{})
	if len(d) > 0 {
		t.Fatal(d)
	}
	zs, diags := Load(cfg)
	want := []string{
		"indications.conf:6: warning: Invalid ringcadence given 'x4000'.",
		`indications.conf:7: warning: Indication 'fancy' of country 'ok': tone part 1 "abc": frequency: no number at "abc"`,
		"indications.conf:8: warning: Indication country 'nodesc' is invalid",
		"indications.conf:10: warning: Indication country 'notones' is invalid",
		"indications.conf:12: warning: Indication country 'ok' is given again; merged into the section at indications.conf:3",
		"indications.conf:2: warning: Failed to get indication zone: zz",
	}
	var got []string
	for _, dg := range diags {
		got = append(got, dg.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	z, ok := zs.Zone("ok")
	if !ok || len(zs.Countries()) != 1 || zs.Default != "" {
		t.Fatalf("zones %+v default %q", zs.Countries(), zs.Default)
	}
	// The second [ok] reset the cadence (it gives none) and moved busy to
	// the end with its new value; the bad tone is kept with its good part.
	if len(z.RingCadence) != 0 || len(z.Tones) != 2 || z.Tones[0].Name != "fancy" || z.Tones[1].Data != "425/500,0/500" {
		t.Fatalf("merged zone %+v", z)
	}
	if l, _ := zs.Get("ok", "fancy"); l.String() != "480" {
		t.Fatalf("fancy = %q", l.String())
	}
}

func TestMissingDefault(t *testing.T) {
	cfg, _ := confparse.Parse("indications.conf", []byte("[general]\n[us]\ndescription=x\ndial=440\n"), confparse.Options{})
	zs, diags := Load(cfg)
	if len(diags) != 1 || diags[0].String() != "indications.conf:1: warning: Missing default country (for indication tones)" {
		t.Fatalf("diags %v", diags)
	}
	if _, ok := zs.Get("", "dial"); ok {
		t.Fatal("a default country without country=")
	}
}

func TestDefaultTones(t *testing.T) {
	zs := DefaultTones()
	if zs.Default != "us" || len(zs.Countries()) != 1 {
		t.Fatalf("%+v", zs)
	}
	sample := loadSample(t)
	us, _ := sample.Zone("us")
	def, _ := zs.Zone("us")
	var a, b bytes.Buffer
	Show(&a, zs, []string{"us"})
	Show(&b, sample, []string{"us"})
	if a.String() != b.String() || len(def.Tones) != len(us.Tones) {
		t.Fatalf("built-in us differs from the sample:\n%s\n%s", a.String(), b.String())
	}
}

// TestShowGolden runs `indication show` through a CLI registry.
func TestShowGolden(t *testing.T) {
	zs := loadSample(t)
	reg := cli.NewRegistry()
	reg.MustRegister(Command(func() *Zones { return zs }))
	tests := []struct{ golden, line string }{
		{"show-all.golden", "indication show"},
		{"show-countries.golden", "indication show us fr uk de be ch it es nl"},
		{"show-unknown.golden", "indication show xx"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			var out bytes.Buffer
			if err := reg.Execute(cli.NewSession(0), tc.line, &out); err != nil {
				t.Fatal(err)
			}
			goldenfile.Check(t, filepath.Join("testdata", tc.golden), out.String())
		})
	}
	var none bytes.Buffer
	Show(&none, &Zones{}, nil)
	if none.String() != "Country   Description\n===========================\n" {
		t.Fatalf("empty registry: %q", none.String())
	}
}

func TestCaseHash(t *testing.T) {
	// djb2 with XOR, as Asterisk's ast_str_case_hash, and case-blind.
	if caseHash("us") != caseHash("US") || caseHash("") != 5381 || caseHash("a") != (5381*33^'a') {
		t.Fatal("hash")
	}
}

func TestPlaytones(t *testing.T) {
	zs := loadSample(t)
	tests := []struct {
		country, arg, want string
		err                bool
	}{
		{"fr", "busy", "440/500,0/500", false},
		{"", "busy", "480+620/500,0/500", false},   // default zone (us)
		{"zz", "busy", "480+620/500,0/500", false}, // unknown zone: default
		{"fr", "425/200,0/200", "425/200,0/200", false},
		{"fr", "bussy", "", true}, // neither a tone nor a list
	}
	for _, tc := range tests {
		l, err := zs.Playtones(tc.country, tc.arg)
		if (err != nil) != tc.err || l.String() != tc.want {
			t.Errorf("Playtones(%q, %q) = %q, %v", tc.country, tc.arg, l.String(), err)
		}
	}
	var none *Zones
	if l, err := none.Playtones("", "440"); err != nil || l.String() != "440" {
		t.Errorf("nil registry: %q %v", l.String(), err)
	}
}

func FuzzLoad(f *testing.F) {
	sample, err := os.ReadFile(filepath.Join(sampleDir, "indications.conf"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(sample[:2000]))
	f.Add("[general]\ncountry=x\n[x]\ndescription=d\nringcadence=1,,x,2\nbusy=1|2\n[X]\nbusy=\n")
	f.Fuzz(func(t *testing.T, conf string) {
		cfg, _ := confparse.Parse("indications.conf", []byte(conf), confparse.Options{})
		zs, _ := Load(cfg)
		if zs.Default != "" {
			if _, ok := zs.Zone(""); !ok {
				t.Fatal("default zone not found")
			}
		}
		var out bytes.Buffer
		names := []string{"x"}
		for _, z := range zs.Countries() {
			if z.Description == "" || len(z.Tones) == 0 {
				t.Fatalf("invalid zone kept: %+v", z)
			}
			names = append(names, z.Country)
		}
		Show(&out, zs, nil)
		Show(&out, zs, names)
	})
}

func TestUnknownGeneralOption(t *testing.T) {
	cfg, d := confparse.Parse("indications.conf", []byte("[general]\ncountry=us\ncountri=fr\n[us]\ndescription=US\ndial=440\n"), confparse.Options{})
	if len(d) > 0 {
		t.Fatal(d)
	}
	_, diags := Load(cfg)
	want := "indications.conf:3: warning: Unknown option 'countri' in [general] of indications.conf, ignored"
	if len(diags) != 1 || diags[0].String() != want {
		t.Errorf("diagnostics %v, want [%s]", diags, want)
	}
}
