package expr

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// Asterisk compiles the right side of ':' and '=~' with regcomp(REG_EXTENDED):
// POSIX extended syntax, leftmost-longest matching, '.' matching newlines,
// backslash literal inside brackets, an unmatched ')' literal. posixToGo
// rewrites such a pattern into Go syntax with the same meaning.
func posixToGo(p string) (string, error) {
	var b strings.Builder
	b.WriteString("(?s)")
	depth := 0
	for i := 0; i < len(p); {
		c := p[i]
		switch c {
		case '\\':
			if i+1 >= len(p) {
				return "", errors.New("Trailing backslash")
			}
			r, size := utf8.DecodeRuneInString(p[i+1:])
			i += 1 + size
			switch r {
			case 'w', 'W', 's', 'S', 'b', 'B':
				b.WriteByte('\\')
				b.WriteRune(r)
			case '<', '>':
				b.WriteString(`\b`)
			case '`':
				b.WriteString(`\A`)
			case '\'':
				b.WriteString(`\z`)
			case '1', '2', '3', '4', '5', '6', '7', '8', '9':
				return "", errors.New("back-references are not supported")
			default:
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		case '[':
			n, err := bracketToGo(&b, p[i:])
			if err != nil {
				return "", err
			}
			i += n
		case '(':
			if i+1 < len(p) && strings.IndexByte("*+?{", p[i+1]) >= 0 {
				return "", errors.New("Invalid preceding regular expression")
			}
			depth++
			b.WriteByte('(')
			i++
		case ')':
			if depth == 0 {
				b.WriteString(`\)`)
			} else {
				depth--
				b.WriteByte(')')
			}
			i++
		case '.', '^', '$', '|', '*', '+', '?', '{', '}':
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(p[i:])
			b.WriteString(regexp.QuoteMeta(string(r)))
			i += size
		}
	}
	if depth != 0 {
		return "", errors.New("Unmatched ( or \\(")
	}
	return b.String(), nil
}

// bracketToGo translates the bracket expression at the start of p and
// returns how many bytes it used.
func bracketToGo(b *strings.Builder, p string) (int, error) {
	i := 1
	b.WriteByte('[')
	if i < len(p) && p[i] == '^' {
		b.WriteByte('^')
		i++
	}
	first := true
	for {
		if i >= len(p) {
			return 0, errors.New("Unmatched [, [^, [:, [., or [=")
		}
		if p[i] == ']' && !first {
			b.WriteByte(']')
			return i + 1, nil
		}
		first = false
		if p[i] == '[' && i+1 < len(p) && strings.IndexByte(":.=", p[i+1]) >= 0 {
			delim := p[i+1]
			end := strings.Index(p[i+2:], string(delim)+"]")
			if end < 0 {
				return 0, errors.New("Unmatched [, [^, [:, [., or [=")
			}
			body := p[i+2 : i+2+end]
			i += end + 4
			if delim == ':' {
				b.WriteString("[:" + body + ":]")
			} else {
				// Collating and equivalence classes of one character are that
				// character in the C locale.
				writeClassRune(b, body)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		writeClassRune(b, string(r))
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			r2, size2 := utf8.DecodeRuneInString(p[i+1:])
			if r2 < r {
				return 0, errors.New("Invalid range end")
			}
			b.WriteByte('-')
			writeClassRune(b, string(r2))
			i += 1 + size2
		}
	}
}

func writeClassRune(b *strings.Builder, s string) {
	for _, r := range s {
		if r < utf8.RuneSelf && strings.ContainsRune(`\[]^-`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

// regexCache keeps compiled patterns: dialplans evaluate the same few
// patterns on every call.
var regexCache = struct {
	sync.Mutex
	m map[string]regexEntry
}{m: make(map[string]regexEntry)}

type regexEntry struct {
	re  *regexp.Regexp
	err error
}

const regexCacheMax = 256

func compilePOSIX(p string) (*regexp.Regexp, error) {
	regexCache.Lock()
	e, ok := regexCache.m[p]
	regexCache.Unlock()
	if ok {
		return e.re, e.err
	}
	g, err := posixToGo(p)
	if err == nil {
		e.re, err = regexp.Compile(g)
		if err == nil {
			e.re.Longest()
		}
	}
	if err != nil {
		e.err = fmt.Errorf("regcomp() error : %w", err)
	}
	regexCache.Lock()
	if len(regexCache.m) >= regexCacheMax {
		clear(regexCache.m)
	}
	regexCache.m[p] = e
	regexCache.Unlock()
	return e.re, e.err
}
