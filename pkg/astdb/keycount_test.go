package astdb

import "testing"

// TestFuncDBKeyCount: DB_KEYCOUNT counts what DB_KEYS lists.
func TestFuncDBKeyCount(t *testing.T) {
	db, _ := openTemp(t)
	db.Put("q/a", "1", "x")
	db.Put("q/a", "2", "x")
	db.Put("q/b", "1", "x")
	db.Put("q", "c,d", "x")
	db.Put("other", "z", "x")
	for _, tc := range []struct {
		prefix string
		want   int
	}{{"/q/", 3}, {"q", 3}, {"q/a", 2}, {"nothing", 0}, {"q/b/1", 0}} {
		if got := db.FuncDBKeyCount(tc.prefix); got != tc.want {
			t.Errorf("DB_KEYCOUNT(%s) = %d, want %d", tc.prefix, got, tc.want)
		}
	}
}
