package apps

import (
	"bufio"
	"os"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var disaApp = &pbx.App{
	Name:     "DISA",
	Synopsis: "Direct Inward System Access.",
	Syntax:   "DISA(passcode|filename,[context,[cid,[mailbox[@context],[options]]]])",
	Description: "The DISA, Direct Inward System Access, application allows someone from outside the telephone switch (PBX) to obtain an internal system dialtone " +
		"and to place calls from it as if they were placing a call from within the switch.\n\n" +
		"DISA plays a dialtone. The user enters their numeric passcode, followed by the pound sign #. If the passcode is correct, the user is then given " +
		"system dialtone within context on which a call may be placed. If the user enters an invalid extension and extension i exists in the specified context, it will be used.\n\n" +
		"Be aware that using this may compromise the security of your PBX.\n\n" +
		"The arguments to this application (in extensions.conf) allow either specification of a single global passcode (that everyone uses), or individual passcodes " +
		"contained in a file (filename).\n\n" +
		"The file that contains the passcodes (if used) allows a complete specification of all of the same arguments available on the command line, with the sole " +
		"exception of the options. The file may contain blank lines, or comments starting with # or ;.",
	Arguments: "passcode|filename - If you need to present a DISA dialtone without entering a password, simply set passcode to no-password. " +
		"You may specified a filename instead of a passcode, this filename must contain individual passcodes\n" +
		"context - Specifies the dialplan context in which the user-entered extension will be matched. If no context is specified, the DISA application defaults to the disa context.\n" +
		"cid - Specifies a new (different) callerid to be used for this call.\n" +
		"mailbox - Will cause a stutter-dialtone (indication dialrecall) to be used, if the specified mailbox contains any new messages.\n" +
		"options - n: The DISA application will not answer initially. p: The extension entered will be considered complete when a # is entered.",
	SeeAlso: "Authenticate, VMAuthenticate",
	Exec:    disa,
}

// disaArgs are DISA's arguments, or one line of its passcode file.
type disaArgs struct {
	passcode, context, cid, mailbox, options string
}

func parseDISA(s string) disaArgs {
	a := pbx.SplitArgs(s, ',')
	for len(a) < 5 {
		a = append(a, "")
	}
	return disaArgs{passcode: a[0], context: a[1], cid: a[2], mailbox: a[3], options: a[4]}
}

// numeric is sscanf("%d")'s test: an optional sign, then a digit.
func numeric(s string) bool {
	s = strings.TrimLeft(s, " \t\n")
	s = strings.TrimLeft(s, "+-")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// disaFileEntry looks the passcode typed up in a DISA passcode file, as
// app_disa reads it: blank and comment lines (# or ;) are skipped, and so
// are lines whose passcode is not numeric. Without a match it returns the
// last line read, whose passcode then fails the comparison.
func disaFileEntry(path, typed string) (disaArgs, error) {
	f, err := os.Open(path)
	if err != nil {
		return disaArgs{}, err
	}
	defer f.Close()
	var last disaArgs
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		a := parseDISA(line)
		last = a
		if !numeric(a.passcode) {
			continue
		}
		if a.passcode == typed {
			return a, nil
		}
	}
	return last, nil
}

// disaDialtone starts dial tone, or the stutter tone (dialrecall) when
// mailbox has new messages, as app_disa's play_dialtone.
func disaDialtone(ch *pbx.Channel, mailbox string) {
	name := "dial"
	if hasNewMessages(ch.Engine(), mailbox) {
		name = "dialrecall"
	}
	list, ok := toneByName(ch, name)
	if !ok {
		list, _ = dsp.ParseToneList("350+440")
	}
	ch.StartGenerator(toneGenerator(list))
}

// hasNewMessages is ast_app_has_voicemail for a list of mailboxes
// separated by & or ,.
func hasNewMessages(e *pbx.Engine, mailboxes string) bool {
	for _, box := range strings.FieldsFunc(mailboxes, func(r rune) bool { return r == '&' || r == ',' }) {
		if c, ok := e.MailboxCounts(strings.TrimSpace(box)); ok && c.New > 0 {
			return true
		}
	}
	return false
}

func disa(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	log := e.Log()
	if strings.TrimSpace(data) == "" {
		log.Warning("DISA requires an argument (passcode/passcode file)\n")
		return pbx.HangupResult, nil
	}
	args := parseDISA(data)
	if args.context == "" {
		args.context = "disa"
	}
	opts := pbx.ParseAppOptions(args.options)
	_, noAnswer := opts['n']
	_, poundEnds := opts['p']
	if !noAnswer && !answerIfDown(ch) {
		return pbx.HangupResult, nil
	}
	firstTimeout, digitTO := responseTimeout(ch), digitTimeout(ch)

	loggedIn := strings.EqualFold(args.passcode, "no-password")
	gotDigit := false
	var exten, acctcode string
	disaDialtone(ch, args.mailbox)
	defer ch.StopGenerator()
	last := time.Now()
	for {
		limit := firstTimeout
		if gotDigit {
			limit = digitTO
		}
		rest := limit - time.Since(last)
		if rest <= 0 {
			break
		}
		d, err := waitDigit(ch, rest)
		if err != nil {
			return pbx.HangupResult, nil
		}
		if d == 0 {
			continue // the loop's test sees the timeout
		}
		if exten == "" {
			gotDigit = true
			ch.StopGenerator()
		}
		last = time.Now()
		if !loggedIn {
			if d != '#' {
				exten += string(d)
				continue
			}
			if !numeric(args.passcode) {
				entry, err := disaFileEntry(args.passcode, exten)
				if err != nil {
					log.Warning("DISA password file %s not found on chan %s\n", args.passcode, ch.Name())
					return pbx.HangupResult, nil
				}
				entry.options = args.options
				if entry.context == "" {
					entry.context = "disa"
				}
				args = entry
			}
			if exten != args.passcode {
				log.Warning("DISA on chan %s got bad password %s\n", ch.Name(), exten)
				return disaReorder(ch), nil
			}
			disaDialtone(ch, args.mailbox)
			loggedIn = true
			acctcode = exten
			if len(acctcode) > 19 {
				acctcode = acctcode[:19]
			}
			exten = ""
			continue
		}
		if d == '#' && !(exten == "" && (matchMore(ch, args.context, "#") || exists(ch, args.context, "#", 1))) {
			break // the end of the extension
		}
		exten += string(d)
		if poundEnds && d == '#' {
			exten = exten[:len(exten)-1]
			break
		}
		if !matchMore(ch, args.context, exten) {
			break
		}
	}
	if loggedIn && gotDigit {
		target := exten
		if !exists(ch, args.context, target, 1) {
			ch.SetVar("INVALID_EXTEN", exten)
			target = "i"
		}
		if exists(ch, args.context, target, 1) {
			ch.StopGenerator()
			if args.cid != "" {
				name, num := pbx.ParseCallerID(args.cid)
				ch.UpdateCallerID(func(id *pbx.CallerID) {
					id.Name, id.Num, id.ANI = name, num, num
				})
			}
			if acctcode != "" {
				ch.SetAccountCode(acctcode)
			}
			if _, err := e.ExecApp(ch, "ResetCDR", ""); err != nil {
				log.Warning("ResetCDR application not found; CDR will not be reset\n")
			}
			if !noAnswer {
				if err := e.WriteFunction(ch, "CDR_PROP", "disable", "0"); err != nil {
					log.Warning("CDR_PROP not found, CDR will not be re-enabled\n")
				}
			}
			return pbx.GotoResult(args.context, target, 1), nil
		}
	}
	return disaReorder(ch), nil
}

// disaReorder plays congestion for ten seconds, then DISA hangs up. On
// an answered channel the driver cannot signal it (chan_sip refuses it
// once up), so the zone's congestion tone is played, as ast_indicate does.
func disaReorder(ch *pbx.Channel) pbx.Result {
	ch.StopGenerator()
	if ch.State() == pbx.StateUp {
		if list, ok := toneByName(ch, "congestion"); ok {
			ch.StartGenerator(toneGenerator(list))
		}
	} else {
		indicate(ch, pbx.IndCongestion)
	}
	pbx.SleepOrHangup(ch, 10*time.Second)
	ch.StopGenerator()
	return pbx.HangupResult
}
