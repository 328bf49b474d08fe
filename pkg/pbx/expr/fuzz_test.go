package expr

import (
	"errors"
	"testing"
)

func FuzzEvaluate(f *testing.F) {
	for _, s := range []string{
		"1+2", "1 / 3", `"a" : "(.)"`, "1 ? 2 :: 3", "SQRT(2) * POW(2,0.5)",
		"((((((((1", "${X}abc", "a$b$${c}", "!-!-1", "REMAINDER(1,0)",
		"POW(10,5000) - POW(10,5000)", "FMOD(1)", "0 * POW(10,9999)",
		`abc =~ "[[:alpha:]"`, "LOG(-1)", "9999999999999999999999 % 7",
	} {
		f.Add(s)
	}
	env := newFakeEnv()
	f.Fuzz(func(t *testing.T, s string) {
		r1, err := Evaluate(s)
		var ee *Error
		if errors.As(err, &ee) && ee.Syntax && r1 != "0" {
			t.Fatalf("Evaluate(%q) = %q with a syntax error, want \"0\"", s, r1)
		}
		if again, _ := Evaluate(s); again != r1 {
			t.Fatalf("Evaluate(%q) not deterministic: %q then %q", s, r1, again)
		}
		EvaluateEnv(s, env)
	})
}

func FuzzSubstitute(f *testing.F) {
	for _, s := range []string{
		"Dial(SIP/${EXTEN},20)", "${EXTEN:-4:2}", "${${NAME}}", "$[${NUM}+1]",
		"${X", "$[1+", "${CALLERID(num):1}", "${X:99999999999999999999:-9}",
		"$[$[$[1]]]", "${ECHO(${ECHO($[1])})}", "${X$[${Y}]}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		env := newFakeEnv()
		out := Substitute(s, env)
		if len(out) > len(s)*varBufSize+varBufSize {
			t.Fatalf("output of %d bytes from %d bytes of input", len(out), len(s))
		}
	})
}

func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{`a,"b,c",d\,e`, "f(a,[b,c]),", `\`} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		SplitArgs(s, ',')
		SplitArgsN(s, ',', n)
		SplitRawArgs(s, '|', n)
	})
}
