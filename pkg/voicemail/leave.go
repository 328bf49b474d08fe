package voicemail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func has(m map[byte]string, c byte) bool { _, ok := m[c]; return ok }

// msgIDCounter is generate_msg_id's incrementing part.
var msgIDCounter atomic.Uint32

// newMsgID is "<unix time>-<8 hex digits>", app_voicemail's msg_id.
func newMsgID() string {
	return fmt.Sprintf("%d-%08x", time.Now().Unix(), msgIDCounter.Add(1)-1)
}

// voiceMailExec is VoiceMail(box[@context][&box2[@context]...][,options]).
func (m *Module) voiceMailExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	args := pbx.SplitArgs(data, ',')
	if strings.TrimSpace(args[0]) == "" {
		// Without a mailbox Asterisk asks the caller for one.
		box, err := readString(ch, "vm-whichbox", 0, loginTimeout)
		if err != nil {
			return pbx.HangupResult, nil
		}
		if box == "" {
			return pbx.Continue, nil
		}
		args[0] = box
	}
	opts := map[byte]string{}
	if len(args) > 1 {
		opts = pbx.ParseAppOptions(args[1])
	}
	boxes := strings.Split(args[0], "&")
	cfg := m.Config()
	first := boxes[0]
	box, vmctx, _ := strings.Cut(first, "@")
	u := cfg.Lookup(vmctx, box)
	if u == nil {
		log.Warning("%s: Exten: %s: No entry in voicemail config file for '%s'\n", ch.Name(), box, box)
		ch.SetVar("VMSTATUS", "FAILED")
		return pbx.Continue, nil
	}
	res, err := m.leave(ch, cfg, u, boxes[1:], opts)
	if err != nil {
		return pbx.HangupResult, nil
	}
	return res, nil
}

// leave is leave_voicemail for mailbox u (and copies to others).
func (m *Module) leave(ch *pbx.Channel, cfg *Config, u *User, others []string, opts map[byte]string) (pbx.Result, error) {
	log := ch.Engine().Log()
	silent := has(opts, 's')
	greetingOnly := u.MaxMsg == 0
	if greetingOnly {
		silent = true
	}
	flag := ""
	switch {
	case has(opts, 'U'):
		flag = "Urgent"
	case has(opts, 'P'):
		flag = "PRIORITY"
	}
	chCtx, _, _ := ch.Location()
	exitCtx := u.ExitContext
	if exitCtx == "" {
		exitCtx = chCtx
	}
	eng := ch.Engine()
	// The keys that leave the greeting: # always, 0 with operator=yes and
	// an o extension, * with an a extension.
	ecodes := "#"
	useOperator := false
	if u.Operator && eng.Exists(ch, exitCtx, "o", 1) {
		ecodes += "0"
		useOperator = true
	}
	if eng.Exists(ch, exitCtx, "a", 1) {
		ecodes += "*"
	}
	dExit := ""
	if has(opts, 'd') {
		dExit = opts['d']
		if dExit == "" {
			dExit = chCtx
		}
		for _, c := range "0123456789ABCD*#" {
			if !strings.ContainsRune(ecodes, c) && eng.CanMatch(ch, dExit, string(c)) {
				ecodes += string(c)
			}
		}
	}
	if err := os.MkdirAll(m.spool.FolderDir(u.Context, u.Mailbox, "tmp"), 0o777); err != nil {
		log.Warning("%s: Exten: %s: Failed to make directory (%s)\n", ch.Name(), u.Mailbox, m.spool.Greeting(u.Context, u.Mailbox, "temp"))
		ch.SetVar("VMSTATUS", "FAILED")
		return pbx.HangupResult, nil
	}
	prefile := ""
	switch {
	case has(opts, 'b'):
		prefile = m.spool.Greeting(u.Context, u.Mailbox, "busy")
	case has(opts, 'u'):
		prefile = m.spool.Greeting(u.Context, u.Mailbox, "unavail")
	}
	if temp := m.spool.Greeting(u.Context, u.Mailbox, "temp"); apps.SoundExists(ch, temp) {
		prefile = temp
	}
	var d rune
	var err error
	if prefile != "" {
		if apps.SoundExists(ch, prefile) {
			d, err = play(ch, prefile, ecodes)
			if has(opts, 'S') {
				// S: no instructions after a recorded greeting.
				silent = true
			}
		} else {
			d, err = m.inventMessage(ch, u, has(opts, 'b'), ecodes)
		}
		if err != nil {
			ch.SetVar("VMSTATUS", "FAILED")
			return pbx.HangupResult, err
		}
	}
	if d == '#' {
		silent, d = true, 0
	}
	if d == 0 && !silent {
		if d, err = play(ch, "vm-intro", ecodes); err != nil {
			ch.SetVar("VMSTATUS", "FAILED")
			return pbx.HangupResult, err
		}
		if d == '#' {
			d = 0
		}
	}
	switch {
	case d == '*':
		ch.SetVar("VMSTATUS", "USEREXIT")
		return pbx.GotoResult(exitCtx, "a", 1), nil
	case d == '0' && useOperator:
		return m.toOperator(ch, exitCtx)
	case d != 0 && dExit != "":
		ch.SetVar("VMSTATUS", "USEREXIT")
		return pbx.GotoResult(dExit, string(d), 1), nil
	}
	if greetingOnly {
		ch.SetVar("VMSTATUS", "SUCCESS")
		return pbx.Continue, nil
	}
	if !apps.AnswerIfDown(ch) {
		ch.SetVar("VMSTATUS", "FAILED")
		return pbx.HangupResult, nil
	}
	inbox := "INBOX"
	if flag == "Urgent" {
		inbox = "Urgent"
	}
	if m.spool.Count(u.Context, u.Mailbox, inbox) >= u.MaxMsg {
		play(ch, "vm-mailboxfull", "")
		log.Warning("No more messages possible\n")
		ch.SetVar("VMSTATUS", "FAILED")
		return pbx.Continue, nil
	}
	tmpBase, cleanup, err := m.tempBase(u)
	if err != nil {
		play(ch, "vm-mailboxfull", "")
		logError(log, "Unable to create message file: %v\n", err)
		ch.SetVar("VMSTATUS", "FAILED")
		return pbx.Continue, nil
	}
	defer cleanup()
	// t(file) plays another beep, t alone none.
	beep := "beep"
	if t, ok := opts['t']; ok {
		beep = t
	}
	if beep != "" {
		if _, err := play(ch, beep, ""); err != nil {
			ch.SetVar("VMSTATUS", "FAILED")
			return pbx.HangupResult, err
		}
	}
	started := time.Now()
	status, hungUp, length := m.recordMessage(ch, cfg, u, tmpBase, useOperator)
	if u.Review && status != "ERROR" && !hungUp && status != "OPERATOR" {
		var keep bool
		status, hungUp, length, keep = m.review(ch, cfg, u, tmpBase, useOperator, length)
		if !keep {
			if status == "OPERATOR" {
				return m.toOperator(ch, exitCtx)
			}
			ch.SetVar("VMSTATUS", "FAILED")
			if hungUp {
				return pbx.HangupResult, errHangup
			}
			return pbx.Continue, nil
		}
	}
	secs := int(length.Round(time.Second) / time.Second)
	if status == "ERROR" {
		ch.SetVar("VMSTATUS", "FAILED")
		if hungUp {
			return pbx.HangupResult, errHangup
		}
		return pbx.Continue, nil
	}
	if secs < u.MinSecs {
		log.Verbose(3, "Recording was %d seconds long but needs to be at least %d - abandoning\n", secs, u.MinSecs)
		ch.SetVar("VMSTATUS", "FAILED")
		if hungUp {
			return pbx.HangupResult, errHangup
		}
		return pbx.Continue, nil
	}
	info := m.messageInfo(ch, u, flag, started, secs)
	if err := writeFileAtomic(tmpBase+".txt", info.Bytes()); err != nil {
		log.Warning("Error opening text file for output\n")
		ch.SetVar("VMSTATUS", "FAILED")
		return pbx.Continue, nil
	}
	base, num, err := m.spool.Deposit(u.Context, u.Mailbox, inbox, tmpBase, u.MaxMsg)
	if err != nil {
		if errors.Is(err, ErrFull) {
			log.Warning("No more messages possible\n")
		} else {
			logError(log, "Couldn't lock directory %s.  Voicemail will be lost.\n", m.spool.FolderDir(u.Context, u.Mailbox, inbox))
		}
		ch.SetVar("VMSTATUS", "FAILED")
		return pbx.Continue, nil
	}
	ch.SetVar("VM_MESSAGEFILE", base)
	cid := ch.CallerID()
	for _, o := range others {
		obox, octx, _ := strings.Cut(o, "@")
		ou := cfg.Lookup(octx, obox)
		if ou == nil {
			continue
		}
		folder := "INBOX"
		if flag == "Urgent" {
			folder = "Urgent"
		}
		obase, onum, err := m.spool.CopyTo(base, ou.Context, ou.Mailbox, folder, ou.MaxMsg)
		if err != nil {
			log.Warning("Unable to copy message to %s: %v\n", ou.ID(), err)
			continue
		}
		m.notify(ch, cfg, ou, obase, onum, folder, cid, secs, flag, info)
	}
	m.notify(ch, cfg, u, base, num, inbox, cid, secs, flag, info)
	if status == "OPERATOR" && useOperator {
		return m.toOperator(ch, exitCtx)
	}
	ch.SetVar("VMSTATUS", "SUCCESS")
	if hungUp {
		return pbx.HangupResult, errHangup
	}
	return pbx.Continue, nil
}

// toOperator is the 0 key: "transfer", then the o extension.
func (m *Module) toOperator(ch *pbx.Channel, exitCtx string) (pbx.Result, error) {
	if _, err := play(ch, "transfer", ""); err != nil {
		return pbx.HangupResult, err
	}
	ch.SetVar("VMSTATUS", "USEREXIT")
	return pbx.GotoResult(exitCtx, "o", 1), nil
}

// inventMessage is the greeting of a mailbox without a recorded one: its
// recorded name (greet) or "the person at extension <digits>", then "is
// unavailable" / "is on the phone".
func (m *Module) inventMessage(ch *pbx.Channel, u *User, busy bool, ecodes string) (rune, error) {
	greet := m.spool.Greeting(u.Context, u.Mailbox, "greet")
	var d rune
	var err error
	if apps.SoundExists(ch, greet) {
		d, err = play(ch, greet, ecodes)
	} else {
		d, err = play(ch, "vm-theperson", ecodes)
		if d == 0 && err == nil {
			d, err = sayDigits(ch, u.Mailbox, ecodes)
		}
	}
	if d != 0 || err != nil {
		return d, err
	}
	if busy {
		return play(ch, "vm-isonphone", ecodes)
	}
	return play(ch, "vm-isunavail", ecodes)
}

// tempBase reserves a name in the mailbox's tmp folder for a recording
// in progress (mkstemp, as Asterisk); cleanup removes what is left of it.
func (m *Module) tempBase(u *User) (string, func(), error) {
	dir := m.spool.FolderDir(u.Context, u.Mailbox, "tmp")
	f, err := os.CreateTemp(dir, "")
	if err != nil {
		return "", nil, err
	}
	f.Close()
	base := f.Name()
	return base, func() {
		os.Remove(base)
		for _, fm := range m.spool.Formats() {
			os.Remove(base + "." + DiskExt(fm))
		}
		os.Remove(base + ".txt")
	}, nil
}

// recordMessage records the caller into tmpBase in every format=: the
// first format is recorded, the others are converted from it.
func (m *Module) recordMessage(ch *pbx.Channel, cfg *Config, u *User, tmpBase string, operator bool) (status string, hungUp bool, length time.Duration) {
	formats := m.spool.Formats()
	first := formats[0]
	g := &cfg.General
	status, hungUp, length = apps.RecordFile(ch, tmpBase+"."+DiskExt(first), first, apps.RecordOptions{
		Silence: g.MaxSilence, Threshold: g.SilenceThreshold,
		MaxDuration: time.Duration(u.MaxSecs) * time.Second, Terminator: '#',
		Operator: operator, KeepOnHangup: true,
	})
	if status == "ERROR" {
		return status, hungUp, 0
	}
	for _, f := range formats[1:] {
		if err := convert(tmpBase+"."+DiskExt(first), first, tmpBase+"."+DiskExt(f), f); err != nil {
			ch.Engine().Log().Warning("Unable to write %s.%s: %v\n", tmpBase, DiskExt(f), err)
		}
	}
	return status, hungUp, length
}

// convert writes the audio of src (format sf) to dst (format df).
func convert(src, sf, dst, df string) error {
	sff, ok := sound.LookupFileFormat(sf)
	if !ok {
		return fmt.Errorf("unknown format %s", sf)
	}
	dff, ok := sound.LookupFileFormat(df)
	if !ok || !dff.Supported() {
		return fmt.Errorf("unknown format %s", df)
	}
	r, err := sound.Open(src, sff)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := sound.Create(dst, dff)
	if err != nil {
		return err
	}
	p, err := pbx.Translator().Path(sff.Codec, dff.Codec)
	if err != nil {
		w.Abort()
		return err
	}
	chain := p.NewChain()
	for {
		fr, err := r.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			w.Abort()
			return err
		}
		if sff.Codec != dff.Codec {
			if fr, err = chain.Translate(fr); err != nil {
				w.Abort()
				return err
			}
		}
		if err := w.WriteFrame(fr); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

// messageInfo is the msgNNNN.txt of a message left now by ch.
func (m *Module) messageInfo(ch *pbx.Channel, u *User, flag string, at time.Time, secs int) *MessageInfo {
	chCtx, exten, prio := ch.Location()
	cid := ch.CallerID()
	rdnis := cid.RDNIS
	if rdnis == "" {
		rdnis = "unknown"
	}
	category, _ := ch.Var("VM_CATEGORY")
	macro, _ := ch.Var("MACRO_CONTEXT")
	return &MessageInfo{
		OrigMailbox: u.Mailbox, Context: chCtx, MacroContext: macro, Exten: exten, RDNIS: rdnis,
		Priority: prio, CallerChan: ch.Name(), CallerID: MergeCallerID(cid.Name, cid.Num),
		OrigDate: OrigDate(at), OrigTime: at.Unix(), Category: category, MsgID: newMsgID(),
		Flag: flag, Duration: secs,
	}
}

// notify is notify_new_message: the e-mail and the pager mail, delete=yes,
// then MWI and externnotify.
func (m *Module) notify(ch *pbx.Channel, cfg *Config, u *User, base string, num int, folder string, cid pbx.CallerID, secs int, flag string, info *MessageInfo) {
	log := m.log
	format := m.spool.Formats()[0]
	if u.AttachFmt != "" {
		found := false
		for _, f := range m.spool.Formats() {
			if f == u.AttachFmt {
				found = true
			}
		}
		if found {
			format = u.AttachFmt
		} else {
			log.Warning("Attachment format '%s' is not one of the recorded formats '%s'.  Falling back to default format for '%s@%s'.\n",
				u.AttachFmt, strings.Join(m.spool.Formats(), "|"), u.Mailbox, u.Context)
		}
	}
	n := &Notice{User: u, MsgNum: num + 1, Folder: folder, CIDNum: cid.Num, CIDName: cid.Name, Duration: secs,
		Flag: flag, Category: info.Category, When: time.Unix(info.OrigTime, 0), Attach: base, Format: format, Orig: info}
	env := ch.Engine().Env(ch)
	mailcmd := cfg.General.MailCmd
	send := func(what string, data []byte, after func()) {
		m.background(func() {
			if err := SendMail(context.Background(), mailcmd, data); err != nil {
				log.Warning("Unable to send voicemail %s for %s (the message stays in the mailbox): %v\n", what, u.ID(), err)
				return
			}
			if after != nil {
				after()
			}
		})
	}
	if u.Pager != "" {
		mb := &Mail{Cfg: cfg, Host: m.host, Env: env, Pager: true}
		if data, err := mb.BuildMail(n); err == nil {
			send("pager mail", data, nil)
		}
	}
	if u.Email != "" {
		mb := &Mail{Cfg: cfg, Host: m.host, Env: env}
		data, err := mb.BuildMail(n)
		if err != nil {
			log.Warning("Unable to build the e-mail for %s: %v\n", u.ID(), err)
		} else {
			var after func()
			// delete=yes: the message leaves the box once the mail that
			// carries it was accepted by mailcmd, never before.
			if u.Delete {
				after = func() {
					Remove(base)
					m.changed(u)
				}
			}
			send("e-mail", data, after)
		}
	}
	m.changed(u)
}

func itoa(n int) string { return strconv.Itoa(n) }

// shellQuote quotes s for /bin/sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// runShell runs a command line with /bin/sh, as ast_safe_system.
func runShell(ctx context.Context, line string) error {
	return SendMail(ctx, line, nil)
}

// logError logs at ERROR when the logger has that level (the daemon's
// does), else as a warning.
func logError(log pbx.Logger, format string, args ...any) {
	if l, ok := log.(interface{ Error(string, ...any) }); ok {
		l.Error(format, args...)
		return
	}
	log.Warning(format, args...)
}

// review is play_record_review's menu for a caller of a review=yes box:
// 1 keeps the message, 2 plays it, 3 records it again (vm-intro and the
// beep first), 0 (operator=yes) asks whether to keep it and leaves for
// the operator; after three silent menus the message is kept. keep is
// false when the message must not be deposited; status OPERATOR then
// sends the caller to the o extension.
func (m *Module) review(ch *pbx.Channel, cfg *Config, u *User, tmpBase string, operator bool, length time.Duration) (status string, hungUp bool, l time.Duration, keep bool) {
	attempts := 0
	var cmd rune
	for {
		var err error
		if cmd == 0 {
			cmd, err = play(ch, "vm-review", allKeys)
			if err == nil && cmd == 0 && operator {
				cmd, err = play(ch, "vm-reachoper", allKeys)
			}
			if err == nil && cmd == 0 {
				cmd, err = waitDigit(ch, 6*time.Second)
			}
			if err != nil {
				// A caller who hangs up in the menu keeps the message.
				return "HANGUP", true, length, true
			}
			if cmd == 0 {
				if attempts++; attempts > 3 {
					return "DTMF", false, length, true
				}
				continue
			}
		}
		next := rune(0)
		switch cmd {
		case '1':
			m.log.Verbose(3, "Saving message as is\n")
			if _, err := play(ch, "vm-msgsaved", ""); err != nil {
				return "HANGUP", true, length, true
			}
			return "DTMF", false, length, true
		case '2':
			m.log.Verbose(3, "Reviewing the message\n")
			next, err = play(ch, tmpBase, allKeys)
		case '3':
			m.log.Verbose(3, "Re-recording the message\n")
			if _, err = playAll(ch, "", "vm-intro", "beep"); err == nil {
				var st string
				st, hungUp, length = m.recordMessage(ch, cfg, u, tmpBase, operator)
				if st == "ERROR" || hungUp {
					return st, hungUp, length, st != "ERROR"
				}
				if st == "OPERATOR" {
					cmd = '0'
					continue
				}
			}
		case '0':
			if !operator {
				next, err = play(ch, "vm-sorry", allKeys)
				break
			}
			d, err := play(ch, "vm-saveoper", allKeys)
			if err == nil && d == 0 {
				d, err = waitDigit(ch, 3*time.Second)
			}
			if err != nil {
				return "HANGUP", true, length, true
			}
			if d == '1' {
				play(ch, "vm-msgsaved", "")
				return "OPERATOR", false, length, true
			}
			play(ch, "vm-deleted", "")
			return "OPERATOR", false, length, false
		default:
			next, err = play(ch, "vm-sorry", allKeys)
		}
		if err != nil {
			return "HANGUP", true, length, true
		}
		cmd = next
	}
}

// concat writes to dst (format f) the audio of a then b, both in format
// f, and returns the length of a.
func concat(dst, f, a, b string) (time.Duration, error) {
	ff, ok := sound.LookupFileFormat(f)
	if !ok || !ff.Supported() {
		return 0, fmt.Errorf("unknown format %s", f)
	}
	w, err := sound.Create(dst, ff)
	if err != nil {
		return 0, err
	}
	first, err := apps.AppendFile(w, a, ff)
	if err == nil {
		_, err = apps.AppendFile(w, b, ff)
	}
	if err != nil {
		w.Abort()
		return 0, err
	}
	return first, w.Close()
}
