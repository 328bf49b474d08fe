package apps

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var privacyManagerApp = &pbx.App{
	Name:     "PrivacyManager",
	Synopsis: "Require phone number to be entered, if no CallerID sent",
	Syntax:   "PrivacyManager([maxretries[,minlength[,options[,context]]]])",
	Description: "If no Caller*ID is sent, PrivacyManager answers the channel and asks the caller to enter their phone number. " +
		"The caller is given maxretries attempts to do so. The application does nothing if Caller*ID was received on the channel.\n\n" +
		"The application sets the following channel variable upon completion:\n" +
		"PRIVACYMGRSTATUS - The status of the privacy manager's attempt to collect a phone number from the user: SUCCESS, FAILED",
	Arguments: "maxretries - Total tries caller is allowed to input a callerid. Defaults to 3.\n" +
		"minlength - Minimum allowable digits in the input callerid number. Defaults to 10.\n" +
		"options - Position reserved for options.\n" +
		"context - Context to check the given callerid against patterns.",
	SeeAlso: "Zapateller",
	Exec:    privacyManager,
}

// positiveArg is sscanf("%d") > 0 of an optional argument: def when the
// argument is empty, def with Asterisk's warning when it is not a
// positive number.
func positiveArg(ch *pbx.Channel, s string, def int, what string) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(leadingDigits(s))
	if err != nil || n <= 0 {
		ch.Engine().Log().Warning("Invalid %s argument: '%s'\n", what, s)
		return def
	}
	return n
}

// leadingDigits is the number sscanf reads at the start of s.
func leadingDigits(s string) string {
	s = strings.TrimLeft(s, " \t")
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func privacyManager(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	log := e.Log()
	if ch.CallerID().Num != "" {
		log.Verbose(3, "CallerID number present: Skipping\n")
		return pbx.Continue, nil
	}
	if !answerIfDown(ch) {
		return pbx.HangupResult, nil
	}
	args := pbx.SplitArgs(data, ',')
	for len(args) < 4 {
		args = append(args, "")
	}
	maxRetries := positiveArg(ch, args[0], 3, "max retries")
	minLength := positiveArg(ch, args[1], 10, "min length")
	checkContext := strings.TrimSpace(args[3])
	say := func(name string) bool {
		_, err := streamAndWait(ch, name, ch.Language(), nil)
		return err == nil || !ch.HangupRequested()
	}
	if !pbx.SleepOrHangup(ch, time.Second) || !say("privacy-unident") {
		return pbx.HangupResult, nil
	}
	var phone string
	got := false
	for retry := 0; retry < maxRetries && !got; retry++ {
		if !say("privacy-prompt") {
			return pbx.HangupResult, nil
		}
		var res getdataResult
		phone, res = readString(ch, nil, 29, 3200*time.Millisecond, 5*time.Second, "#")
		if res == getdataFailed || res == getdataInterrupted {
			return pbx.HangupResult, nil
		}
		if len(phone) >= minLength && (checkContext == "" || e.Exists(ch, checkContext, phone, 1)) {
			got = true
			break
		}
		if !say("privacy-incorrect") {
			return pbx.HangupResult, nil
		}
	}
	if !got {
		ch.SetVar("PRIVACYMGRSTATUS", "FAILED")
		return pbx.Continue, nil
	}
	if !say("privacy-thankyou") {
		return pbx.HangupResult, nil
	}
	// The number is the caller's own entry, to be shown to others.
	ch.SetCallerPresentation("allowed_not_screened", "allowed_not_screened")
	ch.UpdateCallerID(func(id *pbx.CallerID) { id.Num, id.Name = phone, "Privacy Manager" })
	log.Verbose(3, "Changed Caller*ID number to '%s'\n", phone)
	ch.SetVar("PRIVACYMGRSTATUS", "SUCCESS")
	return pbx.Continue, nil
}
