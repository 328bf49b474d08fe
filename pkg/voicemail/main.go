package voicemail

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// session is a VoiceMailMain login: the open folder and what the caller
// did to its messages, applied when the folder is closed (close_mailbox).
type session struct {
	m        *Module
	ch       *pbx.Channel
	cfg      *Config
	u        *User
	folder   int
	msgs     []*Message
	cur      int
	deleted  map[int]bool
	heard    map[int]bool
	starting bool
	// counts at open time, for the intro and the menu
	urgent, newMsgs, old int
	inUrgent             bool
	// exit is where the dialplan goes on when the caller left for a
	// call (callback, dialout) or an extension; nil: hang up.
	exit *pbx.Result
}

// loginTimeout is the wait between digits of a mailbox or password.
const loginTimeout = 5 * time.Second

// voiceMailMainExec is VoiceMailMain([box][@context][,options]).
func (m *Module) voiceMailMainExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	opts := map[byte]string{}
	if len(args) > 1 {
		opts = pbx.ParseAppOptions(args[1])
	}
	box, vmctx, _ := strings.Cut(strings.TrimSpace(args[0]), "@")
	if !apps.AnswerIfDown(ch) {
		return pbx.HangupResult, nil
	}
	cfg := m.Config()
	chCtx, _, _ := ch.Location()
	prefix := ""
	if has(opts, 'p') {
		// p: the mailbox given is a prefix of the one the caller enters.
		prefix, box = box, ""
	}
	u, res, ok := m.authenticate(ch, cfg, vmctx, box, has(opts, 's'), prefix, chCtx)
	if !ok {
		return res, nil
	}
	s := &session{m: m, ch: ch, cfg: cfg, u: u, starting: true}
	if s.isNewUser() {
		switch err := s.newUser(); {
		case errors.Is(err, errNewUserAbort):
			return pbx.Continue, nil
		case err != nil:
			return pbx.HangupResult, nil
		}
	}
	start := FolderInbox
	if a, ok := opts['a']; ok {
		if n, err := strconv.Atoi(a); err == nil && n >= 0 && n <= 9 {
			start = n
		} else {
			for i, f := range Folders[:10] {
				if strings.EqualFold(f, a) {
					start = i
				}
			}
		}
	}
	err := s.run(start)
	s.close()
	if err == nil && s.exit != nil {
		return *s.exit, nil
	}
	return pbx.HangupResult, nil
}

// password is the mailbox's password: secret.conf in its directory when
// passwordlocation=spooldir, else what voicemail.conf says (or a change
// written since).
func (m *Module) password(u *User) string {
	if m.Config().General.PasswordLocation == "spooldir" {
		if data, err := os.ReadFile(filepath.Join(m.spool.BoxDir(u.Context, u.Mailbox), "secret.conf")); err == nil {
			if cfg, err := ReadSecret(data); err == nil && cfg != "" {
				return cfg
			}
		}
	}
	m.pwMu.Lock()
	defer m.pwMu.Unlock()
	if p, ok := m.passwords[u.ID()]; ok {
		return p
	}
	return u.Password
}

// authenticate is vm_authenticate: mailbox (unless given) and password
// (unless s), maxlogins tries. ok false ends the application with res.
func (m *Module) authenticate(ch *pbx.Channel, cfg *Config, vmctx, box string, skipPassword bool, prefix, chCtx string) (*User, pbx.Result, bool) {
	log := ch.Engine().Log()
	g := &cfg.General
	prompt := func(name, def string) string {
		if p := g.Prompts[name]; p != "" {
			return p
		}
		return def
	}
	skipUser := box != ""
	maxLogins := g.MaxLogins
	if maxLogins <= 0 {
		maxLogins = DefaultMaxLogins
	}
	loginPrompt := prompt("vm-login", "vm-login")
	for tries := 0; tries < maxLogins; tries++ {
		mailbox := box
		if !skipUser {
			var err error
			mailbox, err = readString(ch, loginPrompt, 0, loginTimeout)
			if err != nil {
				return nil, pbx.HangupResult, false
			}
			switch {
			case mailbox == "":
				// Nothing entered: the caller's own number, as Asterisk.
				if mailbox = ch.CallerID().Num; mailbox == "" {
					log.Verbose(3, "Username not entered\n")
					return nil, pbx.HangupResult, false
				}
			case mailbox == "*":
				log.Verbose(4, "Mailbox begins with '*', attempting jump to extension 'a'\n")
				if ch.Engine().Exists(ch, chCtx, "a", 1) {
					return nil, pbx.GotoResult(chCtx, "a", 1), false
				}
				log.Verbose(4, "Jump to extension 'a' failed; setting mailbox to NULL\n")
				mailbox = ""
			}
			mailbox = prefix + mailbox
		}
		u := cfg.Lookup(vmctx, mailbox)
		if u != nil && skipPassword {
			return u, pbx.Continue, true
		}
		if u != nil {
			if p := m.password(u); p == "" || p == "-" {
				// A blank password is not asked for.
				return u, pbx.Continue, true
			}
		}
		password, err := readString(ch, prompt("vm-password", "vm-password"), 0, loginTimeout)
		if err != nil {
			return nil, pbx.HangupResult, false
		}
		if password == "*" && ch.Engine().Exists(ch, chCtx, "a", 1) {
			return nil, pbx.GotoResult(chCtx, "a", 1), false
		}
		if u != nil {
			want := strings.TrimPrefix(m.password(u), "-")
			if want == password {
				return u, pbx.Continue, true
			}
		}
		ctxName := vmctx
		if ctxName == "" {
			ctxName = "default"
		}
		log.Verbose(3, "Incorrect password '%s' for user '%s' (context = %s)\n", password, mailbox, ctxName)
		if skipUser || tries+1 >= maxLogins {
			if _, err := play(ch, "vm-incorrect", ""); err != nil {
				return nil, pbx.HangupResult, false
			}
		} else {
			// The next login prompt is the "incorrect mailbox" one.
			loginPrompt = "vm-incorrect-mailbox"
		}
	}
	play(ch, "vm-goodbye", "")
	return nil, pbx.HangupResult, false
}

// open loads a folder; urgent messages come first when INBOX is opened
// with urgent ones waiting (the Urgent folder is presented first).
func (s *session) open(folder int) {
	s.folder = folder
	msgs, errs := s.m.spool.List(s.u.Context, s.u.Mailbox, Folders[folder])
	for _, err := range errs {
		s.m.log.Warning("%v\n", err)
	}
	s.msgs, s.cur = msgs, 0
	s.deleted, s.heard = map[int]bool{}, map[int]bool{}
	s.inUrgent = folder == FolderUrgent
}

// close applies the deletions and the heard messages (moved to Old with
// moveheard), renumbers the folder, and announces the new counts.
func (s *session) close() {
	if s.msgs == nil && s.deleted == nil {
		return
	}
	sp := s.m.spool
	dir := sp.FolderDir(s.u.Context, s.u.Mailbox, Folders[s.folder])
	changed := false
	// The folder stays locked while its messages go, so a message left
	// meanwhile gets a number of its own.
	unlock, err := sp.Lock(dir)
	if err != nil {
		s.m.log.Warning("%v\n", err)
		return
	}
	for i, msg := range s.msgs {
		switch {
		case s.deleted[i]:
			Remove(msg.Base)
			changed = true
		case s.heard[i] && (s.folder == FolderInbox || s.folder == FolderUrgent) && s.u.MoveHeard:
			if _, _, err := sp.CopyTo(msg.Base, s.u.Context, s.u.Mailbox, "Old", 0); err != nil {
				s.m.log.Warning("Unable to move %s to Old: %v\n", msg.Base, err)
				continue
			}
			Remove(msg.Base)
			changed = true
		}
	}
	unlock()
	if changed {
		if err := sp.Resequence(dir); err != nil {
			s.m.log.Warning("%v\n", err)
		}
		if s.folder != FolderOld {
			sp.Resequence(sp.FolderDir(s.u.Context, s.u.Mailbox, "Old"))
		}
		s.m.changed(s.u)
	}
	s.msgs, s.deleted, s.heard = nil, nil, nil
}

// run is the main menu loop of vm_execmain.
func (s *session) run(start int) error {
	ch, u := s.ch, s.u
	sp := s.m.spool
	s.urgent = sp.Count(u.Context, u.Mailbox, "Urgent")
	s.newMsgs = sp.Count(u.Context, u.Mailbox, "INBOX")
	s.old = sp.Count(u.Context, u.Mailbox, "Old")
	if start == FolderInbox && s.urgent > 0 {
		start = FolderUrgent
	} else if start == FolderInbox && s.newMsgs == 0 && s.old > 0 {
		start = FolderOld
	}
	s.open(start)
	d, err := s.intro()
	if err != nil {
		return err
	}
	repeats := 0
	for {
		if d == 0 {
			if d, err = s.instructions(); err != nil {
				return err
			}
			if d == 0 {
				repeats++
				if repeats > 2 {
					play(ch, "vm-goodbye", "")
					return nil
				}
				continue
			}
		}
		repeats = 0
		cmd := d
		d = 0
		switch cmd {
		case '1':
			s.cur = 0
			if len(s.msgs) == 0 {
				d, err = play(ch, "vm-nomore", allKeys)
			} else {
				d, err = s.playMessage()
			}
		case '2':
			var f int
			f, err = s.chooseFolder("vm-changeto")
			if err != nil || f < 0 {
				break
			}
			s.close()
			s.open(f)
			d, err = playAll(ch, allKeys, "vm-"+Folders[f], "vm-messages")
		case '3':
			d, err = s.advanced()
			if err == nil && s.exit != nil {
				return nil
			}
		case '4':
			if s.cur > 0 {
				s.cur--
				d, err = s.playMessage()
			} else {
				d, err = play(ch, "vm-nomore", allKeys)
			}
		case '5':
			if len(s.msgs) > 0 {
				d, err = s.playMessage()
			} else {
				d, err = play(ch, "vm-nomore", allKeys)
			}
		case '6':
			if s.cur < len(s.msgs)-1 {
				s.cur++
				d, err = s.playMessage()
			} else if s.inUrgent && s.newMsgs > 0 {
				// After the urgent messages come the new ones.
				s.close()
				s.open(FolderInbox)
				d, err = s.playMessage()
			} else {
				d, err = play(ch, "vm-nomore", allKeys)
			}
		case '7':
			if len(s.msgs) == 0 {
				break
			}
			s.deleted[s.cur] = !s.deleted[s.cur]
			if s.deleted[s.cur] {
				d, err = play(ch, "vm-deleted", allKeys)
			} else {
				d, err = play(ch, "vm-undeleted", allKeys)
			}
			if err == nil && d == 0 && u.NextAfterCmd && s.cur < len(s.msgs)-1 {
				s.cur++
				d, err = s.playMessage()
			}
		case '8':
			if len(s.msgs) > 0 {
				d, err = s.forward()
			}
		case '9':
			if len(s.msgs) == 0 {
				break
			}
			var f int
			f, err = s.chooseFolder("vm-savefolder")
			if err != nil || f < 0 {
				break
			}
			if _, _, cerr := sp.CopyTo(s.msgs[s.cur].Base, u.Context, u.Mailbox, Folders[f], u.MaxMsg); cerr != nil {
				d, err = play(ch, "vm-mailboxfull", allKeys)
				break
			}
			s.deleted[s.cur] = true
			d, err = playAll(ch, allKeys, "vm-message", "vm-savedto", "vm-"+Folders[f], "vm-messages")
			if err == nil && d == 0 && u.NextAfterCmd && s.cur < len(s.msgs)-1 {
				s.cur++
				d, err = s.playMessage()
			}
		case '0':
			d, err = s.options()
		case '*':
			s.starting = true
		case '#':
			play(ch, "vm-goodbye", "")
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// intro is vm_intro (English): "you have N urgent/new/old messages".
func (s *session) intro() (rune, error) {
	ch := s.ch
	if d, err := play(ch, "vm-youhave", allKeys); d != 0 || err != nil {
		return d, err
	}
	say := func(n int, folder string, more bool) (rune, error) {
		if d, err := sayNumber(ch, n, allKeys); d != 0 || err != nil {
			return d, err
		}
		if d, err := play(ch, folder, allKeys); d != 0 || err != nil {
			return d, err
		}
		if more {
			return play(ch, "vm-and", allKeys)
		}
		if n == 1 {
			return play(ch, "vm-message", allKeys)
		}
		return play(ch, "vm-messages", allKeys)
	}
	if s.urgent > 0 {
		if d, err := say(s.urgent, "vm-Urgent", s.newMsgs > 0 || s.old > 0); d != 0 || err != nil {
			return d, err
		}
	}
	if s.newMsgs > 0 {
		if d, err := say(s.newMsgs, "vm-INBOX", s.old > 0); d != 0 || err != nil {
			return d, err
		}
	}
	if s.old > 0 {
		if d, err := say(s.old, "vm-Old", false); d != 0 || err != nil {
			return d, err
		}
	}
	if s.urgent == 0 && s.newMsgs == 0 && s.old == 0 {
		return playAll(ch, allKeys, "vm-no", "vm-messages")
	}
	return 0, nil
}

// instructions is vm_instructions_en: the menu for where the caller is,
// then a 6 s wait for a key.
func (s *session) instructions() (rune, error) {
	ch := s.ch
	var names []string
	if s.starting {
		if len(s.msgs) > 0 {
			names = append(names, "vm-onefor", "vm-"+Folders[s.folder], "vm-messages")
		}
		names = append(names, "vm-opts")
	} else {
		if s.cur > 0 || (!s.inUrgent && s.urgent > 0) {
			names = append(names, "vm-prev")
		}
		names = append(names, "vm-advopts", "vm-repeat")
		if s.cur != len(s.msgs)-1 || (s.inUrgent && s.newMsgs > 0) {
			names = append(names, "vm-next")
		}
		if s.deleted[s.cur] {
			names = append(names, "vm-undelete")
		} else {
			names = append(names, "vm-delete")
		}
		names = append(names, "vm-toforward", "vm-savemessage")
	}
	names = append(names, "vm-helpexit")
	if d, err := playAll(ch, allKeys, names...); d != 0 || err != nil {
		return d, err
	}
	return waitDigit(ch, 6*time.Second)
}

// playMessage is play_message: "first"/"last", "message N", the envelope
// (received date) when envelope=yes, then the recording, which any key
// stops. The message counts as heard.
func (s *session) playMessage() (rune, error) {
	if s.cur < 0 || s.cur >= len(s.msgs) {
		return play(s.ch, "vm-nomore", allKeys)
	}
	ch, msg := s.ch, s.msgs[s.cur]
	s.starting = false
	var d rune
	var err error
	switch {
	case s.cur == 0:
		d, err = play(ch, "vm-first", allKeys)
	case s.cur == len(s.msgs)-1:
		d, err = play(ch, "vm-last", allKeys)
	}
	if d != 0 || err != nil {
		return d, err
	}
	if msg.Info.Flag == "Urgent" || s.inUrgent {
		if d, err = play(ch, "vm-Urgent", allKeys); d != 0 || err != nil {
			return d, err
		}
	}
	if d, err = play(ch, "vm-message", allKeys); d != 0 || err != nil {
		return d, err
	}
	if s.cur > 0 && s.cur != len(s.msgs)-1 {
		if d, err = sayNumber(ch, s.cur+1, allKeys); d != 0 || err != nil {
			return d, err
		}
	}
	if s.u.Envelope && msg.Info.OrigTime > 0 {
		t := time.Unix(msg.Info.OrigTime, 0).In(s.cfg.Location(s.u))
		format := "'vm-received' Q 'digits/at' IMp"
		if z, ok := s.cfg.Zone(s.u.Zone); ok && z.MsgFormat != "" {
			format = z.MsgFormat
		}
		if d, err = sayDate(ch, t, format); d != 0 || err != nil {
			return d, err
		}
	}
	if s.u.SayCID {
		if d, err = s.sayCallerID(msg, false); d != 0 || err != nil {
			return d, err
		}
	}
	if s.u.SayDuration && msg.Info.Duration >= s.u.SayDurationM*60 {
		if d, err = sayNumber(ch, msg.Info.Duration/60, allKeys); d != 0 || err != nil {
			return d, err
		}
		if d, err = play(ch, "vm-minutes", allKeys); d != 0 || err != nil {
			return d, err
		}
	}
	s.heard[s.cur] = true
	// The listen controls: # and * skip skipms, 0 pauses, 2 starts over,
	// the other digits stop and are the caller's next command.
	g := &s.cfg.General
	key := func(name, def string) string {
		if k := g.ListenKeys["listen-control-"+name+"-key"]; k != "" {
			return k
		}
		return def
	}
	d, err = apps.ControlStream(ch, msg.Base, key("forward", "#"), key("reverse", "*"), key("stop", "13456789"),
		key("pause", "0"), key("restart", "2"), g.SkipMS)
	if err != nil && isEnd(ch, err) {
		return 0, errHangup
	}
	return d, nil
}

func sayDate(ch *pbx.Channel, t time.Time, format string) (rune, error) {
	d, err := apps.SayDate(ch, t, format, allKeys)
	if err != nil && isEnd(ch, err) {
		return 0, errHangup
	}
	return d, nil
}

// chooseFolder is get_folder2: prompt, then "press 0 for new messages,
// 1 for old ..." until a digit 0-4 (the named folders); -1 for none.
func (s *session) chooseFolder(prompt string) (int, error) {
	ch := s.ch
	for tries := 0; tries < 3; tries++ {
		d, err := play(ch, prompt, allKeys)
		if err != nil {
			return -1, err
		}
		for f := 0; d == 0 && f <= 4; f++ {
			if d, err = sayNumber(ch, f, allKeys); err != nil || d != 0 {
				break
			}
			if d, err = play(ch, "vm-for", allKeys); err != nil || d != 0 {
				break
			}
			if d, err = playAll(ch, allKeys, "vm-"+Folders[f], "vm-messages"); err != nil || d != 0 {
				break
			}
		}
		if err != nil {
			return -1, err
		}
		if d == 0 {
			if d, err = waitDigit(ch, 6*time.Second); err != nil {
				return -1, err
			}
		}
		if d == '#' {
			return -1, nil
		}
		if d >= '0' && d <= '4' {
			return int(d - '0'), nil
		}
	}
	return -1, nil
}

// forward is the 8 key (forward_message): the mailboxes to send the
// message to (several separated by *), then vm-forwardoptions: 1 records
// a comment put before the message, 2 sends it as it is, * cancels.
func (s *session) forward() (rune, error) {
	ch := s.ch
	var targets []*User
	for tries := 0; len(targets) == 0; tries++ {
		if tries == 3 {
			return 0, nil
		}
		boxes, err := readString(ch, "vm-extension", 0, loginTimeout)
		if err != nil {
			return 0, err
		}
		if boxes == "" {
			return 0, nil
		}
		for _, b := range strings.Split(boxes, "*") {
			if b == "" {
				continue
			}
			box, ctx, _ := strings.Cut(b, "@")
			if ctx == "" {
				ctx = s.u.Context
			}
			to := s.cfg.Lookup(ctx, box)
			if to == nil {
				targets = nil
				if _, err := play(ch, "pbx-invalid", ""); err != nil {
					return 0, err
				}
				break
			}
			targets = append(targets, to)
		}
	}
	prepend := ""
	for retries := 0; ; {
		d, err := playAll(ch, allKeys, "vm-forwardoptions", "vm-starmain")
		if err == nil && d == 0 {
			d, err = waitDigit(ch, 6*time.Second)
		}
		if err != nil {
			return 0, err
		}
		if d == '1' {
			if prepend, err = s.recordPrepend(); err != nil {
				return 0, err
			}
			break
		}
		if d == '2' {
			break
		}
		if d == '*' {
			return 0, nil
		}
		if retries++; retries > 3 {
			return 0, nil
		}
	}
	if prepend != "" {
		defer func() {
			for _, f := range s.m.spool.Formats() {
				os.Remove(prepend + "." + DiskExt(f))
			}
		}()
	}
	src := s.msgs[s.cur]
	ok := true
	for _, to := range targets {
		base, _, err := s.m.spool.CopyTo(src.Base, to.Context, to.Mailbox, "INBOX", to.MaxMsg)
		if err != nil {
			ok = false
			continue
		}
		if prepend != "" {
			if err := s.m.prependTo(base, prepend); err != nil {
				s.m.log.Warning("Unable to put the comment before %s: %v\n", base, err)
			}
		}
		s.m.changed(to)
	}
	if !ok {
		return play(ch, "vm-mailboxfull", allKeys)
	}
	return play(ch, "vm-msgforwarded", allKeys)
}

// recordPrepend records the comment of a forward (a beep, then until #
// or silence) in the mailbox's tmp folder; "" when nothing was recorded.
func (s *session) recordPrepend() (string, error) {
	g := &s.cfg.General
	formats := s.m.spool.Formats()
	dir := s.m.spool.FolderDir(s.u.Context, s.u.Mailbox, "tmp")
	os.MkdirAll(dir, 0o777)
	base := filepath.Join(dir, "prepend-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if _, err := play(s.ch, "beep", ""); err != nil {
		return "", err
	}
	status, hungUp, _ := apps.RecordFile(s.ch, base+"."+DiskExt(formats[0]), formats[0], apps.RecordOptions{
		Silence: g.MaxSilence, Threshold: g.SilenceThreshold, MaxDuration: time.Duration(s.u.MaxSecs) * time.Second, Terminator: '#',
	})
	if hungUp {
		os.Remove(base + "." + DiskExt(formats[0]))
		return "", errHangup
	}
	if status == "ERROR" {
		return "", nil
	}
	for _, f := range formats[1:] {
		convert(base+"."+DiskExt(formats[0]), formats[0], base+"."+DiskExt(f), f)
	}
	return base, nil
}

// prependTo rewrites message base with the audio of prepend before its
// own, in every format, and its duration in the .txt, each file through
// a temporary name.
func (m *Module) prependTo(base, prepend string) error {
	var extra time.Duration
	for _, f := range m.spool.Formats() {
		ext := DiskExt(f)
		d, err := concat(base+"."+ext+".new", f, prepend+"."+ext, base+"."+ext)
		if err != nil {
			os.Remove(base + "." + ext + ".new")
			return err
		}
		if err := os.Rename(base+"."+ext+".new", base+"."+ext); err != nil {
			return err
		}
		extra = d
	}
	data, err := os.ReadFile(base + ".txt")
	if err != nil {
		return err
	}
	info, err := ParseInfo(base+".txt", data)
	if err != nil {
		return err
	}
	info.Duration += int(extra.Round(time.Second) / time.Second)
	return writeFileAtomic(base+".txt", info.Bytes())
}

// advanced is the 3 key, Asterisk's advanced options: 1 reply (a
// message to the sender's mailbox), 2 call back (callback= context), 3
// the envelope, 4 an outgoing call (dialout= context), 5 a new message to
// another mailbox (sendvoicemail=yes), * back to the main menu.
func (s *session) advanced() (rune, error) {
	ch, u := s.ch, s.u
	haveMsg := len(s.msgs) > 0 && !s.starting
	repeats := 0
	cmd := rune(0)
	for {
		var err error
		switch cmd {
		case '1':
			if !haveMsg {
				_, err = play(ch, "vm-sorry", "")
				return 0, err
			}
			return 0, s.reply()
		case '2':
			if haveMsg {
				s.m.log.Verbose(3, "Callback Requested\n")
			}
			if u.Callback == "" || !haveMsg {
				_, err = play(ch, "vm-sorry", "")
				return 0, err
			}
			return 0, s.callback()
		case '3':
			if !haveMsg {
				_, err = play(ch, "vm-sorry", "")
				return 0, err
			}
			if _, err := s.envelope(s.msgs[s.cur], ""); err != nil {
				return 0, err
			}
			return 0, nil
		case '4':
			if u.Dialout == "" {
				_, err = play(ch, "vm-sorry", "")
				return 0, err
			}
			return 0, s.dialout("", u.Dialout)
		case '5':
			if !u.SendVM {
				_, err = play(ch, "vm-sorry", "")
				return 0, err
			}
			return 0, s.sendMessage()
		case '*':
			return 0, nil
		}
		var names []string
		if !s.starting {
			names = append(names, "vm-toreply")
		}
		if u.Callback != "" && !s.starting {
			names = append(names, "vm-tocallback")
		}
		if !s.starting {
			names = append(names, "vm-tohearenv")
		}
		if u.Dialout != "" {
			names = append(names, "vm-tomakecall")
		}
		if u.SendVM {
			names = append(names, "vm-leavemsg")
		}
		names = append(names, "vm-starmain")
		d, err := playAll(ch, allKeys, names...)
		if err == nil && d == 0 {
			d, err = waitDigit(ch, 6*time.Second)
		}
		if err != nil {
			return 0, err
		}
		if d == 0 {
			if repeats++; repeats > 3 {
				return 0, nil
			}
		}
		cmd = d
	}
}

// envelope is advanced option 3 and the saycid/envelope part of
// play_message: when it was received and who left it.
func (s *session) envelope(msg *Message, keys string) (rune, error) {
	ch := s.ch
	if msg.Info.OrigTime > 0 {
		t := time.Unix(msg.Info.OrigTime, 0).In(s.cfg.Location(s.u))
		format := "'vm-received' Q 'digits/at' IMp"
		if z, ok := s.cfg.Zone(s.u.Zone); ok && z.MsgFormat != "" {
			format = z.MsgFormat
		}
		if d, err := sayDate(ch, t, format); d != 0 || err != nil {
			return d, err
		}
	}
	return s.sayCallerID(msg, false)
}

// sayCallerID is play_message_callerid: for a caller from an internal
// context (cidinternalcontexts) its recorded name or "extension" and its
// digits, else "from phone number" and the digits; "unknown caller"
// without a number.
func (s *session) sayCallerID(msg *Message, callback bool) (rune, error) {
	ch := s.ch
	_, num := splitCallerID(msg.Info.CallerID)
	if num == "" || num == "Unknown" {
		return play(ch, "vm-unknown-caller", allKeys)
	}
	internal := false
	for _, c := range s.cfg.General.CIDInternalContexts {
		if c == msg.Info.Context {
			internal = true
		}
	}
	if internal {
		greet := s.m.spool.Greeting(msg.Info.Context, num, "greet")
		if soundExists(ch, greet) {
			s.m.log.Verbose(3, "Playing envelope info: CID number '%s' matches mailbox number, playing recorded name\n", num)
			if !callback {
				if d, err := play(ch, "vm-from", allKeys); d != 0 || err != nil {
					return d, err
				}
			}
			return play(ch, greet, "")
		}
		s.m.log.Verbose(3, "Playing envelope info: message from '%s'\n", num)
		if !callback {
			if d, err := play(ch, "vm-from-extension", allKeys); d != 0 || err != nil {
				return d, err
			}
		}
		return sayDigits(ch, num, "")
	}
	if !callback {
		if d, err := play(ch, "vm-from-phonenumber", allKeys); d != 0 || err != nil {
			return d, err
		}
	}
	return sayDigits(ch, num, allKeys)
}

// reply is advanced option 1: leave a message in the sender's mailbox
// (the caller id number, in this mailbox's context).
func (s *session) reply() error {
	ch := s.ch
	_, num := splitCallerID(s.msgs[s.cur].Info.CallerID)
	if num == "" || num == "Unknown" {
		s.m.log.Verbose(3, "No CID number available, no reply sent\n")
		_, err := play(ch, "vm-nonumber", "")
		return err
	}
	to := s.cfg.Lookup(s.u.Context, num)
	if to == nil {
		s.m.log.Verbose(3, "No mailbox number '%s' in context '%s', no reply sent\n", num, s.u.Context)
		_, err := play(ch, "vm-nobox", "")
		return err
	}
	s.m.log.Verbose(3, "Leaving voicemail for '%s' in context '%s'\n", num, s.u.Context)
	return s.leaveFor(to, map[byte]string{})
}

// sendMessage is advanced option 5 (sendvoicemail=yes): a new message to
// a mailbox the caller enters.
func (s *session) sendMessage() error {
	box, err := readString(s.ch, "vm-extension", 0, loginTimeout)
	if err != nil || box == "" {
		return err
	}
	to := s.cfg.Lookup(s.u.Context, box)
	if to == nil {
		_, err := play(s.ch, "pbx-invalid", "")
		return err
	}
	return s.leaveFor(to, map[byte]string{'s': ""})
}

// leaveFor records a message into another mailbox from inside
// VoiceMailMain, as leave_voicemail does for reply and send.
func (s *session) leaveFor(to *User, opts map[byte]string) error {
	res, err := s.m.leave(s.ch, s.cfg, to, nil, opts)
	if err != nil {
		return err
	}
	if res.Action == pbx.ActGoto {
		s.exit = &res
	}
	return nil
}

// callback is advanced option 2: call the sender back in the callback=
// context (or, with dialout=, a number the caller enters).
func (s *session) callback() error {
	ch, u := s.ch, s.u
	_, num := splitCallerID(s.msgs[s.cur].Info.CallerID)
	if num == "Unknown" {
		num = ""
	}
	retries := 0
	for {
		var names []string
		if num != "" {
			s.m.log.Verbose(3, "Confirm CID number '%s' is number to use for callback\n", num)
			names = []string{"vm-num-i-have"}
		} else {
			names = []string{"vm-nonumber"}
		}
		d, err := playAll(ch, allKeys, names...)
		if err == nil && d == 0 && num != "" {
			d, err = sayDigits(ch, num, allKeys)
			if err == nil && d == 0 {
				d, err = play(ch, "vm-tocallnum", allKeys)
			}
			if err == nil && d == 0 && u.Dialout != "" {
				d, err = play(ch, "vm-calldiffnum", allKeys)
			}
		} else if err == nil && d == 0 && u.Dialout != "" {
			d, err = play(ch, "vm-toenternumber", allKeys)
		}
		if err == nil && d == 0 {
			d, err = play(ch, "vm-star-cancel", allKeys)
		}
		if err == nil && d == 0 {
			d, err = waitDigit(ch, 6*time.Second)
		}
		if err != nil {
			return err
		}
		switch d {
		case '1':
			if num != "" {
				return s.dialout(num, u.Callback)
			}
			fallthrough
		case '2':
			if u.Dialout == "" {
				s.m.log.Verbose(3, "Caller can not specify callback number - no dialout context available\n")
				_, err := play(ch, "vm-sorry", "")
				return err
			}
			return s.dialout("", u.Dialout)
		case '*':
			return nil
		case 0:
			if retries++; retries > 3 {
				return nil
			}
		default:
			if _, err := play(ch, "vm-sorry", ""); err != nil {
				return err
			}
			retries++
		}
	}
}

// dialout leaves VoiceMailMain for num (asked for when "") in context:
// the dialplan goes on there, as Asterisk's dialout sets the channel's
// context and extension.
func (s *session) dialout(num, context string) error {
	ch := s.ch
	if num == "" {
		s.m.log.Verbose(3, "Destination number will be entered manually\n")
		for retries := 0; retries < 3 && num == ""; {
			d, err := playAll(ch, allKeys, "vm-enter-num-to-call", "vm-then-pound", "vm-star-cancel")
			if err == nil && d == 0 {
				d, err = waitDigit(ch, 6*time.Second)
			}
			if err != nil {
				return err
			}
			switch d {
			case 0:
				retries++
			case '*':
				s.m.log.Verbose(3, "User hit '*' to cancel outgoing call\n")
				return nil
			default:
				rest, err := readString(ch, "", 0, 6*time.Second)
				if err != nil {
					return err
				}
				num = string(d) + rest
			}
		}
		if num == "" || strings.HasSuffix(num, "*") {
			return nil
		}
	} else {
		s.m.log.Verbose(3, "Destination number is CID number '%s'\n", num)
	}
	chCtx, _, _ := ch.Location()
	s.m.log.Verbose(3, "Placing outgoing call to extension '%s' in context '%s' from context '%s'\n", num, context, chCtx)
	r := pbx.GotoResult(context, num, 1)
	s.exit = &r
	return nil
}

// options is the 0 key, vm_options: 1 unavailable, 2 busy, 3 name, 4
// temporary greeting, 5 password, * back.
func (s *session) options() (rune, error) {
	ch, u, sp := s.ch, s.u, s.m.spool
	for tries := 0; tries < 3; tries++ {
		d, err := play(ch, "vm-options", allKeys)
		if err != nil {
			return 0, err
		}
		if d == 0 {
			if d, err = waitDigit(ch, 6*time.Second); err != nil {
				return 0, err
			}
		}
		switch d {
		case '1':
			err = s.recordGreeting("vm-rec-unv", sp.Greeting(u.Context, u.Mailbox, "unavail"))
		case '2':
			err = s.recordGreeting("vm-rec-busy", sp.Greeting(u.Context, u.Mailbox, "busy"))
		case '3':
			err = s.recordGreeting("vm-rec-name", sp.Greeting(u.Context, u.Mailbox, "greet"))
		case '4':
			err = s.tempGreeting()
		case '5':
			err = s.changePassword()
		case '*', '#':
			return 0, nil
		case 0:
			continue
		}
		if err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// recordGreeting is play_record_review for a greeting: the prompt, the
// beep, the recording in every format, then 1 accept / 2 listen / 3
// record again (a timeout accepts).
func (s *session) recordGreeting(prompt, base string) error {
	ch := s.ch
	g := &s.cfg.General
	tmp := filepath.Join(filepath.Dir(base), "tmp", "greeting-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	defer func() {
		for _, f := range s.m.spool.Formats() {
			os.Remove(tmp + "." + DiskExt(f))
		}
	}()
	cmd := '3'
	attempts := 0
	for {
		switch cmd {
		case '3':
			if _, err := play(ch, prompt, ""); err != nil {
				return err
			}
			if _, err := play(ch, "beep", ""); err != nil {
				return err
			}
			os.MkdirAll(filepath.Dir(tmp), 0o777)
			maxSecs := g.MaxGreet
			if maxSecs == 0 {
				maxSecs = s.u.MaxSecs
			}
			status, hungUp, _ := apps.RecordFile(ch, tmp+"."+DiskExt(s.m.spool.Formats()[0]), s.m.spool.Formats()[0], apps.RecordOptions{
				Silence: g.MaxSilence, Threshold: g.SilenceThreshold, MaxDuration: time.Duration(maxSecs) * time.Second, Terminator: '#',
			})
			if hungUp {
				return errHangup
			}
			if status == "ERROR" {
				return nil
			}
			for _, f := range s.m.spool.Formats()[1:] {
				convert(tmp+"."+DiskExt(s.m.spool.Formats()[0]), s.m.spool.Formats()[0], tmp+"."+DiskExt(f), f)
			}
		case '2':
			if _, err := play(ch, tmp, allKeys); err != nil {
				return err
			}
		case '1':
			for _, f := range s.m.spool.Formats() {
				os.Rename(tmp+"."+DiskExt(f), base+"."+DiskExt(f))
			}
			_, err := play(ch, "vm-msgsaved", "")
			return err
		}
		d, err := play(ch, "vm-review", allKeys)
		if err != nil {
			return err
		}
		if d == 0 {
			if d, err = waitDigit(ch, 6*time.Second); err != nil {
				return err
			}
		}
		if d == 0 {
			// Three menus without a key: the new greeting is dropped,
			// as Asterisk deletes a greeting on timeout.
			if attempts++; attempts > 3 {
				return nil
			}
		}
		cmd = d
	}
}

// tempGreeting is option 4: record a temporary greeting, or with one in
// place, 1 record again / 2 erase it.
func (s *session) tempGreeting() error {
	ch, u, sp := s.ch, s.u, s.m.spool
	temp := sp.Greeting(u.Context, u.Mailbox, "temp")
	if !apps.SoundExists(ch, temp) {
		return s.recordGreeting("vm-rec-temp", temp)
	}
	d, err := play(ch, "vm-tempgreeting2", allKeys)
	if err != nil {
		return err
	}
	if d == 0 {
		if d, err = waitDigit(ch, 6*time.Second); err != nil {
			return err
		}
	}
	switch d {
	case '1':
		return s.recordGreeting("vm-rec-temp", temp)
	case '2':
		for _, f := range msgFiles(temp) {
			os.Remove(f)
		}
		_, err = play(ch, "vm-tempremoved", "")
	}
	return err
}

// changePassword is vm_newpassword: new password twice, minpassword
// digits, then written where passwordlocation says.
func (s *session) changePassword() error {
	ch := s.ch
	g := &s.cfg.General
	prompt := func(name string) string {
		if p := g.Prompts[name]; p != "" {
			return p
		}
		return name
	}
	for tries := 0; tries < 3; tries++ {
		p1, err := readString(ch, prompt("vm-newpassword"), 80, loginTimeout)
		if err != nil {
			return err
		}
		if p1 == "" || !s.m.CheckPassword(s.u, p1) {
			if _, err := play(ch, prompt("vm-invalid-password"), ""); err != nil {
				return err
			}
			continue
		}
		p2, err := readString(ch, prompt("vm-reenterpassword"), 80, loginTimeout)
		if err != nil {
			return err
		}
		if p1 != p2 {
			if _, err := play(ch, prompt("vm-mismatch"), ""); err != nil {
				return err
			}
			continue
		}
		if err := s.m.ChangePassword(s.u, p1); err != nil {
			s.m.log.Warning("Unable to change the password of %s: %v\n", s.u.ID(), err)
			return nil
		}
		s.m.log.Verbose(4, "Store password: %s for user %s\n", p1, s.u.ID())
		_, err = play(ch, prompt("vm-passchanged"), "")
		return err
	}
	return nil
}
