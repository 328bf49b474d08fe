package funcs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// DB is the part of the astdb the functions use (pkg/astdb's *DB has it).
type DB interface {
	Get(family, key string) (string, bool)
	Put(family, key, value string) error
	Del(family, key string) error
}

// SIP is what the SIP functions ask chan_sip; the core adapts its driver.
type SIP interface {
	// PeerItem answers SIPPEER(peer,item); known is false for a peer
	// that does not exist, ok false for an item chan_sip does not have.
	PeerItem(peer, item string) (value string, known, ok bool)
	// IsLocalDomain reports whether domain is one of sip.conf's domain=
	// entries (CHECKSIPDOMAIN); ok is false when none is configured.
	IsLocalDomain(domain string) (local, configured bool)
}

// SIPHeaderReader is implemented by a channel's driver that received a
// SIP request (the inbound INVITE): SIP_HEADER(name[,n]) reads it. n is
// 1-based; ok is false when there is no such header.
type SIPHeaderReader interface {
	SIPHeader(name string, n int) (value string, ok bool)
}

// Deps is what Register needs from the rest of the daemon. Every function
// is registered whatever is nil (so `gostrisk check` sees the same list as
// the daemon); with a nil dependency the function answers as Asterisk
// does without the module behind it: BLACKLIST 0, IFMODULE 0, SIPPEER and
// CHECKSIPDOMAIN nothing, and Custom: states are not persisted.
type Deps struct {
	// DB backs BLACKLIST and persists Custom: device states.
	DB DB
	// SIP backs SIPPEER and CHECKSIPDOMAIN (SIP_HEADER reads the channel's
	// driver through SIPHeaderReader).
	SIP func() SIP
	// ModuleLoaded answers IFMODULE(name.so).
	ModuleLoaded func(name string) bool
	// Version is the Asterisk version gostrisk reports ("18.9.0").
	Version string
	// BuildInfo answers VERSION(BUILD_*): keys BUILD_USER, BUILD_HOSTNAME,
	// BUILD_MACHINE, BUILD_OS, BUILD_DATE, BUILD_KERNEL.
	BuildInfo map[string]string
	// SoundExists reports whether a prompt exists in the channel's
	// language (SAYFILES keeps only those, as say.c); nil takes every
	// prompt as present.
	SoundExists func(ch *pbx.Channel, name string) bool
	// ConfigDir is astetcdir, where AST_CONFIG finds relative file names.
	ConfigDir string
	// Resolver answers SRVQUERY/SRVRESULT and TXTCIDNAME; nil is the
	// system's (net.DefaultResolver).
	Resolver Resolver
	// NAPTR answers the ENUM functions; nil asks the nameservers of
	// /etc/resolv.conf.
	NAPTR NAPTRResolver
}

// Register adds the functions to e.
func Register(e *pbx.Engine, deps Deps) error {
	var fs []pbx.Function
	for _, group := range [][]pbx.Function{
		stringFuncs(e), mathFuncs(), logicFuncs(e), timeoutFuncs(e), cdrFuncs(e), envFuncs(),
		globalFuncs(e), stackFuncs(e), groupFuncs(e), calleridFuncs(), codecFuncs(), versionFuncs(deps),
		moduleFuncs(deps), devstateFuncs(e, deps), hintFuncs(e), presenceFuncs(e, deps), dialgroupFuncs(), dbFuncs(deps), sipFuncs(deps), extraFuncs(e), hangupCauseFuncs(e),
		moreFuncs(e, deps),
	} {
		fs = append(fs, group...)
	}
	var errs []error
	for _, f := range fs {
		if err := e.RegisterFunction(f); err != nil {
			errs = append(errs, fmt.Errorf("function %s: %w", f.Name, err))
		}
	}
	return errors.Join(errs...)
}

// args splits function arguments as AST_STANDARD_APP_ARGS does; an empty
// string has no argument at all.
func args(s string) []string {
	if s == "" {
		return nil
	}
	return pbx.SplitArgs(s, ',')
}

// arg returns the i-th argument or "".
func arg(a []string, i int) string {
	if i < len(a) {
		return a[i]
	}
	return ""
}

// rawArgs splits on commas outside parentheses without removing quotes or
// backslashes (AST_STANDARD_RAW_ARGS).
func rawArgs(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// errorf is a function error Asterisk logs at ERROR level.
func errorf(format string, a ...any) error { return pbx.ErrorLevel(fmt.Errorf(format, a...)) }

// logError logs at ERROR when the engine's logger has that level.
func logError(e *pbx.Engine, format string, a ...any) {
	if el, ok := e.Log().(interface{ Error(string, ...any) }); ok {
		el.Error(format, a...)
		return
	}
	e.Log().Warning(format, a...)
}

// errNoChannel is func_*.c's message for a function used without a channel.
func errNoChannel(cmd string) error {
	return fmt.Errorf("No channel was provided to %s function.", cmd)
}

// varValue is ${name} on ch (built-ins, channel, then globals).
func varValue(e *pbx.Engine, ch *pbx.Channel, name string) string {
	v, _ := e.Env(ch).Var(strings.TrimSpace(name))
	return v
}

// channelByName finds a live channel by exact name (case-insensitive) or
// unique id, as ast_channel_get_by_name does.
func channelByName(e *pbx.Engine, name string) (*pbx.Channel, bool) {
	for _, c := range e.Channels() {
		if strings.EqualFold(c.Name(), name) || c.UniqueID() == name {
			return c, true
		}
	}
	return nil, false
}

// setVar sets a variable as pbx_builtin_setvar_helper does: on the channel,
// or a global without one.
func setVar(e *pbx.Engine, ch *pbx.Channel, name, value string) {
	if ch == nil {
		e.SetGlobalVar(name, value)
		return
	}
	ch.SetVar(name, value)
}

// encodedChar reads one possibly escaped character as ast_get_encoded_char
// does (\n \r \t \a \b \f \v, \xHH, \0ooo, \c for any other c) and how many
// bytes it took; an empty string is an error.
func encodedChar(s string) (byte, int, error) {
	if s == "" {
		return 0, 0, errors.New("empty")
	}
	if s[0] != '\\' || len(s) == 1 {
		return s[0], 1, nil
	}
	switch c := s[1]; c {
	case 'n':
		return '\n', 2, nil
	case 'r':
		return '\r', 2, nil
	case 't':
		return '\t', 2, nil
	case 'a':
		return '\a', 2, nil
	case 'b':
		return '\b', 2, nil
	case 'f':
		return '\f', 2, nil
	case 'v':
		return '\v', 2, nil
	case 'x':
		n, v := 0, 0
		for n < 2 && 2+n < len(s) && isHex(s[2+n]) {
			v = v*16 + hexVal(s[2+n])
			n++
		}
		if n == 0 {
			return 0, 0, fmt.Errorf("no hexadecimal digits after \\x")
		}
		return byte(v), 2 + n, nil
	case '0':
		n, v := 0, 0
		for n < 3 && 2+n < len(s) && s[2+n] >= '0' && s[2+n] <= '7' {
			v = v*8 + int(s[2+n]-'0')
			n++
		}
		return byte(v), 2 + n, nil
	default:
		return c, 2, nil
	}
}

// encodedString decodes every escape of s (ast_get_encoded_str).
func encodedString(s string) string {
	var b strings.Builder
	for s != "" {
		c, n, err := encodedChar(s)
		if err != nil {
			b.WriteByte(s[0])
			n = 1
			if len(s) > 1 {
				n = 2
			}
		} else {
			b.WriteByte(c)
		}
		s = s[n:]
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
