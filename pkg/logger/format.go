package logger

import (
	"encoding/json"
	"github.com/gostrisk/gostrisk/pkg/strftime"
	"strconv"
	"strings"
	"time"
)

// record is one message on its way to the channels.
type record struct {
	level Level
	sub   int // verbose level for VERBOSE, debug level for DEBUG
	t     time.Time
	file  string
	line  int
	fn    string
	call  string // "C-00000001", or ""
	msg   string // always ends in "\n"
}

func (r *record) callTag(s *Settings) string {
	if r.call == "" || !s.DisplayCallIDs {
		return ""
	}
	return "[" + r.call + "]"
}

// location writes "file:line func" the way Asterisk's console line does,
// leaving out what is unknown.
func (r *record) location(b *strings.Builder, sep string) {
	if r.file != "" {
		b.WriteString(r.file)
		b.WriteByte(':')
	}
	if r.line > 0 {
		b.WriteString(strconv.Itoa(r.line))
	}
	b.WriteString(sep)
	if r.fn != "" {
		b.WriteString(r.fn)
		b.WriteByte(':')
	}
}

// header writes "[date] LEVEL[pid][C-xxxxxxxx]", the start every shape of a
// log line shares.
func (r *record) header(b *strings.Builder, s *Settings, pid int) {
	b.WriteByte('[')
	b.WriteString(strftime.Format(s.DateFormat, r.t))
	b.WriteString("] ")
	b.WriteString(r.level.String())
	b.WriteByte('[')
	b.WriteString(strconv.Itoa(pid))
	b.WriteByte(']')
	b.WriteString(r.callTag(s))
}

// consoleText is the record as a console shows it.
func consoleText(r *record, s *Settings, pid int, timestamps bool) string {
	var b strings.Builder
	if r.level == LevelVerbose {
		// Every line of a multi-line verbose message gets the prefix.
		var ts string
		if timestamps {
			ts = "[" + strftime.Format(s.DateFormat, r.t) + "] "
		}
		prefix := ts + verbosePrefix(r.sub)
		rest := r.msg
		for rest != "" {
			line, after, _ := strings.Cut(rest, "\n")
			b.WriteString(prefix)
			b.WriteString(line)
			b.WriteByte('\n')
			rest = after
		}
		return b.String()
	}
	r.header(&b, s, pid)
	b.WriteString(": ")
	r.location(&b, " ")
	b.WriteByte(' ')
	b.WriteString(r.msg)
	return b.String()
}

// fileText is the record as a file channel writes it with formatter f.
func fileText(r *record, s *Settings, pid int, f string) string {
	switch f {
	case "plain":
		return plainText(r, s, pid)
	case "json":
		return jsonText(r, s, pid)
	}
	var b strings.Builder
	b.Grow(48 + len(r.file) + len(r.msg)) // one allocation for the whole line
	r.header(&b, s, pid)
	b.WriteByte(' ')
	b.WriteString(r.file)
	b.WriteString(": ")
	b.WriteString(r.msg)
	return b.String()
}

// plainText is the "plain" formatter: the console shape, verbose included,
// without any special treatment.
func plainText(r *record, s *Settings, pid int) string {
	var b strings.Builder
	r.header(&b, s, pid)
	b.WriteString(": ")
	if r.file != "" {
		b.WriteString(r.file)
		b.WriteByte(':')
	}
	if r.line > 0 {
		b.WriteString(strconv.Itoa(r.line))
		b.WriteByte(' ')
	}
	if r.fn != "" {
		b.WriteString(r.fn)
		b.WriteString(": ")
	}
	b.WriteString(r.msg)
	return b.String()
}

// syslogText is the record as sent to syslog (which adds its own date).
func syslogText(r *record, s *Settings, pid int) string {
	var b strings.Builder
	b.WriteString(r.level.String())
	b.WriteByte('[')
	b.WriteString(strconv.Itoa(pid))
	b.WriteByte(']')
	b.WriteString(r.callTag(s))
	b.WriteString(": ")
	b.WriteString(r.file)
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(r.line))
	b.WriteString(" in ")
	b.WriteString(r.fn)
	b.WriteString(": ")
	b.WriteString(strings.TrimSuffix(r.msg, "\n"))
	return b.String()
}

func jsonText(r *record, s *Settings, pid int) string {
	type location struct {
		Filename string `json:"filename"`
		Function string `json:"function"`
		Line     int    `json:"line"`
	}
	type logmsg struct {
		Location location `json:"location"`
		Level    string   `json:"level"`
		Message  string   `json:"message"`
	}
	type identifiers struct {
		LWP    int    `json:"lwp"`
		CallID string `json:"callid"`
	}
	v := struct {
		Hostname    string      `json:"hostname"`
		Timestamp   string      `json:"timestamp"`
		Identifiers identifiers `json:"identifiers"`
		Logmsg      logmsg      `json:"logmsg"`
	}{
		Hostname:    s.Hostname,
		Timestamp:   strftime.Format(s.DateFormat, r.t),
		Identifiers: identifiers{LWP: pid, CallID: r.callTag(s)},
		Logmsg: logmsg{
			Location: location{Filename: r.file, Function: r.fn, Line: r.line},
			Level:    r.level.String(),
			Message:  r.msg,
		},
	}
	out, err := json.Marshal(v)
	if err != nil { // only strings and ints: cannot happen
		return ""
	}
	return string(out) + "\n"
}
