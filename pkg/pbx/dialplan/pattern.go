package dialplan

import (
	"bytes"
	"strings"
)

// matchMode selects what "matching" means, as pbx.c's E_MATCH* modes do.
type matchMode int

const (
	modeMatchMore matchMode = iota // data is a strict prefix of something the pattern accepts
	modeCanMatch                   // data matches now or could with more digits
	modeMatch                      // data matches exactly
)

// Element scores, chosen so that subtracting two scores orders elements
// from most to least specific: a single character, then smaller sets, then
// '.', then '!', then the end of the pattern, then a broken set.
const (
	scoreDot   = 0x18000
	scoreBang  = 0x28000
	scoreEnd   = 0x30000
	scoreError = 0x40000
)

// charset is a 256-bit set; the most significant bit of byte 0 is
// character 0, so that comparing two sets bytewise puts sets holding
// lower characters first.
type charset [32]byte

func (s *charset) add(c byte) bool {
	mask := byte(1) << (7 - c%8)
	if s[c/8]&mask != 0 {
		return false
	}
	s[c/8] |= mask
	return true
}

func (s *charset) has(c byte) bool { return s[c/8]&(byte(1)<<(7-c%8)) != 0 }

// nextElement reads the pattern element starting at p[i] (leading '-' are
// decoration and skipped) and returns its score, the set of characters it
// accepts and the index after it; next is -1 once the end was read.
// A '[' without ']' scores scoreError and leaves i just after the '[', so
// the rest is read as ordinary characters, as Asterisk does.
func nextElement(p string, i int, set *charset) (score, next int) {
	for {
		for i < len(p) && p[i] == '-' {
			i++
		}
		if i >= len(p) {
			return scoreEnd, -1
		}
		c := p[i]
		i++
		switch c {
		case 'n', 'N':
			set[6], set[7] = 0x3f, 0xc0
			return 0x0800 | '2', i
		case 'x', 'X':
			set[6], set[7] = 0xff, 0xc0
			return 0x0A00 | '0', i
		case 'z', 'Z':
			set[6], set[7] = 0x7f, 0xc0
			return 0x0900 | '1', i
		case '.':
			return scoreDot, i
		case '!':
			return scoreBang, i
		case '[':
		default:
			set.add(c)
			return 0x0100 | int(c), i
		}
		end := strings.IndexByte(p[i:], ']')
		if end < 0 {
			return scoreError, i
		}
		end += i
		count, lowest := 0, 0xff
		for ; i < end; i++ {
			lo, hi := int(p[i]), int(p[i])
			if i+2 < end && p[i+1] == '-' {
				hi = int(p[i+2])
				i += 2
			}
			if lo < lowest {
				lowest = lo
			}
			for ch := lo; ch <= hi; ch++ {
				if set.add(byte(ch)) {
					count += 0x100
				}
			}
		}
		i = end + 1
		if count != 0 {
			return count | lowest, i
		}
		// An empty set is ignored: read the next element instead.
	}
}

// cmpPattern orders two patterns (without their leading '_') by
// specificity, element by element: the smaller set sorts first, and equal
// sizes sort by their lowest characters.
func cmpPattern(l, r string) int {
	li, ri := 0, 0
	for {
		var lset, rset charset
		var ls, rs int
		ls, li = nextElement(l, li, &lset)
		rs, ri = nextElement(r, ri, &rset)
		if c := ls - rs; c != 0 {
			return c
		}
		if c := bytes.Compare(rset[:], lset[:]); c != 0 {
			return c
		}
		if li < 0 {
			return 0 // equal scores: both ended
		}
	}
}

// cmpLiteral compares two plain extensions ignoring '-'.
func cmpLiteral(l, r string) int {
	i, j := 0, 0
	for {
		for i < len(l) && l[i] == '-' {
			i++
		}
		for j < len(r) && r[j] == '-' {
			j++
		}
		lc, rc := at(l, i), at(r, j)
		if lc != rc {
			return lc - rc
		}
		if i >= len(l) {
			return 0
		}
		i++
		j++
	}
}

// cmpLiteralPrefix is cmpLiteral where r may end first (r is a prefix of l).
func cmpLiteralPrefix(l, r string) int {
	i, j := 0, 0
	for {
		for i < len(l) && l[i] == '-' {
			i++
		}
		for j < len(r) && r[j] == '-' {
			j++
		}
		if j >= len(r) {
			return 0
		}
		if c := at(l, i) - at(r, j); c != 0 {
			return c
		}
		i++
		j++
	}
}

// at returns s[i] as an int, or 0 past the end (C's terminating NUL).
func at(s string, i int) int {
	if i < len(s) {
		return int(s[i])
	}
	return 0
}

// literalLen is the length of s without '-'.
func literalLen(s string) int { return len(s) - strings.Count(s, "-") }

// extCmp is the dialplan sort order: plain extensions before patterns,
// plain ones bytewise, patterns by specificity.
func extCmp(l, r string) int {
	lp, rp := strings.HasPrefix(l, "_"), strings.HasPrefix(r, "_")
	switch {
	case !lp && rp:
		return -1
	case !lp:
		return cmpLiteral(l, r)
	case !rp:
		return 1
	}
	return cmpPattern(l[1:], r[1:])
}

// sortKey is equal for two names exactly when extCmp says they are equal,
// so a map can group aliases such as "_[12]X" and "_[21]X".
func sortKey(name string) string {
	if !strings.HasPrefix(name, "_") {
		return "L" + strings.ReplaceAll(name, "-", "")
	}
	var b strings.Builder
	b.WriteByte('P')
	p := name[1:]
	i := 0
	for i >= 0 {
		var set charset
		var score int
		score, i = nextElement(p, i, &set)
		b.WriteByte(byte(score >> 16))
		b.WriteByte(byte(score >> 8))
		b.WriteByte(byte(score))
		b.Write(set[:])
		if score == scoreEnd {
			break
		}
	}
	return b.String()
}

// matchExten tells whether data matches pattern in the given mode: 0 no,
// 1 yes, 2 an early match through '!'.
func matchExten(pattern, data string, mode matchMode) int {
	if !strings.HasPrefix(pattern, "_") {
		lp, ld := literalLen(pattern), literalLen(data)
		if lp < ld {
			return 0
		}
		if mode == modeMatch {
			if cmpLiteral(pattern, data) == 0 {
				return 1
			}
			return 0
		}
		if ld == 0 || cmpLiteralPrefix(pattern, data) == 0 {
			if mode == modeMatchMore {
				return b2i(lp > ld)
			}
			return 1
		}
		return 0
	}
	// A pattern given as data (Goto to "_6XXX") matches the same pattern.
	if mode == modeMatch && strings.HasPrefix(data, "_") && cmpPattern(pattern[1:], data[1:]) == 0 {
		return 1
	}
	p, d := pattern[1:], data
	i, j := 0, 0
	for {
		for j < len(d) && d[j] == '-' {
			j++
		}
		for i < len(p) && p[i] == '-' {
			i++
		}
		if j >= len(d) || i >= len(p) || p[i] == '/' {
			break
		}
		c := d[j]
		switch p[i] {
		case '[':
			i++
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return 0
			}
			end += i
			if i == end {
				i++
				continue // an empty set consumes nothing
			}
			found := false
			for ; i < end; i++ {
				if i+2 < end && p[i+1] == '-' {
					if c >= p[i] && c <= p[i+2] {
						found = true
						break
					}
					i += 2
				} else if c == p[i] {
					found = true
					break
				}
			}
			if !found {
				return 0
			}
			i = end
		case 'n', 'N':
			if c < '2' || c > '9' {
				return 0
			}
		case 'x', 'X':
			if c < '0' || c > '9' {
				return 0
			}
		case 'z', 'Z':
			if c < '1' || c > '9' {
				return 0
			}
		case '.':
			return 1
		case '!':
			return 2
		default:
			if c != p[i] {
				return 0
			}
		}
		i++
		j++
	}
	if j < len(d) {
		return 0
	}
	switch {
	case i >= len(p) || p[i] == '/':
		return b2i(mode != modeMatchMore)
	case p[i] == '!':
		return 2
	default:
		return b2i(mode != modeMatch)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Match reports whether the dialled string matches an extension name
// (plain or "_" pattern) as Asterisk's ast_extension_match does.
func Match(pattern, exten string) bool { return matchExten(pattern, exten, modeMatch) != 0 }

// cleanName drops blanks outside character sets, and with nofluff also
// the '-' decoration, as Asterisk stores extension names.
func cleanName(src string, nofluff bool) string {
	isPattern := strings.HasPrefix(src, "_")
	var b strings.Builder
	inSet := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '[':
			if isPattern {
				inSet = true
			}
		case c == ']':
			inSet = false
		case c == ' ' && !inSet:
			continue
		case c == '-' && !inSet && nofluff:
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// shrinkPhone normalises a caller ID pattern as written in "exten =>
// 100/(555) 123-4567": parentheses, blanks and '-' outside sets go, and a
// '.' survives only as the last character.
func shrinkPhone(n string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case '-':
			if depth == 0 {
				continue
			}
		case '.':
			if i != len(n)-1 {
				continue
			}
		case '(', ' ', ')':
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
