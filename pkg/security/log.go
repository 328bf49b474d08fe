package security

import (
	"time"

	"github.com/gostrisk/gostrisk/pkg/logger"
)

// Where Asterisk 18.26.4 logs security events from: res_security_log's
// stasis callback. Log lines carry it as their origin ("SECURITY[pid]
// res_security_log.c: ..." in files, "res_security_log.c:114
// security_event_stasis_cb:" on consoles), and readers match on it.
const (
	originFile = "res_security_log.c"
	originLine = 114
	originFunc = "security_event_stasis_cb"
)

// Log writes security events on a logger's SECURITY level, as
// res_security_log does: they reach the channels whose logger.conf
// levels include "security" (the sample routes them to messages).
type Log struct {
	l   *logger.Logger
	now func() time.Time
}

// NewLog returns the writer for l; now stamps events reported without a
// time (nil: time.Now).
func NewLog(l *logger.Logger, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{l: l, now: now}
}

// Enabled reports whether a reported event would be written anywhere, so
// that reporters can skip building events nobody reads.
func (s *Log) Enabled() bool {
	return s != nil && s.l.Enabled(logger.LevelSecurity, 0)
}

// Report writes ev. An event that cannot be printed (see Validate) is
// dropped with a WARNING, as Asterisk drops it.
func (s *Log) Report(ev *Event) {
	if !s.Enabled() {
		return
	}
	if err := ev.Validate(); err != nil {
		s.l.Warning("%v", err)
		return
	}
	if ev.Time.IsZero() {
		ev.Time = s.now()
	}
	line := append(ev.AppendText(make([]byte, 0, 512)), '\n')
	s.l.LogAs(logger.LevelSecurity, originFile, originLine, originFunc, string(line))
}
