package funcs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_math.c's MATH and func_rand.c's RAND.

func mathFuncs() []pbx.Function {
	return []pbx.Function{
		{Name: "MATH", Synopsis: "Performs Mathematical Functions.", Syntax: "MATH(expression[,type])",
			Description: "Performs mathematical functions based on two parameters and an operator. The operator can be either a single character or the key words AND, OR or XOR. Valid operators are: +, -, /, *, %, <<, >>, ^, AND, OR, XOR, <, >, <=, >=, == and behave as their C equivalents. The result type may be f/float (the default), i/int, h/hex or c/char.",
			Read:        readMath},
		{Name: "RAND", Synopsis: "Choose a random number in a range.", Syntax: "RAND([min][,max])",
			Description: "Choose a random number between min and max. min defaults to 0, if not specified, while max defaults to RAND_MAX (2147483647 on many systems).",
			Read:        readRand},
	}
}

const mathSyntax = "Syntax: MATH(<number1><op><number 2>[,<type_of_result>]) - missing argument!"

// cNumber reads the leading number of s as sscanf("%lf") does; ok is false
// when there is none.
func cNumber(s string) (float64, bool) {
	s = strings.TrimLeft(s, " \t\n")
	end := 0
	for end < len(s) && strings.IndexByte("0123456789+-.eExXabcdefABCDEFpPinINtTyY", s[end]) >= 0 {
		end++
	}
	for ; end > 0; end-- {
		if f, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return f, true
		}
	}
	return 0, false
}

func readMath(_ *pbx.Channel, s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf(mathSyntax)
	}
	a := args(s)
	v1 := a[0]
	neg := false
	if strings.HasPrefix(v1, "-") {
		neg, v1 = true, v1[1:]
	}
	// The operator is the first of these found, in this order, as
	// func_math.c looks for them; '-' comes last so that the second number
	// may be negative.
	var op, v2 string
	found := false
	for _, o := range []string{"*", "/", "%", "^", "AND", "XOR", "OR", ">", "<", "=", "+", "-"} {
		i := strings.Index(v1, o)
		if i < 0 {
			continue
		}
		op, v2, v1, found = o, v1[i+len(o):], v1[:i], true
		switch {
		case o == ">" || o == "<":
			if strings.HasPrefix(v2, "=") || strings.HasPrefix(v2, o) {
				op += v2[:1]
				v2 = v2[1:]
			}
		case o == "=":
			if !strings.HasPrefix(v2, "=") {
				found = false // a lone '=' is no operator
			} else {
				op, v2 = "==", v2[1:]
			}
		}
		break
	}
	kind := "f"
	if len(a) > 1 {
		switch strings.ToLower(a[1]) {
		case "float", "f":
		case "int", "i":
			kind = "i"
		case "hex", "h":
			kind = "h"
		case "char", "c":
			kind = "c"
		default:
			return "", fmt.Errorf("Unknown type of result requested '%s'.", a[1])
		}
	}
	if !found {
		return "", fmt.Errorf("Supply all the parameters - just this once, please")
	}
	f1, ok := cNumber(v1)
	if !ok {
		return "", fmt.Errorf("'%s' is not a valid number", v1)
	}
	f2, ok := cNumber(v2)
	if !ok {
		return "", fmt.Errorf("'%s' is not a valid number", v2)
	}
	if neg {
		f1 = -f1
	}
	i1, i2 := int32(f1), int32(f2)
	var r float64
	switch op {
	case "+":
		r = f1 + f2
	case "-":
		r = f1 - f2
	case "*":
		r = f1 * f2
	case "/":
		if f2 > 0 {
			r = f1 / f2
		}
	case "%":
		if i2 != 0 {
			r = float64(i1 % i2)
		}
	case "^":
		r = math.Pow(f1, f2)
	case "<<":
		r = float64(i1 << uint32(i2))
	case ">>":
		r = float64(i1 >> uint32(i2))
	case "AND":
		r = float64(i1 & i2)
	case "XOR":
		r = float64(i1 ^ i2)
	case "OR":
		r = float64(i1 | i2)
	case ">":
		return tf(f1 > f2), nil
	case "<":
		return tf(f1 < f2), nil
	case ">=":
		return tf(f1 >= f2), nil
	case "<=":
		return tf(f1 <= f2), nil
	case "==":
		return tf(f1 == f2), nil
	}
	switch kind {
	case "i":
		return strconv.Itoa(int(int32(r))), nil
	case "h":
		return strconv.FormatUint(uint64(uint32(int64(r))), 16), nil
	case "c":
		return string([]byte{byte(int64(r))}), nil
	}
	return strconv.FormatFloat(r, 'f', 6, 64), nil
}

func tf(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

func readRand(_ *pbx.Channel, s string) (string, error) {
	a := args(s)
	lo, hi := int64(0), int64(math.MaxInt32)
	if v, ok := cNumber(arg(a, 0)); ok {
		lo = int64(v)
	}
	if v, ok := cNumber(arg(a, 1)); ok {
		hi = int64(v)
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return strconv.FormatInt(lo+rand.Int64N(hi-lo+1), 10), nil
}
