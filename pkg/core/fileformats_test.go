package core

import (
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
)

// TestCoreShowFileFormats: the command prints pkg/media/sound's table
// (golden-tested there) and shows its usage when given extra words.
func TestCoreShowFileFormats(t *testing.T) {
	d := &Daemon{reg: cli.NewRegistry()}
	d.registerCoreCLI()
	for _, tc := range []struct{ line, want string }{
		{"core show file formats", sound.ShowFileFormats()},
		{"core show file formats extra", "Usage: core show file formats\n       Displays currently registered file formats (if any).\n"},
	} {
		var out strings.Builder
		d.reg.Execute(cli.NewSession(0), tc.line, &out)
		if out.String() != tc.want {
			t.Errorf("%q printed\n%s\nwant\n%s", tc.line, out.String(), tc.want)
		}
	}
}
