package funcs

import (
	"path"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is the pure string functions of several modules: func_cut.c's
// SORT, func_strings.c's STRBETWEEN, func_odbc.c's SQL_ESC and
// SQL_ESC_BACKSLASHES, func_env.c's BASENAME and DIRNAME (POSIX libgen).

func strMoreFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "SORT", Synopsis: "Sorts a list of key/vals into a list of keys, based upon the vals.", Syntax: "SORT(key1:val1[,key2:val2[,...]])",
			Description: "Takes a comma-separated list of keys and values, each separated by a colon, and returns a comma-separated list of the keys, sorted by their values. Values will be evaluated as floating-point numbers.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return sortKeys(s), nil }},
		{Name: "STRBETWEEN", Synopsis: "Inserts a substring between each character in a string.", Syntax: "STRBETWEEN(varname,insert-string)",
			Description: "Inserts a substring insert-string between each character in varname.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				a := args(s)
				if len(a) != 2 || a[0] == "" {
					return "", errorf("Usage: STRBETWEEN(<varname>,<insert-string>)")
				}
				return strBetween(varValue(e, ch, a[0]), a[1]), nil
			}},
		{Name: "SQL_ESC", Synopsis: "Escapes single ticks for use in SQL statements.", Syntax: "SQL_ESC(string)",
			Description: "Used in SQL templates to escape data which may contain single ticks ' which are otherwise used to delimit data.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return strings.ReplaceAll(s, "'", "''"), nil }},
		{Name: "SQL_ESC_BACKSLASHES", Synopsis: "Escapes backslashes for use in SQL statements.", Syntax: "SQL_ESC_BACKSLASHES(string)",
			Description: "Used in SQL templates to escape data which may contain backslashes \\ which are otherwise used to escape data.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return strings.ReplaceAll(s, `\`, `\\`), nil }},
		{Name: "BASENAME", Synopsis: "Return the name of a file.", Syntax: "BASENAME(filename)",
			Description: "Return just the basename of a filename (the part after the last slash).",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return posixBasename(s), nil }},
		{Name: "DIRNAME", Synopsis: "Return the directory of a file.", Syntax: "DIRNAME(filename)",
			Description: "Return just the directory name of a filename.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return posixDirname(s), nil }},
	}
}

// sortKeys orders the keys of "key:value,..." by their values read as
// floats; an item without a colon is dropped. Equal values keep their
// order (qsort does not promise one).
func sortKeys(s string) string {
	type kv struct {
		key string
		val float32
	}
	var items []kv
	for _, it := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(it, ":")
		if !ok {
			continue
		}
		f, _ := cNumber(v)
		items = append(items, kv{k, float32(f)})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].val < items[j].val })
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.key
	}
	return strings.Join(keys, ",")
}

// strBetween puts ins between every two bytes of s, as func_strings.c
// walks the string byte by byte.
func strBetween(s, ins string) string {
	if len(s) < 2 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + (len(s)-1)*len(ins))
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteString(ins)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// posixBasename is POSIX basename(3): "" and "." give ".", "/" gives "/",
// trailing slashes are ignored.
func posixBasename(s string) string {
	if s == "" {
		return "."
	}
	t := strings.TrimRight(s, "/")
	if t == "" {
		return "/"
	}
	return path.Base(t)
}

// posixDirname is POSIX dirname(3): "/a/b/" gives "/a" (path.Dir would
// give "/a/b"), a name without a slash gives ".".
func posixDirname(s string) string {
	t := strings.TrimRight(s, "/")
	if t == "" {
		if s == "" {
			return "."
		}
		return "/"
	}
	i := strings.LastIndexByte(t, '/')
	if i < 0 {
		return "."
	}
	d := strings.TrimRight(t[:i], "/")
	if d == "" {
		return "/"
	}
	return d
}
