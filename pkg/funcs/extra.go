package funcs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file holds functions real dialplans use beside the list:
// func_strings.c's EVAL, REPLACE, STRREPLACE, the TRIM family and
// KEYPADHASH, func_math.c's INC/DEC and func_dialplan.c's
// DIALPLAN_EXISTS and VALID_EXTEN.

func extraFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "EVAL", Synopsis: "Evaluate stored variables", Syntax: "EVAL(variable)",
			Description: "Using EVAL basically causes a string to be evaluated twice. When a variable or expression is in the dialplan, it will be evaluated at runtime. However, if the results of the evaluation is in fact another variable or expression, using EVAL will have it evaluated a second time.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("EVAL requires an argument: EVAL(<string>)")
				}
				return e.Substitute(ch, s), nil
			}},
		{Name: "REPLACE", Synopsis: "Replace a set of characters in a given string with another character.", Syntax: "REPLACE(varname,find-chars[,replace-char])",
			Description: "Iterates through a string replacing all the find-chars with replace-char. replace-char may be either empty or contain one character. If empty, all find-chars will be deleted from the output.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				a := args(s)
				if len(a) < 2 {
					return "", errorf("Usage: REPLACE(<varname>,<search-chars>[,<replace-char>])")
				}
				find := encodedString(a[1])
				if find == "" || a[0] == "" {
					return "", errorf("The characters to search for and the variable name must not be empty.")
				}
				var repl []byte
				if r := arg(a, 2); r != "" {
					if c, _, err := encodedChar(r); err == nil {
						repl = []byte{c}
					}
				}
				v := varValue(e, ch, a[0])
				out := make([]byte, 0, len(v))
				for i := 0; i < len(v); i++ {
					if strings.IndexByte(find, v[i]) >= 0 {
						out = append(out, repl...)
						continue
					}
					out = append(out, v[i])
				}
				return string(out), nil
			}},
		{Name: "STRREPLACE", Synopsis: "Replace instances of a substring within a string with another string.", Syntax: "STRREPLACE(varname,find-string[,replace-string[,max-replacements]])",
			Description: "Searches for all instances of the find-string in provided variable and replaces them with replace-string. If replace-string is an empty string, this will effectively delete that substring. If max-replacements is specified, this function will stop after performing replacements max-replacements times.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				a := args(s)
				if len(a) < 2 {
					return "", errorf("Usage: STRREPLACE(<varname>,<find-string>[,<replace-string>,[<max-replacements>]])")
				}
				if a[0] == "" {
					return "", nil
				}
				if a[1] == "" {
					return "", errorf("No <find-string> specified")
				}
				n := -1
				if m, err := strconv.Atoi(leadingInt(arg(a, 3))); err == nil && m > 0 {
					n = m
				}
				return strings.Replace(varValue(e, ch, a[0]), a[1], arg(a, 2), n), nil
			}},
		{Name: "TRIM", Synopsis: "Trim leading and trailing whitespace in a string", Syntax: "TRIM(string)",
			Read: func(_ *pbx.Channel, s string) (string, error) { return strings.Trim(s, " \t\n\r\v\f"), nil }},
		{Name: "LTRIM", Synopsis: "Trim leading whitespace in a string", Syntax: "LTRIM(string)",
			Read: func(_ *pbx.Channel, s string) (string, error) { return strings.TrimLeft(s, " \t\n\r\v\f"), nil }},
		{Name: "RTRIM", Synopsis: "Trim trailing whitespace in a string", Syntax: "RTRIM(string)",
			Read: func(_ *pbx.Channel, s string) (string, error) { return strings.TrimRight(s, " \t\n\r\v\f"), nil }},
		{Name: "KEYPADHASH", Synopsis: "Hash the letters in string into equivalent keypad numbers.", Syntax: "KEYPADHASH(string)",
			Description: "Example: ${KEYPADHASH(Les)} returns \"537\"",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				out := make([]byte, 0, len(s))
				for i := 0; i < len(s); i++ {
					if d, ok := keypad(s[i]); ok {
						out = append(out, d)
					}
				}
				return string(out), nil
			}},
		{Name: "INC", Synopsis: "Increments the value of a variable, while returning the updated value to the dialplan", Syntax: "INC(variable)",
			Read: func(ch *pbx.Channel, s string) (string, error) { return crement(e, ch, "INC", s, 1) }},
		{Name: "DEC", Synopsis: "Decrements the value of a variable, while returning the updated value to the dialplan", Syntax: "DEC(variable)",
			Read: func(ch *pbx.Channel, s string) (string, error) { return crement(e, ch, "DEC", s, -1) }},
		{Name: "DIALPLAN_EXISTS", Synopsis: "Checks the existence of a dialplan target.", Syntax: "DIALPLAN_EXISTS(context[,extension[,priority]])",
			Description: "This function returns 1 if the target exits. Otherwise, it returns 0.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", errorf("DIALPLAN_EXISTS() requires an argument")
				}
				a := args(s)
				plan := e.Plan()
				if plan == nil {
					return "0", nil
				}
				cid := ""
				if ch != nil {
					cid = ch.CallerID().Num
				}
				ctx, exten, prio := arg(a, 0), arg(a, 1), arg(a, 2)
				switch {
				case prio != "":
					if n, err := strconv.Atoi(leadingInt(prio)); err == nil && n > 0 {
						return boolStr(plan.Exists(ctx, exten, cid, n)), nil
					}
					_, ok := plan.FindLabel(ctx, exten, cid, prio)
					return boolStr(ok), nil
				case exten != "":
					return boolStr(plan.Exists(ctx, exten, cid, 1)), nil
				case ctx != "":
					return boolStr(plan.HasContext(ctx)), nil
				}
				return "", errorf("Invalid arguments provided to DIALPLAN_EXISTS")
			}},
		{Name: "VALID_EXTEN", Synopsis: "Determine whether an extension exists or not.", Syntax: "VALID_EXTEN([context],extension[,priority])",
			Description: "Returns a true value if the indicated context, extension, and priority exist.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", errNoChannel("VALID_EXTEN")
				}
				a := args(s)
				ctx := arg(a, 0)
				if ctx == "" {
					ctx, _, _ = ch.Location()
				}
				exten := arg(a, 1)
				if exten == "" {
					return "", fmt.Errorf("Syntax: VALID_EXTEN([<context>],<extension>[,<priority>]) - missing argument <extension>!")
				}
				prio := 1
				if p := arg(a, 2); p != "" {
					prio, _ = strconv.Atoi(leadingInt(p))
				}
				return boolStr(e.Exists(ch, ctx, exten, prio)), nil
			}},
	}
}

// keypad maps a letter or digit to its telephone key.
func keypad(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c, true
	case c >= 'a' && c <= 'z':
		c -= 32
	case c < 'A' || c > 'Z':
		return 0, false
	}
	const keys = "22233344455566677778889999"
	return keys[c-'A'], true
}

// crement is INC/DEC: the variable's integer value plus delta, stored back.
func crement(e *pbx.Engine, ch *pbx.Channel, cmd, name string, delta int) (string, error) {
	if name == "" {
		return "", fmt.Errorf("Syntax: %s(<data>) - missing argument!", cmd)
	}
	if ch == nil {
		return "", errNoChannel(cmd)
	}
	v, ok := e.Env(ch).Var(name)
	if !ok {
		e.Log().Notice("Variable %s doesn't exist - are you sure you wrote it correctly?\n", name)
		return "", nil
	}
	n, err := strconv.Atoi(leadingInt(v))
	if err != nil {
		e.Log().Notice("The content of ${%s} is not a numeric value - bailing out!\n", name)
		return "", nil
	}
	n += delta
	out := strconv.Itoa(n)
	ch.SetVar(name, out)
	return out, nil
}
