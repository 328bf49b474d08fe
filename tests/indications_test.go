package tests

import (
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestIndicationShow runs `indication show` on the sample (every country
// of Asterisk's sample, us by default), then changes the default country
// and reloads only indications.
func TestIndicationShow(t *testing.T) {
	in := harness.Start(t, harness.Options{})
	in.DumpOnFailure()
	out := in.MustRX("indication show")
	if !strings.HasPrefix(out, "Country   Description\n===========================\nbe       Belgium\n") ||
		!strings.HasSuffix(out, "===========================\nDefault tone zone: us\n") ||
		strings.Count(out, "\n") != 2+41+2 {
		t.Fatalf("indication show:\n%s", out)
	}
	out = in.MustRX("indication show fr")
	if !strings.Contains(out, "fr      <ringcadence>   1500,3500\n") || !strings.Contains(out, "fr      busy            440/500,0/500\n") {
		t.Fatalf("indication show fr:\n%s", out)
	}

	conf := in.ReadFile("indications.conf")
	in.WriteFile("indications.conf", strings.Replace(conf, "country=us", "country=fr", 1))
	if out := in.MustRX("module reload indications"); out != "Module 'indications' reloaded successfully.\n" {
		t.Fatalf("module reload indications: %q", out)
	}
	if out := in.MustRX("indication show"); !strings.HasSuffix(out, "Default tone zone: fr\n") {
		t.Fatalf("after reload:\n%s", out)
	}
}
