package expr

import (
	"strconv"
	"strings"
)

// kind mirrors the three value types of Asterisk's evaluator. The
// distinction between a numeric string and a string decides whether
// comparisons are numeric, and a numeric string keeps its spelling ("007")
// until an operator needs its number.
type kind uint8

const (
	kNumber kind = iota
	kNumString
	kString
)

type value struct {
	kind kind
	s    string
	n    num
}

func numberValue(n num) *value { return &value{kind: kNumber, n: n} }

// stringValue classifies s as Asterisk's make_str does: only digits and
// dots, starting with a digit or a dot, make a numeric string. A leading
// '-' does not ("-5" stays a string).
func stringValue(s string) *value {
	numeric := len(s) > 0 && (isDigit(s[0]) || s[0] == '.')
	if numeric {
		for i := 0; i < len(s); i++ {
			if !isDigit(s[i]) && s[i] != '.' {
				numeric = false
				break
			}
		}
	}
	if numeric {
		return &value{kind: kNumString, s: s}
	}
	return &value{kind: kString, s: s}
}

// toNumber converts a numeric string in place and reports whether v is
// now a number.
func (v *value) toNumber(ev *evaluator) bool {
	switch v.kind {
	case kNumber:
		return true
	case kString:
		return false
	}
	n, ok := parseLeadingNumber(v.s)
	if !ok {
		ev.warnf("Conversion of %s to number under/overflowed!", v.s)
		v.kind, v.s = kString, ""
		return false
	}
	v.kind, v.s, v.n = kNumber, "", n
	return true
}

// toString converts a number in place to its printed form.
func (v *value) toString() {
	if v.kind == kNumber {
		v.kind, v.s = kString, v.n.format()
	}
}

func (v *value) isString() bool { return v.kind == kString }

// numOrZero is the operand of a built-in math function. Asterisk reads the
// union of a non-numeric value as garbage; zero is the sane reading.
func (v *value) numOrZero(ev *evaluator) num {
	if v.toNumber(ev) {
		return v.n
	}
	return numInt(0)
}

func (v *value) isZeroOrNull(ev *evaluator) bool {
	if v.kind == kNumber {
		return v.n.isZero()
	}
	return v.s == "" || (v.toNumber(ev) && v.n.isZero())
}

// stripQuotes removes every double quote when the string both starts and
// ends with one, as the regex and concatenation operators do.
func (v *value) stripQuotes() {
	if v.kind == kNumber || v.s == "" {
		return
	}
	if v.s[0] == '"' && v.s[len(v.s)-1] == '"' {
		v.s = strings.ReplaceAll(v.s, `"`, "")
	}
}

// result renders the final value of an expression.
func (v *value) result() string {
	if v.kind == kNumber {
		return v.n.format()
	}
	return v.s
}

// atoi is C's atoi: optional blanks and sign, then digits; 0 when none.
// Only its truth matters to the '!' operator, so overflow wraps as int32.
func atoi(s string) int32 {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	j := i
	if j < len(s) && (s[j] == '-' || s[j] == '+') {
		j++
	}
	k := j
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	if k == j {
		return 0
	}
	n, err := strconv.ParseInt(s[i:k], 10, 64)
	if err != nil {
		// Out of range for 64 bits: non-zero is all '!' cares about.
		return 1
	}
	return int32(n)
}
