package astdb

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func openTemp(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "astdb.sqlite3")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// rawRows reads the file through a separate connection, as another process
// (Asterisk, sqlite3) would.
func rawRows(t *testing.T, path string) map[string]string {
	t.Helper()
	sdb, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	rows, err := sdb.Query(`SELECT key, value FROM astdb`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		if k.Valid && v.Valid {
			out[k.String] = v.String
		}
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	db, path := openTemp(t)
	if err := db.Put("SIP/Registry", "6000", "127.0.0.1:5061:3600:asadek:sip:6000@127.0.0.1:5061;transport=UDP"); err != nil {
		t.Fatal(err)
	}
	if v, ok := db.Get("SIP/Registry", "6000"); !ok || v != "127.0.0.1:5061:3600:asadek:sip:6000@127.0.0.1:5061;transport=UDP" {
		t.Fatalf("Get = %q, %v", v, ok)
	}
	if _, ok := db.Get("SIP", "Registry/6000"); !ok {
		t.Fatal("family/key split must not matter: /SIP/Registry/6000 is one key")
	}
	if _, ok := db.Get("sip/registry", "6000"); ok {
		t.Fatal("Get must be case-sensitive like Asterisk's key=?")
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	if got := rawRows(t, path)["/SIP/Registry/6000"]; got == "" {
		t.Fatalf("row not on disk after Sync: %v", rawRows(t, path))
	}
	if err := db.Del("SIP/Registry", "6000"); err != nil {
		t.Fatal(err)
	}
	if err := db.Del("SIP/Registry", "6000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Del = %v, want ErrNotFound", err)
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	if rows := rawRows(t, path); len(rows) != 0 {
		t.Fatalf("rows after delete: %v", rows)
	}
}

func TestReopenPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "astdb.sqlite3")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2500 { // more than FlushBatch, so early flushes happen too
		if err := db.Put("test", fmt.Sprint(i), fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	db.Put("test", "7", "overwritten")
	db.Del("test", "8")
	// No Sync: Close alone must persist everything acknowledged.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Put("x", "y", "z"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close = %v", err)
	}
	db2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if n := db2.Len(); n != 2499 {
		t.Fatalf("Len after reopen = %d, want 2499", n)
	}
	if v, _ := db2.Get("test", "7"); v != "overwritten" {
		t.Fatalf("test/7 = %q", v)
	}
	if _, ok := db2.Get("test", "8"); ok {
		t.Fatal("test/8 deleted before Close came back")
	}
}

// A file in Asterisk's own schema, written with plain SQL, is read as is.
func TestReadsAsteriskFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "astdb.sqlite3")
	sdb, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE astdb(key VARCHAR(256), value VARCHAR(256), PRIMARY KEY(key))`,
		`INSERT INTO astdb VALUES('/SIP/Registry/6000', '127.0.0.1:5061:3600:asadek:sip:6000@127.0.0.1:5061;transport=UDP')`,
		`INSERT INTO astdb VALUES('/dundi/secret', 'abc')`,
		`INSERT INTO astdb VALUES('/broken', NULL)`,
	} {
		if _, err := sdb.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	sdb.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, ok := db.Get("SIP/Registry", "6000")
	if !ok || v != "127.0.0.1:5061:3600:asadek:sip:6000@127.0.0.1:5061;transport=UDP" {
		t.Fatalf("Get = %q, %v", v, ok)
	}
	want := []Entry{{"/SIP/Registry/6000", v}, {"/dundi/secret", "abc"}}
	if got := db.Entries("", ""); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Entries = %v, want %v", got, want)
	}
	// Writing through us keeps Asterisk's schema usable.
	db.Put("SIP/Registry", "6001", "x")
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	if rawRows(t, path)["/SIP/Registry/6001"] != "x" {
		t.Fatal("write to an Asterisk-created file not persisted")
	}
}

func TestTrees(t *testing.T) {
	db, _ := openTemp(t)
	for _, k := range []string{"SIP/Registry/6000", "SIP/Registry/6001", "SIP/Other/x", "SIPX/y", "blacklist/123"} {
		family, key := k[:len(k)-len(filepath.Base(k))-1], filepath.Base(k)
		db.Put(family, key, "v")
	}
	keys := func(es []Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Key)
		}
		return out
	}
	tests := []struct {
		family, tree string
		want         string
	}{
		{"", "", "[/SIP/Other/x /SIP/Registry/6000 /SIP/Registry/6001 /SIPX/y /blacklist/123]"},
		{"SIP", "", "[/SIP/Other/x /SIP/Registry/6000 /SIP/Registry/6001]"},
		{"sip", "registry", "[/SIP/Registry/6000 /SIP/Registry/6001]"}, // LIKE is case-insensitive
		{"SIP/Registry", "", "[/SIP/Registry/6000 /SIP/Registry/6001]"},
		{"SIP/Registry/6000", "", "[/SIP/Registry/6000]"},
		{"SIP/Reg", "", "[]"},
	}
	for _, tc := range tests {
		if got := fmt.Sprint(keys(db.Entries(tc.family, tc.tree))); got != tc.want {
			t.Errorf("Entries(%q, %q) = %s, want %s", tc.family, tc.tree, got, tc.want)
		}
	}
	if got := fmt.Sprint(keys(db.EntriesByKey("6000"))); got != "[/SIP/Registry/6000]" {
		t.Errorf("EntriesByKey = %s", got)
	}
	if n, err := db.DelTree("SIP", "Registry"); n != 2 || err != nil {
		t.Fatalf("DelTree = %d, %v", n, err)
	}
	if _, err := db.DelTree("", "x"); err == nil {
		t.Fatal("DelTree without family but with keytree must fail")
	}
	if n, _ := db.DelTree("", ""); n != 3 {
		t.Fatalf("DelTree all = %d, want 3", n)
	}
}

func TestConcurrent(t *testing.T) {
	db, path := openTemp(t)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				key := fmt.Sprint(i % 50)
				db.Put(fmt.Sprint("w", w), key, fmt.Sprint(i))
				db.Get(fmt.Sprint("w", w), key)
				if i%97 == 0 {
					db.DelTree(fmt.Sprint("w", w), "")
					db.Entries("", "")
				}
				if i%131 == 0 {
					db.Sync()
				}
			}
		}()
	}
	wg.Wait()
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	mem := map[string]string{}
	for _, e := range db.Entries("", "") {
		mem[e.Key] = e.Value
	}
	if disk := rawRows(t, path); fmt.Sprint(disk) != fmt.Sprint(mem) {
		t.Fatalf("disk and memory differ:\n disk %d rows\n mem  %d rows", len(disk), len(mem))
	}
}

func TestFuncs(t *testing.T) {
	db, _ := openTemp(t)
	if err := db.FuncDBWrite("cf/6000/dest", "0612"); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.Get("cf", "6000/dest"); v != "0612" {
		t.Fatalf("DB() write stored %q", v)
	}
	tests := []struct {
		name string
		fn   func(string) (FuncResult, error)
		arg  string
		want FuncResult
	}{
		{"DB found", db.FuncDB, "cf/6000/dest", FuncResult{"0612", true, "0612"}},
		{"DB missing", db.FuncDB, "cf/6001", FuncResult{}},
		{"DB_EXISTS yes", db.FuncDBExists, "cf/6000/dest", FuncResult{"1", true, "0612"}},
		{"DB_EXISTS no", db.FuncDBExists, "cf/nope", FuncResult{Value: "0"}},
		{"DB_DELETE", db.FuncDBDelete, "cf/6000/dest", FuncResult{"0612", true, "0612"}},
		{"DB_DELETE again", db.FuncDBDelete, "cf/6000/dest", FuncResult{"", true, ""}},
	}
	for _, tc := range tests {
		got, err := tc.fn(tc.arg)
		if err != nil || got != tc.want {
			t.Errorf("%s(%q) = %+v, %v; want %+v", tc.name, tc.arg, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "nofamily"} {
		if _, err := db.FuncDB(bad); err == nil {
			t.Errorf("FuncDB(%q) must fail", bad)
		}
	}
	db.Put("q/a", "1", "x")
	db.Put("q/a", "2", "x")
	db.Put("q/b", "1", "x")
	db.Put("q", "c,d", "x")
	if got := db.FuncDBKeys("/q/"); got != `a,b,c\,d` {
		t.Errorf("DB_KEYS = %q", got)
	}
}

func BenchmarkPut(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "astdb.sqlite3"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		db.Put("SIP/Registry", fmt.Sprint(i%5000), "127.0.0.1:5061:3600:asadek:sip:6000@127.0.0.1:5061;transport=UDP")
	}
	if err := db.Sync(); err != nil {
		b.Fatal(err)
	}
}
