package expr

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Env resolves variables and dialplan functions for substitution.
type Env interface {
	// Var returns a variable's value (channel vars, built-ins such as EXTEN,
	// globals); ok=false when unset.
	Var(name string) (value string, ok bool)
	// Func calls a dialplan function such as CALLERID(num) or LEN(abc): name
	// is "CALLERID", args is "num" (already substituted).
	Func(name, args string) (string, error)
}

// Warner may be implemented by an Env to receive the warnings Asterisk logs
// during substitution: a missing '}' or ']', expression errors, runaway
// recursion. Without it they are dropped, as the result does not change.
type Warner interface {
	Warn(msg string)
}

// FuncErrorWarner may be implemented by an Env to receive a failing
// function's error itself rather than its text, so that it can log it at
// the level the function asks for (Asterisk logs some at ERROR).
type FuncErrorWarner interface {
	WarnFuncError(err error)
}

const (
	// varBufSize is Asterisk's VAR_BUF_SIZE: variable and function values
	// and nested substitutions are cut to varBufSize-1 bytes.
	varBufSize = 4096
	// maxSubstDepth is Asterisk's MAX_VARIABLE_SUB_RECURSE_DEPTH: deeper
	// nesting of ${...} or $[...] substitutes nothing.
	maxSubstDepth = 15
)

// Substitute expands ${...} and $[...] in s as Asterisk 18's
// pbx_substitute_variables_helper does. Everything else is copied byte for
// byte, including backslashes: Asterisk has no escape for '$' at this
// stage (a "\" before "${X}" stays, and X is still expanded).
func Substitute(s string, env Env) string {
	if strings.IndexByte(s, '$') < 0 {
		return s
	}
	if env == nil {
		env = emptyEnv{}
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	substitute(&b, s, env, 1, -1)
	return b.String()
}

// emptyEnv has no variables and no functions.
type emptyEnv struct{}

func (emptyEnv) Var(string) (string, bool) { return "", false }
func (emptyEnv) Func(name, _ string) (string, error) {
	return "", fmt.Errorf("function %s not available", name)
}

func warn(env Env, format string, args ...any) {
	if w, ok := env.(Warner); ok {
		w.Warn(fmt.Sprintf(format, args...))
	}
}

// substitute appends the expansion of s to b. limit < 0 means unlimited;
// otherwise at most limit bytes are appended, as with Asterisk's fixed
// buffers.
func substitute(b *strings.Builder, s string, env Env, depth, limit int) {
	if depth > maxSubstDepth {
		warn(env, "Exceeded maximum variable substitution recursion depth (%d) - possible infinite recursion in dialplan?", maxSubstDepth)
		return
	}
	emit := func(text string) {
		if limit >= 0 {
			if len(text) > limit {
				text = text[:limit]
			}
			limit -= len(text)
		}
		b.WriteString(text)
	}
	for s != "" && limit != 0 {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			emit(s)
			return
		}
		kind := byte(0)
		if i+1 < len(s) {
			kind = s[i+1]
		}
		if kind != '{' && kind != '[' {
			emit(s[:i+1]) // a '$' that starts nothing is plain text
			s = s[i+1:]
			continue
		}
		emit(s[:i])
		if limit == 0 {
			return
		}
		body, rest, needSub, closed := scanRef(s[i+2:], kind)
		s = rest
		if len(body) > varBufSize-1 {
			body = body[:varBufSize-1] // Asterisk copies it into a VAR_BUF_SIZE buffer
		}
		if needSub {
			var nb strings.Builder
			substitute(&nb, body, env, depth+1, varBufSize-1)
			body = nb.String()
		}
		if kind == '{' {
			if !closed {
				warn(env, "Error in extension logic (missing '}')")
			}
			if v, ok := lookup(body, env); ok {
				emit(v)
			}
			continue
		}
		if !closed {
			warn(env, "Error in extension logic (missing ']')")
		}
		res, err := EvaluateEnv(body, env)
		if err != nil {
			warn(env, "%v", err)
		}
		if limit >= 0 && len(res) > limit-1 {
			res = res[:max(limit-1, 0)]
		}
		emit(res)
	}
}

// scanRef finds the end of a ${...} (kind '{') or $[...] (kind '[') whose
// body starts s. Only the reference's own kind of bracket nests; a nested
// "${" or "$[" means the body needs substituting first. Without a closing
// bracket the body is the rest of the string.
func scanRef(s string, kind byte) (body, rest string, needSub, closed bool) {
	open, close := byte('{'), byte('}')
	if kind == '[' {
		open, close = '[', ']'
	}
	depth := 1
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$' && j+1 < len(s) && (s[j+1] == '{' || s[j+1] == '['):
			needSub = true
			if s[j+1] == kind {
				depth++
			}
			j++ // the bracket after '$' is consumed with it
		case c == open:
			depth++
		case c == close:
			depth--
			if depth == 0 {
				return s[:j], s[j+1:], needSub, true
			}
		}
	}
	return s, "", needSub, false
}

// lookup resolves a substituted reference body: NAME, NAME:offset[:length],
// FUNC(args) or FUNC(args):offset[:length]. ok is false when nothing is to
// be inserted (unset variable, failing function).
func lookup(ref string, env Env) (string, bool) {
	name, offset, length, isFunc := parseVarName(ref)
	var val string
	if isFunc {
		fname, args := funcArgs(name, env)
		v, err := env.Func(fname, args)
		if err != nil {
			// The function's error is the text Asterisk logs for it, unless
			// the environment logged it already (a missing function).
			var logged interface{ AlreadyLogged() bool }
			switch w, ok := env.(FuncErrorWarner); {
			case errors.As(err, &logged) && logged.AlreadyLogged():
			case ok:
				w.WarnFuncError(err)
			default:
				warn(env, "%v", err)
			}
			return "", false
		}
		val = v
	} else {
		v, ok := env.Var(name)
		if !ok {
			return "", false
		}
		val = v
	}
	return substring(val, offset, length), true
}

// parseVarName splits "NAME:offset:length" at the first ':' outside
// parentheses. Offsets are read like sscanf("%30d:%30d"): a missing or bad
// number leaves the default (0, whole length).
func parseVarName(ref string) (name string, offset, length int64, isFunc bool) {
	length = math.MaxInt32
	parens := 0
	for i := 0; i < len(ref); i++ {
		switch ref[i] {
		case '(':
			isFunc = true
			parens++
		case ')':
			parens--
		case ':':
			if parens == 0 {
				rest := ref[i+1:]
				if o, n, ok := scanInt(rest); ok {
					offset = o
					rest = rest[n:]
					if strings.HasPrefix(rest, ":") {
						if l, _, ok := scanInt(rest[1:]); ok {
							length = l
						}
					}
				}
				return ref[:i], offset, length, isFunc
			}
		}
	}
	return ref, offset, length, isFunc
}

// scanInt reads a "%30d" conversion: blanks, a sign, digits, at most 30
// characters, stored into a C int (wrapping as glibc does).
func scanInt(s string) (v int64, n int, ok bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digitsStart := i
	for i < len(s) && isDigit(s[i]) && i-start < 30 {
		i++
	}
	if i == digitsStart {
		return 0, 0, false
	}
	x, err := strconv.ParseInt(s[start:i], 10, 64)
	if err != nil {
		// strtol saturates; the int store then keeps the low 32 bits.
		if s[start] == '-' {
			x = math.MinInt64
		} else {
			x = math.MaxInt64
		}
	}
	return int64(int32(x)), i, true
}

// funcArgs splits "NAME(args)" into name and args: the arguments run to the
// last ')'.
func funcArgs(ref string, env Env) (name, args string) {
	open := strings.IndexByte(ref, '(')
	if open < 0 {
		return ref, ""
	}
	name, args = ref[:open], ref[open+1:]
	if close := strings.LastIndexByte(args, ')'); close >= 0 {
		args = args[:close]
	} else {
		warn(env, "Can't find trailing parenthesis for function '%s(%s'?", name, args)
	}
	return name, args
}

// substring applies Asterisk's ${VAR:offset:length} rules: a negative
// offset counts from the end (clamped to the start), an offset past the end
// gives "", a negative length drops that many characters from the end.
func substring(value string, offset, length int64) string {
	if len(value) > varBufSize-1 {
		value = value[:varBufSize-1]
	}
	lr := int64(len(value))
	if offset == 0 && length >= lr {
		return value
	}
	if offset < 0 {
		offset = max(lr+offset, 0)
	}
	if offset >= lr {
		return ""
	}
	switch {
	case length >= 0 && length < lr-offset:
		return value[offset : offset+length]
	case length < 0:
		if lr > offset-length {
			return value[offset : lr+length]
		}
		return ""
	}
	return value[offset:]
}
