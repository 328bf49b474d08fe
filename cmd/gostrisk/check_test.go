package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
)

// TestCheckSampleSet runs `gostrisk check` on a configuration directory
// laid out as Asterisk 18's sample set: every file name of its
// configs/samples (empty), modules.conf not loading chan_sip as the
// sample does, and an extensions.conf written in the sample's style with
// the same applications and functions. The report must name each
// unavailable one with file:line and the extension, list the files it
// does not read, and still exit 0 (warnings only).
func TestCheckSampleSet(t *testing.T) {
	names, err := os.ReadFile("../../pkg/core/testdata/asterisk18-sample-names.txt")
	if err != nil {
		t.Fatal(err)
	}
	etc := t.TempDir()
	for _, n := range strings.Fields(string(names)) {
		if err := os.WriteFile(filepath.Join(etc, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"extensions.conf", "modules.conf"} {
		b, err := os.ReadFile(filepath.Join("testdata/samplestyle", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(etc, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "moh"), 0o755); err != nil {
		t.Fatal(err)
	}
	astconf := "[directories]\nastetcdir => " + etc + "\nastdatadir => " + data +
		"\nastspooldir => " + t.TempDir() + "\nastlogdir => " + t.TempDir() + "\nastrundir => " + t.TempDir() +
		"\nastvarlibdir => " + t.TempDir() + "\nastdbdir => " + t.TempDir() + "\n"
	conf := filepath.Join(etc, "asterisk.conf")
	if err := os.WriteFile(conf, []byte(astconf), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"check", "-C", conf}, &out, &errb)
	if code != 0 {
		t.Fatalf("check exited %d: %s\n%s", code, errb.String(), out.String())
	}
	got := strings.ReplaceAll(out.String(), etc, "$ETC")
	got = strings.ReplaceAll(got, data, "$DATA")
	goldenfile.Check(t, "testdata/samplestyle/check.txt", got)

	// Whatever the golden file says, each unavailable use names its place.
	use := regexp.MustCompile(`^extensions\.conf:\d+: warning: (application|function) '\w+' is not available in gostrisk.* \(used by (\S+@\S+ priority \d+|\[globals\] \w+)\)$`)
	for _, line := range strings.Split(got, "\n") {
		if strings.Contains(line, "is not available") && !use.MatchString(line) {
			t.Errorf("not in the shape file:line ... (used by exten@context priority N): %q", line)
		}
	}
}
