package logger

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/gostrisk/gostrisk/pkg/strftime"
	"log/syslog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// ErrClosed is returned by operations on a closed Logger.
var ErrClosed = errors.New("logger: closed")

// Options configures New.
type Options struct {
	LogDir     string            // where relative file channels live (astlogdir)
	Config     *confparse.Config // logger.conf; nil: Asterisk's default (console only)
	Verbose    int               // root console verbosity (-v count / asterisk.conf verbose)
	Debug      int               // debug level (-d count / asterisk.conf debug)
	Timestamps bool              // -T: date before verbose lines on consoles
	Hostname   string            // for appendhostname; empty: os.Hostname()
	Now        func() time.Time  // clock, for tests; nil: time.Now
	PID        int               // number in brackets; 0: os.Getpid()
	Version    string            // when set, written as a header line when a file is opened
}

// Event is what a console receives: Text is shaped for a console and ends
// in a newline; Verbose is N for a verbose line of level N, 0 otherwise.
type Event struct {
	Level   Level
	Verbose int
	Text    string
}

// Logger writes Asterisk-shaped log lines. A Logger and the loggers derived
// from it with WithCall share one set of channels and one writer goroutine.
type Logger struct {
	c    *core
	call string
}

type core struct {
	opts     Options
	pid      int
	now      func() time.Time
	hostname string

	verbose    atomic.Int32
	debug      atomic.Int32
	timestamps atomic.Bool

	state atomic.Pointer[state] // replaced only by the writer goroutine
	diags atomic.Pointer[confparse.Diagnostics]

	subMu sync.Mutex
	subs  atomic.Pointer[[]*subscriber]

	closeMu sync.RWMutex
	closed  bool
	queue   chan item
	done    chan struct{}
}

// state is the channel set in force.
type state struct {
	settings   *Settings
	sinks      []*sink
	mask       uint32 // union of the channels' masks
	maxFileVrb int    // highest explicit verbose(N) of a non-console channel
	hasConsole bool
}

type sink struct {
	spec     ChannelSpec
	f        *os.File
	w        *bufio.Writer
	sys      *syslog.Writer
	disabled atomic.Bool
}

type subscriber struct {
	verbose func() int
	fn      func(Event)
}

// item is a record to write or an operation to run on the writer goroutine.
type item struct {
	rec *record
	op  func()
}

// New builds the logger from opts and starts its writer goroutine, which
// Close stops. A configuration that cannot be applied is an error; warnings
// (unknown levels or options) are logged as WARNING lines and kept for
// Diagnostics.
func New(opts Options) (*Logger, error) {
	c := &core{opts: opts, pid: opts.PID, now: opts.Now, hostname: opts.Hostname}
	if c.pid == 0 {
		c.pid = os.Getpid()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.hostname == "" {
		if h, err := os.Hostname(); err == nil {
			c.hostname = h
		} else {
			c.hostname = "unknown"
		}
	}
	c.verbose.Store(int32(opts.Verbose))
	c.debug.Store(int32(opts.Debug))
	c.timestamps.Store(opts.Timestamps)
	c.subs.Store(&[]*subscriber{})

	st, diags, err := c.prepare(opts.Config)
	if err != nil {
		return nil, err
	}
	c.state.Store(st)
	c.diags.Store(&diags)
	limit := st.settings.QueueLimit * 4
	if limit < 4096 {
		limit = 4096
	}
	c.queue = make(chan item, limit)
	c.done = make(chan struct{})
	go c.run()
	l := &Logger{c: c}
	l.reportDiags(diags)
	return l, nil
}

// prepare parses cfg and opens its channels, without touching the state in
// force.
func (c *core) prepare(cfg *confparse.Config) (*state, confparse.Diagnostics, error) {
	settings, diags := ParseConfig(cfg, c.opts.LogDir, c.hostname)
	if diags.HasErrors() {
		return nil, diags, fmt.Errorf("logger: %w", diags.Err())
	}
	st, err := c.build(settings)
	return st, diags, err
}

// build opens the channels of settings.
func (c *core) build(settings *Settings) (*state, error) {
	st := &state{settings: settings}
	for _, spec := range settings.Channels {
		s := &sink{spec: spec}
		switch spec.Kind {
		case KindFile:
			if err := c.openFile(s, settings); err != nil {
				closeSinks(st.sinks)
				return nil, err
			}
		case KindSyslog:
			w, err := syslog.New(spec.Facility|syslog.LOG_INFO, "asterisk")
			if err != nil {
				// Like openlog(3), a missing syslog daemon is not fatal; the
				// channel shows as Disabled.
				s.disabled.Store(true)
			} else {
				s.sys = w
			}
		case KindConsole:
			st.hasConsole = true
		}
		st.sinks = append(st.sinks, s)
		st.mask |= spec.Mask
		if spec.Kind != KindConsole && spec.Verbosity > st.maxFileVrb {
			st.maxFileVrb = spec.Verbosity
		}
	}
	return st, nil
}

func (c *core) openFile(s *sink, settings *Settings) error {
	if err := os.MkdirAll(filepath.Dir(s.spec.Path), 0o755); err != nil {
		return fmt.Errorf("logger: %s: channel '%s': %w", s.spec.Pos, s.spec.Name, err)
	}
	f, err := os.OpenFile(s.spec.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("logger: %s: Unable to open log file '%s': %w", s.spec.Pos, s.spec.Path, err)
	}
	s.f = f
	s.w = bufio.NewWriterSize(f, 64<<10)
	if c.opts.Version != "" {
		fmt.Fprintf(s.w, "[%s] %s running on %s/%s\n", strftime.Format(settings.DateFormat, c.now()), c.opts.Version, runtime.GOOS, runtime.GOARCH)
	}
	return nil
}

func closeSinks(sinks []*sink) error {
	var errs []error
	for _, s := range sinks {
		if s.w != nil {
			if err := s.w.Flush(); err != nil {
				errs = append(errs, err)
			}
		}
		if s.f != nil {
			if err := s.f.Close(); err != nil {
				errs = append(errs, err)
			}
			s.f, s.w = nil, nil
		}
		if s.sys != nil {
			s.sys.Close()
			s.sys = nil
		}
	}
	return errors.Join(errs...)
}

func (l *Logger) reportDiags(diags confparse.Diagnostics) {
	for _, d := range diags {
		if d.Severity == confparse.Warning {
			l.Warning("%s", d.String())
		}
	}
}

// Diagnostics returns the warnings of the configuration in force.
func (l *Logger) Diagnostics() confparse.Diagnostics { return *l.c.diags.Load() }

// WithCall returns a logger that tags its lines with the call identifier,
// e.g. "C-00000001" (a bare hex number gets the "C-" prefix).
func (l *Logger) WithCall(tag string) *Logger {
	if tag != "" && !strings.HasPrefix(tag, "C-") {
		tag = "C-" + tag
	}
	return &Logger{c: l.c, call: tag}
}

// WithCallID is WithCall for a numeric identifier, printed as Asterisk
// prints it: [C-%08x].
func (l *Logger) WithCallID(id uint32) *Logger {
	return l.WithCall(fmt.Sprintf("C-%08x", id))
}

// Notice logs at NOTICE.
func (l *Logger) Notice(format string, args ...any) { l.logf(LevelNotice, 0, format, args) }

// Warning logs at WARNING.
func (l *Logger) Warning(format string, args ...any) { l.logf(LevelWarning, 0, format, args) }

// Error logs at ERROR.
func (l *Logger) Error(format string, args ...any) { l.logf(LevelError, 0, format, args) }

// Security logs at SECURITY.
func (l *Logger) Security(format string, args ...any) { l.logf(LevelSecurity, 0, format, args) }

// DTMF logs at DTMF.
func (l *Logger) DTMF(format string, args ...any) { l.logf(LevelDTMF, 0, format, args) }

// Debug logs at DEBUG when the debug level is at least level.
func (l *Logger) Debug(level int, format string, args ...any) {
	l.logf(LevelDebug, level, format, args)
}

// Verbose logs a verbose message of the given level (ast_verb).
func (l *Logger) Verbose(level int, format string, args ...any) {
	l.logf(LevelVerbose, level, format, args)
}

// Log logs at any level; sub is the verbose or debug level where it applies.
func (l *Logger) Log(level Level, sub int, format string, args ...any) {
	l.logf(level, sub, format, args)
}

// LogAs logs msg at level as coming from line of file in function fn,
// rather than from its Go caller: for lines whose origin is part of what
// their readers match, such as the security events Asterisk logs from
// res_security_log.c whatever module reports them.
func (l *Logger) LogAs(level Level, file string, line int, fn, msg string) {
	if !l.c.wants(level, 0) {
		return
	}
	l.output(level, 0, file, line, fn, msg)
}

// Enabled reports whether a line at level (and verbose or debug level
// sub) would be written anywhere, for callers whose message costs
// something to build.
func (l *Logger) Enabled(level Level, sub int) bool { return l.c.wants(level, sub) }

func (l *Logger) logf(level Level, sub int, format string, args []any) {
	if !l.c.wants(level, sub) {
		return
	}
	pc, file, line, _ := runtime.Caller(2)
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	l.output(level, sub, filepath.Base(file), line, funcName(pc), msg)
}

func (l *Logger) output(level Level, sub int, file string, line int, fn, msg string) {
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	r := &record{level: level, sub: sub, t: l.c.now(), file: file, line: line, fn: fn, call: l.call, msg: msg}
	l.c.enqueue(item{rec: r})
}

// funcName turns a runtime function name into what a line shows: the
// function or method name without package, receiver or closure suffixes.
func funcName(pc uintptr) string {
	f := runtime.FuncForPC(pc)
	if f == nil {
		return ""
	}
	return shortFuncName(f.Name())
}

func shortFuncName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	parts := strings.Split(name, ".")
	for i := len(parts) - 1; i > 0; i-- {
		p := parts[i]
		if p == "" || isClosurePart(p) {
			continue
		}
		return p
	}
	return name
}

func isClosurePart(p string) bool {
	if strings.HasPrefix(p, "func") {
		p = p[4:]
	}
	if p == "" {
		return true
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// wants is the cheap filter run before formatting anything.
func (c *core) wants(level Level, sub int) bool {
	st := c.state.Load()
	if st.mask&level.bit() == 0 {
		return false
	}
	switch level {
	case LevelDebug:
		return sub <= int(c.debug.Load())
	case LevelVerbose:
		return sub <= c.maxVerbose(st)
	}
	return true
}

func (c *core) maxVerbose(st *state) int {
	m := int(c.verbose.Load())
	if st.maxFileVrb > m {
		m = st.maxFileVrb
	}
	if st.hasConsole {
		for _, s := range *c.subs.Load() {
			if s.verbose != nil {
				if v := s.verbose(); v > m {
					m = v
				}
			}
		}
	}
	return m
}

func (c *core) enqueue(it item) bool {
	c.closeMu.RLock()
	defer c.closeMu.RUnlock()
	if c.closed {
		return false
	}
	c.queue <- it
	return true
}

// do runs fn on the writer goroutine and waits for it.
func (c *core) do(fn func()) error {
	done := make(chan struct{})
	if !c.enqueue(item{op: func() { fn(); close(done) }}) {
		return ErrClosed
	}
	<-done
	return nil
}

// gatherDelay is how long the writer waits after the first line of a
// burst before writing the files. A busy server logs lines a few tens of
// microseconds apart (a registrar logs two security events per
// registration): one write(2) per line cost more CPU than formatting
// them. A line is on disk at most this long after it is logged.
const gatherDelay = time.Millisecond

// run is the writer goroutine: the only place files are written.
func (c *core) run() {
	defer close(c.done)
	for it := range c.queue {
		if it.op != nil {
			it.op()
			continue
		}
		c.write(it.rec)
		if len(c.queue) == 0 {
			time.Sleep(gatherDelay)
		}
		if !c.drain() {
			break
		}
		c.flushAll()
	}
	st := c.state.Load()
	if err := closeSinks(st.sinks); err != nil {
		fmt.Fprintf(os.Stderr, "logger: closing log files: %v\n", err)
	}
}

// drain handles what is queued without waiting; false when the queue is
// closed.
func (c *core) drain() bool {
	for {
		select {
		case it, ok := <-c.queue:
			if !ok {
				return false
			}
			if it.op != nil {
				it.op()
			} else {
				c.write(it.rec)
			}
		default:
			return true
		}
	}
}

func (c *core) flushAll() {
	for _, s := range c.state.Load().sinks {
		if s.w != nil && s.w.Buffered() > 0 {
			if err := s.w.Flush(); err != nil {
				c.disable(s, err)
			}
		}
	}
}

func (c *core) disable(s *sink, err error) {
	if !s.disabled.Swap(true) {
		fmt.Fprintf(os.Stderr, "Logger Warning: Unable to write to log file '%s': %v (disabled)\n", s.spec.Path, err)
	}
}

func (c *core) write(r *record) {
	st := c.state.Load()
	set := st.settings
	global := int(c.verbose.Load())
	for _, s := range st.sinks {
		if s.disabled.Load() || !s.spec.Has(r.level) {
			continue
		}
		switch s.spec.Kind {
		case KindConsole:
			c.publish(r, s, set, global)
		case KindFile:
			if r.level == LevelVerbose && r.sub > pick(s.spec.Verbosity, global) {
				continue
			}
			if _, err := s.w.WriteString(fileText(r, set, c.pid, s.spec.Formatter)); err != nil {
				c.disable(s, err)
			}
		case KindSyslog:
			if r.level == LevelVerbose && r.sub > pick(s.spec.Verbosity, global) {
				continue
			}
			writeSyslog(s.sys, r.level, syslogText(r, set, c.pid))
		}
	}
}

func pick(v, global int) int {
	if v < 0 {
		return global
	}
	return v
}

func (c *core) publish(r *record, s *sink, set *Settings, global int) {
	subs := *c.subs.Load()
	if len(subs) == 0 {
		return
	}
	var text string
	switch {
	case s.spec.Formatter == "plain":
		text = plainText(r, set, c.pid)
	case s.spec.Formatter == "json" && r.level != LevelVerbose:
		text = jsonText(r, set, c.pid)
	default:
		text = consoleText(r, set, c.pid, c.timestamps.Load())
	}
	ev := Event{Level: r.level, Text: text}
	if r.level == LevelVerbose {
		ev.Verbose = r.sub
	}
	for _, sub := range subs {
		if r.level == LevelVerbose {
			v := global
			if sub.verbose != nil {
				v = sub.verbose()
			}
			if r.sub > v {
				continue
			}
		}
		sub.fn(ev)
	}
}

func writeSyslog(w *syslog.Writer, level Level, msg string) {
	if w == nil {
		return
	}
	// Delivery errors are not reported: syslog is best effort, as in Asterisk.
	switch level {
	case LevelError:
		_ = w.Err(msg)
	case LevelWarning:
		_ = w.Warning(msg)
	case LevelNotice, LevelSecurity:
		_ = w.Notice(msg)
	case LevelDebug:
		_ = w.Debug(msg)
	default:
		_ = w.Info(msg)
	}
}

// Subscribe attaches a console. verbose reports that console's verbosity
// (nil: the logger's); verbose lines above it are not delivered. Consoles
// only receive anything when logger.conf has a console channel, and only
// the levels it lists (verbose always). fn runs on the logger's goroutine:
// it must not block and must not log. The returned func detaches.
func (l *Logger) Subscribe(verbose func() int, fn func(Event)) (cancel func()) {
	c := l.c
	s := &subscriber{verbose: verbose, fn: fn}
	c.subMu.Lock()
	old := *c.subs.Load()
	next := append(append([]*subscriber(nil), old...), s)
	c.subs.Store(&next)
	c.subMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.subMu.Lock()
			defer c.subMu.Unlock()
			cur := *c.subs.Load()
			next := make([]*subscriber, 0, len(cur))
			for _, x := range cur {
				if x != s {
					next = append(next, x)
				}
			}
			c.subs.Store(&next)
		})
	}
}

// SetVerbose sets the root verbosity.
func (l *Logger) SetVerbose(n int) { l.c.verbose.Store(int32(n)) }

// VerboseLevel returns the root verbosity.
func (l *Logger) VerboseLevel() int { return int(l.c.verbose.Load()) }

// SetDebug sets the debug level.
func (l *Logger) SetDebug(n int) { l.c.debug.Store(int32(n)) }

// DebugLevel returns the debug level.
func (l *Logger) DebugLevel() int { return int(l.c.debug.Load()) }

// SetTimestamps turns the date before console verbose lines on or off.
func (l *Logger) SetTimestamps(on bool) { l.c.timestamps.Store(on) }

// Settings returns the configuration in force.
func (l *Logger) Settings() *Settings { return l.c.state.Load().settings }

// Sync returns once everything logged before the call is written out.
func (l *Logger) Sync() error {
	return l.c.do(l.c.flushAll)
}

// Reload applies a new logger.conf (nil: the default channel set): the new
// channels are parsed and opened first, then swapped in; on any error the
// old channels stay in force and the error names the file and line.
func (l *Logger) Reload(cfg *confparse.Config) error {
	c := l.c
	st, diags, err := c.prepare(cfg)
	if err != nil {
		return err
	}
	if err := c.swap(st); err != nil {
		return err
	}
	c.diags.Store(&diags)
	l.reportDiags(diags)
	return nil
}

// reapply reopens the channels of the configuration in force.
func (l *Logger) reapply() error {
	st, err := l.c.build(l.c.state.Load().settings)
	if err != nil {
		return err
	}
	return l.c.swap(st)
}

// swap puts st in force on the writer goroutine and closes the channels it
// replaces.
func (c *core) swap(st *state) error {
	var closeErr error
	if err := c.do(func() {
		old := c.state.Load()
		c.state.Store(st)
		closeErr = closeSinks(old.sinks)
	}); err != nil {
		closeSinks(st.sinks)
		return err
	}
	if closeErr != nil {
		return fmt.Errorf("logger: closing old log files: %w", closeErr)
	}
	return nil
}

// Rotate renames the log files per rotatestrategy and reopens them. With
// rotatestrategy=none it only reopens them, which is what an external
// logrotate needs after moving the files away.
func (l *Logger) Rotate() error {
	c := l.c
	var errs []error
	err := c.do(func() {
		st := c.state.Load()
		now := c.now()
		for _, s := range st.sinks {
			if s.spec.Kind != KindFile {
				continue
			}
			if s.f != nil {
				if err := s.w.Flush(); err != nil {
					errs = append(errs, err)
				}
				if err := s.f.Close(); err != nil {
					errs = append(errs, err)
				}
				s.f, s.w = nil, nil
			}
			if err := rotateFile(s.spec.Path, st.settings.Rotate, now); err != nil {
				errs = append(errs, err)
			}
			if err := c.openFile(s, st.settings); err != nil {
				s.disabled.Store(true)
				errs = append(errs, err)
				continue
			}
			s.disabled.Store(false)
		}
	})
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}

// Close writes out everything queued, closes the channels and stops the
// writer goroutine. Lines logged after Close are dropped.
func (l *Logger) Close() error {
	c := l.c
	c.closeMu.Lock()
	if c.closed {
		c.closeMu.Unlock()
		return ErrClosed
	}
	c.closed = true
	close(c.queue)
	c.closeMu.Unlock()
	<-c.done
	return nil
}
