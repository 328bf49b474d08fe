package expr

import (
	"fmt"
	"math"
	"strings"
)

// maxDepth bounds operator and parenthesis nesting. Asterisk's bison parser
// gives up ("memory exhausted") at a similar depth; this keeps hostile input
// such as "((((((..." from exhausting the stack.
const maxDepth = 1000

// funcBufSize is the workspace Asterisk gives a dialplan function called
// from inside an expression; longer results are cut.
const funcBufSize = 512

// Error reports what Asterisk would have logged while evaluating an
// expression. The result returned alongside it is still the text Asterisk
// substitutes, so callers log the error and carry on with the result.
type Error struct {
	Expr string
	// Syntax is true when the expression did not parse; the result is
	// then "0".
	Syntax bool
	// Msgs are Asterisk's warnings, in order ("division by zero",
	// "non-numeric argument", the syntax error...).
	Msgs []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("expression %q: %s", e.Expr, strings.Join(e.Msgs, "; "))
}

// Evaluate computes the inside of $[ ... ], already substituted, as
// Asterisk 18's ast_expr does, and returns the text Asterisk would put in
// its place. Dialplan functions other than the built-in math ones are not
// available; use EvaluateEnv for them. A non-nil *Error carries warnings;
// the result is meaningful even then.
func Evaluate(expr string) (string, error) {
	return EvaluateEnv(expr, nil)
}

// EvaluateEnv is Evaluate with env answering calls to dialplan functions
// such as $[ LEN(abc) + 1 ]. env may be nil.
func EvaluateEnv(expr string, env Env) (string, error) {
	if i := strings.IndexByte(expr, 0); i >= 0 {
		expr = expr[:i] // the C string ends there
	}
	ev := &evaluator{src: expr, env: env, toks: lex(expr)}
	res := ev.run()
	if len(ev.msgs) == 0 {
		return res, nil
	}
	return res, &Error{Expr: expr, Syntax: ev.syntax, Msgs: ev.msgs}
}

type evaluator struct {
	src    string
	env    Env
	toks   []token
	pos    int
	depth  int
	msgs   []string
	syntax bool
}

// syntaxError unwinds the parser; run recovers it.
type syntaxError struct{}

func (ev *evaluator) warnf(format string, args ...any) {
	ev.msgs = append(ev.msgs, fmt.Sprintf(format, args...))
}

func (ev *evaluator) run() (res string) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(syntaxError); !ok {
				panic(r)
			}
			res = "0"
		}
	}()
	if len(ev.toks) == 0 {
		return ""
	}
	v := ev.parse(1)
	if ev.peek().kind != tEOF {
		ev.fail()
	}
	return v.result()
}

func (ev *evaluator) peek() token {
	if ev.pos < len(ev.toks) {
		return ev.toks[ev.pos]
	}
	return token{kind: tEOF, pos: len(ev.src)}
}

func (ev *evaluator) next() token {
	t := ev.peek()
	if ev.pos < len(ev.toks) {
		ev.pos++
	}
	return t
}

// fail records a syntax error at the current token in Asterisk's shape
// (the input, then a caret under the offending column) and unwinds.
func (ev *evaluator) fail() {
	t := ev.peek()
	what := "'" + tokNames[t.kind] + "'"
	if t.kind == tEOF {
		what = "$end"
	}
	ev.syntax = true
	ev.warnf("syntax error: syntax error, unexpected %s; Input:\n%s\n%s^",
		what, ev.src, strings.Repeat(" ", t.pos))
	panic(syntaxError{})
}

func (ev *evaluator) expect(k tokKind) {
	if ev.peek().kind != k {
		ev.fail()
	}
	ev.next()
}

// Binding strength, loosest first, as declared in Asterisk's grammar; all
// binary operators associate to the left. Unary '-' and '!' sit between
// the multiplicative and the regex/concatenation operators.
const (
	precCond   = 1
	precOr     = 2
	precAnd    = 3
	precCmp    = 4
	precAdd    = 5
	precMul    = 6
	precUnary  = 7
	precRegexp = 8
)

func binaryPrec(k tokKind) int {
	switch k {
	case tCond:
		return precCond
	case tOr:
		return precOr
	case tAnd:
		return precAnd
	case tEq, tGt, tLt, tGe, tLe, tNe:
		return precCmp
	case tPlus, tMinus:
		return precAdd
	case tMult, tDiv, tMod:
		return precMul
	case tColon, tEqTilde, tTildeTilde:
		return precRegexp
	}
	return 0
}

// parse evaluates operators binding at least as tightly as minPrec.
// Operands are evaluated as soon as they are complete, left to right, as
// the C parser's reductions do; both branches of '?' are evaluated.
func (ev *evaluator) parse(minPrec int) *value {
	ev.depth++
	defer func() { ev.depth-- }()
	if ev.depth > maxDepth {
		ev.syntax = true
		ev.warnf("syntax error: memory exhausted; Input:\n%s", ev.src)
		panic(syntaxError{})
	}
	left := ev.unary()
	for {
		op := ev.peek().kind
		prec := binaryPrec(op)
		if prec == 0 || prec < minPrec {
			return left
		}
		ev.next()
		if op == tCond {
			mid := ev.parse(precCond)
			ev.expect(tColonColon)
			right := ev.parse(precCond + 1)
			left = ev.opCond(left, mid, right)
			continue
		}
		right := ev.parse(prec + 1)
		left = ev.binary(op, left, right)
	}
}

func (ev *evaluator) unary() *value {
	switch ev.peek().kind {
	case tMinus:
		ev.next()
		return ev.opNegate(ev.parse(precRegexp))
	case tCompl:
		ev.next()
		return ev.opCompl(ev.parse(precRegexp))
	}
	return ev.primary()
}

func (ev *evaluator) primary() *value {
	t := ev.peek()
	switch t.kind {
	case tLP:
		ev.next()
		v := ev.parse(precCond)
		ev.expect(tRP)
		return v
	case tToken:
		ev.next()
		if ev.peek().kind == tLP {
			ev.next()
			args := ev.arglist()
			return ev.call(t.text, args)
		}
		if t.num {
			return &value{kind: kNumString, s: t.text}
		}
		return &value{kind: kString, s: t.text}
	}
	ev.fail()
	return nil
}

// arglist parses "a, b, , c)": an empty argument after a comma is an empty
// string, but the first argument may not be empty.
func (ev *evaluator) arglist() []*value {
	args := []*value{ev.parse(precCond)}
	for {
		switch ev.peek().kind {
		case tRP:
			ev.next()
			return args
		case tComma:
			ev.next()
			if k := ev.peek().kind; k == tComma || k == tRP {
				args = append(args, stringValue(""))
				continue
			}
			args = append(args, ev.parse(precCond))
		default:
			ev.fail()
		}
	}
}

func (ev *evaluator) binary(op tokKind, a, b *value) *value {
	switch op {
	case tOr:
		if a.isZeroOrNull(ev) {
			return b
		}
		return a
	case tAnd:
		if a.isZeroOrNull(ev) || b.isZeroOrNull(ev) {
			return numberValue(numInt(0))
		}
		return a
	case tEq, tGt, tLt, tGe, tLe, tNe:
		return ev.compare(op, a, b)
	case tPlus:
		return ev.opPlus(a, b)
	case tMinus:
		return ev.opMinus(a, b)
	case tMult:
		if !a.toNumber(ev) || !b.toNumber(ev) {
			ev.warnf("non-numeric argument")
			return numberValue(numInt(0))
		}
		return numberValue(numMul(a.n, b.n))
	case tDiv:
		return ev.opDiv(a, b)
	case tMod:
		if !a.toNumber(ev) || !b.toNumber(ev) {
			ev.warnf("non-numeric argument")
			return numberValue(numInt(0))
		}
		if b.n.isZero() {
			ev.warnf("div by zero")
			return b
		}
		return numberValue(numRem(a.n, b.n, false))
	case tColon:
		return ev.opRegex(a, b, true)
	case tEqTilde:
		return ev.opRegex(a, b, false)
	case tTildeTilde:
		a.toString()
		b.toString()
		a.stripQuotes()
		b.stripQuotes()
		return stringValue(a.s + b.s)
	}
	panic("expr: unhandled operator " + tokNames[op])
}

// compare is numeric when neither side is a (non-numeric) string, else a
// byte-wise string comparison (strcoll in the C locale).
func (ev *evaluator) compare(op tokKind, a, b *value) *value {
	var c int
	if a.isString() || b.isString() {
		a.toString()
		b.toString()
		c = strings.Compare(a.s, b.s)
	} else {
		a.toNumber(ev)
		b.toNumber(ev)
		var ok bool
		c, ok = numCmp(operandNum(a), operandNum(b))
		if !ok {
			return boolValue(op == tNe)
		}
	}
	var r bool
	switch op {
	case tEq:
		r = c == 0
	case tNe:
		r = c != 0
	case tGt:
		r = c > 0
	case tLt:
		r = c < 0
	case tGe:
		r = c >= 0
	case tLe:
		r = c <= 0
	}
	return boolValue(r)
}

// operandNum is the number of a value whose conversion was attempted; a
// failed conversion compares as zero.
func operandNum(v *value) num {
	if v.kind == kNumber {
		return v.n
	}
	return numInt(0)
}

func boolValue(b bool) *value {
	if b {
		return numberValue(numInt(1))
	}
	return numberValue(numInt(0))
}

func (ev *evaluator) opPlus(a, b *value) *value {
	if !a.toNumber(ev) {
		ev.warnf("non-numeric argument")
		if !b.toNumber(ev) {
			return numberValue(numInt(0))
		}
		return b
	}
	if !b.toNumber(ev) {
		return a
	}
	return numberValue(numAdd(a.n, b.n))
}

func (ev *evaluator) opMinus(a, b *value) *value {
	if !a.toNumber(ev) {
		ev.warnf("non-numeric argument")
		if !b.toNumber(ev) {
			return numberValue(numInt(0))
		}
		return numberValue(numSub(numInt(0), b.n))
	}
	if !b.toNumber(ev) {
		ev.warnf("non-numeric argument")
		return a
	}
	return numberValue(numSub(a.n, b.n))
}

func (ev *evaluator) opDiv(a, b *value) *value {
	if !a.toNumber(ev) {
		ev.warnf("non-numeric argument")
		return numberValue(numInt(0))
	}
	if !b.toNumber(ev) {
		ev.warnf("non-numeric argument")
		return numberValue(numInt(math.MaxInt32))
	}
	if b.n.isZero() {
		ev.warnf("division by zero")
		return numberValue(numInt(math.MaxInt32))
	}
	return numberValue(numQuo(a.n, b.n))
}

func (ev *evaluator) opNegate(a *value) *value {
	if !a.toNumber(ev) {
		ev.warnf("non-numeric argument")
		return numberValue(numInt(0))
	}
	return numberValue(numNeg(a.n))
}

// opCompl is '!': true only for empty, "0", a zero number, or a string
// whose leading integer (atoi) is zero, so !abc is 1.
func (ev *evaluator) opCompl(a *value) *value {
	truth := true
	if a.kind == kNumber {
		truth = !a.n.isZero()
	} else if a.s == "" || a.s == "0" {
		truth = false
	} else {
		truth = atoi(a.s) != 0
	}
	return boolValue(!truth)
}

// opCond is "a ? b :: c". A string condition is false when empty, "0" or
// a pair of quotes; anything else goes by its number.
func (ev *evaluator) opCond(a, b, c *value) *value {
	if a.isString() {
		if a.s != "" && a.s != `""` && a.s != "0" {
			return b
		}
		return c
	}
	a.toNumber(ev)
	n := operandNum(a)
	if n.nan || !n.isZero() {
		return b
	}
	return c
}

// opRegex implements ':' (anchored at the start) and '=~' (anywhere): the
// first parenthesized group when the pattern has one, else the length of
// the match.
func (ev *evaluator) opRegex(a, b *value, anchored bool) *value {
	a.toString()
	b.toString()
	a.stripQuotes()
	b.stripQuotes()
	re, err := compilePOSIX(b.s)
	if err != nil {
		ev.warnf("%v", err)
		return stringValue("")
	}
	loc := re.FindStringSubmatchIndex(a.s)
	if loc != nil && (!anchored || loc[0] == 0) {
		if re.NumSubexp() > 0 && loc[2] >= 0 {
			return stringValue(a.s[loc[2]:loc[3]])
		}
		return numberValue(numInt(int64(loc[1] - loc[0])))
	}
	if re.NumSubexp() == 0 {
		return numberValue(numInt(0))
	}
	return stringValue("")
}

// Built-in math functions of Asterisk's evaluator, by number of arguments.
var mathFuncs1 = map[string]func(num) num{
	"COS":   f64(math.Cos),
	"SIN":   f64(math.Sin),
	"TAN":   f64(math.Tan),
	"ACOS":  f64(math.Acos),
	"ASIN":  f64(math.Asin),
	"ATAN":  f64(math.Atan),
	"SQRT":  numSqrt,
	"FLOOR": func(a num) num { return numRound(a, 'f') },
	"CEIL":  func(a num) num { return numRound(a, 'c') },
	"ROUND": func(a num) num { return numRound(a, 'r') },
	"RINT":  func(a num) num { return numRound(a, 'e') },
	"TRUNC": func(a num) num { return numRound(a, 't') },
	"EXP":   f64(math.Exp),
	"EXP2":  func(a num) num { return numPow(numInt(2), a) },
	"EXP10": func(a num) num { return numPow(numInt(10), a) },
	"LOG":   f64(math.Log),
	"LOG2": func(a num) num {
		if r, ok := numLogExact(a, 2); ok {
			return r
		}
		return f64(math.Log2)(a)
	},
	"LOG10": func(a num) num {
		if r, ok := numLogExact(a, 10); ok {
			return r
		}
		return f64(math.Log10)(a)
	},
	"ABS": func(a num) num {
		if !a.nan && a.f.Signbit() {
			return numNeg(a)
		}
		return a
	},
}

var mathFuncs2 = map[string]func(num, num) num{
	"POW":       numPow,
	"ATAN2":     func(y, x num) num { return numFloat64(math.Atan2(y.float64(), x.float64())) },
	"REMAINDER": func(a, b num) num { return numRem(a, b, true) },
}

func f64(fn func(float64) float64) func(num) num {
	return func(a num) num { return numFloat64(fn(a.float64())).fix() }
}

// call runs NAME(args): a built-in math function, or a dialplan function
// through the Env. Names must be upper case letters, digits and '_'.
func (ev *evaluator) call(name string, args []*value) *value {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || isDigit(c) || c == '_') {
			ev.warnf("Error! '%s' is not possibly a function name!", name)
			return numberValue(numInt(0))
		}
	}
	if fn, ok := mathFuncs1[name]; ok {
		if len(args) != 1 {
			ev.warnf("Wrong args to %s() function", name)
			return numberValue(numInt(0))
		}
		return numberValue(fn(args[0].numOrZero(ev)))
	}
	if fn, ok := mathFuncs2[name]; ok {
		if len(args) != 2 {
			ev.warnf("Wrong args to %s() function", name)
			return numberValue(numInt(0))
		}
		return numberValue(fn(args[0].numOrZero(ev), args[1].numOrZero(ev)))
	}
	if ev.env == nil {
		ev.warnf("Error! '%s' doesn't appear to be an available function!", name)
		return numberValue(numInt(0))
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.result()
	}
	out, err := ev.env.Func(name, strings.Join(parts, ","))
	if err != nil {
		ev.warnf("Error! '%s' doesn't appear to be an available function!", name)
		return numberValue(numInt(0))
	}
	if len(out) > funcBufSize-1 {
		out = out[:funcBufSize-1]
	}
	if i := strings.IndexByte(out, 0); i >= 0 {
		out = out[:i]
	}
	if strings.Trim(out, "-0123456789. \t") == "" {
		// Looks numeric (an empty result too): strtold without a range
		// check, so an overflow is an infinity.
		n, ok := parseLeadingNumber(out)
		if !ok {
			n = num{f: newFloat().SetInf(strings.Contains(out, "-"))}
		}
		return numberValue(n)
	}
	return stringValue(out)
}

// IsBuiltin reports whether NAME(...) inside $[...] is one of the
// expression parser's own math functions (COS, SQRT, POW, ...), which
// need no dialplan function of that name.
func IsBuiltin(name string) bool {
	_, one := mathFuncs1[name]
	_, two := mathFuncs2[name]
	return one || two
}
