package funcs

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
)

func TestHint(t *testing.T) {
	plan := hintPlan{"6000@internal": "SIP/6000&Custom:dnd6000", "7000@default": "SIP/7000,CustomPresence:bob"}
	e := pbx.New(pbx.Config{Logger: &recLog{}, Plan: func() pbx.Plan { return plan },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) }})
	if err := Register(e, Deps{}); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"${HINT(6000@internal)}":   "SIP/6000&Custom:dnd6000",
		"${HINT(7000)}":            "SIP/7000,CustomPresence:bob",
		"${HINT(6000@internal,n)}": "",
		"${HINT(9999@internal)}":   "",
	} {
		if got := e.Substitute(nil, in); got != want {
			t.Errorf("%s = %q, want %q", in, got, want)
		}
	}
}
