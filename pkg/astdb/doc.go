// Package astdb is gostrisk's persistent key/value store, compatible with
// Asterisk's astdb: an SQLite file (astdb.sqlite3) holding one table
//
//	astdb(key TEXT, value TEXT, PRIMARY KEY(key))
//
// whose keys are "/family/key" (a family may itself contain '/'). A file
// written by Asterisk is read as is, and Asterisk can read ours.
//
// Reads never touch SQLite: the whole table is loaded into memory at Open
// and kept there. Writes update memory at once and are written behind to
// SQLite by one goroutine owned by the DB, in batched transactions (every
// FlushInterval, or sooner when FlushBatch changes are pending), because the
// registrar writes a row per REGISTER at thousands per second. Sync waits
// for everything acknowledged so far to be on disk; Close does the same and
// stops the goroutine, so nothing acknowledged is lost.
//
// Tree operations follow Asterisk's SQL: a family or keytree matches a key
// when key+"/" starts with prefix+"/", compared case-insensitively as
// SQLite's LIKE does for ASCII; listings are sorted by key in byte order.
//
// RegisterCLI adds the "database ..." console commands with Asterisk 18's
// wording; FuncDB, FuncDBWrite, FuncDBExists and FuncDBDelete implement the
// DB(), DB_EXISTS() and DB_DELETE() dialplan functions for the pbx function
// registry to wire.
package astdb
