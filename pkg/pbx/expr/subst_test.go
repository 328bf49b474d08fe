package expr

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

type fakeEnv struct {
	vars  map[string]string
	warns []string
	calls []string
}

func newFakeEnv() *fakeEnv {
	return &fakeEnv{vars: map[string]string{
		"EXTEN":   "0612345678",
		"X":       "hello",
		"Y":       "LO",
		"NUM":     "5",
		"EMPTY":   "",
		"FOO":     "bar",
		"NAME":    "EXTEN",
		"VARbar":  "baz",
		"XLO":     "nested",
		"SPACED":  "a b",
		"DOLLAR":  "$",
		"BRACE":   "${X}",
		"FOO(1)":  "never",
		"PREFIX":  "06",
		"COUNTRY": "33",
	}}
}

func (e *fakeEnv) Var(name string) (string, bool) {
	v, ok := e.vars[name]
	return v, ok
}

func (e *fakeEnv) Func(name, args string) (string, error) {
	e.calls = append(e.calls, name+"("+args+")")
	switch name {
	case "LEN":
		return fmt.Sprint(len(args)), nil
	case "CALLERID":
		if args == "num" {
			return "6001", nil
		}
		return "Alice", nil
	case "ECHO":
		return args, nil
	case "UPPER":
		return strings.ToUpper(args), nil
	}
	return "", errors.New("no such function")
}

func (e *fakeEnv) Warn(msg string) { e.warns = append(e.warns, msg) }

func TestSubstitute(t *testing.T) {
	tests := []struct {
		name, in, want string
		warn           bool
	}{
		{"plain", "Dial(SIP/6000,20)", "Dial(SIP/6000,20)", false},
		{"var", "${EXTEN}", "0612345678", false},
		{"typical dial", "Dial(SIP/${EXTEN},20)", "Dial(SIP/0612345678,20)", false},
		{"surrounded", "pre${X}post", "prehellopost", false},
		{"two vars", "${X}-${FOO}", "hello-bar", false},
		{"offset", "${EXTEN:1}", "612345678", false},
		{"negative offset", "${EXTEN:-4}", "5678", false},
		{"offset length", "${EXTEN:0:2}", "06", false},
		{"middle", "${EXTEN:2:3}", "123", false},
		{"negative offset length", "${EXTEN:-4:2}", "56", false},
		{"negative length", "${X:1:-1}", "ell", false},
		{"offset past end", "${X:10}", "", false},
		{"negative offset past start", "${X:-10}", "hello", false},
		{"negative offset past start with length", "${X:-10:2}", "he", false},
		{"negative length eats all", "${X:0:-5}", "", false},
		{"negative length eats rest", "${X:1:-4}", "", false},
		{"zero length", "${X:1:0}", "", false},
		{"length past end", "${X:3:100}", "lo", false},
		{"empty offset keeps all", "${X::2}", "hello", false},
		{"bad offset keeps all", "${X:a}", "hello", false},
		{"blank before offset", "${X: 2}", "llo", false},
		{"plus offset", "${X:+1}", "ello", false},
		{"substring of empty", "${EMPTY:1}", "", false},
		{"unset", "a${UNSET}b", "ab", false},
		{"nested name", "${${NAME}}", "0612345678", false},
		{"nested suffix", "${VAR${FOO}}", "baz", false},
		{"nested part", "${X${Y}}", "nested", false},
		{"nested offset", "${EXTEN:${NUM}}", "45678", false},
		{"func", "${LEN(abc)}", "3", false},
		{"func of var", "${LEN(${X})}", "5", false},
		{"func with parens arg", "${ECHO(a(b)c)}", "a(b)c", false},
		{"callerid", "${CALLERID(num)}", "6001", false},
		{"func substring", "${CALLERID(num):1:2}", "00", false},
		{"func colon in args", "${ECHO(a:b)}", "a:b", false},
		{"failing func", "[${NOPE(x)}]", "[]", true},
		{"dollar alone", "a$b", "a$b", false},
		{"trailing dollar", "50$", "50$", false},
		{"double dollar", "$${X}", "$hello", false},
		{"backslash is not an escape", `\${X}`, `\hello`, false},
		{"value not re-expanded", "${BRACE}", "${X}", false},
		{"value dollar", "${DOLLAR}{X}", "${X}", false},
		{"expr", "$[1+2]", "3", false},
		{"expr with var", "$[${NUM}=5]", "1", false},
		{"expr quoted var", `$[ "${X}" = "hello" ]`, "1", false},
		{"expr spaced value", `$["${SPACED}" = "a b"]`, "1", false},
		{"nested expr", "$[$[1+1]*3]", "6", false},
		{"expr brackets nest", "$[[3]+1]", "4", false},
		{"expr in var name", "${EXTEN:$[1+1]}", "12345678", false},
		{"expr regex strip", `$["${EXTEN}" : "06(.*)"]`, "12345678", false},
		{"expr cond", "$[${NUM} > 3 ? big :: small]", "big", false},
		{"expr func via env", "$[LEN(abcd) * 2]", "8", false},
		{"expr syntax error", "x$[1 +]y", "x0y", true},
		{"expr empty", "<$[]>", "<>", false},
		{"missing brace", "${X", "hello", true},
		{"missing brace after text", "a${FOO", "abar", true},
		{"missing bracket", "$[1+2", "3", true},
		{"unmatched close", "a}b]", "a}b]", false},
		{"brace inside name", "${X{}", "", true},
		{"dollar bracket in name", "${X$[0]}", "", false},
		{"goto style", "${PREFIX}${COUNTRY}${EXTEN:2}", "0633" + "12345678", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newFakeEnv()
			got := Substitute(tt.in, env)
			if got != tt.want {
				t.Errorf("Substitute(%q) = %q, want %q (warnings %q)", tt.in, got, tt.want, env.warns)
			}
			if (len(env.warns) > 0) != tt.warn {
				t.Errorf("Substitute(%q) warnings = %q, want warning %v", tt.in, env.warns, tt.warn)
			}
		})
	}
}

func TestSubstituteRecursionCap(t *testing.T) {
	env := newFakeEnv()
	env.vars["A"] = "A"
	deep := strings.Repeat("${", 20) + "A" + strings.Repeat("}", 20)
	Substitute(deep, env)
	if len(env.warns) == 0 || !strings.Contains(env.warns[0], "recursion depth (15)") {
		t.Errorf("deep nesting: warnings %q, want recursion warning", env.warns)
	}
}

func TestSubstituteRecursionLevels(t *testing.T) {
	env := newFakeEnv()
	env.vars["A"] = "A"
	// ${${...${A}...}} needs one nested substitution per level; with A=A
	// every level yields "A" until Asterisk's cap of 15 levels.
	build := func(n int) string {
		s := "A"
		for i := 0; i < n; i++ {
			s = "${" + s + "}"
		}
		return s
	}
	if got := Substitute(build(15), env); got != "A" {
		t.Errorf("15 levels = %q, want A (warnings %q)", got, env.warns)
	}
	if got := Substitute(build(16), env); got != "" {
		t.Errorf("16 levels = %q, want empty", got)
	}
}

func TestSubstituteTruncatesValues(t *testing.T) {
	env := newFakeEnv()
	env.vars["BIG"] = strings.Repeat("x", 5000)
	if got := Substitute("${BIG}", env); len(got) != varBufSize-1 {
		t.Errorf("len = %d, want %d", len(got), varBufSize-1)
	}
	if got := Substitute("${BIG:-10}", env); got != strings.Repeat("x", 10) {
		t.Errorf("tail = %q", got)
	}
}

func TestSubstituteNoDollarFastPath(t *testing.T) {
	s := "Dial(SIP/6000,20)"
	if got := Substitute(s, nil); got != s {
		t.Errorf("got %q", got)
	}
	if got := Substitute("a${X}${F(1)}$[1+1]", nil); got != "a2" {
		t.Errorf("nil env: got %q, want a2", got)
	}
}

func BenchmarkSubstituteDial(b *testing.B) {
	env := newFakeEnv()
	b.ReportAllocs()
	for b.Loop() {
		if Substitute("SIP/${EXTEN},20", env) != "SIP/0612345678,20" {
			b.Fatal("wrong expansion")
		}
	}
}

func BenchmarkSubstituteExpr(b *testing.B) {
	env := newFakeEnv()
	b.ReportAllocs()
	for b.Loop() {
		Substitute(`$["${EXTEN:0:2}" = "06" ? mobile :: fixed]`, env)
	}
}
