package pbx

import (
	"fmt"
	"github.com/gostrisk/gostrisk/pkg/strftime"
	"strconv"
	"strings"
	"time"
)

// Assign does what Set(name=value) does: NAME(args) writes a function,
// anything else sets a channel variable (ch may be nil only for
// functions that do not need one, such as GLOBAL).
func (e *Engine) Assign(ch *Channel, name, value string) error {
	name = strings.TrimSpace(name)
	if open := strings.IndexByte(name, '('); open > 0 && strings.HasSuffix(name, ")") {
		return e.WriteFunction(ch, name[:open], name[open+1:len(name)-1], value)
	}
	if name == "" {
		return fmt.Errorf("variable name cannot be empty")
	}
	if ch == nil {
		e.SetGlobalVar(name, value)
		return nil
	}
	ch.SetVar(name, value)
	return nil
}

func registerBuiltinFunctions(e *Engine) {
	for _, f := range []Function{
		channelFunction, exceptionFunction,
		{
			Name:        "CALLERID",
			Synopsis:    "Gets or sets Caller*ID data on the channel.",
			Syntax:      "CALLERID(datatype[,CID])",
			Description: "Gets or sets Caller*ID data on the channel. The allowable datatypes are all, name, num, ani, dnid, rdnis, pres, name-pres and num-pres.",
			Read:        readCallerID,
			Write:       writeCallerID,
		},
		{
			Name:        "IF",
			Synopsis:    "Check for an expression.",
			Syntax:      "IF(expression?[true][:false])",
			Description: "Returns the data following '?' if true, else the data following ':'",
			Read: func(_ *Channel, args string) (string, error) {
				cond, t, f, ok := SplitCondition(args)
				if !ok {
					return "", fmt.Errorf("Syntax IF(<expr>?[<true>][:<false>])  (expr must be non-null, and either <true> or <false> must be non-null)")
				}
				if CheckCondition(strings.TrimSpace(cond)) {
					return strings.TrimSpace(t), nil
				}
				return strings.TrimSpace(f), nil
			},
		},
		{
			Name:        "ISNULL",
			Synopsis:    "Check if a value is NULL.",
			Syntax:      "ISNULL(data)",
			Description: "Returns 1 if NULL or 0 otherwise.",
			Read:        func(_ *Channel, args string) (string, error) { return boolStr(args == ""), nil },
		},
		{
			Name:        "EXISTS",
			Synopsis:    "Test the existence of a value.",
			Syntax:      "EXISTS(data)",
			Description: "Returns 1 if exists, 0 otherwise.",
			Read:        func(_ *Channel, args string) (string, error) { return boolStr(args != ""), nil },
		},
		{
			Name:        "LEN",
			Synopsis:    "Return the length of the string given.",
			Syntax:      "LEN(string)",
			Description: "Returns the length of the argument given.",
			Read:        func(_ *Channel, args string) (string, error) { return strconv.Itoa(len(args)), nil },
		},
		{
			Name:        "CUT",
			Synopsis:    "Slices and dices strings, based upon a named delimiter.",
			Syntax:      "CUT(varname,char-delim,range-spec)",
			Description: "Cut out information from a string (varname), based upon a named delimiter.",
			Read:        e.readCut,
		},
		{
			Name:        "SET",
			Synopsis:    "SET assigns a value to a channel variable.",
			Syntax:      "SET(varname=[value])",
			Description: "Sets a variable and returns the value, for use inside expressions.",
			Read: func(ch *Channel, args string) (string, error) {
				name, value, ok := strings.Cut(args, "=")
				if !ok {
					return "", fmt.Errorf("SET requires an '=' to be a valid assignment")
				}
				if err := e.Assign(ch, name, value); err != nil {
					return "", err
				}
				return value, nil
			},
		},
		{
			Name:        "STRFTIME",
			Synopsis:    "Returns the current date/time in the specified format.",
			Syntax:      "STRFTIME([epoch][,timezone[,format]])",
			Description: "STRFTIME supports all of the same formats as the underlying C function strftime(3).",
			Read:        readStrftime,
		},
		{
			Name:        "GLOBAL",
			Synopsis:    "Gets or sets the global variable specified.",
			Syntax:      "GLOBAL(varname)",
			Description: "Set or get the value of a global variable specified in varname",
			Read: func(_ *Channel, args string) (string, error) {
				v, _ := e.GlobalVar(strings.TrimSpace(args))
				return v, nil
			},
			Write: func(_ *Channel, args, value string) error {
				e.SetGlobalVar(strings.TrimSpace(args), value)
				return nil
			},
		},
	} {
		if err := e.RegisterFunction(f); err != nil {
			panic(err) // a duplicate in this list is a programming error
		}
	}
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func readCallerID(ch *Channel, args string) (string, error) {
	if ch == nil {
		return "", fmt.Errorf("CALLERID needs a channel")
	}
	id := ch.CallerID()
	what, _, _ := strings.Cut(args, ",")
	switch strings.ToLower(strings.TrimSpace(what)) {
	case "all":
		return mergeCallerID(id.Name, id.Num), nil
	case "name":
		return id.Name, nil
	case "num", "number":
		return id.Num, nil
	case "ani":
		return id.ANI, nil
	case "dnid":
		return id.DNID, nil
	case "rdnis":
		return id.RDNIS, nil
	}
	if v, ok, err := callerIDPres(ch, strings.ToLower(strings.TrimSpace(what)), "", false); ok {
		return v, err
	}
	return "", fmt.Errorf("Unknown callerid data type '%s'.", what)
}

func writeCallerID(ch *Channel, args, value string) error {
	if ch == nil {
		return fmt.Errorf("CALLERID needs a channel")
	}
	what, _, _ := strings.Cut(args, ",")
	if _, ok, err := callerIDPres(ch, strings.ToLower(strings.TrimSpace(what)), value, true); ok {
		return err
	}
	var err error
	ch.UpdateCallerID(func(id *CallerID) {
		switch strings.ToLower(strings.TrimSpace(what)) {
		case "all":
			id.Name, id.Num = ParseCallerID(value)
		case "name":
			id.Name = value
		case "num", "number":
			id.Num = value
		case "ani":
			id.ANI = value
		case "dnid":
			id.DNID = value
		case "rdnis":
			id.RDNIS = value
		default:
			err = fmt.Errorf("Unknown callerid data type '%s'.", what)
		}
	})
	return err
}

func mergeCallerID(name, num string) string {
	switch {
	case name != "" && num != "":
		return fmt.Sprintf("\"%s\" <%s>", name, num)
	case name != "":
		return name
	}
	return num
}

// ParseCallerID splits `"Name" <num>`, `Name <num>` or a bare number.
func ParseCallerID(s string) (name, num string) {
	s = strings.TrimSpace(s)
	if lt := strings.LastIndexByte(s, '<'); lt >= 0 {
		if gt := strings.IndexByte(s[lt:], '>'); gt > 0 {
			num = strings.TrimSpace(s[lt+1 : lt+gt])
			name = strings.Trim(strings.TrimSpace(s[:lt]), "\"")
			return name, num
		}
	}
	if strings.Trim(s, "0123456789+*#-() ") == "" {
		return "", s
	}
	return strings.Trim(s, "\""), ""
}

func (e *Engine) readCut(ch *Channel, args string) (string, error) {
	parts := SplitArgs(args, ',')
	if len(parts) < 3 {
		return "", fmt.Errorf("Syntax: CUT(<varname>,<char-delim>,<range-spec>) - missing argument!")
	}
	var value string
	if ch != nil {
		value, _ = e.Env(ch).Var(parts[0])
	} else {
		value, _ = e.GlobalVar(parts[0])
	}
	delim := parts[1]
	if delim == "" {
		delim = "-"
	} else if strings.HasPrefix(delim, "\\") && len(delim) > 1 {
		delim = delim[1:]
	}
	delim = delim[:1]
	fields := strings.Split(value, delim)
	var out []string
	for _, r := range strings.Split(parts[2], "&") {
		lo, hi := 0, 0
		if a, b, isRange := strings.Cut(r, "-"); isRange {
			lo = atoiDef(a, 1)
			hi = atoiDef(b, len(fields))
		} else {
			n, err := strconv.Atoi(r)
			if err != nil {
				return "", fmt.Errorf("Unable to parse range spec '%s'", r)
			}
			lo, hi = n, n
		}
		for i := lo; i <= hi && i <= len(fields); i++ {
			if i >= 1 {
				out = append(out, fields[i-1])
			}
		}
	}
	return strings.Join(out, delim), nil
}

func atoiDef(s string, def int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		return n
	}
	return def
}

func readStrftime(_ *Channel, args string) (string, error) {
	parts := SplitArgs(args, ',')
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	t := time.Now()
	if s := strings.TrimSpace(parts[0]); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return "", fmt.Errorf("STRFTIME: invalid epoch %q", s)
		}
		sec := int64(f)
		t = time.Unix(sec, int64((f-float64(sec))*1e9))
	}
	if tz := strings.TrimSpace(parts[1]); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return "", fmt.Errorf("STRFTIME: unknown timezone %q: %w", tz, err)
		}
		t = t.In(loc)
	}
	format := parts[2]
	if format == "" {
		format = "%c"
	}
	return Strftime(t, format), nil
}

// Strftime formats t as C strftime (C locale) with Asterisk's %<n>q; the
// logger's dateformat uses the same code (package strftime).
func Strftime(t time.Time, format string) string { return strftime.Format(format, t) }
