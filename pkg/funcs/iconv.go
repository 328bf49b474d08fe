package funcs

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_iconv.c's ICONV for the character sets a dialplan
// meets in practice: UTF-8, ASCII, ISO-8859-1, ISO-8859-15 and
// Windows-1252, with glibc's names and aliases (case-insensitive) and its
// //TRANSLIT and //IGNORE suffixes on the target. Any other name is
// "not available", as iconv_open failing.

// charset turns runes into bytes and back; enc reports false for a rune
// it cannot represent.
type charset struct {
	dec func(b []byte) (r rune, size int, ok bool)
	enc func(r rune) (byte, bool)
	utf bool // UTF-8: enc/dec are not used
}

// cp1252High are Windows-1252's 0x80-0x9F (0 where undefined).
var cp1252High = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// latin9 are the eight places where ISO-8859-15 differs from ISO-8859-1.
var latin9 = map[byte]rune{0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D, 0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178}

func singleByte(table func(b byte) (rune, bool)) *charset {
	rev := map[rune]byte{}
	for i := 0; i < 256; i++ {
		if r, ok := table(byte(i)); ok {
			rev[r] = byte(i)
		}
	}
	return &charset{
		dec: func(b []byte) (rune, int, bool) { r, ok := table(b[0]); return r, 1, ok },
		enc: func(r rune) (byte, bool) { c, ok := rev[r]; return c, ok },
	}
}

var charsets = func() map[string]*charset {
	utf := &charset{utf: true}
	ascii := singleByte(func(b byte) (rune, bool) { return rune(b), b < 0x80 })
	latin1 := singleByte(func(b byte) (rune, bool) { return rune(b), true })
	latin9cs := singleByte(func(b byte) (rune, bool) {
		if r, ok := latin9[b]; ok {
			return r, true
		}
		return rune(b), true
	})
	cp1252 := singleByte(func(b byte) (rune, bool) {
		if b >= 0x80 && b < 0xA0 {
			r := cp1252High[b-0x80]
			return r, r != 0
		}
		return rune(b), true
	})
	m := map[string]*charset{}
	for cs, names := range map[*charset][]string{
		utf:      {"UTF-8", "UTF8"},
		ascii:    {"ASCII", "US-ASCII", "ANSI_X3.4-1968", "646", "US"},
		latin1:   {"ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1", "L1", "CP819"},
		latin9cs: {"ISO-8859-15", "ISO8859-15", "ISO_8859-15", "LATIN-9", "LATIN9"},
		cp1252:   {"WINDOWS-1252", "CP1252", "MS-ANSI"},
	} {
		for _, n := range names {
			m[n] = cs
		}
	}
	return m
}()

func iconvFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{{
		Name: "ICONV", Synopsis: "Converts charsets of strings.", Syntax: "ICONV(in-charset,out-charset,string)",
		Description: "Converts string from in-charset into out-charset. For available charsets, use iconv -l on your shell command line. (gostrisk: UTF-8, ASCII, ISO-8859-1, ISO-8859-15 and WINDOWS-1252, with //TRANSLIT and //IGNORE.)",
		Read: func(_ *pbx.Channel, s string) (string, error) {
			if s == "" {
				return "", fmt.Errorf("Syntax: ICONV(<in-charset>,<out-charset>,<text>) - missing arguments!")
			}
			a := args(s)
			if len(a) < 3 {
				return "", fmt.Errorf("Syntax: ICONV(<in-charset>,<out-charset>,<text>) %d", len(a))
			}
			out, warn, err := iconv(a[0], a[1], a[2])
			if err != nil {
				return "", err
			}
			if warn != "" {
				e.Log().Warning("%s\n", warn)
			}
			return out, nil
		},
	}}
}

// iconv converts text; on an illegal sequence it returns what was
// converted before it and the warning, as func_iconv.c keeps the partial
// output.
func iconv(from, to, text string) (out, warn string, err error) {
	target, suffix, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(to)), "//")
	translit := strings.Contains(suffix, "TRANSLIT")
	ignore := strings.Contains(suffix, "IGNORE")
	src, sok := charsets[strings.ToUpper(strings.TrimSpace(from))]
	dst, dok := charsets[target]
	if !sok || !dok {
		return "", "", errorf("conversion from '%s' to '%s' not available. type 'iconv -l' in a shell to list the supported charsets.", from, to)
	}
	var b strings.Builder
	in := []byte(text)
	for len(in) > 0 {
		var r rune
		var n int
		ok := true
		if src.utf {
			r, n = utf8.DecodeRune(in)
			if r == utf8.RuneError && n <= 1 {
				if !utf8.FullRune(in) {
					return b.String(), "Iconv: incomplete character sequence.", nil
				}
				ok = false
			}
		} else {
			r, n, ok = src.dec(in)
		}
		in = in[n:]
		if !ok {
			if ignore {
				continue
			}
			return b.String(), "Iconv: illegal character.", nil
		}
		if dst.utf {
			b.WriteRune(r)
			continue
		}
		if c, ok := dst.enc(r); ok {
			b.WriteByte(c)
			continue
		}
		switch {
		case translit:
			b.WriteString(translitRune(r))
		case ignore:
		default:
			return b.String(), "Iconv: illegal character.", nil
		}
	}
	return b.String(), "", nil
}

// translitRune approximates glibc's //TRANSLIT: a letter loses its
// accent, typographic signs become ASCII, anything else is "?".
func translitRune(r rune) string {
	if s, ok := translitTable[r]; ok {
		return s
	}
	return "?"
}

var translitTable = func() map[rune]string {
	m := map[rune]string{
		'€': "EUR", '‘': "'", '’': "'", '‚': ",", '“': "\"", '”': "\"", '„': ",,", '…': "...",
		'–': "-", '—': "-", '•': "o", '™': "(TM)", '©': "(C)", '®': "(R)", '«': "<<", '»': ">>",
		'ß': "ss", 'Æ': "AE", 'æ': "ae", 'Œ': "OE", 'œ': "oe", 'Ø': "O", 'ø': "o", '\u00a0': " ",
	}
	for base, accented := range map[string]string{
		"A": "ÀÁÂÃÄÅ", "a": "àáâãäå", "C": "Ç", "c": "ç", "E": "ÈÉÊË", "e": "èéêë",
		"I": "ÌÍÎÏ", "i": "ìíîï", "N": "Ñ", "n": "ñ", "O": "ÒÓÔÕÖ", "o": "òóôõö",
		"U": "ÙÚÛÜ", "u": "ùúûü", "Y": "ÝŸ", "y": "ýÿ", "S": "Š", "s": "š", "Z": "Ž", "z": "ž",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()
