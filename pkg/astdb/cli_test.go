package astdb

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestCLIGolden runs a console session and compares every byte, trailing
// spaces included, with testdata/cli.golden.
func TestCLIGolden(t *testing.T) {
	db, _ := openTemp(t)
	reg := cli.NewRegistry()
	if err := RegisterCLI(reg, db); err != nil {
		t.Fatal(err)
	}
	script := []string{
		`database show`,
		`database put SIP/Registry 6000 127.0.0.1:5061:3600:asadek:sip:6000@127.0.0.1:5061;transport=UDP`,
		`database put SIP/Registry 6001 short`,
		`database put blacklist 0123456789 "spam caller"`,
		`database put dundi/cache hint x`,
		`database show`,
		`database show SIP`,
		`database show SIP Registry`,
		`database show SIP/Registry`,
		`database show nothere`,
		`database showkey 6000`,
		`database get SIP/Registry 6001`,
		`database get SIP/Registry 6002`,
		`database get SIP`,
		`database del SIP/Registry 6001`,
		`database del SIP/Registry 6001`,
		`database deltree nothere`,
		`database deltree SIP`,
		`database query "SELECT key, value FROM astdb ORDER BY key"`,
		`database query "DELETE FROM astdb WHERE key LIKE '/dundi/%'"`,
		`database show`,
		`database put a b`,
	}
	var out bytes.Buffer
	sess := cli.NewSession(3)
	for _, line := range script {
		out.WriteString("*CLI> " + line + "\n")
		reg.Execute(sess, line, &out)
	}
	golden := filepath.Join("testdata", "cli.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("CLI output differs from %s:\n%s", golden, diff(string(want), got))
	}
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}
