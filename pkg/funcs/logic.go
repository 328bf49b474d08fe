package funcs

import (
	"fmt"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_logic.c's IFTIME and IMPORT (ISNULL, EXISTS, IF and
// SET are built into pkg/pbx).

// now is the clock IFTIME reads; tests replace it.
var now = time.Now

func logicFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "IFTIME", Synopsis: "Temporal Conditional.", Syntax: "IFTIME(timespec?[value_if_true][:value_if_false])",
			Description: "Returns the data following '?' if true, else the data following ':'",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return ifTime(e, s) }},
		{Name: "IMPORT", Synopsis: "Retrieve the value of a variable from another channel.", Syntax: "IMPORT(channel,variable)",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				a := args(s)
				if len(a) < 2 {
					return "", nil
				}
				other, ok := channelByName(e, a[0])
				if !ok {
					return "", nil
				}
				return e.Substitute(other, "${"+a[1]+"}"), nil
			}},
	}
}

func stripQuoted(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

func ifTime(e *pbx.Engine, s string) (string, error) {
	s = stripQuoted(s)
	expr, rest, hasQ := strings.Cut(s, "?")
	if strings.TrimSpace(expr) == "" || !hasQ {
		return "", fmt.Errorf("Syntax IFTIME(<timespec>?[<true>][:<false>])")
	}
	ifTrue, ifFalse, _ := strings.Cut(rest, ":")
	ts, ok := pbx.ParseTimeSpec(strings.TrimSpace(expr), e.Log())
	if !ok {
		return "", fmt.Errorf("Invalid Time Spec.")
	}
	if ts.Match(now()) {
		return stripQuoted(ifTrue), nil
	}
	return stripQuoted(ifFalse), nil
}
