package funcs

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_uri.c, func_base64.c, func_md5.c, func_sha1.c and
// func_sprintf.c: functions of their argument alone.

func codecFuncs() []pbx.Function {
	missing := func(cmd string) error { return fmt.Errorf("Syntax: %s(<data>) - missing argument!", cmd) }
	return []pbx.Function{
		{Name: "URIENCODE", Synopsis: "Encodes a string to URI-safe encoding according to RFC 2396.", Syntax: "URIENCODE(data)",
			Description: "Returns the encoded string defined in data.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return uriEncode(s), nil }},
		{Name: "URIDECODE", Synopsis: "Decodes a URI-encoded string according to RFC 2396.", Syntax: "URIDECODE(data)",
			Description: "Returns the decoded URI-encoded data string.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return uriDecode(s), nil }},
		{Name: "BASE64_ENCODE", Synopsis: "Encode a string in base64.", Syntax: "BASE64_ENCODE(string)",
			Description: "Returns the base64 string.",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", missing("BASE64_ENCODE")
				}
				return base64.StdEncoding.EncodeToString([]byte(s)), nil
			}},
		{Name: "BASE64_DECODE", Synopsis: "Decode a base64 string.", Syntax: "BASE64_DECODE(string)",
			Description: "Returns the plain text string.",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", missing("BASE64_DECODE")
				}
				return base64Decode(s), nil
			}},
		{Name: "MD5", Synopsis: "Computes an MD5 digest.", Syntax: "MD5(data)",
			Description: "Computes an MD5 digest.",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("Syntax: MD5(<data>) - missing argument!")
				}
				sum := md5.Sum([]byte(s))
				return hex.EncodeToString(sum[:]), nil
			}},
		{Name: "SHA1", Synopsis: "Computes a SHA1 digest.", Syntax: "SHA1(data)",
			Description: "Generate a SHA1 digest. The example will set a channel variable to the hexadecimal SHA1 digest of the string \"junky\".",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("Syntax: SHA1(<data>) - missing argument!")
				}
				sum := sha1.Sum([]byte(s))
				return hex.EncodeToString(sum[:]), nil
			}},
		{Name: "SPRINTF", Synopsis: "Format a variable according to a format string.", Syntax: "SPRINTF(format,arg1[,arg2[,...][,argN]])",
			Description: "Parses the format string specified and returns a string matching that format. Supports most options found in sprintf(3).",
			Read:        readSprintf},
	}
}

// uriEncode keeps letters, digits and RFC 2396's marks and writes every
// other byte as %XX (ast_uri_encode with ast_uri_http).
func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// uriDecode turns %XX back into bytes; a '%' without two characters after
// it stays as it is (ast_uri_decode).
func uriDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) {
			v := hexVal(s[i+1])
			if isHex(s[i+2]) {
				v = v*16 + hexVal(s[i+2])
			}
			b.WriteByte(byte(v))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// base64Decode decodes what it can, as ast_base64decode does: characters
// outside the alphabet are skipped and decoding stops at padding.
func base64Decode(s string) string {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out, _ := base64.RawStdEncoding.DecodeString(string(clean))
	return string(out)
}

func readSprintf(_ *pbx.Channel, s string) (string, error) {
	a := args(s)
	if len(a) == 0 {
		return "", nil
	}
	format, vals := a[0], a[1:]
	var b strings.Builder
	next := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
			j++
		}
		for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '.') {
			j++
		}
		spec := format[i:j] // flags, width, precision
		for j < len(format) && strings.IndexByte("hlLqjzt", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		conv := format[j]
		full := format[i : j+1]
		i = j
		switch conv {
		case 'd', 'i', 'o', 'u', 'x', 'X', 'c':
			if next >= len(vals) {
				return "", errorf("SPRINTF() has more format specifiers than arguments!")
			}
			v := vals[next]
			next++
			n, err := strconv.ParseInt(leadingInt(v), 10, 64)
			if err != nil {
				return "", errorf("Argument '%s' is not an integer number for format '%s'", v, full)
			}
			switch conv {
			case 'c':
				b.WriteByte(byte(n))
			case 'o', 'x', 'X':
				fmt.Fprintf(&b, spec+string(conv), uint32(n))
			case 'u':
				fmt.Fprintf(&b, spec+"d", uint32(n))
			default:
				fmt.Fprintf(&b, spec+"d", int32(n))
			}
		case 'a', 'A', 'e', 'E', 'f', 'F', 'g', 'G':
			if next >= len(vals) {
				return "", errorf("SPRINTF() has more format specifiers than arguments!")
			}
			v := vals[next]
			next++
			f, ok := cNumber(v)
			if !ok {
				return "", errorf("Argument '%s' is not a floating point number for format '%s'", v, full)
			}
			if conv == 'a' || conv == 'A' {
				conv = map[byte]byte{'a': 'x', 'A': 'X'}[conv]
			}
			if conv == 'F' {
				conv = 'f'
			}
			if conv != 'x' && conv != 'X' && !strings.Contains(spec, ".") {
				spec += ".6" // C's default precision; Go's default is the shortest
			}
			fmt.Fprintf(&b, spec+string(conv), f)
		case 's':
			if next >= len(vals) {
				return "", errorf("SPRINTF() has more format specifiers than arguments!")
			}
			fmt.Fprintf(&b, spec+"s", vals[next])
			next++
		default:
			v := ""
			if next < len(vals) {
				v = vals[next]
			}
			return "", errorf("Format type not supported: '%s' with argument '%s'", full, v)
		}
	}
	return b.String(), nil
}

// leadingInt is the optionally signed digits sscanf("%d") would read.
func leadingInt(s string) string {
	s = strings.TrimLeft(s, " \t")
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return "x"
	}
	return s[:i]
}
