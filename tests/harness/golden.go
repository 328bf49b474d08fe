package harness

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update is the conventional -update flag of golden tests; it lives here so
// that every test file of tests/ shares one definition.
var update = flag.Bool("update", false, "rewrite golden files under testdata/ with the output the tests got")

// Golden compares got with the file at path (relative to the test's package
// directory), or rewrites the file when the tests run with -update.
func Golden(t testing.TB, path, got string) {
	t.Helper()
	if *update {
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
		t.Fatalf("golden file: %v (run the test with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// ReferenceConf is the Asterisk 18 reference setup copied from
// ../shared/reference/asterisk18/conf into tests/testdata/reference-conf,
// with asterisk.conf's /opt directories made relative so that it runs from a
// clean clone.
func ReferenceConf() string {
	return filepath.Join(RepoRoot(), "tests", "testdata", "reference-conf")
}

// Transcript reads a file of tests/testdata/transcripts: exact bytes that
// Asterisk 18.26.4 printed for "asterisk -rx <command>" on the reference
// setup (see the README there for the few adjusted ones).
func Transcript(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(), "tests", "testdata", "transcripts", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
