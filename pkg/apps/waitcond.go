package apps

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// app_waitforcond's WaitForCondition(c,expr[,timeout[,interval]]): the
// expression is written with c in place of $ so that the dialplan does
// not evaluate it before the application runs; it is substituted and
// tested every interval until true, the timeout or a hangup.

var waitForConditionApp = &pbx.App{
	Name:        "WaitForCondition",
	Synopsis:    "Wait (sleep) until the given condition is true.",
	Syntax:      "WaitForCondition(replacementchar,expression[,timeout[,interval]])",
	Description: "Waits until expression evaluates to true, checking every interval seconds for up to timeout. Default is evaluate expression every 50 milliseconds with no timeout.\n\nSets WAITFORCONDITIONSTATUS to one of the following values:\n    TRUE: Condition evaluated to true before timeout expired.\n    FAILURE: Invalid argument.\n    TIMEOUT: Timeout elapsed without condition evaluating to true.\n    HANGUP: Channel hung up before condition became true.",
	Arguments:   "replacementchar - Specifies the character in the expression used to replace the $ character. This character should not be used anywhere in the expression itself.\nexpression - A modified logical expression with the $ characters replaced by replacementchar.\ntimeout - The maximum amount of time, in seconds, this application should wait for a condition to become true before dialplan execution continues automatically to the next priority. By default, there is no timeout.\ninterval - The frequency, in seconds, of polling the condition. By default, this is 0.05.",
	Exec:        waitForConditionExec,
}

func waitForConditionExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	fail := func(format string, args ...any) (pbx.Result, error) {
		engineError(e, format, args...)
		ch.SetVar("WAITFORCONDITIONSTATUS", "FAILURE")
		return pbx.Continue, nil
	}
	if data == "" {
		return fail("WaitForCondition requires a condition\n")
	}
	if open := strings.IndexByte(data, '['); open < 0 || !strings.Contains(data[open:], "]") {
		return fail("No expression detected. Did you forget to replace the $ signs?\n")
	}
	rep := data[0]
	if strings.IndexByte("$[]{}", rep) >= 0 {
		return fail("Dollar sign replacement cannot be %c.\n", rep)
	}
	if len(data) < 2 || data[1] != ',' {
		sep := byte(0)
		if len(data) > 1 {
			sep = data[1]
		}
		return fail("Invalid separator: %c\n", sep)
	}
	rest := data[2:]
	if rest == "" || rest[0] != rep {
		first := byte(0)
		if rest != "" {
			first = rest[0]
		}
		return fail("Expression start does not match provided replacement: %c\n", first)
	}
	// Commas may appear in the expression: it ends where its brackets
	// balance again.
	depth, end := 0, -1
	for i := 1; i < len(rest); i++ {
		switch rest[i] {
		case '[':
			depth++
		case ']':
			depth--
		}
		if depth == 0 {
			end = i
			break
		}
	}
	if end < 0 {
		return fail("Could not parse end of expression.\n")
	}
	expression := strings.ReplaceAll(rest[:end+1], string(rep), "$")
	timeout, poll := time.Duration(0), 50*time.Millisecond
	if opt := rest[end+1:]; len(opt) > 1 {
		args := append(pbx.SplitArgs(opt[1:], ','), "", "")
		if a := strings.TrimSpace(args[0]); a != "" {
			secs, err := strconv.ParseFloat(a, 64)
			if err != nil {
				e.Log().Warning("Invalid timeout provided: %s. No timeout set.\n", args[0])
				return pbx.HangupResult, nil
			}
			timeout = time.Duration(secs * float64(time.Second))
		}
		if a := strings.TrimSpace(args[1]); a != "" {
			secs, err := strconv.ParseFloat(a, 64)
			if err != nil {
				e.Log().Warning("Invalid polling interval provided: %s. Default unchanged.\n", args[1])
				return pbx.HangupResult, nil
			}
			if secs < 0.001 {
				e.Log().Warning("Polling interval cannot be less than 1ms. Default unchanged.\n")
				return pbx.HangupResult, nil
			}
			poll = time.Duration(secs * float64(time.Second))
		}
	}
	start := time.Now()
	for {
		if pbx.CheckCondition(e.Substitute(ch, expression)) {
			ch.SetVar("WAITFORCONDITIONSTATUS", "TRUE")
			return pbx.Continue, nil
		}
		if timeout > 0 && time.Since(start) >= timeout {
			ch.SetVar("WAITFORCONDITIONSTATUS", "TIMEOUT")
			return pbx.Continue, nil
		}
		if !pbx.SleepOrHangup(ch, poll) {
			ch.SetVar("WAITFORCONDITIONSTATUS", "HANGUP")
			return pbx.HangupResult, nil
		}
	}
}
