package voicemail_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
	"github.com/gostrisk/gostrisk/pkg/voicemail"
)

const soundsDir = pbxtest.SoundsDir

func needSounds(t *testing.T) { pbxtest.NeedSounds(t, "vm-intro") }

// recLog is the shared recording logger (with ERROR) that a test can
// wait on.
type recLog struct{ pbxtest.ErrorLog }

// waitFor waits for a line containing s after line from, returning its
// index.
func (l *recLog) waitFor(t *testing.T, from int, s string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		lines := l.Lines()
		for i := from; i < len(lines); i++ {
			if strings.Contains(lines[i], s) {
				return i
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no log line with %q after line %d; log:\n%s", s, from, strings.Join(l.Lines(), "\n"))
	return 0
}

func toneFrames(t *testing.T, hz int, d time.Duration, f *media.Format) []media.Frame {
	t.Helper()
	frames, err := pbxtest.ToneFrames(fmt.Sprint(hz), d, f)
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

func toPCM(t *testing.T, frames []media.Frame) []int16 {
	t.Helper()
	var out []int16
	var chain *media.Chain
	for _, fr := range frames {
		if fr.Kind != media.Voice {
			continue
		}
		if fr.Format != media.SLin {
			if chain == nil {
				p, err := pbx.Translator().Path(fr.Format, media.SLin)
				if err != nil {
					t.Fatal(err)
				}
				chain = p.NewChain()
			}
			var err error
			if fr, err = chain.Translate(fr); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, media.DecodeSLin(nil, fr.Payload)...)
	}
	return out
}

func readPCM(t *testing.T, path, format string) []int16 {
	t.Helper()
	ff, _ := sound.LookupFileFormat(format)
	r, err := sound.Open(path, ff)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var frames []media.Frame
	for {
		fr, err := r.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, fr)
	}
	return toPCM(t, frames)
}

// dominantHz estimates a tone's frequency from its zero crossings.
func dominantHz(s []int16, rate int) float64 {
	crossings := 0
	for i := 1; i < len(s); i++ {
		if (s[i-1] < 0) != (s[i] < 0) {
			crossings++
		}
	}
	return float64(crossings) / 2 / (float64(len(s)) / float64(rate))
}

type lab struct {
	e     *pbx.Engine
	log   *recLog
	vm    *voicemail.Module
	spool string
	mails string
	bus   *pbx.Subscription
}

const labPlan = `
[default]
exten => 6000,1,VoiceMail(6000@default,u)
 same => n,NoOp(VMSTATUS=${VMSTATUS})
 same => n,Hangup()
exten => 6009,1,VoiceMail(6009@default,u)
 same => n,NoOp(VMSTATUS=${VMSTATUS})
exten => *97,1,VoiceMailMain(6000@default)
exten => *96,1,VoiceMailMain(6002@default)
 same => n,NoOp(AFTER NEWUSER)
exten => *95,1,VoiceMailMain(6999@devices)
exten => 6010,1,VoiceMail(6000@default,sU)
exten => 411,1,Directory(default)
 same => n,NoOp(DIRECTORY_RESULT=${DIRECTORY_RESULT})
exten => 412,1,Directory(default,,m)
exten => 500,1,NoOp(INFO=${VM_INFO(6000,count)} COUNT=${VMCOUNT(6000)} EXISTS=${VM_INFO(6000,exists)}/${VM_INFO(6009,exists)} NAME=${VM_INFO(6000@default,fullname)})
[cb]
exten => _X.,1,NoOp(CALLBACK ${EXTEN})
`

func newLab(t *testing.T, conf string) *lab {
	t.Helper()
	dir := t.TempDir()
	l := &lab{log: &recLog{}, spool: dir, mails: filepath.Join(dir, "mails")}
	os.MkdirAll(l.mails, 0o777)
	pc, diags := confparse.Parse("extensions.conf", []byte(labPlan), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, _ := dialplan.Build(pc, nil)
	plan := pbx.FromDialplan(dp)
	l.e = pbx.New(pbx.Config{
		Logger:     l.log,
		Plan:       func() pbx.Plan { return plan },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, env) },
	})
	if err := apps.RegisterWith(l.e, apps.Config{DataDir: soundsDir}); err != nil {
		t.Fatal(err)
	}
	conf = strings.ReplaceAll(conf, "MAILDIR", l.mails)
	etc := filepath.Join(dir, "etc")
	os.MkdirAll(etc, 0o777)
	if err := os.WriteFile(filepath.Join(etc, "voicemail.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	vc, diags := confparse.Load(filepath.Join(etc, "voicemail.conf"), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg, _ := voicemail.Load(vc)
	cfg.EtcDir = etc
	l.vm = voicemail.New(voicemail.Options{Log: l.log, SpoolDir: dir, Host: "pbx.example.com"}, cfg)
	if err := l.vm.Register(l.e); err != nil {
		t.Fatal(err)
	}
	l.bus = l.e.Bus().Subscribe()
	l.vm.Start(l.e)
	t.Cleanup(func() {
		l.vm.Close()
		l.bus.Close()
	})
	return l
}

type call struct {
	ch    *pbx.Channel
	phone *pbxtest.Phone
	done  chan struct{}
}

// press sends keys as DTMF, one digit after the other.
func (c *call) press(keys string) {
	for _, d := range keys {
		c.phone.Press(d)
	}
}

// login answers VoiceMailMain's password prompt with 6000's 1234; it
// returns the log line to wait from.
func (l *lab) login(t *testing.T, c *call) int {
	t.Helper()
	from := l.log.waitFor(t, 0, "Playing 'vm-password.")
	c.press("1234#")
	return from
}

func (l *lab) start(t *testing.T, exten string) *call {
	t.Helper()
	phone := pbxtest.NewPhone(media.ULaw)
	ch := phone.NewChannel(l.e, "6001", "default", exten)
	ch.SetCallerID(pbx.CallerID{Name: "Bob", Num: "6001"})
	ch.SetState(pbx.StateRing)
	c := &call{ch: ch, phone: phone, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		l.e.Run(context.Background(), ch, "default", exten, 1)
	}()
	t.Cleanup(func() {
		ch.SoftHangup(pbx.CauseNormalClearing)
		<-c.done
	})
	return c
}

func (c *call) wait(t *testing.T, l *lab) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("call did not end; log:\n%s", strings.Join(l.log.Lines(), "\n"))
	}
}

// mwi waits for a MessageWaiting event for box and returns the counts
// the provider gives then.
func (l *lab) mwi(t *testing.T, box string) pbx.MailboxCounts {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		for _, ev := range l.bus.Take() {
			if ev.Type == pbx.BusMessageWaiting && ev.Value == box {
				c, _ := l.e.MailboxCounts(box)
				return c
			}
		}
		select {
		case <-l.bus.Ready():
		case <-deadline:
			t.Fatalf("no MessageWaiting for %s", box)
		}
	}
}

const labConf = `[general]
format=wav49|wav
mailcmd=cat > MAILDIR/mail.$$
serveremail=vm@pbx.example.com
fromstring=Voicemail System
emailsubject=New message ${VM_MSGNUM} from ${VM_CALLERID}
emailbody=Dear ${VM_NAME}: a ${VM_DUR} message in ${VM_MAILBOX} from ${VM_CIDNUM}.
[default]
6000 => 1234,Alice Martin,alice@example.com,,attach=yes
`

// TestLeaveAndListen is the acceptance on fake phones: a caller
// leaves a 5 s tone in 6000 (unavail greeting), the spool holds Asterisk's
// msg0000.txt and the tone, MWI says 1 new, the mail with the attachment
// reached mailcmd; then 6000 logs in with DTMF, listens (the tone comes
// back), deletes the message, and MWI says 0/0.
func TestLeaveAndListen(t *testing.T) {
	needSounds(t)
	l := newLab(t, labConf)
	c := l.start(t, "6000")
	for _, p := range []string{"vm-theperson", "digits/6", "vm-isunavail", "vm-intro", "beep"} {
		l.log.waitFor(t, 0, "Playing '"+p+".")
	}
	time.Sleep(300 * time.Millisecond) // the beep plays out, the recording starts
	if err := c.phone.Say(toneFrames(t, 1000, 5*time.Second, media.ULaw)...); err != nil {
		t.Fatal(err)
	}
	if err := c.phone.Press('#'); err != nil {
		t.Fatal(err)
	}
	c.wait(t, l)
	l.log.waitFor(t, 0, "NoOp(\"Test/6001-")
	if got := l.log.waitFor(t, 0, "VMSTATUS="); !strings.Contains(l.log.Lines()[got], "VMSTATUS=SUCCESS") {
		t.Errorf("status line %q", l.log.Lines()[got])
	}
	inbox := filepath.Join(l.spool, "voicemail", "default", "6000", "INBOX")
	data, err := os.ReadFile(filepath.Join(inbox, "msg0000.txt"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := voicemail.ParseInfo("msg0000.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	if info.OrigMailbox != "6000" || info.Context != "default" || info.Exten != "6000" || info.Priority != 1 ||
		info.CallerID != `"Bob" <6001>` || !strings.HasPrefix(info.CallerChan, "Test/6001-") || info.RDNIS != "unknown" ||
		info.Duration != 5 || info.Flag != "" || info.MsgID == "" || time.Since(time.Unix(info.OrigTime, 0)) > time.Minute {
		t.Errorf("msg0000.txt:\n%s", data)
	}
	if !strings.HasPrefix(string(data), ";\n; Message Information file\n;\n[message]\norigmailbox=6000\n") {
		t.Errorf("msg0000.txt layout:\n%s", data)
	}
	for _, f := range []struct{ ext, format string }{{"wav", "wav"}, {"WAV", "wav49"}} {
		pcm := readPCM(t, filepath.Join(inbox, "msg0000."+f.ext), f.format)
		if secs := float64(len(pcm)) / 8000; secs < 4.5 || secs > 5.1 {
			t.Errorf("msg0000.%s lasts %.2f s", f.ext, secs)
		}
		if hz := dominantHz(pcm, 8000); hz < 980 || hz > 1020 {
			t.Errorf("msg0000.%s is a %.0f Hz tone, want 1000", f.ext, hz)
		}
	}
	if c := l.mwi(t, "6000@default"); c != (pbx.MailboxCounts{New: 1}) {
		t.Errorf("MWI after the deposit: %+v", c)
	}
	checkMail(t, l, filepath.Join(inbox, "msg0000.WAV"))

	// 6000 checks its mailbox.
	c = l.start(t, "*97")
	from := l.login(t, c)
	for _, p := range []string{"vm-youhave", "digits/1", "vm-INBOX", "vm-message", "vm-onefor", "vm-opts"} {
		from = l.log.waitFor(t, from, "Playing '"+p+".")
	}
	c.phone.Press('1')
	l.log.waitFor(t, from, "Playing 'vm-first.")
	msgLine := l.log.waitFor(t, from, "Playing '"+filepath.Join(inbox, "msg0000")+".")
	l.log.waitFor(t, msgLine, "Playing 'vm-advopts.")
	// The phone heard the prompts and, among them, 4 s and more of the
	// 1000 Hz tone: the recording came back.
	pcm := toPCM(t, c.phone.Heard())
	found := false
	for at := 0; at+4*8000 <= len(pcm) && !found; at += 800 {
		if hz := dominantHz(pcm[at:at+4*8000], 8000); hz > 990 && hz < 1010 {
			found = true
		}
	}
	if !found {
		t.Errorf("no 4 s of 1000 Hz tone in the %d samples the phone heard", len(pcm))
	}
	c.phone.Press('7')
	l.log.waitFor(t, msgLine, "Playing 'vm-deleted.")
	c.phone.Press('#')
	l.log.waitFor(t, msgLine, "Playing 'vm-goodbye.")
	c.wait(t, l)
	if cnt := l.mwi(t, "6000@default"); cnt != (pbx.MailboxCounts{}) {
		t.Errorf("MWI after the delete: %+v", cnt)
	}
	if ents, _ := os.ReadDir(inbox); len(ents) != 0 {
		t.Errorf("INBOX still holds %v", ents)
	}
}

// checkMail parses what mailcmd stored with a MIME parser: headers from
// the templates, the body, and the attachment equal to the spool file.
func checkMail(t *testing.T, l *lab, audio string) {
	t.Helper()
	var files []string
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		files, _ = filepath.Glob(filepath.Join(l.mails, "mail.*"))
		if len(files) == 1 {
			if st, err := os.Stat(files[0]); err == nil && st.Size() > 1000 {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(files) != 1 {
		t.Fatalf("mailcmd stored %v", files)
	}
	time.Sleep(100 * time.Millisecond) // the shell may still be writing
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	for k, want := range map[string]string{
		"From":         `"Voicemail System" <vm@pbx.example.com>`,
		"To":           `"Alice Martin" <alice@example.com>`,
		"Subject":      `New message 1 from "Bob" <6001>`,
		"MIME-Version": "1.0",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	body, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(body)
	if want := "Dear Alice Martin: a 0:05 message in 6000 from 6001."; string(text) != want {
		t.Errorf("body %q, want %q", text, want)
	}
	att, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if ct := att.Header.Get("Content-Type"); ct != `audio/x-WAV; name="msg0000.WAV"` {
		t.Errorf("attachment type %q", ct)
	}
	if att.FileName() != "msg0000.WAV" {
		t.Errorf("attachment name %q", att.FileName())
	}
	enc, _ := io.ReadAll(att)
	got, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\n", "", "\r", "").Replace(string(enc)))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(audio)
	if string(got) != string(want) {
		t.Errorf("attachment is %d bytes, the spool file %d", len(got), len(want))
	}
}

// TestUnknownMailboxAndFunctions: VMSTATUS=FAILED with Asterisk's warning
// for a mailbox voicemail.conf lacks; VM_INFO and VMCOUNT.
func TestUnknownMailboxAndFunctions(t *testing.T) {
	needSounds(t)
	l := newLab(t, labConf)
	c := l.start(t, "6009")
	c.wait(t, l)
	l.log.waitFor(t, 0, "WARNING: Test/6001-")
	l.log.waitFor(t, 0, "Exten: 6009: No entry in voicemail config file for '6009'")
	l.log.waitFor(t, 0, "VMSTATUS=FAILED")
	c = l.start(t, "500")
	c.wait(t, l)
	l.log.waitFor(t, 0, "INFO=0 COUNT=0 EXISTS=1/0 NAME=Alice Martin")
}

// leave has a caller leave a 2 s tone in exten's mailbox.
func (l *lab) leave(t *testing.T, exten string) {
	t.Helper()
	from := len(l.log.Lines())
	c := l.start(t, exten)
	l.log.waitFor(t, from, "Playing 'beep.")
	// Keys pressed while the beep plays are dropped, as in Asterisk: let
	// the recording start.
	time.Sleep(300 * time.Millisecond)
	if err := c.phone.Say(toneFrames(t, 1000, 2*time.Second, media.ULaw)...); err != nil {
		t.Fatal(err)
	}
	c.phone.Press('#')
	c.wait(t, l)
}

func TestMailcmdFailureKeepsMessage(t *testing.T) {
	needSounds(t)
	l := newLab(t, strings.Replace(labConf, "mailcmd=cat > MAILDIR/mail.$$", "mailcmd=cat >/dev/null && exit 3", 1)+
		"6002 => 1,Dee,dee@example.com,,delete=yes\n")
	l.leave(t, "6000") // attach, no delete
	l.log.waitFor(t, 0, "Unable to send voicemail e-mail for 6000@default (the message stays in the mailbox): mailcmd 'cat >/dev/null && exit 3' failed: exit status 3")
	if c, _ := l.e.MailboxCounts("6000@default"); c.New != 1 {
		t.Errorf("counts %+v", c)
	}
}

func TestDeleteAfterMail(t *testing.T) {
	needSounds(t)
	conf := strings.Replace(labConf, "attach=yes", "attach=yes|delete=yes", 1)
	l := newLab(t, conf)
	l.leave(t, "6000")
	if c := l.mwi(t, "6000@default"); c.New != 1 {
		t.Errorf("after the deposit: %+v", c)
	}
	// The second announcement follows the mail: delete=yes emptied the box.
	if c := l.mwi(t, "6000@default"); c != (pbx.MailboxCounts{}) {
		t.Errorf("after the mail: %+v", c)
	}
	files, _ := filepath.Glob(filepath.Join(l.mails, "mail.*"))
	if len(files) != 1 {
		t.Errorf("mails %v", files)
	}
}

// TestPollMailboxes: a message removed by another program is noticed.
func TestPollMailboxes(t *testing.T) {
	needSounds(t)
	l := newLab(t, labConf)
	l.leave(t, "6000")
	l.mwi(t, "6000@default")
	inbox := filepath.Join(l.spool, "voicemail", "default", "6000", "INBOX")
	for _, f := range []string{"msg0000.txt", "msg0000.wav", "msg0000.WAV"} {
		os.Remove(filepath.Join(inbox, f))
	}
	l.vm.PollOnce()
	if c := l.mwi(t, "6000@default"); c != (pbx.MailboxCounts{}) {
		t.Errorf("after the external delete: %+v", c)
	}
	l.vm.PollOnce()
	for _, ev := range l.bus.Take() {
		if ev.Type == pbx.BusMessageWaiting {
			t.Errorf("unchanged box announced again: %+v", ev)
		}
	}
}

func TestMaxLogins(t *testing.T) {
	needSounds(t)
	l := newLab(t, labConf)
	c := l.start(t, "*97")
	from := 0
	for i := 0; i < 3; i++ {
		from = l.log.waitFor(t, from, "Playing 'vm-password.") + 1
		c.press("99#")
		from = l.log.waitFor(t, from, "Incorrect password '99' for user '6000' (context = default)") + 1
	}
	l.log.waitFor(t, from, "Playing 'vm-goodbye.")
	c.wait(t, l)
}

// TestDirectory dials Alice Martin by the first letters of her last name.
func TestDirectory(t *testing.T) {
	needSounds(t)
	l := newLab(t, labConf+"6003 => 1,Bob Jones\n6004 => 1,Hidden Marten,,,hidefromdir=yes\n")
	c := l.start(t, "411")
	for _, p := range []string{"dir-welcome", "dir-pls-enter", "digits/3", "dir-last", "dir-usingkeypad"} {
		l.log.waitFor(t, 0, "Playing '"+p+".")
	}
	c.press("627")
	from := l.log.waitFor(t, 0, "Playing 'letters/m.")
	l.log.waitFor(t, from, "Playing 'dir-instr.")
	c.phone.Press('1')
	l.log.waitFor(t, from, "Executing [6000@default:1] VoiceMail(")
	for _, s := range l.log.Lines() {
		if strings.Contains(s, "letters/j") {
			t.Errorf("Bob Jones offered for 627: %s", s)
		}
	}
}

func TestKeypadMatch(t *testing.T) {
	for _, c := range []struct {
		name, pattern string
		first, ok     bool
		key           string
	}{
		{"Alice Martin", "627", false, true, "MartinAlice"},
		{"Alice Martin", "254", true, true, "Alice Martin"},
		{"Alice Martin", "254", false, false, ""},
		{"Jean-Luc Picard", "742", false, true, "PicardJean-Luc"},
		{"Zed", "933", false, true, "Zed"},
		{"", "1", false, false, ""},
	} {
		key, ok := voicemail.NameMatch(c.name, c.pattern, c.first)
		if ok != c.ok || key != c.key {
			t.Errorf("NameMatch(%q, %q, %v) = %q %v", c.name, c.pattern, c.first, key, ok)
		}
	}
}

// TestUrgentFirst: a message left with U goes to Urgent, is announced
// and played first, and once heard moves to Old (moveheard).
func TestUrgentFirst(t *testing.T) {
	needSounds(t)
	l := newLab(t, labConf)
	l.leave(t, "6010")
	if c := l.mwi(t, "6000@default"); c != (pbx.MailboxCounts{New: 1, UrgentNew: 1}) {
		t.Errorf("after the urgent deposit: %+v", c)
	}
	box := filepath.Join(l.spool, "voicemail", "default", "6000")
	data, err := os.ReadFile(filepath.Join(box, "Urgent", "msg0000.txt"))
	if err != nil || !strings.Contains(string(data), "\nflag=Urgent\n") {
		t.Fatalf("Urgent/msg0000.txt: %v\n%s", err, data)
	}
	c := l.start(t, "*97")
	from := l.login(t, c)
	for _, p := range []string{"vm-youhave", "digits/1", "vm-Urgent", "vm-message", "vm-onefor", "vm-Urgent", "vm-opts"} {
		from = l.log.waitFor(t, from, "Playing '"+p+".")
	}
	c.phone.Press('1')
	from = l.log.waitFor(t, from, "Playing 'vm-first.")
	from = l.log.waitFor(t, from, "Playing 'vm-Urgent.")
	l.log.waitFor(t, from, "Playing '"+filepath.Join(box, "Urgent", "msg0000")+".")
	l.log.waitFor(t, from, "Playing 'vm-advopts.")
	c.phone.Press('#')
	c.wait(t, l)
	if cnt := l.mwi(t, "6000@default"); cnt != (pbx.MailboxCounts{Old: 1}) {
		t.Errorf("after listening: %+v", cnt)
	}
	if _, err := os.Stat(filepath.Join(box, "Old", "msg0000.wav")); err != nil {
		t.Errorf("heard message not in Old: %v", err)
	}
}

// TestReview: a review=yes box offers its caller the review menu: 2 plays
// the recording back, 1 keeps it.
func TestReview(t *testing.T) {
	needSounds(t)
	l := newLab(t, strings.Replace(labConf, "attach=yes", "attach=yes|review=yes", 1))
	c := l.start(t, "6000")
	l.log.waitFor(t, 0, "Playing 'beep.")
	time.Sleep(300 * time.Millisecond)
	c.phone.Say(toneFrames(t, 1000, time.Second, media.ULaw)...)
	c.phone.Press('#')
	from := l.log.waitFor(t, 0, "Playing 'vm-review.")
	c.phone.Press('2')
	from = l.log.waitFor(t, from, "Reviewing the message")
	from = l.log.waitFor(t, from, "/voicemail/default/6000/tmp/")
	from = l.log.waitFor(t, from+1, "Playing 'vm-review.")
	c.phone.Press('1')
	l.log.waitFor(t, from, "Playing 'vm-msgsaved.")
	c.wait(t, l)
	l.log.waitFor(t, from, "VMSTATUS=SUCCESS")
	if c, _ := l.e.MailboxCounts("6000"); c.New != 1 {
		t.Errorf("counts %+v", c)
	}
}

// TestMailboxOptions: 0 in VoiceMailMain records the unavailable
// greeting (then played to callers) and changes the password (written
// to voicemail.conf, accepted at the next login).
func TestMailboxOptions(t *testing.T) {
	needSounds(t)
	l := newLab(t, labConf)
	c := l.start(t, "*97")
	from := l.login(t, c)
	from = l.log.waitFor(t, from, "Playing 'vm-opts.")
	c.phone.Press('0')
	from = l.log.waitFor(t, from, "Playing 'vm-options.")
	c.phone.Press('1')
	from = l.log.waitFor(t, from, "Playing 'vm-rec-unv.")
	from = l.log.waitFor(t, from, "Playing 'beep.")
	time.Sleep(300 * time.Millisecond)
	c.phone.Say(toneFrames(t, 700, time.Second, media.ULaw)...)
	c.phone.Press('#')
	from = l.log.waitFor(t, from, "Playing 'vm-review.")
	c.phone.Press('1')
	from = l.log.waitFor(t, from, "Playing 'vm-msgsaved.")
	from = l.log.waitFor(t, from, "Playing 'vm-options.")
	c.phone.Press('5')
	from = l.log.waitFor(t, from, "Playing 'vm-newpassword.")
	c.press("5678#")
	from = l.log.waitFor(t, from, "Playing 'vm-reenterpassword.")
	c.press("5678#")
	from = l.log.waitFor(t, from, "Playing 'vm-passchanged.")
	from = l.log.waitFor(t, from, "Playing 'vm-options.")
	c.phone.Press('*')
	from = l.log.waitFor(t, from, "Playing 'vm-helpexit.")
	c.phone.Press('#')
	c.wait(t, l)
	box := filepath.Join(l.spool, "voicemail", "default", "6000")
	pcm := readPCM(t, filepath.Join(box, "unavail.wav"), "wav")
	if len(pcm) < 4000 {
		t.Fatalf("unavail greeting has %d samples", len(pcm))
	}
	// The middle of it: its edges may hold a little of what came before
	// the tone and the start of the key.
	if hz := dominantHz(pcm[len(pcm)/4:3*len(pcm)/4], 8000); hz < 680 || hz > 720 {
		t.Errorf("unavail greeting is a %.0f Hz tone", hz)
	}
	conf, _ := os.ReadFile(filepath.Join(l.spool, "etc", "voicemail.conf"))
	if !strings.Contains(string(conf), "6000 => 5678,Alice Martin,alice@example.com,,attach=yes\n") {
		t.Errorf("voicemail.conf:\n%s", conf)
	}
	// A caller now hears the recorded greeting instead of the digits.
	mark := len(l.log.Lines())
	c = l.start(t, "6000")
	l.log.waitFor(t, mark, "Playing '"+filepath.Join(box, "unavail")+".")
	l.log.waitFor(t, mark, "Playing 'vm-intro.")
	c.ch.SoftHangup(pbx.CauseNormalClearing)
	c.wait(t, l)
	// And the new password opens the box.
	mark = len(l.log.Lines())
	c = l.start(t, "*97")
	l.log.waitFor(t, mark, "Playing 'vm-password.")
	c.press("5678#")
	l.log.waitFor(t, mark, "Playing 'vm-youhave.")
}

// TestAdvancedCallback: 3 then 2 offers to call the sender back; 1 sends
// the dialplan to the callback= context with the caller id number; 3 then
// 1 (reply) says there is no mailbox for a sender without one.
func TestAdvancedCallback(t *testing.T) {
	needSounds(t)
	l := newLab(t, strings.Replace(labConf, "attach=yes", "attach=yes|callback=cb|saycid=yes", 1)+"[general]\ncidinternalcontexts=default\n")
	l.leave(t, "6000")
	c := l.start(t, "*97")
	from := l.login(t, c)
	from = l.log.waitFor(t, from, "Playing 'vm-opts.")
	c.phone.Press('1')
	// saycid: the sender, from an internal context, by extension.
	from = l.log.waitFor(t, from, "Playing envelope info: message from '6001'")
	from = l.log.waitFor(t, from, "Playing 'vm-from-extension.")
	from = l.log.waitFor(t, from, "Playing 'vm-advopts.")
	c.phone.Press('3')
	from = l.log.waitFor(t, from, "Playing 'vm-toreply.")
	from = l.log.waitFor(t, from, "Playing 'vm-starmain.")
	c.phone.Press('1')
	from = l.log.waitFor(t, from, "No mailbox number '6001' in context 'default', no reply sent")
	from = l.log.waitFor(t, from, "Playing 'vm-nobox.")
	from = l.log.waitFor(t, from, "Playing 'vm-helpexit.")
	c.phone.Press('3')
	from = l.log.waitFor(t, from, "Playing 'vm-tocallback.")
	c.phone.Press('2')
	from = l.log.waitFor(t, from, "Playing 'vm-num-i-have.")
	from = l.log.waitFor(t, from, "Playing 'vm-tocallnum.")
	c.phone.Press('1')
	l.log.waitFor(t, from, "Placing outgoing call to extension '6001' in context 'cb' from context 'default'")
	l.log.waitFor(t, from, "CALLBACK 6001")
	c.wait(t, l)
}

// TestForwardWithComment: 8 forwards the message to 6003 with a recorded
// comment before it; 6003 gets comment + message, 6000 keeps its own.
func TestForwardWithComment(t *testing.T) {
	needSounds(t)
	l := newLab(t, labConf+"6003 => 1,Bob Jones\n")
	l.leave(t, "6000")
	c := l.start(t, "*97")
	from := l.login(t, c)
	from = l.log.waitFor(t, from, "Playing 'vm-opts.")
	c.phone.Press('1')
	from = l.log.waitFor(t, from, "Playing 'vm-advopts.")
	c.phone.Press('8')
	from = l.log.waitFor(t, from, "Playing 'vm-extension.")
	c.press("6003#")
	from = l.log.waitFor(t, from, "Playing 'vm-forwardoptions.")
	c.phone.Press('1')
	from = l.log.waitFor(t, from, "Playing 'beep.")
	time.Sleep(300 * time.Millisecond)
	c.phone.Say(toneFrames(t, 500, time.Second, media.ULaw)...)
	c.phone.Press('#')
	from = l.log.waitFor(t, from, "Playing 'vm-msgforwarded.")
	c.phone.Press('#')
	c.wait(t, l)
	fwd := filepath.Join(l.spool, "voicemail", "default", "6003", "INBOX", "msg0000")
	pcm := readPCM(t, fwd+".wav", "wav")
	if len(pcm) < 2*8000 {
		t.Fatalf("forwarded message has %d samples", len(pcm))
	}
	if hz := dominantHz(pcm[1000:4000], 8000); hz < 480 || hz > 520 {
		t.Errorf("forwarded message starts with %.0f Hz, want the 500 Hz comment", hz)
	}
	if hz := dominantHz(pcm[len(pcm)-8000:len(pcm)-1000], 8000); hz < 980 || hz > 1020 {
		t.Errorf("forwarded message ends with %.0f Hz, want the 1000 Hz message", hz)
	}
	data, _ := os.ReadFile(fwd + ".txt")
	info, err := voicemail.ParseInfo("msg0000.txt", data)
	if err != nil || info.Duration < 3 || info.OrigMailbox != "6000" {
		t.Errorf("forwarded msg0000.txt: %v\n%s", err, data)
	}
	if c, _ := l.e.MailboxCounts("6003"); c.New != 1 {
		t.Errorf("6003 counts %+v", c)
	}
	own := readPCM(t, filepath.Join(l.spool, "voicemail", "default", "6000", "Old", "msg0000.wav"), "wav")
	if hz := dominantHz(own[1000:4000], 8000); hz < 980 || hz > 1020 {
		t.Errorf("6000's own copy starts with %.0f Hz", hz)
	}
}

// TestDirectoryMenu: with m, the matches are offered as a menu ("press
// N for <name>", sorted by last name); 2 picks the second.
func TestDirectoryMenu(t *testing.T) {
	needSounds(t)
	l := newLab(t, labConf+"6003 => 1,Bob Martel\n")
	c := l.start(t, "412")
	l.log.waitFor(t, 0, "Playing 'dir-usingkeypad.")
	c.press("627")
	from := l.log.waitFor(t, 0, "Playing 'dir-multi1.")
	from = l.log.waitFor(t, from, "Playing 'digits/2.")
	l.log.waitFor(t, from, "Playing 'dir-multi2.")
	c.phone.Press('2')
	// Martel sorts before Martin: 2 is Alice Martin, 6000.
	l.log.waitFor(t, from, "Executing [6000@default:1] VoiceMail(")
}
