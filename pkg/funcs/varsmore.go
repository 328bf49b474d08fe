package funcs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is variable and location functions of several modules:
// func_logic.c's VARIABLE_EXISTS and DELETE, func_global.c's
// GLOBAL_EXISTS and GLOBAL_DELETE, func_export.c's EXPORT,
// func_evalexten.c's EVAL_EXTEN and app_stack.c's STACK_PEEK.

func varsMoreFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "VARIABLE_EXISTS", Synopsis: "Check if a dialplan variable exists or not.", Syntax: "VARIABLE_EXISTS(varname)",
			Description: "Returns 1 if variable exists or 0 otherwise.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				// pbx_builtin_getvar_helper: the channel's own variables,
				// then the globals; not the built-ins such as EXTEN.
				if ch != nil {
					if _, ok := ch.Var(s); ok {
						return "1", nil
					}
				}
				_, ok := e.GlobalVar(s)
				return boolStr(ok), nil
			}},
		{Name: "DELETE", Synopsis: "Deletes a specified channel variable.", Syntax: "DELETE(varname)",
			Description: "Delete the channel variable named in varname. Has no effect on global variables unless there is no channel.",
			Write: func(ch *pbx.Channel, s, _ string) error {
				if ch == nil {
					e.UnsetGlobalVar(s)
					return nil
				}
				ch.UnsetVar(s)
				return nil
			}},
		{Name: "GLOBAL_EXISTS", Synopsis: "Check if a global variable exists or not.", Syntax: "GLOBAL_EXISTS(varname)",
			Description: "Returns 1 if global variable exists or 0 otherwise.",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				_, ok := e.GlobalVar(s)
				return boolStr(ok), nil
			}},
		{Name: "GLOBAL_DELETE", Synopsis: "Deletes a specified global variable.", Syntax: "GLOBAL_DELETE(varname)",
			Description: "Delete the global variable specified in varname. Will succeed if the global variable exists or not.",
			Write: func(_ *pbx.Channel, s, _ string) error {
				e.UnsetGlobalVar(s)
				return nil
			}},
		{Name: "EXPORT", Synopsis: "Set variables or dialplan functions on any arbitrary channel that exists.", Syntax: "EXPORT(channel,var)",
			Description: "Allows setting variables or functions on any existing channel if it exists at the same time the function is invoked. This is primarily useful for setting variables or functions on channels other than the current channel.",
			Write: func(_ *pbx.Channel, s, value string) error {
				a := args(s)
				if len(a) < 1 {
					return errNoChannel("EXPORT")
				}
				if len(a) < 2 {
					return fmt.Errorf("No variable name was provided to EXPORT function.")
				}
				other, ok := channelByName(e, strings.TrimSpace(a[0]))
				if !ok {
					return fmt.Errorf("Channel '%s' not found! '%s' not set.", a[0], a[1])
				}
				// pbx_builtin_setvar_helper: a name ending in ")" is a
				// function written on that channel.
				if strings.HasSuffix(a[1], ")") {
					if err := e.Assign(other, a[1], value); err != nil {
						e.LogFunctionError(err)
					}
					return nil
				}
				other.SetVar(a[1], value)
				return nil
			}},
		{Name: "EVAL_EXTEN", Synopsis: "Evaluates the contents of a dialplan extension and returns it as a string.", Syntax: "EVAL_EXTEN([[context,]extensions,]priority)",
			Description: "The EVAL_EXTEN function looks up a dialplan entry by context,extension,priority, evaluates the contents of a Return statement to resolve any variable or function references, and returns the result as a string.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("The EVAL_EXTEN function requires an extension")
				}
				if ch == nil {
					return "", errNoChannel("EVAL_EXTEN")
				}
				c, x, p, err := e.ResolveGoto(ch, s)
				if err != nil {
					return "", err
				}
				plan := e.Plan()
				if plan == nil {
					return "", nil
				}
				pri, ok := plan.Find(c, x, ch.CallerID().Num, p)
				if !ok {
					return "", nil
				}
				return e.SubstituteAt(ch, pri.Data, c, x, p), nil
			}},
		{Name: "STACK_PEEK", Synopsis: "View info about the location which called Gosub", Syntax: "STACK_PEEK(n,which[,suppress])",
			Description: "Read the calling c)ontext, e)xtension, p)riority, or l)abel, as specified by which, by going up n frames in the Gosub stack. If suppress is true, then if the number of available stack frames is exceeded, then no error message will be printed.",
			Read:        func(ch *pbx.Channel, s string) (string, error) { return stackPeek(ch, s) }},
	}
}

func stackPeek(ch *pbx.Channel, s string) (string, error) {
	if ch == nil {
		return "", errorf("STACK_PEEK must be called on an active channel")
	}
	a := args(s)
	if arg(a, 0) == "" || arg(a, 1) == "" {
		return "", errorf("STACK_PEEK requires parameters n and which")
	}
	n, _ := strconv.Atoi(leadingInt(a[0]))
	if n <= 0 {
		return "", errorf("STACK_PEEK must be called with a positive peek value")
	}
	suppress := confparse.True(arg(a, 2))
	var frames []pbx.Frame
	for _, f := range ch.StackFrames() {
		if !f.Nested { // a Macro's frame is no Gosub frame
			frames = append(frames, f)
		}
	}
	if len(frames) == 0 {
		if suppress {
			return "", nil
		}
		return "", errorf("STACK_PEEK called on a channel without a gosub stack")
	}
	if n > len(frames) {
		if suppress {
			return "", nil
		}
		return "", errorf("Stack peek of '%s' is more stack frames than I have", a[0])
	}
	f := frames[n-1]
	// Gosub keeps the priority after the call (app_stack.c's frames
	// too, which print it less one); a core-run subroutine keeps the
	// caller's own priority.
	pri := f.Priority - 1
	if f.Sub {
		pri = f.Priority
	}
	which := strings.TrimLeft(a[1], " \t")
	if which == "" {
		which = " "
	}
	switch which[:1] {
	case "l":
		return fmt.Sprintf("%s,%s,%d", f.Context, f.Exten, pri), nil
	case "c":
		return f.Context, nil
	case "e":
		return f.Exten, nil
	case "p":
		return strconv.Itoa(pri), nil
	}
	return "", errorf("Unknown argument '%s' to STACK_PEEK", a[1])
}
