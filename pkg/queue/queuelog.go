package queue

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// LogSettings are logger.conf's [general] queue_log options.
type LogSettings struct {
	Enabled bool   // queue_log (default yes)
	Name    string // queue_log_name (default queue_log)
}

// LogSettingsFrom reads the queue_log options of logger.conf (nil: the
// defaults).
func LogSettingsFrom(loggerConf *confparse.Config) LogSettings {
	s := LogSettings{Enabled: true, Name: "queue_log"}
	if loggerConf == nil {
		return s
	}
	if g := loggerConf.Category("general"); g != nil {
		if v, ok := g.Get("queue_log"); ok {
			s.Enabled = confparse.True(v)
		}
		if v, ok := g.Get("queue_log_name"); ok && strings.TrimSpace(v) != "" {
			s.Name = strings.TrimSpace(v)
		}
	}
	return s
}

// Log is the queue_log file: one line per event,
// "epoch|callid|queue|agent|event|data", appended and flushed at once as
// logger.c's ast_queue_log does (reporting tools tail the file).
type Log struct {
	mu  sync.Mutex
	f   *os.File
	now func() time.Time
}

// OpenLog opens (creates) the queue log in dir; disabled settings give a
// Log that writes nothing.
func OpenLog(dir string, s LogSettings) (*Log, error) {
	l := &Log{now: time.Now}
	if !s.Enabled {
		return l, nil
	}
	path := filepath.Join(dir, s.Name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("queue_log %s: %w", path, err)
	}
	l.f = f
	return l, nil
}

// Line formats one queue_log line without its newline.
func Line(t time.Time, queue, callid, agent, event, data string) string {
	var b strings.Builder
	b.Grow(48 + len(queue) + len(callid) + len(agent) + len(event) + len(data))
	b.WriteString(strconv.FormatInt(t.Unix(), 10))
	for _, s := range [...]string{callid, queue, agent, event, data} {
		b.WriteByte('|')
		b.WriteString(s)
	}
	return b.String()
}

// Write appends one event; data is the event's fields, joined by '|'.
// The argument order is ast_queue_log's (queue before callid); the line's
// is the file's (callid before queue).
func (l *Log) Write(queue, callid, agent, event string, data ...string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return
	}
	line := Line(l.now(), queue, callid, agent, event, strings.Join(data, "|")) + "\n"
	_, _ = l.f.WriteString(line) // a full disk loses lines, as fprintf does
}

// Close closes the file.
func (l *Log) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
