package core

import (
	"os"
	"path/filepath"
	"testing"
)

// musiconhold.conf joins the Snapshot: classes under astdatadir, warnings
// with file:line for gostrisk check, nothing when the module is noload.
func TestSnapshotMusicOnHold(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("asterisk.conf", "[directories]\nastetcdir => .\nastdatadir => data\n")
	write("data/moh/song.wav", "")
	write("musiconhold.conf", "[default]\nmode=files\ndirectory=moh\nvolume=3\n")
	ac, diags := LoadAsteriskConf(filepath.Join(dir, "asterisk.conf"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	snap, diags := LoadSnapshot(ac)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c := snap.MOH.Lookup("default")
	if c == nil || len(c.Files) != 1 || c.Files[0] != filepath.Join(dir, "data/moh/song") {
		t.Fatalf("class default: %+v", c)
	}
	found := false
	for _, d := range diags {
		found = found || d.String() == "musiconhold.conf:4: warning: Unknown option 'volume' in class 'default' of musiconhold.conf"
	}
	if !found {
		t.Errorf("no warning for volume=; diagnostics: %v", diags)
	}

	write("modules.conf", "[modules]\nnoload => res_musiconhold.so\n")
	snap, _ = LoadSnapshot(ac)
	if len(snap.MOH.Classes) != 0 {
		t.Errorf("res_musiconhold.so noload still has classes: %+v", snap.MOH.Classes)
	}
}
