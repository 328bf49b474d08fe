package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// checkSummary is the last line "gostrisk check" prints.
var checkSummary = regexp.MustCompile(`(?m)^(\S+): (\d+) SIP peers?, (\d+) SIP users?, (\d+) registrations?, ` +
	`(\d+) contexts?, (\d+) extensions?, (\d+) priorit(?:y|ies); (\d+) errors?, (\d+) warnings?; ` +
	`(\d+) unavailable applications?, (\d+) unavailable functions?, (\d+) unread files?\n\z`)

func TestCheckSample(t *testing.T) {
	conf := filepath.Join(harness.RepoRoot(), "samples", "etc-asterisk", "asterisk.conf")
	res := harness.RunBinary(t, 30*time.Second, "check", "-C", conf)
	if res.ExitCode != 0 {
		t.Fatalf("check on the sample exited %d, want 0\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	m := checkSummary.FindStringSubmatch(res.Stdout)
	if m == nil {
		t.Fatalf("no summary line at the end of the output:\n%s", res.Stdout)
	}
	if m[1] != conf {
		t.Errorf("summary names %q, want %q", m[1], conf)
	}
	if m[8] != "0" {
		t.Errorf("summary counts %s errors on the sample, want 0", m[8])
	}
	// The sample is the reference lab plus a users.conf user: peers, the
	// trunk registration and the three contexts must all be seen.
	for i, what := range map[int]string{2: "SIP peers", 4: "registrations", 5: "contexts", 6: "extensions", 7: "priorities"} {
		if m[i] == "0" {
			t.Errorf("summary counts 0 %s on the sample:\n%s", what, m[0])
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n") {
		if strings.Contains(line, ": error: ") {
			t.Errorf("error line on the sample: %s", line)
		}
	}
	// The sample uses only what gostrisk has, and every file there is read.
	if m[10] != "0" || m[11] != "0" || m[12] != "0" {
		t.Errorf("the sample is not clean: %s unavailable applications, %s functions, %s unread files:\n%s", m[10], m[11], m[12], res.Stdout)
	}
}

// TestCheckUnavailable adds to a copy of the sample a context using an
// application and a function gostrisk lacks, a noload of app_dial.so and
// an iax.conf, and expects each reported with its file:line, counted in
// the summary, and check still exiting 0 (the daemon would start).
func TestCheckUnavailable(t *testing.T) {
	var pageLine, blLine, dialLine int
	in := harness.Start(t, harness.Options{NoStart: true, Edit: func(files map[string]string) {
		ext := strings.TrimRight(files["extensions.conf"], "\n") + "\n[gostrisk-check]\n"
		pageLine = strings.Count(ext, "\n") + 1
		ext += "exten => 600,1,SLAStation(station1)\n"
		blLine = pageLine + 1
		ext += " same => n,GotoIf($[${CALENDAR_BUSY(work)}]?bl)\n"
		dialLine = blLine + 1
		ext += " same => n,Dial(SIP/6000)\n"
		files["extensions.conf"] = ext
		files["modules.conf"] = strings.TrimRight(files["modules.conf"], "\n") + "\nnoload => app_dial.so\n"
		files["iax.conf"] = "[general]\n"
	}})
	res := harness.RunBinary(t, 30*time.Second, "check", "-C", in.Conf)
	if res.ExitCode != 0 {
		t.Fatalf("check exited %d, want 0\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	for _, want := range []string{
		fmt.Sprintf("extensions.conf:%d: warning: application 'SLAStation' is not available in gostrisk (used by 600@gostrisk-check priority 1)\n", pageLine),
		fmt.Sprintf("extensions.conf:%d: warning: function 'CALENDAR_BUSY' is not available in gostrisk (used by 600@gostrisk-check priority 2)\n", blLine),
		fmt.Sprintf("extensions.conf:%d: warning: application 'Dial' is not available in gostrisk: modules.conf does not load app_dial.so (used by 600@gostrisk-check priority 3)\n", dialLine),
		"iax.conf: warning: not read: gostrisk has no IAX2\n",
	} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("missing %q", want)
		}
	}
	m := checkSummary.FindStringSubmatch(res.Stdout)
	if m == nil {
		t.Fatalf("no summary line:\n%s", res.Stdout)
	}
	// Dial is used by the sample's own contexts too: it counts once.
	if m[10] != "2" || m[11] != "1" || m[12] != "1" {
		t.Errorf("summary counts %s applications, %s functions, %s unread files; want 2, 1, 1:\n%s", m[10], m[11], m[12], m[0])
	}
	if t.Failed() {
		t.Logf("stdout:\n%s", res.Stdout)
	}
}

// TestCheckReferenceConf runs check on the unchanged reference setup of
// Asterisk 18 and compares the whole report with a golden file.
func TestCheckReferenceConf(t *testing.T) {
	res := harness.RunBinaryIn(t, harness.ReferenceConf(), 30*time.Second, "check", "-C", "asterisk.conf")
	if res.ExitCode != 0 {
		t.Fatalf("check on the reference conf exited %d, want 0\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if res.Stderr != "" {
		t.Errorf("check wrote to stderr on a valid config:\n%s", res.Stderr)
	}
	m := checkSummary.FindStringSubmatch(res.Stdout)
	if m == nil {
		t.Fatalf("no summary line at the end of the output:\n%s", res.Stdout)
	}
	// sip.conf: trunk-ovh, 6000, 6001 (friends count as peer and user);
	// extensions.conf: work, sortant-ovh, ovh-sip.
	want := "asterisk.conf: 3 SIP peers, 2 SIP users, 1 registration, 3 contexts, 6 extensions, 17 priorities"
	if !strings.HasPrefix(m[0], want+";") {
		t.Errorf("summary:\n got %q\nwant %q...", m[0], want)
	}
	harness.Golden(t, filepath.Join("testdata", "check", "reference-conf.txt"), res.Stdout)
	// Checking must not create the daemon's directories next to the config.
	if _, err := os.Stat(filepath.Join(harness.ReferenceConf(), "var")); err == nil {
		t.Errorf("check created %s", filepath.Join(harness.ReferenceConf(), "var"))
	}
}

// TestCheckBroken breaks one line of a copy of the sample and expects a
// non-zero exit and a diagnostic that starts with the exact file:line.
func TestCheckBroken(t *testing.T) {
	// appendLine adds text at the end of a file and returns the number of
	// the line it landed on.
	appendLine := func(files map[string]string, name, text string) int {
		c := files[name]
		if c != "" && !strings.HasSuffix(c, "\n") {
			c += "\n"
		}
		c += text + "\n"
		files[name] = c
		return strings.Count(c, "\n")
	}
	cases := []struct {
		name    string
		blocked string // why the test cannot pass yet (code owned elsewhere)
		edit    func(files map[string]string) (file string, line int)
	}{
		{"unterminated category", "", func(f map[string]string) (string, int) {
			return "extensions.conf", appendLine(f, "extensions.conf", "[cat")
		}},
		{"include of a missing file", "", func(f map[string]string) (string, int) {
			return "extensions.conf", appendLine(f, "extensions.conf", `#include "no-such-file.conf"`)
		}},
		{"exten without priority", "",
			func(f map[string]string) (string, int) {
				appendLine(f, "extensions.conf", "[gostrisk-check]")
				return "extensions.conf", appendLine(f, "extensions.conf", "exten => ")
			}},
		{"port not a number", "", func(f map[string]string) (string, int) {
			// Insert port=abc as the first option of peer [6000].
			lines := strings.Split(f["sip.conf"], "\n")
			for i, l := range lines {
				if strings.HasPrefix(strings.TrimSpace(l), "[6000]") {
					lines = append(lines[:i+1], append([]string{"port=abc"}, lines[i+1:]...)...)
					f["sip.conf"] = strings.Join(lines, "\n")
					return "sip.conf", i + 2
				}
			}
			t.Fatal("sample sip.conf has no [6000] peer")
			return "", 0
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.blocked != "" {
				t.Skip("blocked: " + tc.blocked)
			}
			var file string
			var line int
			in := harness.Start(t, harness.Options{NoStart: true, Edit: func(files map[string]string) {
				file, line = tc.edit(files)
			}})
			res := harness.RunBinary(t, 30*time.Second, "check", "-C", in.Conf)
			prefix := fmt.Sprintf("%s:%d: ", file, line)
			named := false
			for _, l := range strings.Split(res.Stdout, "\n") {
				if strings.HasPrefix(l, prefix) {
					named = true
				}
			}
			if res.ExitCode == 0 {
				t.Errorf("check exited 0 on a broken %s", file)
			}
			if !named {
				t.Errorf("no diagnostic starts with %q", prefix)
			}
			if !strings.Contains(res.Stdout, prefix+"error: ") {
				t.Errorf("no error diagnostic %q...", prefix+"error: ")
			}
			if m := checkSummary.FindStringSubmatch(res.Stdout); m == nil || m[8] == "0" {
				t.Errorf("summary missing or counting no error")
			}
			if t.Failed() {
				t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
			}
		})
	}
}

// TestDaemonLogsUnavailable starts the daemon on a dialplan that uses an
// application gostrisk lacks and expects check's warning in its log at
// start; a dialplan reload that adds a missing function logs that one too.
func TestDaemonLogsUnavailable(t *testing.T) {
	in := harness.Start(t, harness.Options{Edit: func(files map[string]string) {
		files["extensions.conf"] = strings.TrimRight(files["extensions.conf"], "\n") +
			"\n[gostrisk-check]\nexten => 600,1,SLAStation(station1)\n"
	}})
	const page = "application 'SLAStation' is not available in gostrisk (used by 600@gostrisk-check priority 1)"
	if !harness.PollUntil(5*time.Second, func() bool { return strings.Contains(in.Output(), page) }) {
		t.Fatalf("no %q at start:\n%s", page, in.Output())
	}
	ext := in.ReadFile("extensions.conf") + " same => n,Set(X=${CALENDAR_BUSY(work)})\n"
	in.WriteFile("extensions.conf", ext)
	if out := in.MustRX("dialplan reload"); out != "Dialplan reloaded.\n" {
		t.Fatalf("dialplan reload: %q", out)
	}
	const bl = "function 'CALENDAR_BUSY' is not available in gostrisk (used by 600@gostrisk-check priority 2)"
	if !harness.PollUntil(5*time.Second, func() bool { return strings.Contains(in.Output(), bl) }) {
		t.Fatalf("no %q after dialplan reload:\n%s", bl, in.Output())
	}
	if n := strings.Count(in.Output(), page); n != 2 {
		t.Errorf("the SLAStation warning was logged %d times, want 2 (start, reload)", n)
	}
}
