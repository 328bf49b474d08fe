package apps

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var waitDigitApp = &pbx.App{
	Name:     "WaitDigit",
	Synopsis: "Waits for a digit to be entered.",
	Syntax:   "WaitDigit([seconds[,digits]])",
	Description: "This application waits for the user to press one of the accepted digits for a specified number of seconds.\n\n" +
		"WAITDIGITSTATUS is set to one of: ERROR (an invalid argument), DTMF (an accepted digit was received), TIMEOUT (the timeout passed before any acceptable digits were received), " +
		"CANCEL (the channel has hungup or was redirected). WAITDIGITRESULT is the digit that was received, only set if WAITDIGITSTATUS is DTMF.",
	Arguments: "seconds - Can be passed with fractions of a second. For example, 1.5 will ask the application to wait for 1.5 seconds.\ndigits - Digits to accept, all others are ignored.",
	SeeAlso:   "Wait, WaitExten",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		args := pbx.SplitArgs(data, ',')
		d, ok := parseTimelen(args[0], time.Second)
		if !ok || d < 0 {
			ch.SetVar("WAITDIGITSTATUS", "ERROR")
			return pbx.Continue, nil
		}
		accept := anyDigit
		if len(args) > 1 && args[1] != "" {
			accept = digitsIn(args[1])
		}
		deadline := time.Now().Add(d)
		for {
			rest := time.Until(deadline)
			if rest < 0 {
				rest = 0
			}
			k, err := waitDigit(ch, rest)
			if err != nil {
				ch.SetVar("WAITDIGITSTATUS", "CANCEL")
				return pbx.HangupResult, nil
			}
			if k == 0 {
				ch.SetVar("WAITDIGITSTATUS", "TIMEOUT")
				return pbx.Continue, nil
			}
			if accept(k) {
				ch.SetVar("WAITDIGITRESULT", string(k))
				ch.SetVar("WAITDIGITSTATUS", "DTMF")
				return pbx.Continue, nil
			}
		}
	},
}

var proceedingApp = &pbx.App{
	Name:        "Proceeding",
	Synopsis:    "Indicate proceeding.",
	Syntax:      "Proceeding()",
	Description: "This application will request that a proceeding message be provided to the calling channel.",
	Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		indicate(ch, pbx.IndProceeding)
		return pbx.Continue, nil
	},
}

// parseTimelen reads a duration as ast_app_parse_timelen does: a number
// with an optional unit h, m, s or ms (any case), in unit when none is
// given; ok is false for text that is no such duration.
func parseTimelen(s string, unit time.Duration) (time.Duration, bool) {
	s = strings.TrimLeft(s, " \t")
	i := 0
	for i < len(s) && strings.IndexByte("+-0123456789.eE", s[i]) >= 0 {
		i++
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, false
	}
	switch strings.ToLower(strings.TrimLeft(s[i:], " \t")) {
	case "":
	case "h":
		unit = time.Hour
	case "m":
		unit = time.Minute
	case "s":
		unit = time.Second
	case "ms":
		unit = time.Millisecond
	default:
		return 0, false
	}
	return time.Duration(n * float64(unit)), true
}
