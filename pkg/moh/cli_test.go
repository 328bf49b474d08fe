package moh_test

import (
	"path/filepath"
	"testing"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/moh"
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

// `moh show classes` and `moh show files` in res_musiconhold's layout and
// its hash container's order (not the file's).
func TestShowCommands(t *testing.T) {
	data := "testdata/datadir"
	cfg, diags := moh.Load(parse(t, `
[default]
mode=files
directory=moh

[jazz]
mode=files
directory=jazz
announcement=queue-thankyou

[list]
mode=playlist
entry=/music/a
entry=/music/b
format=ulaw

[classical]
mode=files
directory=moh
sort=alpha
`), data)
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	golden(t, "moh-show-classes.txt", moh.ShowClasses(cfg))
	golden(t, "moh-show-files.txt", moh.ShowFiles(cfg))
	if moh.ShowClasses(&moh.Config{}) != "" || moh.ShowFiles(nil) != "" {
		t.Error("no classes should print nothing")
	}
}
