package astdb

import (
	"bytes"
	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"path/filepath"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

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
	goldenfile.Check(t, filepath.Join("testdata", "cli.golden"), out.String())
}
