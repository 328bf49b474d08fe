package astdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Write-behind defaults.
const (
	// FlushInterval bounds how long an acknowledged write waits in memory.
	FlushInterval = 100 * time.Millisecond
	// FlushBatch is the number of pending changes that triggers an early flush.
	FlushBatch = 1000
)

// ErrClosed is returned by operations on a closed DB.
var ErrClosed = errors.New("astdb: database is closed")

// Entry is one row: Key is the full key ("/SIP/Registry/6000").
type Entry struct {
	Key   string
	Value string
}

// change is a pending write: a value to store, or a deletion.
type change struct {
	value   string
	deleted bool
}

// DB is an open astdb. Its methods are safe for concurrent use.
type DB struct {
	path string
	sql  *sql.DB
	log  *slog.Logger

	mu      sync.RWMutex
	data    map[string]string
	pending map[string]change
	closed  bool
	lastErr error // last write-behind failure, reported by Sync

	kick    chan struct{}   // pending reached FlushBatch
	syncReq chan chan error // Sync waits on the reply
	stop    chan struct{}   // closed by Close
	done    chan struct{}   // closed when the writer goroutine exits
	flushMu sync.Mutex      // one flush at a time (writer vs. Query)
}

// Open opens (creating if needed) the astdb file at path, loads it into
// memory and starts the write-behind goroutine.
func Open(path string) (*DB, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("astdb: open %s: %w", path, err)
	}
	// One connection: SQLite serialises writers anyway, and a single
	// connection keeps transactions and ad-hoc queries on the same view.
	sdb.SetMaxOpenConns(1)
	if _, err := sdb.Exec(`CREATE TABLE IF NOT EXISTS astdb(key TEXT, value TEXT, PRIMARY KEY(key))`); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("astdb: create table in %s: %w", path, err)
	}
	db := &DB{
		path:    path,
		sql:     sdb,
		log:     slog.New(slog.DiscardHandler),
		pending: make(map[string]change),
		kick:    make(chan struct{}, 1),
		syncReq: make(chan chan error),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	data, err := db.loadAll()
	if err != nil {
		sdb.Close()
		return nil, err
	}
	db.data = data
	go db.writer()
	return db, nil
}

// SetLogger sets where warnings (such as Asterisk's "AstDB key ... does not
// exist") go; by default they are discarded.
func (db *DB) SetLogger(l *slog.Logger) {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	db.mu.Lock()
	db.log = l
	db.mu.Unlock()
}

func (db *DB) logger() *slog.Logger {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.log
}

// Path returns the file the DB was opened from.
func (db *DB) Path() string { return db.path }

func (db *DB) loadAll() (map[string]string, error) {
	rows, err := db.sql.Query(`SELECT key, value FROM astdb`)
	if err != nil {
		return nil, fmt.Errorf("astdb: read %s: %w", db.path, err)
	}
	defer rows.Close()
	data := make(map[string]string)
	for rows.Next() {
		var k, v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("astdb: read %s: %w", db.path, err)
		}
		// Asterisk skips rows whose key or value is NULL; so do we.
		if k.Valid && v.Valid {
			data[k.String] = v.String
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("astdb: read %s: %w", db.path, err)
	}
	return data, nil
}

func fullKey(family, key string) string { return "/" + family + "/" + key }

// Put stores value under /family/key.
func (db *DB) Put(family, key, value string) error {
	k := fullKey(family, key)
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return ErrClosed
	}
	db.data[k] = value
	db.pending[k] = change{value: value}
	n := len(db.pending)
	db.mu.Unlock()
	if n >= FlushBatch {
		db.nudge()
	}
	return nil
}

// Get returns the value under /family/key.
func (db *DB) Get(family, key string) (string, bool) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	v, ok := db.data[fullKey(family, key)]
	return v, ok
}

// Exists reports whether /family/key is set.
func (db *DB) Exists(family, key string) bool {
	_, ok := db.Get(family, key)
	return ok
}

// ErrNotFound is returned by Del for a key that does not exist.
var ErrNotFound = errors.New("astdb: entry not found")

// Del removes /family/key; it returns ErrNotFound (wrapped) if there was
// nothing to remove.
func (db *DB) Del(family, key string) error {
	k := fullKey(family, key)
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return ErrClosed
	}
	if _, ok := db.data[k]; !ok {
		db.mu.Unlock()
		return fmt.Errorf("astdb: %s: %w", k, ErrNotFound)
	}
	delete(db.data, k)
	db.pending[k] = change{deleted: true}
	n := len(db.pending)
	db.mu.Unlock()
	if n >= FlushBatch {
		db.nudge()
	}
	return nil
}

// treePrefix builds Asterisk's prefix for a family and optional keytree;
// "" means the whole database.
func treePrefix(family, keytree string) string {
	switch {
	case family == "":
		return ""
	case keytree == "":
		return "/" + family
	default:
		return "/" + family + "/" + keytree
	}
}

// inTree reports whether key lies in the tree named by prefix, the way
// Asterisk's `key || '/' LIKE prefix || '/' || '%'` decides it.
func inTree(key, prefix string) bool {
	if prefix == "" {
		return true
	}
	k, p := key+"/", prefix+"/"
	return len(k) >= len(p) && strings.EqualFold(k[:len(p)], p)
}

// DelTree removes every key under /family[/subtree] (the whole database when
// family is empty) and returns how many were removed.
func (db *DB) DelTree(family, subtree string) (int, error) {
	if family == "" && subtree != "" {
		return 0, fmt.Errorf("astdb: key tree %q specified without family", subtree)
	}
	prefix := treePrefix(family, subtree)
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return 0, ErrClosed
	}
	n := 0
	for k := range db.data {
		if inTree(k, prefix) {
			delete(db.data, k)
			db.pending[k] = change{deleted: true}
			n++
		}
	}
	np := len(db.pending)
	db.mu.Unlock()
	if np >= FlushBatch {
		db.nudge()
	}
	return n, nil
}

// Entries returns the rows under /family[/subtree] (everything when family
// is empty), sorted by key.
func (db *DB) Entries(family, subtree string) []Entry {
	prefix := treePrefix(family, subtree)
	return db.collect(func(k string) bool { return inTree(k, prefix) })
}

// EntriesByKey returns the rows whose last key component is key, compared
// case-insensitively ("database showkey"), sorted by key.
func (db *DB) EntriesByKey(key string) []Entry {
	suffix := "/" + key
	return db.collect(func(k string) bool {
		return len(k) >= len(suffix) && strings.EqualFold(k[len(k)-len(suffix):], suffix)
	})
}

func (db *DB) collect(match func(string) bool) []Entry {
	db.mu.RLock()
	var out []Entry
	for k, v := range db.data {
		if match(k) {
			out = append(out, Entry{Key: k, Value: v})
		}
	}
	db.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Len returns the number of rows.
func (db *DB) Len() int {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return len(db.data)
}

func (db *DB) nudge() {
	select {
	case db.kick <- struct{}{}:
	default:
	}
}

// writer owns the write-behind loop until Close.
func (db *DB) writer() {
	defer close(db.done)
	tick := time.NewTicker(FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-db.stop:
			db.flush()
			return
		case reply := <-db.syncReq:
			reply <- db.flush()
		case <-db.kick:
			db.flush()
		case <-tick.C:
			db.flush()
		}
	}
}

// flush writes the pending changes in one transaction. On failure the
// changes go back to pending (unless newer ones replaced them) so a later
// flush retries them.
func (db *DB) flush() error {
	db.flushMu.Lock()
	defer db.flushMu.Unlock()
	db.mu.Lock()
	batch := db.pending
	if len(batch) == 0 {
		err := db.lastErr
		db.lastErr = nil
		db.mu.Unlock()
		return err
	}
	db.pending = make(map[string]change, len(batch))
	db.mu.Unlock()

	err := db.writeBatch(batch)
	db.mu.Lock()
	defer db.mu.Unlock()
	if err != nil {
		for k, c := range batch {
			if _, newer := db.pending[k]; !newer {
				db.pending[k] = c
			}
		}
		db.lastErr = err
		return err
	}
	db.lastErr = nil
	return nil
}

func (db *DB) writeBatch(batch map[string]change) error {
	ctx := context.Background()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("astdb: write %s: %w", db.path, err)
	}
	put, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO astdb (key, value) VALUES (?, ?)`)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("astdb: write %s: %w", db.path, err)
	}
	defer put.Close()
	del, err := tx.PrepareContext(ctx, `DELETE FROM astdb WHERE key = ?`)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("astdb: write %s: %w", db.path, err)
	}
	defer del.Close()
	for k, c := range batch {
		if c.deleted {
			_, err = del.ExecContext(ctx, k)
		} else {
			_, err = put.ExecContext(ctx, k, c.value)
		}
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("astdb: write %s: key %s: %w", db.path, k, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("astdb: commit %s: %w", db.path, err)
	}
	return nil
}

// Sync returns once every change acknowledged before the call is written to
// the file, or with the error that prevented it.
func (db *DB) Sync() error {
	reply := make(chan error, 1)
	select {
	case db.syncReq <- reply:
		return <-reply
	case <-db.done:
		return ErrClosed
	}
}

// Close flushes pending changes, stops the writer and closes the file.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return ErrClosed
	}
	db.closed = true
	db.mu.Unlock()
	close(db.stop)
	<-db.done
	db.mu.RLock()
	flushErr := db.lastErr
	left := len(db.pending)
	db.mu.RUnlock()
	if flushErr == nil && left > 0 {
		flushErr = fmt.Errorf("astdb: %d changes not written to %s", left, db.path)
	}
	closeErr := db.sql.Close()
	if flushErr != nil {
		return flushErr
	}
	if closeErr != nil {
		return fmt.Errorf("astdb: close %s: %w", db.path, closeErr)
	}
	return nil
}

// QueryResult is one row of an ad-hoc query, column names and values in order.
type QueryResult struct {
	Columns []string
	Values  []string
}

// Query runs a user-supplied SQL statement on the file ("database query").
// Pending changes are flushed first and the in-memory view is reloaded
// afterwards, so a statement that modifies the table is seen by Get.
func (db *DB) Query(stmt string) ([]QueryResult, error) {
	if err := db.Sync(); err != nil {
		return nil, err
	}
	rows, err := db.sql.Query(stmt)
	if err != nil {
		return nil, fmt.Errorf("astdb: query: %w", err)
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, fmt.Errorf("astdb: query: %w", err)
	}
	var out []QueryResult
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return out, fmt.Errorf("astdb: query: %w", err)
		}
		r := QueryResult{Columns: cols, Values: make([]string, len(cols))}
		for i, v := range vals {
			if v.Valid {
				r.Values[i] = v.String
			} else {
				r.Values[i] = "(null)"
			}
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("astdb: query: %w", err)
	}
	return out, db.reload()
}

// reload replaces the in-memory view with the file's content, keeping
// changes made since (still pending) on top.
func (db *DB) reload() error {
	db.flushMu.Lock()
	defer db.flushMu.Unlock()
	data, err := db.loadAll()
	if err != nil {
		return err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	for k, c := range db.pending {
		if c.deleted {
			delete(data, k)
		} else {
			data[k] = c.value
		}
	}
	db.data = data
	return nil
}
