package expr

import (
	"reflect"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		sep  byte
		n    int
		raw  bool
		want []string
	}{
		{"empty", "", ',', 0, false, nil},
		{"one", "SIP/6000", ',', 0, false, []string{"SIP/6000"}},
		{"dial", "SIP/6000,20,tT", ',', 0, false, []string{"SIP/6000", "20", "tT"}},
		{"empty middle", "a,,b", ',', 0, false, []string{"a", "", "b"}},
		{"trailing sep", "a,", ',', 0, false, []string{"a", ""}},
		{"only sep", ",", ',', 0, false, []string{"", ""}},
		{"parens protect", "CALLERID(num,x),b", ',', 0, false, []string{"CALLERID(num,x)", "b"}},
		{"nested parens", "f(g(a,b),c),d", ',', 0, false, []string{"f(g(a,b),c)", "d"}},
		{"brackets protect", "[a,b],c", ',', 0, false, []string{"[a,b]", "c"}},
		{"braces do not protect", "{a,b}", ',', 0, false, []string{"{a", "b}"}},
		{"quotes protect and go", `"a,b",c`, ',', 0, false, []string{"a,b", "c"}},
		{"backslash escapes sep", `a\,b,c`, ',', 0, false, []string{"a,b", "c"}},
		{"backslash escapes quote", `a\"b`, ',', 0, false, []string{`a"b`}},
		{"double backslash", `a\\,b`, ',', 0, false, []string{`a\`, "b"}},
		{"trailing backslash", `a\`, ',', 0, false, []string{"a"}},
		{"unbalanced close paren", "a),b", ',', 0, false, []string{"a)", "b"}},
		{"other sep", "a=b=c", '=', 0, false, []string{"a", "b", "c"}},
		{"limit keeps rest raw", `a,"b",c,d`, ',', 2, false, []string{"a", `"b",c,d`}},
		{"limit one", "a,b", ',', 1, false, []string{"a,b"}},
		{"limit trailing empty", "a,", ',', 2, false, []string{"a", ""}},
		{"limit exact", "a,b,c", ',', 3, false, []string{"a", "b", "c"}},
		{"raw keeps quotes", `"a,b",c`, ',', 0, true, []string{`"a,b"`, "c"}},
		{"raw keeps backslash", `a\,b,c`, ',', 0, true, []string{`a\,b`, "c"}},
		{"quote state spans args", `a"b,c"d,e`, ',', 0, false, []string{"ab,cd", "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			switch {
			case tt.raw:
				got = SplitRawArgs(tt.in, tt.sep, tt.n)
			case tt.n > 0:
				got = SplitArgsN(tt.in, tt.sep, tt.n)
			default:
				got = SplitArgs(tt.in, tt.sep)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("split(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
