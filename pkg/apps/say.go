package apps

import (
	"fmt"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// The say applications turn digits, numbers, letters and dates into a list
// of prompts, built by the pure functions below (so tests compare file
// lists), the way Asterisk's say.c builds them for English and French.

// sayHow is how a prompt of a list is played, after the say.c routine
// that would play it.
type sayHow uint8

const (
	// sayIfExists: left out silently when missing (ast_get_digit_str and
	// ast_get_character_str check each file first).
	sayIfExists sayHow = iota
	// sayPlay: played with ast_streamfile; a missing file logs its
	// warnings and the list goes on.
	sayPlay
	// sayWaitFile: say.c's wait_file; a missing file logs "Unable to play
	// message" and ends the list.
	sayWaitFile
)

type sayItem struct {
	file string
	how  sayHow
	alt  string // played instead when file is missing and alt is not
}

func items(how sayHow, files ...string) []sayItem {
	out := make([]sayItem, len(files))
	for i, f := range files {
		out[i] = sayItem{file: f, how: how}
	}
	return out
}

// names lists the files of a sequence.
func names(seq []sayItem) []string {
	out := make([]string, len(seq))
	for i, it := range seq {
		out[i] = it.file
	}
	return out
}

// sayDigitFiles is ast_get_digit_str.
func sayDigitFiles(s string) []sayItem {
	var out []sayItem
	for _, c := range s {
		switch {
		case c == '*':
			out = append(out, sayItem{file: "digits/star"})
		case c == '#':
			out = append(out, sayItem{file: "digits/pound"})
		case c == '-':
			out = append(out, sayItem{file: "digits/minus"})
		case c >= '0' && c <= '9':
			out = append(out, sayItem{file: "digits/" + string(c)})
		}
	}
	return out
}

// Case sensitivity of SayAlphaCase (ast_say_case_sensitivity).
const (
	caseNone = iota
	caseUpper
	caseLower
	caseAll
)

var punctuation = map[rune]string{
	'*': "digits/star", '#': "digits/pound", '!': "letters/exclaimation-point",
	'@': "letters/at", '$': "letters/dollar", '-': "letters/dash", '.': "letters/dot",
	'=': "letters/equals", '+': "letters/plus", '/': "letters/slash", ' ': "letters/space",
}

// sayAlphaFiles is ast_get_character_str: letters, digits and signs, with
// "uppercase"/"lowercase" announced before letters of the case asked for.
// A character without a prompt of its own is tried as letters/ascii<code>.
func sayAlphaFiles(s string, sensitivity int) []sayItem {
	var out []sayItem
	for _, c := range s {
		ascii := fmt.Sprintf("letters/ascii%d", c)
		if f, ok := punctuation[c]; ok {
			out = append(out, sayItem{f, sayIfExists, ascii})
			continue
		}
		switch {
		case c >= '0' && c <= '9':
			out = append(out, sayItem{"digits/" + string(c), sayIfExists, ascii})
			continue
		case c >= 'A' && c <= 'Z':
			if sensitivity == caseUpper || sensitivity == caseAll {
				out = append(out, sayItem{"uppercase", sayIfExists, ""})
			}
			c += 'a' - 'A'
		case c >= 'a' && c <= 'z':
			if sensitivity == caseLower || sensitivity == caseAll {
				out = append(out, sayItem{"lowercase", sayIfExists, ""})
			}
		}
		out = append(out, sayItem{"letters/" + string(c), sayIfExists, ascii})
	}
	return out
}

// sayPhoneticFiles is ast_get_phonetic_str: the NATO alphabet for
// letters ("phonetic/a_p" is alfa), digits 0-8 from digits/ and the signs
// SayAlpha knows; '9' has phonetic/9_p ("niner"). Characters without a
// prompt are skipped.
func sayPhoneticFiles(s string) []sayItem {
	var out []sayItem
	for _, c := range s {
		if f, ok := punctuation[c]; ok {
			out = append(out, sayItem{file: f})
			continue
		}
		switch {
		case c >= '0' && c <= '8':
			out = append(out, sayItem{file: "digits/" + string(c)})
		default:
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, sayItem{file: "phonetic/" + string(c) + "_p"})
		}
	}
	return out
}

// isFrench picks say.c's French rules; every other language gets the
// English ones, as say.c's default.
func isFrench(lang string) bool { return len(lang) >= 2 && strings.EqualFold(lang[:2], "fr") }

// sayNumberFiles is ast_say_number_full for the channel's language.
func sayNumberFiles(n int, lang, options string) []sayItem {
	if n == 0 {
		return sayDigitFiles("0")
	}
	if isFrench(lang) {
		return items(sayPlay, numberFR(n, strings.HasPrefix(strings.ToLower(options), "f"))...)
	}
	return items(sayPlay, numberEN(n)...)
}

// numberEN is say.c's English number: "digits/2 digits/hundred digits/40
// digits/2", thousands, millions and billions said as a number then
// their name.
func numberEN(n int) []string {
	var out []string
	if n < 0 {
		out = append(out, "digits/minus")
		if n == math.MinInt32 {
			return out
		}
		n = -n
	}
	for n > 0 {
		switch {
		case n < 20:
			out = append(out, fmt.Sprintf("digits/%d", n))
			n = 0
		case n < 100:
			out = append(out, fmt.Sprintf("digits/%d", n/10*10))
			n %= 10
		case n < 1000:
			out = append(out, fmt.Sprintf("digits/%d", n/100), "digits/hundred")
			n %= 100
		case n < 1000000:
			out = append(append(out, numberEN(n/1000)...), "digits/thousand")
			n %= 1000
		case n < 1000000000:
			out = append(append(out, numberEN(n/1000000)...), "digits/million")
			n %= 1000000
		default:
			out = append(append(out, numberEN(n/1000000000)...), "digits/billion")
			n %= 1000000000
		}
	}
	return out
}

// numberFR is say.c's French number: 21 "digits/20 digits/et digits/1",
// 71 "digits/60 digits/et digits/11", 80 "digits/80", 91 "digits/80
// digits/11", 100 "digits/hundred", 200 "digits/2 digits/hundred".
// female says 1 as "digits/1F".
func numberFR(n int, female bool) []string {
	var out []string
	if n < 0 {
		out = append(out, "digits/minus")
		if n == math.MinInt32 {
			return out
		}
		n = -n
	}
	for n > 0 {
		switch {
		case n == 1:
			if female {
				out = append(out, "digits/1F")
			} else {
				out = append(out, "digits/1")
			}
			n = 0
		case n < 21:
			out = append(out, fmt.Sprintf("digits/%d", n))
			n = 0
		case n < 70:
			out = append(out, fmt.Sprintf("digits/%d", n/10*10))
			if n%10 == 1 {
				out = append(out, "digits/et")
			}
			n %= 10
		case n < 80:
			out = append(out, "digits/60")
			if n%10 == 1 {
				out = append(out, "digits/et")
			}
			n -= 60
		case n < 100:
			out = append(out, "digits/80")
			n -= 80
		case n < 200:
			out = append(out, "digits/hundred")
			n -= 100
		case n < 1000:
			out = append(out, fmt.Sprintf("digits/%d", n/100), "digits/hundred")
			n %= 100
		case n < 2000:
			out = append(out, "digits/thousand")
			n -= 1000
		case n < 1000000:
			out = append(append(out, numberFR(n/1000, female)...), "digits/thousand")
			n %= 1000
		case n < 1000000000:
			out = append(append(out, numberFR(n/1000000, female)...), "digits/million")
			n %= 1000000
		default:
			// say.c gives up on numbers of a billion or more in French
			return out
		}
	}
	return out
}

// enumerationEN is say.c's English ordinal ("digits/h-1" first, "digits/20
// digits/h-1" twenty-first).
func enumerationEN(n int) []string {
	var out []string
	t := false
	for n > 0 {
		switch {
		case n < 20:
			out = append(out, fmt.Sprintf("digits/h-%d", n))
			n = 0
		case n < 100:
			tens := n / 10
			n %= 10
			if n == 0 {
				out = append(out, fmt.Sprintf("digits/h-%d", tens*10))
			} else {
				out = append(out, fmt.Sprintf("digits/%d", tens*10))
			}
		case n < 1000:
			hundreds := n / 100
			n %= 100
			if hundreds > 1 || t {
				out = append(out, numberEN(hundreds)...)
			}
			if n != 0 {
				out = append(out, "digits/hundred")
			} else {
				out = append(out, "digits/h-hundred")
			}
		default:
			thousands := n / 1000
			n %= 1000
			if thousands > 1 || t {
				out = append(out, numberEN(thousands)...)
			}
			if n != 0 {
				out = append(out, "digits/thousand")
			} else {
				out = append(out, "digits/h-thousand")
			}
			t = true
		}
	}
	return out
}

// Default SayUnixTime formats of say.c.
const (
	dateFormatEN = "ABdY 'digits/at' IMp"
	dateFormatFR = "AdBY 'digits/at' IMp"
)

// sayDateFiles is ast_say_date_with_format for English and French: the
// prompts that say t (already in its time zone) by format. now is the
// present, for the relative formats Q and q. Unknown letters are
// returned in bad, as say.c warns about them.
func sayDateFiles(t, now time.Time, lang, format string) (seq []sayItem, bad []string) {
	fr := isFrench(lang)
	if format == "" {
		format = dateFormatEN
		if fr {
			format = dateFormatFR
		}
	}
	wait := func(f string) { seq = append(seq, sayItem{file: f, how: sayWaitFile}) }
	number := func(n int) {
		if n == 0 {
			seq = append(seq, sayDigitFiles("0")...)
			return
		}
		if fr {
			seq = append(seq, items(sayPlay, numberFR(n, false)...)...)
		} else {
			seq = append(seq, items(sayPlay, numberEN(n)...)...)
		}
	}
	sub := func(f string) {
		s, b := sayDateFiles(t, now, lang, f)
		seq, bad = append(seq, s...), append(bad, b...)
	}
	hour12 := t.Hour()
	switch {
	case hour12 == 0:
		hour12 = 12
	case hour12 > 12:
		hour12 -= 12
	}
	ampm := "digits/a-m"
	if t.Hour() > 11 {
		ampm = "digits/p-m"
	}
	y, _, _ := now.Date()
	begToday := time.Date(y, now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	for i := 0; i < len(format); i++ {
		switch c := format[i]; c {
		case '\'':
			j := strings.IndexByte(format[i+1:], '\'')
			if j < 0 {
				j = len(format) - i - 1
			}
			wait(format[i+1 : i+1+j])
			i += j + 1
		case 'A', 'a':
			wait(fmt.Sprintf("digits/day-%d", int(t.Weekday())))
		case 'B', 'b', 'h':
			wait(fmt.Sprintf("digits/mon-%d", int(t.Month())-1))
		case 'm':
			if fr {
				wait(fmt.Sprintf("digits/h-%d", int(t.Month())))
			} else {
				seq = append(seq, items(sayPlay, enumerationEN(int(t.Month()))...)...)
			}
		case 'd', 'e':
			switch {
			case !fr:
				seq = append(seq, items(sayPlay, enumerationEN(t.Day())...)...)
			case t.Day() == 1:
				wait("digits/h-1")
			default:
				number(t.Day())
			}
		case 'Y':
			year := t.Year() - 1900
			switch {
			case year < 1:
			case fr && year > 99:
				wait("digits/2")
				wait("digits/thousand")
				if year > 100 {
					number(year - 100)
				}
			case fr:
				wait("digits/thousand")
				wait("digits/9")
				wait("digits/hundred")
				number(year)
			case year > 99:
				number(year + 1900)
			default:
				wait("digits/19")
				if year <= 9 {
					wait("digits/oh")
				}
				number(year)
			}
		case 'I', 'l':
			wait(fmt.Sprintf("digits/%d", hour12))
			if fr {
				wait("digits/oclock")
			}
		case 'H', 'k':
			if fr {
				number(t.Hour())
				wait("digits/oclock")
				break
			}
			if c == 'H' && t.Hour() < 10 || c == 'k' && t.Hour() == 0 {
				wait("digits/oh")
			}
			if h := t.Hour(); h != 0 {
				if h > 20 {
					wait("digits/20")
					h -= 20
				}
				wait(fmt.Sprintf("digits/%d", h))
			}
		case 'M', 'N':
			m := t.Minute()
			switch {
			case fr && m == 0:
			case fr:
				number(m)
			case m == 0 && c == 'M':
				wait("digits/oclock")
			case m == 0:
				wait("digits/hundred")
			case m < 10:
				wait("digits/oh")
				wait(fmt.Sprintf("digits/%d", m))
			default:
				number(m)
			}
		case 'P', 'p':
			wait(ampm)
		case 'Q', 'q':
			d := t.Sub(begToday)
			day := 24 * time.Hour
			switch {
			case fr && d > 0:
				if c == 'Q' {
					wait("digits/today")
				}
			case fr && d > -day:
				wait("digits/yesterday")
			case fr && c == 'q' && d > -6*day:
				sub("A")
			case fr:
				sub("AdBY")
			case d > 15768000*time.Second:
				sub("BdY")
			case d > 2628000*time.Second:
				sub("Bd")
			case d > 6*day:
				sub("ABd")
			case d > 2*day:
				sub("A")
			case d > day:
				wait("digits/tomorrow")
			case d > 0:
				wait("digits/today")
			case d > -day:
				wait("digits/yesterday")
			case d > -6*day:
				sub("A")
			case d > -2628000*time.Second:
				sub("ABd")
			case d > -15768000*time.Second:
				sub("Bd")
			default:
				sub("BdY")
			}
		case 'R':
			sub("HM")
		case 'S':
			s := t.Second()
			switch {
			case fr:
				number(s)
				wait("second")
			case s == 0:
				wait("digits/0")
			case s < 10:
				wait("digits/oh")
				wait(fmt.Sprintf("digits/%d", s))
			default:
				number(s)
			}
		case 'T':
			sub("HMS")
		case ' ', '\t':
		default:
			bad = append(bad, fmt.Sprintf("Unknown character in datetime format %s: %c at pos %d", format, c, i))
		}
	}
	return seq, bad
}

// saySeq plays a prompt list. A key that brk accepts stops it and is
// returned; a channel error ends it.
func saySeq(ch *pbx.Channel, seq []sayItem, lang string, brk func(rune) bool) (rune, error) {
	log := ch.Engine().Log()
	finder := configOf(ch.Engine()).finder
	for _, it := range seq {
		if it.how == sayIfExists && !finder.Exists(it.file, lang) {
			if it.alt == "" || !finder.Exists(it.alt, lang) {
				continue
			}
			it.file = it.alt
		}
		r, err := openSound(ch, it.file, lang)
		if err != nil {
			if ch.HangupRequested() {
				return 0, pbx.ErrHangup
			}
			if it.how == sayWaitFile {
				log.Warning("Unable to play message %s\n", it.file)
				return 0, nil
			}
			continue
		}
		d, err := waitStream(ch, play(ch, r), brk)
		if err != nil && isChannelEnd(err) || ch.HangupRequested() {
			return 0, pbx.ErrHangup
		}
		if d != 0 {
			return d, nil
		}
	}
	return 0, nil
}

// sayInterrupt is SAY_DTMF_INTERRUPT: when true, a key stops the saying
// and starts the dialplan's digit collection, as Background's keys do.
func sayInterrupt(ch *pbx.Channel) func(rune) bool {
	v, _ := ch.Var("SAY_DTMF_INTERRUPT")
	if confparse.True(v) {
		return anyDigit
	}
	return nil
}

// finishSay turns what saySeq returned into the application's result.
// sayFiles plays a Say application's file sequence in the channel's
// language, interruptible as SAY_DTMF_INTERRUPT says, and ends it as
// Asterisk's say applications do.
func sayFiles(ch *pbx.Channel, files []sayItem) pbx.Result {
	d, err := saySeq(ch, files, ch.Language(), sayInterrupt(ch))
	return finishSay(ch, d, err)
}

func finishSay(ch *pbx.Channel, d rune, err error) pbx.Result {
	switch {
	case err != nil:
		return pbx.HangupResult
	case d != 0:
		return collectExten(ch, d)
	}
	return pbx.Continue
}

var sayDigitsApp = &pbx.App{
	Name:        "SayDigits",
	Synopsis:    "Say Digits.",
	Syntax:      "SayDigits(digits)",
	Description: "This application will play the sounds that correspond to the digits of the given number. This will use the language that is currently set for the channel.\nIf the channel variable SAY_DTMF_INTERRUPT is set to 'true' (case insensitive), then this application will react to DTMF in the same way as Background.",
	Arguments:   "digits",
	SeeAlso:     "SayAlpha, SayAlphaCase, SayNumber, SayPhonetic, CHANNEL",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		return sayFiles(ch, sayDigitFiles(data)), nil
	},
}

var sayNumberApp = &pbx.App{
	Name:        "SayNumber",
	Synopsis:    "Say Number.",
	Syntax:      "SayNumber(digits[,gender])",
	Description: "This application will play the sounds that correspond to the given digits. Optionally, a gender may be specified. This will use the language that is currently set for the channel. See the CHANNEL() function for more information on setting the language for the channel.\nIf the channel variable SAY_DTMF_INTERRUPT is set to 'true' (case insensitive), then this application will react to DTMF in the same way as Background.",
	Arguments:   "digits\ngender",
	SeeAlso:     "SayAlpha, SayAlphaCase, SayDigits, SayPhonetic, CHANNEL",
	Exec:        sayNumberExec,
}

// sayNumberArgs reads the (number[,gender]) arguments of SayNumber and
// SayOrdinal with app_saynumber's checks and warnings; when ok is false,
// res is what the application returns.
func sayNumberArgs(ch *pbx.Channel, app, data string) (n int64, numArg, gender string, res pbx.Result, ok bool) {
	log := ch.Engine().Log()
	if strings.TrimSpace(data) == "" {
		log.Warning("%s requires an argument (number)\n", app)
		return 0, "", "", pbx.HangupResult, false
	}
	numArg, gender, hasGender := strings.Cut(data, ",")
	n, err := strconv.ParseInt(strings.TrimSpace(numArg), 10, 32)
	if err != nil {
		log.Warning("argument '%s' to %s could not be parsed as a number.\n", numArg, app)
		return 0, "", "", pbx.Continue, false
	}
	if hasGender {
		gender, _, _ = strings.Cut(gender, ",")
		switch strings.ToLower(gender) {
		case "f", "m", "c", "n":
		default:
			log.Warning("%s gender option is either 'f', 'm', 'c' or 'n'\n", app)
			return 0, "", "", pbx.HangupResult, false
		}
	}
	return n, numArg, gender, pbx.Continue, true
}

func sayNumberExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	n, numArg, options, res, ok := sayNumberArgs(ch, "SayNumber", data)
	if !ok {
		return res, nil
	}
	lang := ch.Language()
	d, err := saySeq(ch, sayNumberFiles(int(n), lang, options), lang, sayInterrupt(ch))
	if err == nil && isFrench(lang) && (n >= 1000000000 || n <= -1000000000) {
		// say.c's French stops at a billion and reports a failure.
		log.Warning("We were unable to say the number %s, is it too large?\n", numArg)
	}
	return finishSay(ch, d, err), nil
}

var sayAlphaApp = &pbx.App{
	Name:        "SayAlpha",
	Synopsis:    "Say Alpha.",
	Syntax:      "SayAlpha(string)",
	Description: "This application will play the sounds that correspond to the letters of the given string. If the channel variable SAY_DTMF_INTERRUPT is set to 'true' (case insensitive), then this application will react to DTMF in the same way as Background.",
	Arguments:   "string",
	SeeAlso:     "SayDigits, SayNumber, SayPhonetic, SayAlphaCase",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		return sayFiles(ch, sayAlphaFiles(data, caseNone)), nil
	},
}

var sayPhoneticApp = &pbx.App{
	Name:        "SayPhonetic",
	Synopsis:    "Say Phonetic.",
	Syntax:      "SayPhonetic(string)",
	Description: "This application will play the sounds from the phonetic alphabet that correspond to the letters in the given string. If the channel variable SAY_DTMF_INTERRUPT is set to 'true' (case insensitive), then this application will react to DTMF in the same way as Background.",
	Arguments:   "string",
	SeeAlso:     "SayAlpha, SayNumber",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		return sayFiles(ch, sayPhoneticFiles(data)), nil
	},
}

var sayAlphaCaseApp = &pbx.App{
	Name:        "SayAlphaCase",
	Synopsis:    "Say Alpha.",
	Syntax:      "SayAlphaCase(casetype,string)",
	Description: "This application will play the sounds that correspond to the letters of the given string. Optionally, a casetype may be specified. This will be used for case-insensitive or case-sensitive pronunciations. If the channel variable SAY_DTMF_INTERRUPT is set to 'true' (case insensitive), then this application will react to DTMF in the same way as Background.",
	Arguments:   "casetype\n    a: Case sensitive (all) pronunciation. (Ex: SayAlphaCase(a,aBc); - lowercase a uppercase b lowercase c).\n    l: Case sensitive (lower) pronunciation. (Ex: SayAlphaCase(l,aBc); - lowercase a b lowercase c).\n    n: Case insensitive pronunciation. Equivalent to SayAlpha. (Ex: SayAlphaCase(n,aBc) - a b c).\n    u: Case sensitive (upper) pronunciation. (Ex: SayAlphaCase(u,aBc); - a uppercase b c).\nstring",
	SeeAlso:     "SayDigits, SayNumber, SayPhonetic, SayAlpha, CHANNEL",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		log := ch.Engine().Log()
		if strings.TrimSpace(data) == "" {
			log.Warning("SayAlphaCase requires two arguments (options, characters)\n")
			return pbx.Continue, nil
		}
		args := append(pbx.SplitArgs(data, ','), "")
		if len(args[0]) != 1 {
			log.Warning("SayAlphaCase options are mutually exclusive and required\n")
			return pbx.Continue, nil
		}
		sens, ok := map[byte]int{'a': caseAll, 'l': caseLower, 'n': caseNone, 'u': caseUpper}[args[0][0]]
		if !ok {
			log.Warning("Invalid option: '%s'\n", args[0])
			return pbx.Continue, nil
		}
		return sayFiles(ch, sayAlphaFiles(args[1], sens)), nil
	},
}

var sayUnixTimeApp = &pbx.App{
	Name:        "SayUnixTime",
	Synopsis:    "Says a specified time in a custom format.",
	Syntax:      "SayUnixTime([unixtime[,timezone[,format[,options]]]])",
	Description: "Uses some of the sound files stored in /var/lib/asterisk/sounds to construct a phrase saying the specified date and/or time in the specified format.",
	Arguments:   "unixtime - time, in seconds since Jan 1, 1970. May be negative. Defaults to now.\ntimezone - timezone, see /usr/share/zoneinfo for a list. Defaults to machine default.\nformat - a format the time is to be said in. See voicemail.conf. Defaults to ABdY \"digits/at\" IMp\noptions\n    j: Allow the calling user to dial digits to jump to that extension. This option is automatically enabled if SAY_DTMF_INTERRUPT is present on the channel and set to 'true' (case insensitive)",
	SeeAlso:     "STRFTIME, STRPTIME, IFTIME",
	Exec:        sayUnixTimeExec,
}

func sayUnixTimeExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	args := append(pbx.SplitArgs(data, ','), "", "", "")
	now := time.Now()
	when := now
	if s := strings.TrimSpace(args[0]); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			when = time.Unix(int64(f), 0)
		}
	}
	loc := time.Local
	if tz := strings.TrimSpace(args[1]); tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	brk := sayInterrupt(ch)
	if hasOption(args[3], 'j') {
		brk = anyDigit
	}
	if !answerIfDown(ch) {
		return pbx.HangupResult, nil
	}
	lang := ch.Language()
	seq, bad := sayDateFiles(when.In(loc), now.In(loc), lang, args[2])
	for _, b := range bad {
		log.Warning("%s\n", b)
	}
	d, err := saySeq(ch, seq, lang, brk)
	return finishSay(ch, d, err), nil
}
