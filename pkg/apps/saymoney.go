package apps

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// SayMoney and SayOrdinal (pbx_builtins.c, Asterisk 18.16+) with say.c's
// file lists, which exist in English only: other languages log a warning
// and are said in English. These lists are played as say.c's
// say_filenames does: the first file that cannot be played ends the list
// with a failure.

var sayMoneyApp = &pbx.App{
	Name:        "SayMoney",
	Synopsis:    "Say Money.",
	Syntax:      "SayMoney(dollars)",
	Description: "This application will play the currency sounds for the given floating point number in the current language. Currently only English and US Dollars is supported. If the channel variable SAY_DTMF_INTERRUPT is set to 'true' (case insensitive), then this application will react to DTMF in the same way as Background.",
	Arguments:   "dollars",
	SeeAlso:     "SayAlpha, SayNumber, SayOrdinal, SayPhonetic, CHANNEL, SAYFILES",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		files := moneyFiles(ch.Engine().Log(), data, ch.Language())
		res, failed := sayFilenames(ch, files)
		if failed {
			return pbx.HangupResult, nil
		}
		return res, nil
	},
}

var sayOrdinalApp = &pbx.App{
	Name:        "SayOrdinal",
	Synopsis:    "Say Ordinal Number.",
	Syntax:      "SayOrdinal(digits[,gender])",
	Description: "This application will play the ordinal sounds that correspond to the given digits (e.g. 1st, 42nd). Currently only English is supported.\n\nOptionally, a gender may be specified. This will use the language that is currently set for the channel. See the CHANNEL() function for more information on setting the language for the channel. If the channel variable SAY_DTMF_INTERRUPT is set to 'true' (case insensitive), then this application will react to DTMF in the same way as Background.",
	Arguments:   "digits\ngender",
	SeeAlso:     "SayAlpha, SayDigits, SayMoney, SayNumber, SayPhonetic, CHANNEL, SAYFILES",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		log := ch.Engine().Log()
		n, numArg, _, res, ok := sayNumberArgs(ch, "SayOrdinal", data)
		if !ok {
			return res, nil
		}
		lang := ch.Language()
		if !isEnglish(lang) {
			log.Warning("Language %s not currently supported, defaulting to English\n", lang)
		}
		res, failed := sayFilenames(ch, ordinalEN(log, int(n)))
		if failed {
			if !ch.HangupRequested() {
				log.Warning("We were unable to say the number %s, is it too large?\n", numArg)
			}
			// Unlike SayMoney, SayOrdinal fails the channel only when keys
			// may interrupt it (it returns say.c's result then).
			if sayInterrupt(ch) != nil {
				return pbx.HangupResult, nil
			}
			return pbx.Continue, nil
		}
		return res, nil
	},
}

func isEnglish(lang string) bool { return len(lang) >= 2 && strings.EqualFold(lang[:2], "en") }

// sayFilenames plays files in the channel's language, interruptible as
// SAY_DTMF_INTERRUPT says; failed is true when a file could not be played
// or the channel hung up.
func sayFilenames(ch *pbx.Channel, files []string) (res pbx.Result, failed bool) {
	lang := ch.Language()
	brk := sayInterrupt(ch)
	for _, f := range files {
		r, err := openSound(ch, f, lang)
		if err != nil {
			return pbx.HangupResult, true
		}
		d, err := waitStream(ch, play(ch, r), brk)
		if err != nil && isChannelEnd(err) || ch.HangupRequested() {
			return pbx.HangupResult, true
		}
		if d != 0 {
			return collectExten(ch, d), false
		}
	}
	return pbx.Continue, false
}

// moneyFiles is say.c's English dollars and cents: the amount is read as
// a floating point number (0 when it is none) and truncated to cents.
func moneyFiles(log pbx.Logger, s, lang string) []string {
	if !isEnglish(lang) {
		log.Warning("Language %s not currently supported, defaulting to US Dollars\n", lang)
	}
	var dollars float64
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%g", &dollars); err != nil {
		dollars = 0
	}
	// The C conversions, float to int by truncation, kept for the same
	// cents (1.15 is 114 cents there too).
	amt := int(dollars * 100)
	cents := amt - int(dollars)*100
	number := func(n int) []string {
		if !isEnglish(lang) {
			log.Warning("Language %s not currently supported, defaulting to English\n", lang)
		}
		return cardinalEN(log, n)
	}
	var out []string
	if amt >= 100 {
		out = append(out, number(amt/100)...)
		switch {
		case amt < 200 && cents > 0:
			out = append(out, "letters/dollar_")
		case amt < 200:
			out = append(out, "letters/dollar")
		default:
			out = append(out, "dollars")
		}
		if cents > 0 {
			out = append(out, "and")
		}
	}
	switch {
	case cents > 0:
		out = append(out, number(cents)...)
		if cents == 1 {
			out = append(out, "cent")
		} else {
			out = append(out, "cents")
		}
	case amt == 0:
		out = append(out, "digits/0", "cents")
	}
	return out
}

// cardinalEN is say.c's English number list for SayMoney and the
// thousands of SayOrdinal (no "and", as SayNumber's English).
func cardinalEN(log pbx.Logger, n int) []string {
	if n == 0 {
		return []string{"digits/0"}
	}
	return numberList(log, n, false)
}

// ordinalEN is say.c's English ordinal list: the last word takes its
// "h-" form (digits/h-3, digits/h-hundred, digits/h-thousand...). 0 says
// nothing.
func ordinalEN(log pbx.Logger, n int) []string {
	return numberList(log, n, true)
}

func numberList(log pbx.Logger, n int, ordinal bool) []string {
	var out []string
	h := func(plain, last string, end bool) string {
		if ordinal && end {
			return last
		}
		return plain
	}
	hundred := false
	for n != 0 || hundred {
		switch {
		case n < 0:
			out = append(out, "digits/minus")
			n = -n
		case hundred:
			out = append(out, h("digits/hundred", "digits/h-hundred", n%100 == 0))
			hundred = false
		case n < 20:
			out = append(out, h(fmt.Sprintf("digits/%d", n), fmt.Sprintf("digits/h-%d", n), true))
			n = 0
		case n < 100:
			base := n / 10 * 10
			out = append(out, h(fmt.Sprintf("digits/%d", base), fmt.Sprintf("digits/h-%d", base), base == n))
			n %= 10
		case n < 1000:
			out = append(out, fmt.Sprintf("digits/%d", n/100))
			hundred = true
			n %= 100
		case n < 1000000:
			out = append(out, cardinalEN(log, n/1000)...)
			n %= 1000
			out = append(out, h("digits/thousand", "digits/h-thousand", n == 0))
		case n < 1000000000:
			out = append(out, cardinalEN(log, n/1000000)...)
			n %= 1000000
			out = append(out, h("digits/million", "digits/h-million", n == 0))
		default:
			out = append(out, cardinalEN(log, n/1000000000)...)
			n %= 1000000000
			out = append(out, h("digits/billion", "digits/h-billion", n == 0))
		}
	}
	return out
}
