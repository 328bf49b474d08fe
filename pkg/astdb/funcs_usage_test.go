package astdb

import (
	"path/filepath"
	"testing"
)

// TestFuncUsage: a DB function without family/key fails with func_db.c's
// warning text.
func TestFuncUsage(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "astdb.sqlite3"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"DB", func() error { _, err := db.FuncDB("nokey"); return err }, "DB requires an argument, DB(<family>/<key>)"},
		{"DB write", func() error { return db.FuncDBWrite("", "v") }, "DB requires an argument, DB(<family>/<key>)=<value>"},
		{"DB_EXISTS", func() error { _, err := db.FuncDBExists(""); return err }, "DB_EXISTS requires an argument, DB(<family>/<key>)"},
		{"DB_DELETE", func() error { _, err := db.FuncDBDelete("x"); return err }, "DB_DELETE requires an argument, DB_DELETE(<family>/<key>)"},
	}
	for _, tt := range tests {
		err := tt.call()
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}
