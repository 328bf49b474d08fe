package funcs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_json.c's JSON_DECODE (Asterisk 18.x, with the c
// option): a value of the JSON held in a variable, reached by a key path.
// Strings come back bare, integers as C ints, reals as "%.17g", booleans
// as 1/0, null as nothing, and an array or object at the end of the path
// as compact JSON in its own key order.

const maxJSONDepth = 32 // func_json.c's MAX_JSON_STACK

func jsonFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{{
		Name: "JSON_DECODE", Synopsis: "Returns the string value of a JSON object key from a string containing a JSON array.",
		Syntax:      "JSON_DECODE(varname,item[,separator[,options]])",
		Description: "The JSON_DECODE function retrieves the value of the given variable name and parses it as JSON, returning the value at a specified key. If the key cannot be found, an empty string is returned. Option c: for keys that reference a JSON array, return the number of keys in the array rather than the value of the key.",
		Read: func(ch *pbx.Channel, s string) (string, error) {
			a := args(s)
			count := strings.Contains(arg(a, 3), "c")
			if arg(a, 0) == "" {
				return "", fmt.Errorf("JSON_DECODE requires a variable name")
			}
			if arg(a, 1) == "" {
				return "", fmt.Errorf("JSON_DECODE requires a key")
			}
			sep := "."
			if ns := arg(a, 2); ns != "" {
				if len(ns) != 1 {
					e.Log().Warning("Nesting separator '%s' has length %d and is invalid (must be a single character)\n", ns, len(ns))
				} else {
					sep = ns
				}
			}
			return jsonDecode(varValue(e, ch, a[0]), a[1], sep, count)
		},
	}}
}

func jsonDecode(doc, key, sep string, count bool) (string, error) {
	if doc == "" {
		return "", nil
	}
	var root json.RawMessage
	if err := json.Unmarshal([]byte(doc), &root); err != nil {
		return "", fmt.Errorf("Failed to parse as JSON: %s", doc)
	}
	path := strings.Split(key, sep)
	var start json.RawMessage
	var ok bool
	if jsonKind(root) == '{' {
		start, ok = jsonMember(root, path[0])
	} else {
		// func_json.c indexes a top-level array with the whole key.
		n, err := strconv.Atoi(strings.TrimLeft(key, " \t"))
		if err != nil {
			return "", nil
		}
		start, ok = jsonElem(root, n)
	}
	if !ok {
		return "", nil
	}
	return jsonNode(path[1:], start, count, 1)
}

// jsonNode renders node, or descends into it while path has keys.
func jsonNode(path []string, node json.RawMessage, count bool, depth int) (string, error) {
	if depth > maxJSONDepth {
		return "", fmt.Errorf("Max JSON stack (%d) exceeded", maxJSONDepth)
	}
	switch jsonKind(node) {
	case '"':
		var s string
		_ = json.Unmarshal(node, &s)
		return s, nil
	case 't':
		return "1", nil
	case 'f':
		return "0", nil
	case 'n':
		return "", nil
	case '[':
		if len(path) == 0 {
			if count {
				var elems []json.RawMessage
				_ = json.Unmarshal(node, &elems)
				return strconv.Itoa(len(elems)), nil
			}
			return jsonCompact(node), nil
		}
		n, err := strconv.Atoi(strings.TrimLeft(path[0], " \t"))
		if err != nil || n < 0 {
			return "", nil
		}
		elem, ok := jsonElem(node, n)
		if !ok {
			return "", nil
		}
		return jsonNode(path[1:], elem, count, depth+1)
	case '{':
		if len(path) == 0 {
			return jsonCompact(node), nil
		}
		m, ok := jsonMember(node, path[0])
		if !ok {
			return "", nil
		}
		return jsonNode(path[1:], m, count, depth+1)
	default: // a number
		t := string(bytes.TrimSpace(node))
		if !strings.ContainsAny(t, ".eE") {
			if n, err := strconv.ParseInt(t, 10, 64); err == nil {
				return strconv.Itoa(int(int32(n))), nil // ast_json_integer_get into an int
			}
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return "", nil
		}
		return strconv.FormatFloat(f, 'g', 17, 64), nil
	}
}

func jsonKind(raw json.RawMessage) byte {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

func jsonMember(obj json.RawMessage, key string) (json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return nil, false
	}
	v, ok := m[key]
	return v, ok
}

func jsonElem(arr json.RawMessage, i int) (json.RawMessage, bool) {
	var elems []json.RawMessage
	if json.Unmarshal(arr, &elems) != nil || i < 0 || i >= len(elems) {
		return nil, false
	}
	return elems[i], true
}

func jsonCompact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}
