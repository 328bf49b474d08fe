// Package logger is gostrisk's logging subsystem, shaped like Asterisk 18's:
// channels come from logger.conf ([general] dateformat, appendhostname,
// rotatestrategy; [logfiles] console / file / syslog.facility => levels),
// and lines have the two shapes operators and fail2ban read:
//
//	console: [Nov 22 11:49:18] NOTICE[1629]: registrar.go:123 handleRegister: Registration from ...
//	files:   [Nov 22 11:49:18] NOTICE[1629] registrar.go: Registration from ...
//
// optionally with a call tag after the number ("NOTICE[1629][C-00000001]").
// The file, line and function are the Go caller's, found with
// runtime.Caller. The bracketed number is the process id, stable for the
// life of the process. Verbose messages reach consoles with Asterisk's
// per-level prefixes ("  == ", "    -- ", "       > ", ...) and no date
// unless timestamps are on; in files they take the full VERBOSE shape.
//
// Callers never do file I/O: a record is formatted lazily and queued to one
// goroutine owned by the Logger, which writes through buffered writers and
// flushes them a millisecond after the queue runs empty: bursts are written
// in batches, and every line is on disk within about a millisecond. A full
// queue blocks the caller briefly rather
// than dropping lines; Close drains the queue, so nothing is lost.
//
// Consoles attach with Subscribe and receive console-shaped Events. Reload
// swaps in a complete new channel set, or keeps the old one when the new
// configuration cannot be applied. Rotate renames files per rotatestrategy
// and reopens them. Handler adapts the logger to log/slog, and RegisterCLI
// adds "logger reload", "logger rotate", "logger show channels" and
// "logger show levels".
package logger
