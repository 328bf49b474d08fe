package funcs

import (
	"fmt"
	"strconv"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_math.c's ABS, MIN and MAX: numbers read as
// sscanf("%lf") reads them, a whole result printed as an int and any
// other with six decimals.

func minMaxFuncs() []pbx.Function {
	return []pbx.Function{
		{Name: "ABS", Synopsis: "Returns absolute value of a number.", Syntax: "ABS([num1])",
			Description: "Returns the absolute value of a number.", Read: readAbs},
		{Name: "MIN", Synopsis: "Returns the minimum of two numbers.", Syntax: "MIN([num1][,num2])",
			Description: "Returns the minimum of two numbers num1 and num2.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return readMinMax(s, false) }},
		{Name: "MAX", Synopsis: "Returns the maximum of two numbers.", Syntax: "MAX([num1][,num2])",
			Description: "Returns the maximum of two numbers num1 and num2.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return readMinMax(s, true) }},
	}
}

// mathNumber prints n as func_math.c does: "%d" when the int cast keeps
// it, else "%f".
func mathNumber(n float64) string {
	if n == float64(int32(n)) {
		return strconv.Itoa(int(int32(n)))
	}
	return strconv.FormatFloat(n, 'f', 6, 64)
}

func readAbs(_ *pbx.Channel, s string) (string, error) {
	a := args(s)
	n, ok := cNumber(arg(a, 0))
	if arg(a, 0) == "" || !ok {
		return "", fmt.Errorf("Bad or missing argument for number: %s", nullStr(a, 0))
	}
	if n < 0 {
		n = -n
	}
	return mathNumber(n), nil
}

// readMinMax keeps the one number given when the other is empty.
func readMinMax(s string, max bool) (string, error) {
	a := args(s)
	s1, s2 := arg(a, 0), arg(a, 1)
	if s1 == "" && s2 == "" {
		return "", errorf("Missing argument for number(s).")
	}
	var n1, n2 float64
	var ok bool
	if s1 != "" {
		if n1, ok = cNumber(s1); !ok {
			return "", fmt.Errorf("'%s' is not a valid number", s1)
		}
	}
	if s2 == "" {
		return mathNumber(n1), nil
	}
	if n2, ok = cNumber(s2); !ok {
		return "", fmt.Errorf("'%s' is not a valid number", s2)
	}
	if s1 == "" {
		return mathNumber(n2), nil
	}
	if max == (n2 > n1) {
		return mathNumber(n2), nil
	}
	return mathNumber(n1), nil
}

// nullStr is the i-th argument as printf("%s") shows it: "(null)" when
// AST_STANDARD_APP_ARGS did not set it.
func nullStr(a []string, i int) string {
	if i < len(a) {
		return a[i]
	}
	return "(null)"
}
