package expr

import "strings"

type tokKind uint8

const (
	tEOF tokKind = iota
	tToken
	tOr
	tAnd
	tEq
	tGt
	tLt
	tGe
	tLe
	tNe
	tPlus
	tMinus
	tMult
	tDiv
	tMod
	tCond
	tColonColon
	tCompl
	tColon
	tEqTilde
	tTildeTilde
	tComma
	tLP
	tRP
)

var tokNames = [...]string{
	tEOF: "$end", tToken: "<token>", tOr: "|", tAnd: "&", tEq: "=", tGt: ">",
	tLt: "<", tGe: ">=", tLe: "<=", tNe: "!=", tPlus: "+", tMinus: "-",
	tMult: "*", tDiv: "/", tMod: "%", tCond: "?", tColonColon: "::",
	tCompl: "!", tColon: ":", tEqTilde: "=~", tTildeTilde: "~~", tComma: ",",
	tLP: "(", tRP: ")",
}

type token struct {
	kind tokKind
	text string
	num  bool // a number literal: a numeric string rather than a string
	pos  int
}

// Operators, longest first so that "==" wins over "=" as in a longest-match
// scanner.
var operators = []struct {
	text string
	kind tokKind
}{
	{"||", tOr}, {"&&", tAnd}, {"==", tEq}, {"=~", tEqTilde}, {"~~", tTildeTilde},
	{">=", tGe}, {"<=", tLe}, {"!=", tNe}, {"::", tColonColon},
	{"|", tOr}, {"&", tAnd}, {"=", tEq}, {">", tGt}, {"<", tLt}, {"+", tPlus},
	{",", tComma}, {"-", tMinus}, {"*", tMult}, {"/", tDiv}, {"%", tMod},
	{"?", tCond}, {"!", tCompl}, {":", tColon}, {"(", tLP}, {")", tRP},
}

func isWordByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c >= 0x80:
		return true
	}
	return strings.IndexByte(`.';\_^#@`, c) >= 0
}

// trailStop are the bytes that end the text glued after an unexpanded
// ${...} reference.
const trailStop = "-\t\r \n$():?%/+=*<>!|&"

// lex splits an expression into tokens following Asterisk's scanner rules:
// longest match wins, a number literal beats a word of the same length,
// words are runs of letters, digits, .';\_^#@, bytes >= 0x80 and '$'
// followed by anything but '{'; quoted strings keep their quotes; any other
// byte (a lone '~', '[', '{', an unmatched '"') is dropped.
func lex(s string) []token {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			i++
			continue
		}
		if c == '$' && i+1 < len(s) && s[i+1] == '{' {
			t, next, ok := lexVarRef(s, i, i+2)
			if !ok {
				return toks // the scanner gives up at the end of input
			}
			toks = append(toks, t)
			i = next
			continue
		}
		matched := false
		for _, op := range operators {
			if strings.HasPrefix(s[i:], op.text) {
				toks = append(toks, token{kind: op.kind, text: op.text, pos: i})
				i += len(op.text)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if c == '"' {
			if end := strings.IndexByte(s[i+1:], '"'); end >= 0 {
				toks = append(toks, token{kind: tToken, text: s[i : i+end+2], pos: i})
				i += end + 2
				continue
			}
			i++ // no closing quote: the scanner echoes and skips it
			continue
		}
		numLen := numberLen(s[i:])
		wordEnd, varStart := wordEnds(s, i)
		wordLen := wordEnd - i
		switch {
		case varStart > 0 && varStart+2-i > numLen && varStart+2-i > wordLen:
			t, next, ok := lexVarRef(s, i, varStart+2)
			if !ok {
				return toks
			}
			toks = append(toks, t)
			i = next
		case numLen > 0 && numLen >= wordLen:
			toks = append(toks, token{kind: tToken, text: s[i : i+numLen], num: true, pos: i})
			i += numLen
		case wordLen > 0:
			toks = append(toks, token{kind: tToken, text: s[i:wordEnd], pos: i})
			i = wordEnd
		default:
			i++ // nothing matches this byte: skipped
		}
	}
	return toks
}

// numberLen is the length of [0-9]+(\.[0-9]+)? at the start of s.
func numberLen(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return 0
	}
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i += 2
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i
}

// wordEnds returns the end of the longest word starting at i, and the
// largest word end followed by "${" (0 when none). Words are made of one-
// byte units and two-byte "$x" units, so the reachable ends are tracked
// explicitly rather than by a greedy scan.
func wordEnds(s string, i int) (longest, beforeVar int) {
	longest = i
	// Units are one or two bytes long, so reachability of the next two
	// positions is all the state needed.
	here, next1, next2 := true, false, false
	for p := i; p <= len(s); p++ {
		if here {
			if p > i {
				longest = p
				if strings.HasPrefix(s[p:], "${") {
					beforeVar = p
				}
			}
			if p < len(s) {
				c := s[p]
				if c != '$' && isWordByte(c) {
					next1 = true
				} else if c == '$' && p+1 < len(s) && s[p+1] != '{' {
					next2 = true
				}
			}
		}
		if !next1 && !next2 {
			break
		}
		here, next1, next2 = next1, next2, false
	}
	return longest, beforeVar
}

// lexVarRef scans an unexpanded ${...} reference (body starts at j, the
// token at start) plus the text glued after it, into one string token.
// ok is false when a brace never closes: the scanner then stops.
func lexVarRef(s string, start, j int) (token, int, bool) {
	for {
		depth := 0
		for {
			k := strings.IndexAny(s[j:], "{}")
			if k < 0 {
				return token{}, 0, false
			}
			j += k + 1
			if s[j-1] == '{' {
				depth++
				continue
			}
			depth--
			if depth < 0 {
				break
			}
		}
		// Trailing text up to an operator or blank belongs to the token.
		k := j
		for k < len(s) && strings.IndexByte(trailStop, s[k]) < 0 {
			k++
		}
		if strings.HasPrefix(s[k:], "${") {
			j = k + 2
			continue
		}
		return token{kind: tToken, text: s[start:k], pos: start}, k, true
	}
}
