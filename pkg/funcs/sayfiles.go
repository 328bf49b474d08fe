package funcs

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_sayfiles.c's SAYFILES: the '&'-joined prompt list
// say.c's ast_get_*_str builds for alpha, phonetic, digits, number,
// ordinal and money. Number, ordinal and money are say.c's English rules,
// which it also uses (with a warning) for every other language; alpha,
// phonetic and digits keep only the prompts that exist in the channel's
// language, as ast_fileexists does there.

func sayFilesFuncs(e *pbx.Engine, deps Deps) []pbx.Function {
	return []pbx.Function{{
		Name: "SAYFILES", Synopsis: "Returns the ampersand-delimited file names that would be played by the Say applications (e.g. SayAlpha, SayDigits).",
		Syntax:      "SAYFILES(value[,type])",
		Description: "Returns the files that would be played by a Say application. These filenames could then be passed directly into Playback, BackGround, Read, Queue, or any application which supports playback of multiple ampersand-delimited files. type: alpha (default), phonetic, digits, number, ordinal, money.",
		Read: func(ch *pbx.Channel, s string) (string, error) {
			if s == "" {
				e.Log().Warning("SAYFILES requires an argument\n")
				return "", nil
			}
			a := args(s)
			value, typ := arg(a, 0), arg(a, 1)
			if typ == "" {
				typ = "alpha"
			}
			lang := "en"
			if ch != nil {
				lang = ch.Language()
			}
			exists := func(name string) bool {
				if ch == nil || deps.SoundExists == nil {
					return true
				}
				return deps.SoundExists(ch, name)
			}
			var files []string
			switch typ {
			case "alpha":
				files = sayAlphaNames(value, exists)
			case "phonetic":
				files = sayPhoneticNames(value, exists)
			case "digits":
				files = sayDigitNames(value, exists)
			case "number", "ordinal":
				n, err := strconv.ParseInt(strings.TrimLeft(value, " \t"), 10, 32)
				if err != nil {
					return "", fmt.Errorf("Invalid numeric argument: %s", value)
				}
				if !strings.HasPrefix(strings.ToLower(lang), "en") {
					e.Log().Warning("Language %s not currently supported, defaulting to English\n", lang)
				}
				if typ == "number" {
					files = sayNumberNames(int(n), exists)
				} else {
					files = sayOrdinalNames(int(n))
				}
			case "money":
				if !strings.HasPrefix(strings.ToLower(lang), "en") {
					e.Log().Warning("Language %s not currently supported, defaulting to US Dollars\n", lang)
				}
				files = sayMoneyNames(value, exists)
			default:
				return "", fmt.Errorf("Invalid say type specified: %s", typ)
			}
			return strings.Join(files, "&"), nil
		},
	}}
}

var saySigns = map[byte]string{
	'*': "digits/star", '#': "digits/pound", '!': "letters/exclaimation-point",
	'@': "letters/at", '$': "letters/dollar", '-': "letters/dash", '.': "letters/dot",
	'=': "letters/equals", '+': "letters/plus", '/': "letters/slash", ' ': "letters/space",
}

// sayAlphaNames is ast_get_character_str without case announcements: a
// character without its prompt is tried as letters/ascii<code> (the code
// of a signed C char).
func sayAlphaNames(s string, exists func(string) bool) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		c := s[i]
		fn, ok := saySigns[c]
		switch {
		case ok:
		case c >= '0' && c <= '9':
			fn = "digits/" + string(c)
		case c >= 'A' && c <= 'Z':
			fn = "letters/" + string(c+'a'-'A')
		default:
			fn = "letters/" + string(c)
		}
		if exists(fn) {
			out = append(out, fn)
		} else if alt := "letters/ascii" + strconv.Itoa(int(int8(c))); exists(alt) {
			out = append(out, alt)
		}
	}
	return out
}

// sayPhoneticNames is ast_get_phonetic_str: 0-8 from digits/, everything
// else phonetic/<c>_p ('9' is phonetic/9_p, "niner").
func sayPhoneticNames(s string, exists func(string) bool) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		c := s[i]
		fn, ok := saySigns[c]
		switch {
		case ok:
		case c >= '0' && c <= '8':
			fn = "digits/" + string(c)
		default:
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			fn = "phonetic/" + string(c) + "_p"
		}
		if exists(fn) {
			out = append(out, fn)
		}
	}
	return out
}

// sayDigitNames is ast_get_digit_str.
func sayDigitNames(s string, exists func(string) bool) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		var fn string
		switch c := s[i]; {
		case c == '*':
			fn = "digits/star"
		case c == '#':
			fn = "digits/pound"
		case c == '-':
			fn = "digits/minus"
		case c >= '0' && c <= '9':
			fn = "digits/" + string(c)
		default:
			continue
		}
		if exists(fn) {
			out = append(out, fn)
		}
	}
	return out
}

// sayNumberNames is say.c's get_number_str_en.
func sayNumberNames(n int, exists func(string) bool) []string {
	if n == 0 {
		return sayDigitNames("0", exists)
	}
	return sayNumberEN(n, false)
}

// sayOrdinalNames is say.c's get_ordinal_str_en (0 says nothing).
func sayOrdinalNames(n int) []string { return sayNumberEN(n, true) }

// sayNumberEN builds an English cardinal or ordinal: the last word of an
// ordinal is its h- form (digits/h-5, digits/h-hundred, digits/h-thousand);
// the thousands, millions and billions in front are cardinals.
func sayNumberEN(n int, ordinal bool) []string {
	var out []string
	if n < 0 {
		out = append(out, "digits/minus")
		if n == math.MinInt32 {
			return out
		}
		n = -n
	}
	for _, big := range []struct {
		div  int
		name string
	}{{1000000000, "billion"}, {1000000, "million"}, {1000, "thousand"}} {
		if n < big.div {
			continue
		}
		out = append(out, sayNumberEN(n/big.div, false)...)
		n %= big.div
		if ordinal && n == 0 {
			return append(out, "digits/h-"+big.name)
		}
		out = append(out, "digits/"+big.name)
	}
	if n >= 100 {
		out = append(out, "digits/"+strconv.Itoa(n/100))
		n %= 100
		if ordinal && n == 0 {
			return append(out, "digits/h-hundred")
		}
		out = append(out, "digits/hundred")
	}
	if n >= 20 {
		tens := n / 10 * 10
		n %= 10
		if ordinal && n == 0 {
			return append(out, "digits/h-"+strconv.Itoa(tens))
		}
		out = append(out, "digits/"+strconv.Itoa(tens))
	}
	if n > 0 {
		if ordinal {
			return append(out, "digits/h-"+strconv.Itoa(n))
		}
		out = append(out, "digits/"+strconv.Itoa(n))
	}
	return out
}

// sayMoneyNames is say.c's ast_get_money_en_dollars_str: dollars and
// cents parsed from the text (no float rounding), "dollar"/"dollars",
// "and", "cent"/"cents"; nothing at all for an empty value.
func sayMoneyNames(s string, exists func(string) bool) []string {
	if s == "" {
		return nil
	}
	dollars, cents := 0, 0
	whole, frac, hasDot := strings.Cut(s, ".")
	if !strings.HasPrefix(s, ".") {
		d, err := strconv.Atoi(leadingInt(whole))
		if err != nil {
			hasDot = false
		}
		dollars = d
	}
	if hasDot && len(frac) > 0 && frac[0] >= '0' && frac[0] <= '9' {
		end := 0
		for end < len(frac) && end < 2 && frac[end] >= '0' && frac[end] <= '9' {
			end++
		}
		cents, _ = strconv.Atoi(frac[:end])
	}
	amt := dollars*100 + cents
	var out []string
	if amt >= 100 {
		out = append(out, sayNumberNames(amt/100, exists)...)
		switch {
		case amt >= 200:
			out = append(out, "dollars")
		case cents > 0:
			out = append(out, "letters/dollar_")
		default:
			out = append(out, "letters/dollar")
		}
		if cents > 0 {
			out = append(out, "and")
		}
	}
	switch {
	case cents > 0:
		out = append(out, sayNumberNames(cents, exists)...)
		if cents == 1 {
			out = append(out, "cent")
		} else {
			out = append(out, "cents")
		}
	case amt == 0:
		out = append(out, sayDigitNames("0", exists)...)
		out = append(out, "cents")
	}
	return out
}
