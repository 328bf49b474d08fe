package expr

import (
	"math"
	"math/big"
	"strings"
)

// Asterisk computes expressions in C long double, which on x86-64 Linux is
// the x87 80-bit format: a 64-bit mantissa and a 15-bit exponent. Results
// are printed with "%.18Lg", so 1/3 shows 18 correct digits where a float64
// would show noise in the last two. big.Float with a 64-bit mantissa and
// round-half-even gives the same bits for + - * / and sqrt, so printed
// results match byte for byte.
const (
	ldPrec = 64
	// ldMaxExp is the largest binary exponent (big.Float convention,
	// mantissa in [0.5, 1)) an x87 long double can hold.
	ldMaxExp = 16384
	// ldMinNormExp is the smallest exponent of a normal long double.
	ldMinNormExp = -16381
)

// num is a long double value. big.Float has no NaN, so NaN is a flag.
type num struct {
	f   *big.Float
	nan bool
}

func newFloat() *big.Float {
	return new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven)
}

func numInt(i int64) num { return num{f: newFloat().SetInt64(i)} }

func numFloat64(x float64) num {
	if math.IsNaN(x) {
		return num{nan: true}
	}
	return num{f: newFloat().SetFloat64(x)}
}

func numNaN() num { return num{nan: true} }

// fix turns results too large for a long double into infinities, as the
// FPU would.
func (n num) fix() num {
	if n.nan || n.f.IsInf() || n.f.Sign() == 0 {
		return n
	}
	e := n.f.MantExp(nil)
	switch {
	case e > ldMaxExp:
		n.f.SetInf(n.f.Signbit())
	case e < ldMinNormExp-ldPrec+1:
		// Below the smallest denormal: the FPU flushes to a signed zero.
		neg := n.f.Signbit()
		n.f.SetInt64(0)
		if neg {
			n.f.Neg(n.f)
		}
	case e < ldMinNormExp:
		// A denormal keeps fewer mantissa bits.
		n.f.SetPrec(uint(ldPrec - (ldMinNormExp - e))).SetPrec(ldPrec)
	}
	return n
}

func (n num) isZero() bool { return !n.nan && n.f.Sign() == 0 }

func (n num) float64() float64 {
	if n.nan {
		return math.NaN()
	}
	x, _ := n.f.Float64()
	return x
}

func numAdd(a, b num) num {
	if a.nan || b.nan {
		return numNaN()
	}
	if a.f.IsInf() && b.f.IsInf() && a.f.Signbit() != b.f.Signbit() {
		return numNaN()
	}
	return num{f: newFloat().Add(a.f, b.f)}.fix()
}

func numNeg(a num) num {
	if a.nan {
		return a
	}
	return num{f: newFloat().Neg(a.f)}
}

func numSub(a, b num) num { return numAdd(a, numNeg(b)) }

func numMul(a, b num) num {
	if a.nan || b.nan {
		return numNaN()
	}
	if (a.f.IsInf() && b.f.Sign() == 0) || (b.f.IsInf() && a.f.Sign() == 0) {
		return numNaN()
	}
	return num{f: newFloat().Mul(a.f, b.f)}.fix()
}

func numQuo(a, b num) num {
	if a.nan || b.nan {
		return numNaN()
	}
	if (a.f.IsInf() && b.f.IsInf()) || (a.f.Sign() == 0 && b.f.Sign() == 0) {
		return numNaN()
	}
	return num{f: newFloat().Quo(a.f, b.f)}.fix()
}

// numCmp compares a and b; ok is false when either is NaN (every ordered
// comparison is then false).
func numCmp(a, b num) (c int, ok bool) {
	if a.nan || b.nan {
		return 0, false
	}
	return a.f.Cmp(b.f), true
}

// numRem computes a - q*b exactly, where q is a/b rounded by round. fmodl
// truncates, remainderl rounds half to even; both results are exactly
// representable, so exact rational arithmetic gives the FPU's answer.
func numRem(a, b num, toEven bool) num {
	if a.nan || b.nan || a.f.IsInf() || b.f.Sign() == 0 {
		return numNaN()
	}
	if b.f.IsInf() {
		return a // both fmodl and remainderl return a finite dividend as is
	}
	ra, _ := a.f.Rat(nil)
	rb, _ := b.f.Rat(nil)
	q := new(big.Rat).Quo(ra, rb)
	qi := new(big.Int).Quo(q.Num(), q.Denom()) // truncated toward zero
	if toEven {
		frac := new(big.Rat).Sub(q, new(big.Rat).SetInt(qi))
		frac.Abs(frac)
		switch frac.Cmp(big.NewRat(1, 2)) {
		case 1:
			qi.Add(qi, big.NewInt(int64(q.Sign())))
		case 0:
			if qi.Bit(0) == 1 {
				qi.Add(qi, big.NewInt(int64(q.Sign())))
			}
		}
	}
	r := new(big.Rat).Sub(ra, new(big.Rat).Mul(new(big.Rat).SetInt(qi), rb))
	out := newFloat().SetRat(r)
	if out.Sign() == 0 && a.f.Signbit() {
		out.Neg(out) // the result keeps the dividend's sign, even for zero
	}
	return num{f: out}.fix()
}

// numRound rounds to an integer: mode 'f' floor, 'c' ceil, 't' trunc,
// 'r' half away from zero, 'e' half to even.
func numRound(a num, mode byte) num {
	if a.nan || a.f.IsInf() || a.f.IsInt() {
		return a
	}
	r, _ := a.f.Rat(nil)
	t := new(big.Int).Quo(r.Num(), r.Denom())
	frac := new(big.Rat).Sub(r, new(big.Rat).SetInt(t))
	neg := a.f.Signbit()
	step := int64(1)
	if neg {
		step = -1
	}
	switch mode {
	case 'f':
		if neg {
			t.Sub(t, big.NewInt(1))
		}
	case 'c':
		if !neg {
			t.Add(t, big.NewInt(1))
		}
	case 'r', 'e':
		frac.Abs(frac)
		c := frac.Cmp(big.NewRat(1, 2))
		if c > 0 || (c == 0 && (mode == 'r' || t.Bit(0) == 1)) {
			t.Add(t, big.NewInt(step))
		}
	}
	out := newFloat().SetInt(t)
	if out.Sign() == 0 && neg {
		out.Neg(out) // C keeps the sign: trunc(-0.5) is -0
	}
	return num{f: out}
}

func numSqrt(a num) num {
	switch {
	case a.nan:
		return a
	case a.f.Sign() == 0:
		return a
	case a.f.Signbit():
		return numNaN()
	case a.f.IsInf():
		return a
	}
	return num{f: newFloat().Sqrt(a.f)}
}

// numPow computes x**y. Integer exponents are computed exactly and rounded
// once, as powl does for them; other exponents go through float64.
func numPow(x, y num) num {
	if x.nan || y.nan || x.f.IsInf() || y.f.IsInf() || !y.f.IsInt() {
		return numFloat64(math.Pow(x.float64(), y.float64())).fix()
	}
	e, acc := y.f.Int64()
	if acc != big.Exact || e > 1<<16 || e < -(1<<16) {
		return numFloat64(math.Pow(x.float64(), y.float64())).fix()
	}
	if e == 0 {
		return numInt(1)
	}
	if x.f.Sign() == 0 {
		if e < 0 {
			return num{f: newFloat().SetInf(x.f.Signbit() && e%2 != 0)}
		}
		return x
	}
	neg := e < 0
	if neg {
		e = -e
	}
	// Work with enough bits that the single final rounding decides.
	const work = 512
	base := new(big.Float).SetPrec(work).Set(x.f)
	res := new(big.Float).SetPrec(work).SetInt64(1)
	for e > 0 {
		if e&1 == 1 {
			res.Mul(res, base)
		}
		base.Mul(base, base)
		e >>= 1
		if res.MantExp(nil) > 4*ldMaxExp || res.MantExp(nil) < -4*ldMaxExp {
			break // far outside the long double range already
		}
	}
	if neg {
		res.Quo(new(big.Float).SetPrec(work).SetInt64(1), res)
	}
	return num{f: newFloat().Set(res)}.fix()
}

// numLogExact handles log2/log10 of exact powers, where glibc returns the
// exact integer and a float64 detour would not (log10(1000) must be 3).
func numLogExact(a num, base int64) (num, bool) {
	if a.nan || a.f.Sign() <= 0 || a.f.IsInf() || !a.f.IsInt() {
		return num{}, false
	}
	i, acc := a.f.Int(nil)
	if acc != big.Exact {
		return num{}, false
	}
	b := big.NewInt(base)
	n := int64(0)
	one := big.NewInt(1)
	m := new(big.Int)
	for i.Cmp(one) > 0 {
		i.QuoRem(i, b, m)
		if m.Sign() != 0 {
			return num{}, false
		}
		n++
	}
	return numInt(n), true
}

// format renders n as C's printf("%.18Lg") does.
func (n num) format() string {
	if n.nan {
		// The FPU's default NaN has its sign bit set; glibc prints it so.
		return "-nan"
	}
	if n.f.IsInf() {
		if n.f.Signbit() {
			return "-inf"
		}
		return "inf"
	}
	return n.f.Text('g', 18)
}

// parseLeadingNumber mimics strtold on the characters an expression number
// may hold (blanks, '-', digits, '.'): it converts the longest valid prefix
// and yields 0 when there is none. ok is false when the value does not fit
// a long double (strtold's ERANGE).
func parseLeadingNumber(s string) (n num, ok bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		frac := 0
		for j < len(s) && isDigit(s[j]) {
			j++
			frac++
		}
		if digits+frac > 0 {
			i = j
			digits += frac
		}
	}
	if digits == 0 {
		return numInt(0), true
	}
	text := s[start:i]
	if strings.HasSuffix(text, ".") {
		text = text[:len(text)-1]
	}
	if strings.HasPrefix(text, "+") {
		text = text[1:]
	}
	if strings.HasPrefix(text, ".") || strings.HasPrefix(text, "-.") {
		text = strings.Replace(text, ".", "0.", 1)
	}
	f, _, err := newFloat().Parse(text, 10)
	if err != nil {
		return numInt(0), true
	}
	if f.Sign() != 0 {
		e := f.MantExp(nil)
		if e > ldMaxExp || e < ldMinNormExp {
			return num{}, false
		}
	}
	return num{f: f}, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
