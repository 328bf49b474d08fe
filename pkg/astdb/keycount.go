package astdb

import "strings"

// FuncDBKeyCount reads DB_KEYCOUNT(prefix): how many distinct next key
// components there are under prefix (what DB_KEYS would list), as
// func_db.c counts them: runs of equal components (case-insensitive) count
// once.
func (db *DB) FuncDBKeyCount(arg string) int {
	prefix := strings.Trim(arg, "/")
	n := 0
	last := ""
	for _, e := range db.Entries(prefix, "") {
		rest := e.Key[min(len(e.Key), len(prefix)+1):]
		rest = strings.TrimPrefix(rest, "/")
		comp, _, _ := strings.Cut(rest, "/")
		if strings.EqualFold(comp, last) {
			continue
		}
		last = comp
		n++
	}
	return n
}
