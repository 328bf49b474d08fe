package apps

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var retryDialApp = &pbx.App{
	Name:     "RetryDial",
	Synopsis: "Place a call, retrying on failure allowing an optional exit extension.",
	Syntax:   "RetryDial(announce,sleep,retries,dialargs)",
	Description: "This application will attempt to place a call using the normal Dial application. If no channel can be reached, the announce file will be played. " +
		"Then, it will wait sleep number of seconds before retrying the call. After retries number of attempts, the calling channel will continue at the next priority in the dialplan. " +
		"If the retries setting is set to 0, this application will retry endlessly. While waiting to retry a call, a 1 digit extension may be dialed. " +
		"If that extension exists in either the context defined in EXITCONTEXT or the current one, The call will jump to that extension immediately. " +
		"The dialargs are specified in the same format that arguments are provided to the Dial application.\n\n" +
		"In gostrisk an attempt that was answered ends the retries (Asterisk retries after a call answered with Dial's g option).",
	Arguments: "announce - Filename of sound that will be played when no channel can be reached\n" +
		"sleep - Number of seconds to wait after a dial attempt failed before a new attempt is made\n" +
		"retries - Number of retries. When this is reached flow will continue at the next priority in the dialplan\n" +
		"dialargs - Same format as arguments provided to the Dial application",
	SeeAlso: "Dial",
	Exec:    retryDial,
}

// retryDialArgs are RetryDial's arguments as app_dial reads them: a sleep
// under one second (or none) is ten seconds, zero retries is forever (-1).
type retryDialArgs struct {
	announce string
	sleep    time.Duration
	loops    int
	dial     string
	ok       bool // the fourth argument is there
}

func parseRetryDial(data string) retryDialArgs {
	args := splitArgsN(data, 4)
	a := retryDialArgs{announce: strings.TrimSpace(args[0]), ok: len(args) == 4}
	for len(args) < 4 {
		args = append(args, "")
	}
	n, _ := strconv.Atoi(strings.TrimSpace(args[1]))
	a.sleep = time.Duration(n) * time.Second
	if a.sleep < time.Second {
		a.sleep = 10 * time.Second
	}
	a.loops, _ = strconv.Atoi(strings.TrimSpace(args[2]))
	if a.loops == 0 {
		a.loops = -1
	}
	a.dial = args[3]
	return a
}

func retryDial(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	if strings.TrimSpace(data) == "" {
		log.Warning("RetryDial requires an argument!\n")
		return pbx.HangupResult, nil
	}
	a := parseRetryDial(data)
	if !a.ok {
		logError(ch, "RetryDial requires a 4th argument (dialdata)\n")
		return pbx.HangupResult, nil
	}
	dialOpts := map[byte]string{}
	if da := pbx.SplitArgs(a.dial, ','); len(da) > 2 {
		dialOpts = pbx.ParseAppOptions(da[2])
	}
	_, exitKeys := dialOpts['d']
	music := false
	defer func() {
		if music {
			stopHoldMusic(ch)
		}
	}()
	for a.loops != 0 {
		if music {
			stopHoldMusic(ch)
			music = false
		}
		res, err := dial(ch, a.dial)
		if err != nil || res != pbx.Continue {
			// Dial left the dialplan (G, d, a hang-up) or failed.
			return res, err
		}
		if status, _ := ch.Var("DIALSTATUS"); status == "ANSWER" {
			return pbx.Continue, nil
		}
		var key rune
		if a.announce != "" {
			if SoundExists(ch, a.announce) {
				// With Dial's d a key stops the announcement and counts as
				// the one-digit extension; without it nothing does.
				brk := func(rune) bool { return exitKeys }
				k, err := streamAndWait(ch, a.announce, ch.Language(), brk)
				if err != nil && ch.HangupRequested() {
					return pbx.HangupResult, nil
				}
				key = k
			} else {
				log.Warning("Announce file \"%s\" specified in Retrydial does not exist\n", a.announce)
			}
		}
		if key == 0 {
			music = startHoldMusic(ch, "")
			k, err := waitDigit(ch, a.sleep)
			if err != nil {
				return pbx.HangupResult, nil
			}
			key = k
		}
		if key != 0 {
			var x dialExit
			if x.take(ch, key) {
				return pbx.GotoResult(x.context, x.exten, 1), nil
			}
		}
		if a.loops > 0 {
			a.loops--
		}
	}
	return pbx.Continue, nil
}

// splitArgsN splits data as AST_STANDARD_APP_ARGS does for an application
// with n arguments: the first n-1 are split by SplitArgs' rules and the
// last keeps the rest raw (its commas, quotes and brackets), so that it
// can be parsed again (RetryDial's dialargs, Page's and DISA's tails).
func splitArgsN(data string, n int) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(data) && len(out) < n-1; i++ {
		switch c := data[i]; {
		case c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(' || c == '[':
			depth++
		case (c == ')' || c == ']') && depth > 0:
			depth--
		case c == ',' && depth == 0:
			out = append(out, pbx.SplitArgs(data[start:i], 0)[0])
			start = i + 1
		}
	}
	return append(out, data[start:])
}

// errorLogger is the logger's optional ERROR level (pkg/logger has it).
type errorLogger interface {
	Error(format string, args ...any)
}

// logError logs at ERROR on ch's engine (see engineError).
func logError(ch *pbx.Channel, format string, args ...any) {
	engineError(ch.Engine(), format, args...)
}

// engineError logs at ERROR where the logger has that level, else WARNING.
func engineError(e *pbx.Engine, format string, args ...any) {
	log := e.Log()
	if el, ok := log.(errorLogger); ok {
		el.Error(format, args...)
		return
	}
	log.Warning(format, args...)
}
