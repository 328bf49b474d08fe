package voicemail

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Register adds app_voicemail's applications and VM_INFO, and
// func_vmcount's VMCOUNT (counted by the same spool), to eng.
func (m *Module) Register(eng *pbx.Engine) error {
	return eng.RegisterModule("app_voicemail", m.apps(), m.functions())
}

func (m *Module) apps() []*pbx.App {
	return []*pbx.App{
		{
			Name:     "VoiceMail",
			Synopsis: "Leave a Voicemail message.",
			Syntax:   "VoiceMail(mailbox1&[mailbox2[&...]][,options])",
			Description: "This application allows the calling party to leave a message for the specified list of mailboxes. " +
				"When multiple mailboxes are specified, the greeting will be taken from the first mailbox specified. " +
				"Dialplan execution will stop if the specified mailbox does not exist.\n" +
				"The Voicemail application will exit if any of the following DTMF digits are received:\n" +
				"    0 - Jump to the 'o' extension in the current dialplan context.\n" +
				"    * - Jump to the 'a' extension in the current dialplan context.\n" +
				"This application will set the following channel variable upon completion:\n" +
				"VMSTATUS - This indicates the status of the execution of the VoiceMail application.\n    SUCCESS\n    USEREXIT\n    FAILED",
			Arguments: "mailboxs\n    mailbox1\n        mailbox\n        context\n    mailbox2\n        mailbox\n        context\n" +
				"options\n    b: Play the 'busy' greeting to the calling party.\n" +
				"    d([c]): Accept digits for a new extension in context c, if played during the greeting. Context defaults to the current context.\n" +
				"    g(#): Use the specified amount of gain when recording the voicemail message. The units are whole-number decibels (dB). Only works on supported technologies, which is DAHDI only.\n" +
				"    s: Skip the playback of instructions for leaving a message to the calling party.\n" +
				"    S: Skip the playback of instructions for leaving a message to the calling party, but only if a greeting has been recorded by the mailbox user.\n" +
				"    t([x]): Play a custom beep tone to the caller instead of the default one. If this option is used but no file is specified, the beep is suppressed.\n" +
				"    u: Play the 'unavailable' greeting.\n    U: Mark message as 'URGENT'.\n    P: Mark message as 'PRIORITY'.",
			SeeAlso: "VoiceMailMain",
			Exec:    m.voiceMailExec,
		},
		{
			Name:     "VoiceMailMain",
			Synopsis: "Check Voicemail messages.",
			Syntax:   "VoiceMailMain([mailbox][@context][,options])",
			Description: "This application allows the calling party to check voicemail messages. A specific mailbox, and optional " +
				"corresponding context, may be specified. If a mailbox is not provided, the calling party will be prompted to enter one. " +
				"If a context is not specified, the 'default' context will be used.\n" +
				"The VoiceMailMain application will exit if the following DTMF digit is entered as Mailbox or Password, and the extension exists:\n" +
				"    * - Jump to the 'a' extension in the current dialplan context.",
			Arguments: "mailbox\n    mailbox\n    context\n" +
				"options\n    p: Consider the mailbox parameter as a prefix to the mailbox that is entered by the caller.\n" +
				"    g(#): Use the specified amount of gain when recording a voicemail message. The units are whole-number decibels (dB).\n" +
				"    s: Skip checking the passcode for the mailbox.\n" +
				"    a(folder): Skip folder prompt and go directly to folder specified. Defaults to 'INBOX' (or '0').",
			SeeAlso: "VoiceMail",
			Exec:    m.voiceMailMainExec,
		},
		{
			Name:     "VMAuthenticate",
			Synopsis: "Authenticate with Voicemail passwords.",
			Syntax:   "VMAuthenticate([mailbox][@context][,options])",
			Description: "This application behaves the same way as the Authenticate application, but the passwords are taken from voicemail.conf. " +
				"If the mailbox is specified, only that mailbox's password will be considered valid. If the mailbox is not specified, " +
				"the channel variable AUTH_MAILBOX will be set with the authenticated mailbox.",
			Arguments: "mailbox\n    mailbox\n    context\noptions\n    s: Skip playing the initial prompts.",
			Exec:      m.vmAuthenticateExec,
		},
		{
			Name:        "VMSayName",
			Synopsis:    "Play the name of a voicemail user",
			Syntax:      "VMSayName(mailbox[@context])",
			Description: "This application will say the recorded name of the voicemail user specified as the argument to this application. If no context is provided, 'default' is assumed.",
			Arguments:   "mailbox\n    mailbox\n    context",
			Exec:        m.vmSayNameExec,
		},
		{
			Name:     "VoiceMailPlayMsg",
			Synopsis: "Play a single voice mail msg from a mailbox by msg id.",
			Syntax:   "VoiceMailPlayMsg(mailbox[@context],msg_id)",
			Description: "This application sets the following channel variable upon completion:\n" +
				"VOICEMAIL_PLAYBACKSTATUS - The status of the playback attempt as a text string.\n    SUCCESS\n    FAILED",
			Arguments: "mailbox\n    mailbox\n    context\nmsg_id - The msg id of the msg to play back.",
			Exec:      m.playMsgExec,
		},
		m.directory(),
	}
}

func (m *Module) directory() *pbx.App {
	a := directoryApp
	a.Exec = m.directoryExec
	return &a
}

func (m *Module) functions() []pbx.Function {
	return []pbx.Function{
		{
			Name:     "VM_INFO",
			Synopsis: "Returns the selected attribute from a mailbox.",
			Syntax:   "VM_INFO(mailbox[@context],attribute[,folder])",
			Read:     m.vmInfo,
		},
		{
			Name:     "VMCOUNT",
			Synopsis: "Count the voicemails in a specified mailbox or mailboxes.",
			Syntax:   "VMCOUNT(vmbox[,folder])",
			Read: func(ch *pbx.Channel, args string) (string, error) {
				a := pbx.SplitArgs(args, ',')
				if strings.TrimSpace(a[0]) == "" {
					return "", errors.New("VMCOUNT requires a mailbox")
				}
				folder := "INBOX"
				if len(a) > 1 && a[1] != "" {
					folder = a[1]
				}
				total := 0
				for _, id := range strings.Split(a[0], "&") {
					if id == "" {
						continue
					}
					box, ctx, _ := strings.Cut(id, "@")
					total += m.spool.Count(ctx, box, folder)
				}
				return strconv.Itoa(total), nil
			},
		},
	}
}

// vmInfo is VM_INFO(mailbox[@context],attribute[,folder]).
func (m *Module) vmInfo(ch *pbx.Channel, args string) (string, error) {
	a := pbx.SplitArgs(args, ',')
	for len(a) < 3 {
		a = append(a, "")
	}
	usage := errors.New("VM_INFO requires an argument (<mailbox>[@<context>],attribute[,folder])")
	if a[0] == "" || a[1] == "" {
		return "", usage
	}
	box, ctx, _ := strings.Cut(a[0], "@")
	if ctx == "" {
		ctx = "default"
	}
	u := m.Config().Lookup(ctx, box)
	attr := strings.ToLower(a[1])
	if strings.HasPrefix(attr, "exist") {
		if u != nil {
			return "1", nil
		}
		return "0", nil
	}
	if u == nil {
		return "", nil
	}
	switch {
	case strings.HasPrefix(attr, "password"):
		return m.password(u), nil
	case strings.HasPrefix(attr, "fullname"):
		return u.FullName, nil
	case strings.HasPrefix(attr, "email"):
		return u.Email, nil
	case strings.HasPrefix(attr, "pager"):
		return u.Pager, nil
	case strings.HasPrefix(attr, "language"):
		if u.Language != "" {
			return u.Language, nil
		}
		return ch.Language(), nil
	case strings.HasPrefix(attr, "locale"):
		return u.Locale, nil
	case strings.HasPrefix(attr, "tz"):
		return u.Zone, nil
	case strings.HasPrefix(attr, "count"):
		folder := a[2]
		if folder == "" {
			folder = "INBOX"
		}
		return strconv.Itoa(m.spool.Count(u.Context, u.Mailbox, folder)), nil
	}
	return "", fmt.Errorf("Unknown attribute '%s' for VM_INFO", a[1])
}

// vmAuthenticateExec is VMAuthenticate: the login of VoiceMailMain
// alone; AUTH_MAILBOX is set when no mailbox was given.
func (m *Module) vmAuthenticateExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	box, vmctx, _ := strings.Cut(strings.TrimSpace(args[0]), "@")
	chCtx, _, _ := ch.Location()
	u, res, ok := m.authenticate(ch, m.Config(), vmctx, box, false, "", chCtx)
	if !ok {
		return res, nil
	}
	if box == "" {
		ch.SetVar("AUTH_MAILBOX", u.Mailbox)
		ch.SetVar("AUTH_CONTEXT", u.Context)
	}
	if _, err := play(ch, "auth-thankyou", ""); err != nil {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// vmSayNameExec plays the mailbox's recorded name (greet), or says its
// digits when it has none.
func (m *Module) vmSayNameExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	box, ctx, _ := strings.Cut(strings.TrimSpace(pbx.SplitArgs(data, ',')[0]), "@")
	if box == "" {
		ch.Engine().Log().Warning("VMSayName requires argument mailbox@context\n")
		return pbx.HangupResult, nil
	}
	if ctx == "" {
		ctx = "default"
	}
	greet := m.spool.Greeting(ctx, box, "greet")
	var err error
	if soundExists(ch, greet) {
		_, err = play(ch, greet, "")
	} else {
		_, err = sayDigits(ch, box, "")
	}
	if err != nil {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// playMsgExec is VoiceMailPlayMsg(mailbox[@context],msg_id): the message
// whose msg_id matches, in any folder.
func (m *Module) playMsgExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	args := pbx.SplitArgs(data, ',')
	if len(args) < 2 || args[0] == "" || args[1] == "" {
		log.Warning("VoiceMailPlayMsg requires a mailbox and msg_id\n")
		ch.SetVar("VOICEMAIL_PLAYBACKSTATUS", "FAILED")
		return pbx.Continue, nil
	}
	box, ctx, _ := strings.Cut(args[0], "@")
	u := m.Config().Lookup(ctx, box)
	if u == nil {
		ch.SetVar("VOICEMAIL_PLAYBACKSTATUS", "FAILED")
		return pbx.Continue, nil
	}
	for _, f := range Folders {
		msgs, _ := m.spool.List(u.Context, u.Mailbox, f)
		for _, msg := range msgs {
			if msg.Info.MsgID != args[1] {
				continue
			}
			if ch.State() != pbx.StateUp {
				if err := ch.Answer(); err != nil {
					ch.SetVar("VOICEMAIL_PLAYBACKSTATUS", "FAILED")
					return pbx.HangupResult, nil
				}
			}
			if _, err := play(ch, msg.Base, ""); err != nil {
				return pbx.HangupResult, nil
			}
			ch.SetVar("VOICEMAIL_PLAYBACKSTATUS", "SUCCESS")
			// Played from INBOX: heard, so it moves to Old as in Asterisk.
			if f == "INBOX" || f == "Urgent" {
				if _, _, err := m.spool.CopyTo(msg.Base, u.Context, u.Mailbox, "Old", 0); err == nil {
					Remove(msg.Base)
					m.spool.Resequence(m.spool.FolderDir(u.Context, u.Mailbox, f))
					m.changed(u)
				}
			}
			return pbx.Continue, nil
		}
	}
	ch.SetVar("VOICEMAIL_PLAYBACKSTATUS", "FAILED")
	return pbx.Continue, nil
}
