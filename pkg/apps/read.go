package apps

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var readApp = &pbx.App{
	Name:     "Read",
	Synopsis: "Read a variable.",
	Syntax:   "Read(variable[,filename[&filename2[&...]][,maxdigits[,options[,attempts[,timeout]]]]])",
	Description: "Reads a #-terminated string of digits a certain number of times from the user in to the given variable.\n" +
		"This application sets the following channel variable upon completion:\n" +
		"READSTATUS - This is the status of the read operation.\n    OK\n    ERROR\n    HANGUP\n    INTERRUPTED\n    SKIPPED\n    TIMEOUT",
	Arguments: "variable - The input digits will be stored in the given variable name.\n" +
		"filenames - file(s) to play before reading digits or tone with option i\n" +
		"maxdigits - Maximum acceptable number of digits. Stops reading after maxdigits have been entered (without requiring the user to press the '#' key). Defaults to '0' - no limit - wait for the user press the '#' key. Any value below '0' means the same. Max accepted value is '255'.\n" +
		"options\n" +
		"    s: to return immediately if the line is not up.\n" +
		"    i: to play filename as an indication tone from your indications.conf.\n" +
		"    n: to read digits even if the line is not up.\n" +
		"    t: Terminator digits (default '#').\n" +
		"attempts - If greater than '1', that many attempts will be made in the event no data is entered.\n" +
		"timeout - The number of seconds to wait for a digit response. If greater than '0', that value will override the default timeout. Can be floating point.",
	SeeAlso: "SendDTMF",
	Exec:    readExec,
}

// The outcomes of reading a string of digits (Asterisk's ast_getdata_result).
type getdataResult int

const (
	getdataFailed getdataResult = iota - 1
	getdataComplete
	getdataTimeout
	getdataInterrupted
	getdataEmptyEndTerminated
)

// forever is Asterisk's "no timeout" for digit reads (a billion ms).
const forever = 1000000 * time.Second

func readExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	status := "ERROR"
	ch.SetVar("READSTATUS", status)
	if strings.TrimSpace(data) == "" {
		log.Warning("Read requires an argument (variable)\n")
		return pbx.Continue, nil
	}
	args := append(pbx.SplitArgs(data, ','), "", "", "", "", "")
	variable, prompt, maxArg, optArg := args[0], args[1], args[2], args[3]
	opts := pbx.ParseAppOptions(optArg)
	tries := 1
	if n := atoiPrefix(args[4]); n > 0 {
		tries = n
	}
	var timeout time.Duration
	if f, err := strconv.ParseFloat(strings.TrimSpace(args[5]), 64); err == nil && f > 0 {
		timeout = time.Duration(f * float64(time.Second))
	}
	maxDigits := 255
	if strings.TrimSpace(maxArg) != "" {
		if n := atoiPrefix(maxArg); n >= 1 && n <= 255 {
			maxDigits = n
			log.Verbose(3, "Accepting a maximum of %d digits.\n", maxDigits)
		}
	}
	if variable == "" {
		log.Warning("Invalid! Usage: Read(variable[,filename][,maxdigits][,option][,attempts][,timeout])\n\n")
		return pbx.Continue, nil
	}
	var tones *dsp.ToneList
	if hasKey(opts, 'i') && prompt != "" {
		if l, ok := toneByName(ch, prompt); ok {
			tones = &l
		}
	}
	terminator := "#"
	if t, ok := opts['t']; ok {
		terminator = t // empty: no key ends the input
	}
	if ch.State() != pbx.StateUp {
		if hasKey(opts, 's') {
			ch.SetVar(variable, "")
			ch.SetVar("READSTATUS", "SKIPPED")
			return pbx.Continue, nil
		}
		if !hasKey(opts, 'n') && !answerIfDown(ch) {
			tries = 0
		}
	}
	for tries > 0 {
		var got string
		res := getdataComplete
		if tones != nil {
			got, res, status = readWithTones(ch, *tones, maxDigits, timeout, terminator, status)
		} else {
			got, res = getData(ch, prompt, maxDigits, timeout, terminator)
			switch res {
			case getdataComplete, getdataEmptyEndTerminated:
				status = "OK"
			case getdataTimeout:
				status = "TIMEOUT"
			case getdataInterrupted:
				status = "INTERRUPTED"
			}
		}
		ch.SetVar(variable, got)
		if res == getdataFailed {
			log.Verbose(3, "User disconnected\n")
			break
		}
		if got != "" {
			log.Verbose(3, "User entered '%s'\n", got)
			break
		}
		tries--
		switch {
		case tries == 1:
			log.Verbose(3, "User entered nothing, 1 chance left\n")
		case tries > 1:
			log.Verbose(3, "User entered nothing, %d chances left\n", tries)
		default:
			log.Verbose(3, "User entered nothing.\n")
		}
	}
	if ch.HangupRequested() {
		status = "HANGUP"
	}
	ch.SetVar("READSTATUS", status)
	return pbx.Continue, nil
}

// readWithTones is Read's i option: the tone plays until the first key.
func readWithTones(ch *pbx.Channel, list dsp.ToneList, maxDigits int, timeout time.Duration, terminator, status string) (string, getdataResult, string) {
	if timeout <= 0 {
		timeout = responseTimeout(ch)
	}
	ch.StartGenerator(toneGenerator(list))
	defer ch.StopGenerator()
	var got []rune
	for len(got) < maxDigits {
		d, err := waitDigit(ch, timeout)
		ch.StopGenerator()
		if err != nil {
			return string(got), getdataFailed, status
		}
		if d == 0 {
			return string(got), getdataComplete, "TIMEOUT"
		}
		if strings.ContainsRune(terminator, d) {
			return string(got), getdataComplete, "OK"
		}
		got = append(got, d)
		if len(got) >= maxDigits {
			status = "OK"
		}
	}
	return string(got), getdataComplete, status
}

// getData plays the prompts one after the other and reads digits during
// and after them (ast_app_getdata_terminator): between prompts it waits
// only 50 ms for a first key, after the last the response timeout (or
// timeout when given), then the digit timeout between keys.
func getData(ch *pbx.Channel, prompt string, maxLen int, timeout time.Duration, enders string) (string, getdataResult) {
	files := strings.Split(prompt, "&")
	s, res := "", getdataComplete
	for i, f := range files {
		var p *player
		if f != "" {
			r, err := openSound(ch, f, ch.Language())
			if err != nil {
				res = getdataFailed
				continue
			}
			p = play(ch, r)
		}
		var to, fto time.Duration
		if i == len(files)-1 {
			fto, to = responseTimeout(ch), digitTimeout(ch)
			if timeout > 0 {
				fto, to = timeout, timeout
			} else if timeout < 0 {
				fto, to = forever, forever
			}
		} else {
			fto, to = 50*time.Millisecond, digitTimeout(ch)
		}
		s, res = readString(ch, p, maxLen, to, fto, enders)
		if res == getdataEmptyEndTerminated || s != "" {
			return s, res
		}
	}
	return s, res
}

// readString reads keys until a terminator, maxLen keys or a timeout
// (ast_readstring): p, when not nil, is a prompt playing, which any key
// stops; ftimeout is the wait for the first key after it, timeout the
// wait between keys.
func readString(ch *pbx.Channel, p *player, maxLen int, timeout, ftimeout time.Duration, enders string) (string, getdataResult) {
	if ch.HangupRequested() || maxLen == 0 {
		if p != nil {
			p.stop(true)
		}
		return "", getdataFailed
	}
	var s []rune
	to := ftimeout
	for {
		var d rune
		var err error
		if p != nil {
			d, err = waitStream(ch, p, anyDigit)
			p = nil
			if err != nil && !isChannelEnd(err) {
				err = nil // the file failed, not the channel: go on reading keys
			}
			if err == nil && d == 0 {
				d, err = waitDigit(ch, to)
			}
		} else {
			d, err = waitDigit(ch, to)
		}
		switch {
		case errors.Is(err, pbx.ErrInterrupted):
			return string(s), getdataInterrupted
		case err != nil:
			return string(s), getdataFailed
		case d == 0:
			return string(s), getdataTimeout
		}
		end := strings.ContainsRune(enders, d)
		if end && len(s) == 0 {
			return "", getdataEmptyEndTerminated
		}
		if !end {
			s = append(s, d)
		}
		if end || len(s) >= maxLen {
			return string(s), getdataComplete
		}
		to = timeout
	}
}

// isChannelEnd tells the channel's own errors from a file's.
func isChannelEnd(err error) bool {
	return errors.Is(err, pbx.ErrHangup) || errors.Is(err, pbx.ErrInterrupted)
}

// atoiPrefix is C's atoi: the leading integer, 0 when there is none.
func atoiPrefix(s string) int {
	s = strings.TrimSpace(s)
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, _ := strconv.Atoi(s[:j])
	return n
}

var readExtenApp = &pbx.App{
	Name:     "ReadExten",
	Synopsis: "Read an extension into a variable.",
	Syntax:   "ReadExten(variable[,filename[,context[,option[,timeout]]]])",
	Description: "Reads a #-terminated string of digits from the user into the given variable.\n" +
		"Will set READEXTENSTATUS on exit with one of the following statuses:\n" +
		"READEXTENSTATUS\n    OK - A valid extension exists in ${variable}.\n    TIMEOUT - No extension was entered in the specified time. Also sets ${variable} to \"t\".\n" +
		"    INVALID - An invalid extension, ${INVALID_EXTEN}, was entered. Also sets ${variable} to \"i\".\n    SKIP - Line was not up and the option 's' was specified.\n    ERROR - Invalid arguments were passed.",
	Arguments: "variable\n" +
		"filename - File to play before reading digits or tone with option 'i'\n" +
		"context - Context in which to match extensions.\n" +
		"option\n" +
		"    s: Return immediately if the channel is not answered.\n" +
		"    i: Play filename as an indication tone from your indications.conf or a directly specified list of frequencies and durations.\n" +
		"    n: Read digits even if the channel is not answered.\n" +
		"    p: The extension entered will be considered complete when a # is entered.\n" +
		"timeout - An integer number of seconds to wait for a digit response. If greater than 0, that value will override the default timeout.",
	SeeAlso: "Read",
	Exec:    readExtenExec,
}

func readExtenExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	if strings.TrimSpace(data) == "" {
		log.Warning("ReadExten requires at least one argument\n")
		ch.SetVar("READEXTENSTATUS", "ERROR")
		return pbx.Continue, nil
	}
	args := append(pbx.SplitArgs(data, ','), "", "", "", "")
	variable, file, dpc, opts := args[0], args[1], args[2], pbx.ParseAppOptions(args[3])
	if variable == "" {
		log.Warning("Usage: ReadExten(variable[,filename[,context[,options[,timeout]]]])\n")
		ch.SetVar("READEXTENSTATUS", "ERROR")
		return pbx.Continue, nil
	}
	if dpc == "" {
		dpc, _, _ = ch.Location()
	}
	timeout := time.Duration(atoiPrefix(args[4])) * time.Second
	if timeout <= 0 {
		timeout = responseTimeout(ch)
	}
	status := readExten(ch, variable, file, dpc, opts, timeout)
	ch.SetVar("READEXTENSTATUS", status)
	if status == "HANGUP" {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

func readExten(ch *pbx.Channel, variable, file, dpc string, opts map[byte]string, timeout time.Duration) string {
	if ch.State() != pbx.StateUp {
		if hasKey(opts, 's') {
			ch.SetVar(variable, "")
			return "SKIP"
		}
		if !hasKey(opts, 'n') && !answerIfDown(ch) {
			return "HANGUP"
		}
	}
	ch.StopGenerator()
	var p *player
	if file != "" {
		var tones *dsp.ToneList
		if hasKey(opts, 'i') {
			if l, ok := toneByName(ch, file); ok {
				tones = &l
			} else if !configOf(ch.Engine()).finder.Exists(file, ch.Language()) {
				// not an indication nor a file: a tone list, as Asterisk tries
				if l, err := dsp.ParseToneList(file); err == nil {
					tones = &l
				}
			}
		}
		if tones != nil {
			ch.StartGenerator(toneGenerator(*tones))
		} else if r, err := openSound(ch, file, ch.Language()); err == nil {
			p = play(ch, r)
		}
	}
	stopPrompt := func() {
		ch.StopGenerator()
		if p != nil {
			p.stop(true)
			p = nil
		}
	}
	defer stopPrompt()
	var exten []rune
	for len(exten) < 255 {
		d, err := waitDigit(ch, timeout)
		stopPrompt()
		timeout = digitTimeout(ch)
		if err != nil || d == 0 {
			switch {
			case ch.HangupRequested() || err != nil:
				return "HANGUP"
			case len(exten) == 0:
				ch.SetVar(variable, "t")
				return "TIMEOUT"
			}
			break
		}
		if hasKey(opts, 'p') && d == '#' {
			break
		}
		exten = append(exten, d)
		if !matchMore(ch, dpc, string(exten)) {
			if d == '#' && !exists(ch, dpc, string(exten), 1) {
				exten = exten[:len(exten)-1]
			}
			break
		}
	}
	if exists(ch, dpc, string(exten), 1) {
		ch.SetVar(variable, string(exten))
		return "OK"
	}
	ch.SetVar(variable, "i")
	ch.SetVar("INVALID_EXTEN", string(exten))
	return "INVALID"
}
