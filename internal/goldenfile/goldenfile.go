// Package goldenfile compares what a test produced with a file under the
// package's testdata directory; `go test -update` (or UPDATE_GOLDEN=1)
// rewrites the files instead. Tests import it rather than each declaring
// its own -update flag and compare function.
package goldenfile

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Updating reports whether the golden files are being rewritten.
func Updating() bool { return *update || os.Getenv("UPDATE_GOLDEN") != "" }

// Check compares got with the file at path (relative to the package
// directory, e.g. "testdata/x.txt"), or writes it when updating.
func Check(t testing.TB, path, got string) {
	t.Helper()
	if Updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
