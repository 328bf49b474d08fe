package logger

import (
	"fmt"
	"log/syslog"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Kind is a channel's type, as "logger show channels" names it.
type Kind int

// Channel kinds.
const (
	KindConsole Kind = iota
	KindFile
	KindSyslog
)

func (k Kind) String() string {
	switch k {
	case KindConsole:
		return "Console"
	case KindSyslog:
		return "Syslog"
	default:
		return "File"
	}
}

// RotateStrategy is logger.conf's rotatestrategy.
type RotateStrategy int

// Rotation strategies; Sequential is Asterisk's default.
const (
	RotateSequential RotateStrategy = iota // messages -> messages.N, N the first free number
	RotateRotate                           // messages.N -> messages.N+1, messages -> messages.0
	RotateTimestamp                        // messages -> messages.<unix time>
	RotateNone                             // reopen only (external logrotate)
)

// ChannelSpec is one [logfiles] line, resolved.
type ChannelSpec struct {
	Name      string // as written: "console", "messages", "/var/log/x", "syslog.local0"
	Kind      Kind
	Path      string // file channels: the absolute file name; syslog: the name as written
	Facility  syslog.Priority
	Formatter string // "default", "plain" or "json"
	Mask      uint32 // bit per Level
	Verbosity int    // file verbose(N) level; -1 follows the global verbosity
	Pos       string // file:line of the definition
}

// Has reports whether the channel takes lvl.
func (c *ChannelSpec) Has(lvl Level) bool { return c.Mask&lvl.bit() != 0 }

// Settings is a parsed logger.conf.
type Settings struct {
	DateFormat     string
	Hostname       string // appended to file names when appendhostname is on
	Rotate         RotateStrategy
	DisplayCallIDs bool
	QueueLimit     int
	Channels       []ChannelSpec // in file order
}

// defaultSettings is what Asterisk runs with when logger.conf is missing:
// the console alone, with errors, warnings, notices and verbose.
func defaultSettings() *Settings {
	return &Settings{
		DateFormat:     "%b %e %T",
		Rotate:         RotateSequential,
		DisplayCallIDs: true,
		QueueLimit:     1000,
		Channels: []ChannelSpec{{
			Name: "console", Kind: KindConsole, Formatter: "default", Verbosity: -1,
			Mask: LevelError.bit() | LevelWarning.bit() | LevelNotice.bit() | LevelVerbose.bit(),
		}},
	}
}

// ParseConfig turns logger.conf into Settings. cfg nil means no
// logger.conf (Asterisk's default channel set). logDir resolves relative
// file names; hostname is used when appendhostname is true. Unknown
// options and levels are warnings; values that cannot work (a bad syslog
// facility) are errors naming file and line.
func ParseConfig(cfg *confparse.Config, logDir, hostname string) (*Settings, confparse.Diagnostics) {
	s := defaultSettings()
	if cfg == nil {
		return s, nil
	}
	s.Channels = nil
	var diags confparse.Diagnostics
	warn := func(v *confparse.Variable, format string, args ...any) {
		diags.Warnf(v.File, v.Line, format, args...)
	}
	fail := func(v *confparse.Variable, format string, args ...any) {
		diags = append(diags, confparse.Diagnostic{File: v.File, Line: v.Line, Severity: confparse.Error, Message: fmt.Sprintf(format, args...)})
	}
	if g := cfg.Category("general"); g != nil {
		for _, v := range g.Vars {
			switch strings.ToLower(v.Name) {
			case "dateformat":
				s.DateFormat = v.Value
			case "appendhostname":
				if confparse.True(v.Value) {
					s.Hostname = hostname
				} else {
					s.Hostname = ""
				}
			case "display_callids", "use_callids":
				s.DisplayCallIDs = confparse.True(v.Value)
			case "rotatestrategy":
				switch strings.ToLower(v.Value) {
				case "sequential":
					s.Rotate = RotateSequential
				case "rotate":
					s.Rotate = RotateRotate
				case "timestamp":
					s.Rotate = RotateTimestamp
				case "none":
					s.Rotate = RotateNone
				default:
					warn(v, "Unknown rotatestrategy: %s", v.Value)
				}
			case "rotatetimestamp":
				if confparse.True(v.Value) {
					s.Rotate = RotateTimestamp
				}
				warn(v, "rotatetimestamp option has been deprecated.  Please use rotatestrategy instead.")
			case "logger_queue_limit":
				n, err := strconv.Atoi(strings.TrimSpace(v.Value))
				if err != nil {
					warn(v, "logger_queue_limit has an invalid value.  Leaving at default of %d.", s.QueueLimit)
					break
				}
				if n < 10 {
					warn(v, "logger_queue_limit must be >= 10. Setting to 10.")
					n = 10
				}
				s.QueueLimit = n
			case "queue_log", "queue_log_to_file", "queue_log_name", "queue_log_realtime_use_gmt",
				"exec_after_rotate", "custom_levels":
				// Accepted for compatibility; gostrisk has no queue log and
				// runs no command after rotation.
			default:
				warn(v, "unknown logger.conf option '%s' in [general]", v.Name)
			}
		}
	}
	if lf := cfg.Category("logfiles"); lf != nil {
		for _, v := range lf.Vars {
			ch, ok := parseChannel(v, logDir, s.Hostname, warn, fail)
			if ok {
				s.Channels = append(s.Channels, ch)
			}
		}
	}
	return s, diags
}

func parseChannel(v *confparse.Variable, logDir, hostname string,
	warn, fail func(*confparse.Variable, string, ...any)) (ChannelSpec, bool) {
	ch := ChannelSpec{Name: v.Name, Formatter: "default", Verbosity: -1, Pos: v.Pos()}
	name := v.Name
	switch {
	case strings.EqualFold(name, "console"):
		ch.Kind = KindConsole
	case len(name) >= 6 && strings.EqualFold(name[:6], "syslog"):
		ch.Kind = KindSyslog
		ch.Path = name
		fac := "local0"
		if _, after, ok := strings.Cut(name, "."); ok && after != "" {
			fac = after
		}
		p, ok := syslogFacility(fac)
		if !ok {
			fail(v, "bad syslog facility '%s' for channel '%s'", fac, name)
			return ch, false
		}
		ch.Facility = p
	default:
		ch.Kind = KindFile
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(logDir, p)
		}
		if hostname != "" {
			p += "." + hostname
		}
		ch.Path = p
	}

	comps := v.Value
	if i := strings.IndexByte(comps, '['); i >= 0 {
		end := strings.IndexByte(comps[i+1:], ']')
		if end < 0 {
			warn(v, "bad formatter definition for %s in logger.conf", name)
		} else {
			f := strings.ToLower(comps[i+1 : i+1+end])
			switch f {
			case "default", "plain", "json":
				ch.Formatter = f
			default:
				warn(v, "Unknown formatter definition %s for %s in logger.conf; using 'default'", f, name)
			}
			comps = comps[i+1+end+1:]
		}
	}
	for _, w := range strings.Split(comps, ",") {
		w = strings.TrimSpace(w)
		switch {
		case w == "":
		case w == "*":
			ch.Mask = ^uint32(0)
		case len(w) > 8 && strings.EqualFold(w[:8], "verbose("):
			n, err := strconv.Atoi(strings.TrimSuffix(w[8:], ")"))
			if err != nil || n < 0 {
				warn(v, "bad verbose level '%s' for channel '%s'", w, name)
				continue
			}
			ch.Mask |= LevelVerbose.bit()
			ch.Verbosity = n
		default:
			lvl, ok := ParseLevel(w)
			if !ok {
				if !strings.EqualFold(w, "fax") { // a dynamic level of a module we do not have
					warn(v, "unknown log level '%s' for channel '%s'", w, name)
				}
				continue
			}
			ch.Mask |= lvl.bit()
		}
	}
	if ch.Kind == KindConsole {
		// The console always carries verbose output, at the consoles' own
		// verbosity.
		ch.Mask |= LevelVerbose.bit()
		ch.Verbosity = -1
	}
	return ch, true
}

func syslogFacility(name string) (syslog.Priority, bool) {
	m := map[string]syslog.Priority{
		"auth": syslog.LOG_AUTH, "authpriv": syslog.LOG_AUTHPRIV, "cron": syslog.LOG_CRON,
		"daemon": syslog.LOG_DAEMON, "ftp": syslog.LOG_FTP, "kern": syslog.LOG_KERN,
		"lpr": syslog.LOG_LPR, "mail": syslog.LOG_MAIL, "news": syslog.LOG_NEWS,
		"syslog": syslog.LOG_SYSLOG, "user": syslog.LOG_USER, "uucp": syslog.LOG_UUCP,
		"local0": syslog.LOG_LOCAL0, "local1": syslog.LOG_LOCAL1, "local2": syslog.LOG_LOCAL2,
		"local3": syslog.LOG_LOCAL3, "local4": syslog.LOG_LOCAL4, "local5": syslog.LOG_LOCAL5,
		"local6": syslog.LOG_LOCAL6, "local7": syslog.LOG_LOCAL7,
	}
	p, ok := m[strings.ToLower(name)]
	return p, ok
}
