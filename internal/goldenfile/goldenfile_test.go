package goldenfile

import (
	"os"
	"path/filepath"
	"testing"
)

// A file that differs fails the test; a matching one passes.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.txt")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Check(t, path, "same\n")
	inner := &testing.T{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Check(inner, path, "other\n")
	}()
	<-done
	if !inner.Failed() && !Updating() {
		t.Error("a differing output passed")
	}
}
