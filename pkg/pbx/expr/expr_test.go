package expr

import (
	"errors"
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool // Asterisk logs a warning or a syntax error
	}{
		// Arithmetic and number formatting (%.18Lg of a long double).
		{"add no spaces", "1+2", "3", false},
		{"add spaces", " 1 + 2 ", "3", false},
		{"sub no spaces", "5-3", "2", false},
		{"negative result", "3 - 5", "-2", false},
		{"mul", "6 * 7", "42", false},
		{"float mul", "2.5 * 4", "10", false},
		{"half", "1 / 2", "0.5", false},
		{"third long double", "1 / 3", "0.333333333333333333", false},
		{"two thirds rounding", "2 / 3", "0.666666666666666667", false},
		{"minutes", "125 / 60", "2.08333333333333333", false},
		{"decimal sum", "0.1 + 0.2", "0.3", false},
		{"mod", "10 % 3", "1", false},
		{"mod negative dividend", "-7 % 3", "-1", false},
		{"mod float", "7.5 % 2", "1.5", false},
		{"div by zero", "10 / 0", "2147483647", true},
		{"mod by zero", "10 % 0", "0", true},
		{"big int exact", "2147483647 + 1", "2147483648", false},
		{"exponent form at 1e19", "9999999999999999999 + 1", "1e+19", false},
		{"long literal kept", "100000000000000000000", "100000000000000000000", false},
		{"leading zeros kept", "007", "007", false},
		{"leading zeros numeric", "007 + 0", "7", false},
		{"negative zero", "-0", "-0", false},
		{"overflow to inf", "POW(2,16000) * POW(2,16000)", "inf", false},
		{"underflow to zero", "1 / POW(10,4000) / POW(10,4000)", "0", false},
		{"long double range", "POW(10,4000)", "1e+4000", false},
		{"nan", "SQRT(0 - 1)", "-nan", false},

		// Precedence and associativity.
		{"mul before add", "1 + 2 * 3", "7", false},
		{"parens", "(1 + 2) * 3", "9", false},
		{"left assoc sub", "10 - 4 - 3", "3", false},
		{"left assoc div", "64 / 4 / 2", "8", false},
		{"unary minus binds tighter than mul", "-2 * 3", "-6", false},
		{"unary minus", "- 5 + 2", "-3", false},
		{"cmp below add", "1 + 1 = 2", "1", false},
		{"and below cmp", "1 = 1 & 2 = 2", "1", false},
		{"or below and", "0 & 1 | 5", "5", false},
		{"concat above add", "1 + 2 ~~ 3", "24", false},
		{"nested parens", "((((2))))", "2", false},

		// Non-numeric operands: Asterisk warns and keeps going.
		{"string plus number", "abc + 1", "1", true},
		{"number plus string", "1 + abc", "1", false},
		{"string times", "abc * 2", "0", true},
		{"string divisor", "2 / abc", "2147483647", true},
		{"string minus", "abc-1", "-1", true},
		{"negate string", "- abc", "0", true},
		{"exponent is a word", "1e3 + 1", "1", true},
		{"leading dot is a word", ".5 + 1", "1", true},

		// Comparisons: numeric when both are numbers, else strings.
		{"eq num", "1 = 1", "1", false},
		{"eq double equal", "1 == 1", "1", false},
		{"eq float int", "1.0 = 1", "1", false},
		{"eq leading zero", "01 = 1", "1", false},
		{"eq strings", "abc = abc", "1", false},
		{"ne strings", "abc != abd", "1", false},
		{"lt numeric", "10 < 9", "0", false},
		{"lt string", "10 < 9a", "1", false},
		{"quoted numbers compare as strings", `"10" < "9"`, "1", false},
		{"quoted vs bare differ", `"5" = 5`, "0", false},
		{"quoted equal", `"a b" = "a b"`, "1", false},
		{"gt", "3 > 2", "1", false},
		{"ge", "2 >= 2", "1", false},
		{"le", "2 <= 1", "0", false},

		// Logic.
		{"or left true", "1 | 0", "1", false},
		{"or right", "0 | 5", "5", false},
		{"or both false", "0 | 0", "0", false},
		{"or string", "abc | x", "abc", false},
		{"or empty quotes are true", `"" | x`, `""`, false},
		{"or double bar", "0 || 7", "7", false},
		{"or converts left", "007 | 5", "7", false},
		{"and true", "3 & 2", "3", false},
		{"and false", "3 & 0", "0", false},
		{"and strings", "abc && def", "abc", false},
		{"not zero", "!0", "1", false},
		{"not one", "!1", "0", false},
		{"not word", "!abc", "1", false},
		{"not numeric word", "!12abc", "0", false},

		// Conditional.
		{"cond true", "1 ? yes :: no", "yes", false},
		{"cond false", "0 ? yes :: no", "no", false},
		{"cond string", "abc ? yes :: no", "yes", false},
		{"cond empty quotes", `"" ? yes :: no`, "no", false},
		{"cond expr", "1 + 1 = 2 ? 5 :: 6", "5", false},
		{"cond left assoc", "1 ? 2 :: 0 ? 3 :: 4", "3", false},
		{"cond nested middle", "1 ? 0 ? a :: b :: c", "b", false},

		// Regular expressions.
		{"colon anchored length", "abcdef : abc", "3", false},
		{"colon anchored miss", "abcdef : bcd", "0", false},
		{"eqtilde anywhere", "abcdef =~ bcd", "3", false},
		{"colon group", `abcdef : "a(b.)"`, "bc", false},
		{"colon group miss", `abc : "(x)"`, "", false},
		{"strip prefix", `0612345678 : "06(.*)"`, "12345678", false},
		{"interval", `12345 : "([0-9]{3})"`, "123", false},
		{"bracket class", `"+33612" : "[+]33(.*)"`, "612", false},
		{"posix class", `abc123 =~ "[[:digit:]]+"`, "3", false},
		{"longest alternative", `abcd : "ab|abcd"`, "4", false},
		{"quotes stripped", `"foo bar" =~ "o b"`, "3", false},
		{"regex error", `abc : "[a"`, "", true},
		{"eqtilde group numeric", `x42y =~ "([0-9]+)" + 1`, "43", false},

		// Concatenation.
		{"concat", "abc ~~ def", "abcdef", false},
		{"concat numbers", "1 ~~ 2", "12", false},
		{"concat quoted", `"a b" ~~ c`, "a bc", false},

		// Built-in functions.
		{"sqrt", "SQRT(16)", "4", false},
		{"sqrt long double", "SQRT(2)", "1.41421356237309505", false},
		{"pow", "POW(2,10)", "1024", false},
		{"floor", "FLOOR(2.7)", "2", false},
		{"ceil", "CEIL(2.1)", "3", false},
		{"round half away", "ROUND(2.5)", "3", false},
		{"round negative", "ROUND(-2.5)", "-3", false},
		{"rint half even", "RINT(2.5)", "2", false},
		{"trunc", "TRUNC(-2.7)", "-2", false},
		{"abs", "ABS(-3)", "3", false},
		{"log10 exact", "LOG10(1000)", "3", false},
		{"log2 exact", "LOG2(1024)", "10", false},
		{"exp2", "EXP2(10)", "1024", false},
		{"cos", "COS(0)", "1", false},
		{"remainder", "REMAINDER(7,2)", "-1", false},
		{"func in arithmetic", "SQRT(9) + 1", "4", false},
		{"wrong arg count", "SQRT(4,5)", "0", true},
		{"unknown function", "FOO(1)", "0", true},
		{"lowercase is not a function", "foo(1)", "0", true},

		// Tokens and syntax.
		{"empty", "", "", false},
		{"blank", "   ", "", false},
		{"quoted string kept", `"abc"`, `"abc"`, false},
		{"brackets ignored", "[3]+1", "4", false},
		{"syntax dangling op", "1 +", "0", true},
		{"syntax two tokens", "1 2", "0", true},
		{"syntax unclosed paren", "(1", "0", true},
		{"syntax empty call", "SQRT()", "0", true},
		{"syntax lone colcol", "1 :: 2", "0", true},
		{"unexpanded var is a word", "${X}", "${X}", false},
		{"unexpanded var with trail", "${X}abc = ${X}abc", "1", false},
		{"unterminated var ends input", "1 + ${X", "0", true},
		{"nul ends input", "1 + 2\x00 + 3", "3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Evaluate(tt.in)
			if got != tt.want {
				t.Errorf("Evaluate(%q) = %q, want %q (err %v)", tt.in, got, tt.want, err)
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("Evaluate(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			var ee *Error
			if err != nil && !errors.As(err, &ee) {
				t.Errorf("error %T is not *Error", err)
			}
		})
	}
}

func TestEvaluateSyntaxErrorShape(t *testing.T) {
	_, err := Evaluate("1 2")
	var ee *Error
	if !errors.As(err, &ee) || !ee.Syntax {
		t.Fatalf("want syntax *Error, got %v", err)
	}
	want := "syntax error: syntax error, unexpected '<token>'; Input:\n1 2\n  ^"
	if ee.Msgs[0] != want {
		t.Errorf("message = %q, want %q", ee.Msgs[0], want)
	}
}

func TestEvaluateDeepNesting(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000),
		strings.Repeat("- ", 100000) + "1",
		strings.Repeat("!", 100000) + "1",
		strings.Repeat("1 ? ", 50000) + "1",
	} {
		got, err := Evaluate(in)
		if got != "0" || err == nil {
			t.Errorf("deep input of %d bytes: got %q, %v; want \"0\" and an error", len(in), got, err)
		}
	}
	// Underflow must flush to zero rather than grow the exponent (and the
	// cost of printing it) without bound.
	chain := strings.Repeat("POW(2,-16000) * ", 200) + "1"
	if got, _ := Evaluate(chain); got != "0" {
		t.Errorf("underflow chain = %q, want 0", got)
	}
	// Moderate nesting is fine.
	in := strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200)
	if got, err := Evaluate(in); got != "1" || err != nil {
		t.Errorf("200 parens: got %q, %v", got, err)
	}
}

func TestEvaluateEnvFunctions(t *testing.T) {
	env := newFakeEnv()
	tests := []struct{ in, want string }{
		{"LEN(abcd) + 1", "5"},
		{"CALLERID(num) = 6001", "1"},
		{"ECHO(a,,b)", "a,,b"},
		{"ECHO(1 + 1, x)", "2,x"},
		{"ECHO() ", "0"},
		{"ECHO(-5) + 1", "-4"},
		{"FAIL(x)", "0"},
	}
	for _, tt := range tests {
		got, _ := EvaluateEnv(tt.in, env)
		if got != tt.want {
			t.Errorf("EvaluateEnv(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
