package logger

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
)

// Attribute keys the slog adapter interprets instead of printing.
const (
	// SlogVerbose on an Info record makes it a verbose line of that level.
	SlogVerbose = "verbose"
	// SlogCall sets the call tag ("C-00000001").
	SlogCall = "call"
)

// LevelSecuritySlog is the slog level mapped to SECURITY (between Warn and Error).
const LevelSecuritySlog = slog.Level(6)

// Handler returns a slog.Handler writing through l: Debug maps to DEBUG
// (debug level 1), Info to NOTICE, or VERBOSE(n) with a "verbose" attribute,
// Warn to WARNING, LevelSecuritySlog to SECURITY, Error to ERROR. Other
// attributes are appended as key=value.
func (l *Logger) Handler() slog.Handler { return &handler{l: l} }

type handler struct {
	l      *Logger
	attrs  []groupedAttr
	groups []string
}

// groupedAttr remembers the groups open when WithAttrs was called.
type groupedAttr struct {
	attr   slog.Attr
	groups []string
}

func slogLevel(lv slog.Level) (Level, int) {
	switch {
	case lv < slog.LevelInfo:
		return LevelDebug, 1
	case lv < slog.LevelWarn:
		return LevelNotice, 0
	case lv < LevelSecuritySlog:
		return LevelWarning, 0
	case lv < slog.LevelError:
		return LevelSecurity, 0
	default:
		return LevelError, 0
	}
}

func (h *handler) Enabled(_ context.Context, lv slog.Level) bool {
	level, sub := slogLevel(lv)
	if level == LevelNotice {
		// Might become a verbose line once attributes are seen.
		return h.l.c.wants(LevelNotice, 0) || h.l.c.wants(LevelVerbose, 0)
	}
	return h.l.c.wants(level, sub)
}

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	level, sub := slogLevel(r.Level)
	call := h.l.call
	var extra strings.Builder
	add := func(a slog.Attr, groups []string) {
		a.Value = a.Value.Resolve()
		switch {
		case a.Key == SlogVerbose && len(groups) == 0 && level == LevelNotice:
			level, sub = LevelVerbose, int(a.Value.Int64())
		case a.Key == SlogCall && len(groups) == 0:
			call = a.Value.String()
			if call != "" && !strings.HasPrefix(call, "C-") {
				call = "C-" + call
			}
		case a.Key == "":
		default:
			extra.WriteByte(' ')
			for _, g := range groups {
				extra.WriteString(g)
				extra.WriteByte('.')
			}
			extra.WriteString(a.Key)
			extra.WriteByte('=')
			fmt.Fprint(&extra, a.Value.Any())
		}
	}
	for _, a := range h.attrs {
		add(a.attr, a.groups)
	}
	r.Attrs(func(a slog.Attr) bool { add(a, h.groups); return true })
	if !h.l.c.wants(level, sub) {
		return nil
	}
	var file, fn string
	var line int
	if r.PC != 0 {
		fr, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		file, line, fn = filepath.Base(fr.File), fr.Line, shortFuncName(fr.Function)
	}
	lg := h.l
	if call != lg.call {
		lg = &Logger{c: lg.c, call: call}
	}
	lg.output(level, sub, file, line, fn, r.Message+extra.String())
	return nil
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append([]groupedAttr(nil), h.attrs...)
	for _, a := range as {
		n.attrs = append(n.attrs, groupedAttr{attr: a, groups: h.groups})
	}
	return &n
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.groups = append(append([]string(nil), h.groups...), name)
	return &n
}
