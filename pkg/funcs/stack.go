package funcs

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is app_stack.c's functions: LOCAL and LOCAL_PEEK. Gosub's
// ${ARG1}..${ARGn} and ${ARGC} are channel variables pkg/apps sets and
// Return restores; LOCAL() variables are saved in the same frame.

func stackFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "LOCAL", Synopsis: "Manage variables local to the gosub stack frame.", Syntax: "LOCAL(varname)",
			Description: "Read and write a variable local to the gosub stack frame, once we Return() it will be lost (or it will go back to whatever value it had before the Gosub()).",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", errNoChannel("LOCAL")
				}
				if !ch.FrameHas(s) {
					return "", nil
				}
				v, _ := ch.Var(s)
				return v, nil
			},
			Write: func(ch *pbx.Channel, s, value string) error {
				if ch == nil {
					return errNoChannel("LOCAL")
				}
				if !ch.SaveInFrame(s) {
					return errorf("Tried to set LOCAL(%s), but we aren't within a Gosub routine", s)
				}
				ch.SetVar(s, value)
				return nil
			}},
		{Name: "LOCAL_PEEK", Synopsis: "Retrieve variables hidden by the local gosub stack frame.", Syntax: "LOCAL_PEEK(n,varname)",
			Description: "Read a variable varname hidden by n levels of gosub stack frames. Note that ${LOCAL_PEEK(0,foo)} is the same as foo, since the value of n peeks under 0 levels of stack frames; in other words, 0 is the current level. If n exceeds the available number of stack frames, then an empty string is returned.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", errorf("LOCAL_PEEK must be called on an active channel")
				}
				a := rawArgs(s)
				if strings.TrimSpace(arg(a, 0)) == "" || arg(a, 1) == "" {
					return "", errorf("LOCAL_PEEK requires parameters n and varname")
				}
				n, _ := strconv.Atoi(leadingInt(a[0]))
				v, _ := ch.FrameVar(n, a[1])
				return v, nil
			}},
	}
}
