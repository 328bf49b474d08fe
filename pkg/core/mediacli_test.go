package core

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/media"
)

func TestMediaCLI(t *testing.T) {
	reg := cli.NewRegistry()
	tr := media.NewTranslator()
	registerMediaCLI(reg, tr)
	run := func(line string) string {
		var b strings.Builder
		reg.Execute(nil, line, &b)
		return b.String()
	}
	paths16, _ := tr.TranslationPaths("slin", 16000)
	usage := reg.Find([]string{"core", "show", "translation"}).Usage
	recalc0, _ := media.RecalcHeader("0")
	for _, c := range []struct {
		line, want string
	}{
		{"core show codec 5", "          5 GSM (gsm)\n"},
		{"core show codec 3x", "          3 G.711 u-law (ulaw)\n"},
		{"core show codec 77", "Codec 77 not found\n"},
		{"core show codec x", "Usage: core show codec <number>\n       Displays codec mapping\n"},
		{"core show codecs", media.ShowCodecs("", true)},
		{"core show codecs audio", media.ShowCodecs("audio", true)},
		{"core show translation", tr.TranslationTable(nil)},
		{"core show translation recalc 0", recalc0 + tr.TranslationTable(nil)},
		{"core show translation paths slin 16000", paths16},
		{"core show translation paths slin16", "Source codec \"slin16\" is not found.\nCommand 'core show translation paths slin16' failed.\n"},
		{"core show translation paths slin abc", "Invalid sample rate: abc.\nCommand 'core show translation paths slin abc' failed.\n"},
		{"core show translation paths", usage},
		{"core show translation bogus", usage},
		{"core show translation comp 1 2 3", usage},
	} {
		if got := run(c.line); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.line, got, c.want)
		}
	}

	// comp measures for real: the slin row has a figure under ulaw, and the
	// multi-step ulaw -> slin16 cell has none.
	out := run("core show translation comp")
	header, _ := media.RecalcHeader("")
	if !strings.HasPrefix(out, header) {
		t.Fatalf("comp output starts %q", out[:min(len(out), 120)])
	}
	if !regexp.MustCompile(`(?m)^    slin8 +[0-9]+ `).MatchString(out) {
		t.Errorf("no measured slin8 -> ulaw cost in\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^     ulaw +- +[0-9]+ +- +[0-9]+ +-( +-)* *$`).MatchString(out) {
		t.Errorf("ulaw row should show direct steps only (alaw, slin8) in\n%s", out)
	}

	if got := strings.Join(reg.Complete("core show translation paths s"), " "); !strings.Contains(got, "slin") || !strings.Contains(got, "speex") {
		t.Errorf("completion of paths s = %q", got)
	}
}
