package funcs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_strings.c's share: lists, filters, hashes, quoting,
// case and STRPTIME.

func stringFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "FIELDQTY", Synopsis: "Count the fields with an arbitrary delimiter", Syntax: "FIELDQTY(varname,delim)",
			Description: "The delimiter may be specified as a special or extended ASCII character, by encoding it. The characters \\n, \\r, and \\t are all recognized as the newline, carriage return, and tab characters, respectively. Also, octal and hexadecimal specifications are recognized by the patterns \\0nnn and \\xHH, respectively.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				a := args(s)
				if len(a) < 2 {
					return "1", nil
				}
				v := varValue(e, ch, a[0])
				if v == "" {
					return "0", nil
				}
				d, _, err := encodedChar(a[1])
				if err != nil {
					return "1", nil
				}
				return strconv.Itoa(strings.Count(v, string(d)) + 1), nil
			}},
		{Name: "FIELDNUM", Synopsis: "Return the 1-based offset of a field in a list", Syntax: "FIELDNUM(varname,delim,value)",
			Description: "Search the variable named varname for the string value delimited by delim and return a 1-based offset as to its location. If not found or an error occured, return 0.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				a := args(s)
				if len(a) < 3 {
					return "", errorf("Usage: FIELDNUM(<listname>,<delimiter>,<fieldvalue>)")
				}
				v := varValue(e, ch, a[0])
				if v == "" || a[1] == "" {
					return "0", nil
				}
				d, _, err := encodedChar(a[1])
				if err != nil {
					return "", nil
				}
				for i, f := range strings.Split(v, string(d)) {
					if strings.EqualFold(f, a[2]) {
						return strconv.Itoa(i + 1), nil
					}
				}
				return "0", nil
			}},
		{Name: "LISTFILTER", Synopsis: "Remove an item from a list, by name.", Syntax: "LISTFILTER(varname,delim,value)",
			Description: "Remove value from the list contained in the varname variable, where the list delimiter is specified by the delim parameter. This is very useful for removing a single channel name from a list of channels, for example.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				a := args(s)
				if len(a) < 3 {
					return "", errorf("Usage: LISTFILTER(<listname>,<delimiter>,<fieldvalue>)")
				}
				return listFilter(varValue(e, ch, a[0]), encodedString(a[1]), a[2]), nil
			}},
		{Name: "FILTER", Synopsis: "Filter the string to include only the allowed characters", Syntax: "FILTER(allowed-chars,string)",
			Description: "Permits all characters listed in allowed-chars, filtering all others outs. In addition to literally listing the characters, you may also use ranges of characters (delimited by a -), as well as hexadecimal characters started with a \\x (i.e. \\x20) and octal characters started with \\0 (i.e. \\040). Also \\t, \\n and \\r are recognized.",
			Read:        func(ch *pbx.Channel, s string) (string, error) { return filter(e, s) }},
		{Name: "REGEX", Synopsis: "Check string against a regular expression.", Syntax: "REGEX(\"regular expression\" string)",
			Description: "Return 1 on regular expression match or 0 otherwise. Please note that the space following the double quotes separating the regex from the data is optional and if present, is skipped. If a space is desired at the beginning of the data, then put two spaces there; the second will not be skipped.",
			Read:        readRegex},
		{Name: "HASH", Synopsis: "Implementation of a dialplan associative array", Syntax: "HASH(hashname[,hashkey])",
			Description: "In two arguments mode, gets and sets values to corresponding keys within a named associative array. The single-argument mode will only work when assigned to from a function defined by func_odbc",
			Read:        func(ch *pbx.Channel, s string) (string, error) { return hashRead(e, ch, s) },
			Write: func(ch *pbx.Channel, s, value string) error {
				a := args(s)
				if len(a) < 2 {
					return hashArray(e, ch, s, value)
				}
				name, inh := a[0], ""
				switch {
				case strings.HasPrefix(name, "__"):
					name, inh = name[2:], "__"
				case strings.HasPrefix(name, "_"):
					name, inh = name[1:], "_"
				}
				setVar(e, ch, inh+hashVar(name, a[1]), value)
				return nil
			}},
		{Name: "HASHKEYS", Synopsis: "Retrieve the keys of the HASH() function.", Syntax: "HASHKEYS(hashname)",
			Description: "Returns a comma-delimited list of the current keys of the associative array defined by the HASH() function. Note that if you iterate over the keys of the result, adding keys during iteration will cause the result of the HASHKEYS() function to change.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", errNoChannel("HASHKEYS")
				}
				return strings.Join(hashKeys(ch, s), ","), nil
			}},
		{Name: "ARRAY", Synopsis: "Allows setting multiple variables at once.", Syntax: "ARRAY(var1[,var2[,...][,varN]])",
			Description: "The comma-delimited list passed as a value to which the function is set will be interpreted as a set of values to which the comma-delimited list of variable names in the argument should be set.",
			Write: func(ch *pbx.Channel, s, value string) error {
				names, vals := args(s), args(value)
				for i, n := range names {
					setVar(e, ch, n, arg(vals, i))
				}
				return nil
			}},
		{Name: "QUOTE", Synopsis: "Quotes a given string, escaping embedded quotes as necessary", Syntax: "QUOTE(string)",
			Description: "Example: ${QUOTE(ab\"c\"de)} will return \"abcde\"",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				if s == "" {
					// Asterisk warns and still returns the empty quotes.
					return `""`, nil
				}
				r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
				return `"` + r.Replace(s) + `"`, nil
			}},
		{Name: "CSV_QUOTE", Synopsis: "Quotes a given string for use in a CSV file, escaping embedded quotes as necessary", Syntax: "CSV_QUOTE(string)",
			Description: "Example: ${CSV_QUOTE(\"a,b\" 123)} will return \"\"\"a,b\"\" 123\"",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`, nil
			}},
		{Name: "TOUPPER", Synopsis: "Convert string to all uppercase letters.", Syntax: "TOUPPER(string)",
			Description: "Example: ${TOUPPER(Example)} returns \"EXAMPLE\"",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return asciiCase(s, true), nil }},
		{Name: "TOLOWER", Synopsis: "Convert string to all lowercase letters.", Syntax: "TOLOWER(string)",
			Description: "Example: ${TOLOWER(Example)} returns \"example\"",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return asciiCase(s, false), nil }},
		{Name: "PASSTHRU", Synopsis: "Pass the given argument back as a value.", Syntax: "PASSTHRU([string])",
			Description: "Literally returns the given string. The intent is to permit other dialplan functions which take a variable name as an argument to be able to take a literal string, instead.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return s, nil }},
		{Name: "POP", Synopsis: "Removes and returns the last item off of a variable containing delimited text", Syntax: "POP(varname[,delimiter])",
			Read: func(ch *pbx.Channel, s string) (string, error) { return shiftPop(e, ch, "POP", s) }},
		{Name: "SHIFT", Synopsis: "Removes and returns the first item off of a variable containing delimited text", Syntax: "SHIFT(varname[,delimiter])",
			Read: func(ch *pbx.Channel, s string) (string, error) { return shiftPop(e, ch, "SHIFT", s) }},
		{Name: "PUSH", Synopsis: "Appends one or more values to the end of a variable containing delimited text", Syntax: "PUSH(varname[,delimiter])",
			Write: func(ch *pbx.Channel, s, value string) error { return unshiftPush(e, ch, "PUSH", s, value) }},
		{Name: "UNSHIFT", Synopsis: "Inserts one or more values to the beginning of a variable containing delimited text", Syntax: "UNSHIFT(varname[,delimiter])",
			Write: func(ch *pbx.Channel, s, value string) error { return unshiftPush(e, ch, "UNSHIFT", s, value) }},
		{Name: "STRPTIME", Synopsis: "Returns the epoch of the arbitrary date/time string structured as described by the format.", Syntax: "STRPTIME(datetime,timezone,format)",
			Description: "This is useful for converting a date into EPOCH time, possibly to pass to an application like SayUnixTime or to calculate the difference between the two date strings",
			Read:        readStrptime},
	}
}

func asciiCase(s string, upper bool) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case upper && c >= 'a' && c <= 'z':
			b[i] = c - 32
		case !upper && c >= 'A' && c <= 'Z':
			b[i] = c + 32
		}
	}
	return string(b)
}

// listFilter removes every element equal to value from list.
func listFilter(list, delim, value string) string {
	if list == "" || !strings.Contains(list, value) {
		return list
	}
	if delim == "" {
		delim = ","
	}
	var keep []string
	for _, f := range strings.Split(list, delim) {
		if f != value {
			keep = append(keep, f)
		}
	}
	return strings.Join(keep, delim)
}

func filter(e *pbx.Engine, s string) (string, error) {
	a := rawArgs(s)
	if len(a) < 2 {
		return "", errorf("Usage: FILTER(<allowed-chars>,<string>)")
	}
	allowed, str := a[0], strings.Join(a[1:], ",")
	if strings.HasPrefix(allowed, `"`) {
		e.Log().Warning("FILTER allowed characters includes the quote (\") character.  This may not be what you want.\n")
	}
	var set [256]bool
	for rest := allowed; rest != ""; {
		c1, n, err := encodedChar(rest)
		if err != nil {
			return "", nil
		}
		rest = rest[n:]
		if strings.HasPrefix(rest, "-") {
			c2, m, err := encodedChar(rest[1:])
			if err != nil {
				c2 = c1
			}
			rest = rest[min(len(rest), m+1):]
			if c2 < c1 {
				e.Log().Warning("Range wrapping in FILTER(%s,%s).  This may not be what you want.\n", s, str)
			}
			for c := c1; c != c2; c++ {
				set[c] = true
			}
			set[c2] = true
			continue
		}
		set[c1] = true
	}
	out := make([]byte, 0, len(str))
	for i := 0; i < len(str); i++ {
		if str[i] != 0 && set[str[i]] {
			out = append(out, str[i])
		}
	}
	return string(out), nil
}

func readRegex(_ *pbx.Channel, s string) (string, error) {
	// The argument is split at double quotes: "" regex "" string.
	parts := strings.SplitN(s, `"`, 3)
	if len(parts) != 3 {
		return "", errorf("Unexpected arguments: should have been in the form '\"<regex>\" <string>'")
	}
	re, str := parts[1], parts[2]
	if strings.HasPrefix(str, " ") || strings.HasPrefix(str, "\t") {
		str = str[1:]
	}
	rx, err := regexp.CompilePOSIX(re)
	if err != nil {
		return "", fmt.Errorf("Malformed input REGEX(%s): %v", s, err)
	}
	return boolStr(rx.MatchString(str)), nil
}

// hashVar is the channel variable holding one HASH key (HASH_FORMAT).
func hashVar(name, key string) string { return "~HASH~" + name + "~" + key + "~" }

// hashKeys lists the keys of a hash, newest first (the channel's variable
// order, as Asterisk walks it).
func hashKeys(ch *pbx.Channel, name string) []string {
	prefix := "~HASH~" + name + "~"
	var keys []string
	for _, v := range ch.Vars() {
		n, _, _ := strings.Cut(strings.TrimLeft(v, "_"), "=")
		if len(n) > len(prefix)+1 && strings.HasPrefix(n, prefix) && strings.HasSuffix(n, "~") {
			keys = append(keys, n[len(prefix):len(n)-1])
		}
	}
	return keys
}

func hashRead(e *pbx.Engine, ch *pbx.Channel, s string) (string, error) {
	a := args(s)
	switch len(a) {
	case 2:
		return varValue(e, ch, hashVar(a[0], a[1])), nil
	case 1:
		if ch == nil {
			return "", fmt.Errorf("No channel and only 1 parameter was provided to HASH function.")
		}
		keys := hashKeys(ch, a[0])
		ch.SetVar("~ODBCFIELDS~", strings.Join(keys, ","))
		vals := make([]string, len(keys))
		for i, k := range keys {
			vals[i] = varValue(e, ch, hashVar(a[0], k))
		}
		return strings.Join(vals, ","), nil
	}
	return "", nil
}

// hashArray is Set(HASH(name)=v1,v2): the keys are those of ~ODBCFIELDS~,
// which the last single-argument HASH read (or func_odbc) left.
func hashArray(e *pbx.Engine, ch *pbx.Channel, name, value string) error {
	if ch == nil {
		return nil
	}
	fields, ok := ch.Var("~ODBCFIELDS~")
	if !ok {
		return nil
	}
	vals := args(value)
	inh, bare := "", name
	switch {
	case strings.HasPrefix(name, "__"):
		inh, bare = "__", name[2:]
	case strings.HasPrefix(name, "_"):
		inh, bare = "_", name[1:]
	}
	for i, k := range args(fields) {
		if i < len(vals) {
			setVar(e, ch, inh+hashVar(bare, k), vals[i])
		} else {
			setVar(e, ch, hashVar(bare, k), "")
		}
	}
	return nil
}

func listDelim(a []string) byte {
	if len(a) > 1 && a[1] != "" {
		if d, _, err := encodedChar(a[1]); err == nil {
			return d
		}
	}
	return ','
}

func shiftPop(e *pbx.Engine, ch *pbx.Channel, cmd, s string) (string, error) {
	a := args(s)
	if arg(a, 0) == "" {
		return "", fmt.Errorf("%s requires a variable name", cmd)
	}
	before := varValue(e, ch, a[0])
	if before == "" {
		return "", nil
	}
	d := listDelim(a)
	if cmd == "SHIFT" {
		first, rest, ok := strings.Cut(before, string(d))
		if !ok {
			setVar(e, ch, a[0], "")
			return before, nil
		}
		setVar(e, ch, a[0], rest)
		return first, nil
	}
	i := strings.LastIndexByte(before, d)
	if i < 0 {
		setVar(e, ch, a[0], "")
		return before, nil
	}
	setVar(e, ch, a[0], before[:i])
	return before[i+1:], nil
}

func unshiftPush(e *pbx.Engine, ch *pbx.Channel, cmd, s, value string) error {
	a := args(s)
	if arg(a, 0) == "" {
		return fmt.Errorf("%s requires a variable name", cmd)
	}
	d := listDelim(a)
	name := a[0]
	stripped := name[min(len(name)-len(strings.TrimLeft(name, "_")), 2):]
	prev := varValue(e, ch, stripped)
	switch {
	case prev == "":
		setVar(e, ch, name, value)
	case cmd == "UNSHIFT":
		setVar(e, ch, name, value+string(d)+prev)
	default:
		setVar(e, ch, name, prev+string(d)+value)
	}
	return nil
}

func readStrptime(_ *pbx.Channel, s string) (string, error) {
	if s == "" {
		return "", errorf("Asterisk function STRPTIME() requires an argument.")
	}
	a := args(s)
	if arg(a, 2) == "" {
		return "", errorf("No format supplied to STRPTIME(<timestring>,<timezone>,<format>)")
	}
	loc := time.Local
	if tz := strings.TrimSpace(a[1]); tz != "" {
		l, err := time.LoadLocation(tz)
		if err == nil {
			loc = l
		}
	}
	t, ok := strptime(a[0], a[2], loc)
	if !ok {
		return "", fmt.Errorf("STRPTIME() found no time specified within the string")
	}
	return strconv.FormatInt(t.Unix(), 10), nil
}
