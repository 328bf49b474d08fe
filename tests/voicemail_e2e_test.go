package tests

import (
	"encoding/base64"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// voicemailInstance starts gostrisk on the sample config with voicemail:
// 6000 does not answer (it is not registered when called), so Dial falls
// to VoiceMail(6000@default,u); *97 is VoiceMailMain for the caller's
// own box. mailcmd stores the mail it is given in mailFile.
func voicemailInstance(t *testing.T, mailFile string) *harness.Instance {
	t.Helper()
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw", "mailbox=6000@default"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, func(f map[string]string) {
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "exten => _6XXX,2,Hangup()",
			"exten => _6XXX,2,VoiceMail(${EXTEN}@default,u)\nexten => _6XXX,3,Hangup()\n"+
				"exten => *97,1,VoiceMailMain(${CALLERID(num)}@default)\nexten => *97,2,Hangup()", 1)
		f["voicemail.conf"] = "[general]\nformat=wav49|wav\nserveremail=voicemail@pbx.example.com\n" +
			"mailcmd=cat > " + mailFile + "\nmaxsecs=60\n\n[zonemessages]\neuropean=Europe/Paris|'vm-received' a d b 'digits/at' HM\n\n" +
			"[default]\n6000 => 1234,Sadek Adel,sadek@example.com,,attach=yes|tz=european\n6001 => 4321,Choucheh Sadek\n"
	})
	return in
}

// toneWindows counts the one-second windows of s whose spectral peak is
// freq (±2 %) carrying most of the energy.
func toneWindows(s []float64, rate int, freq float64) int {
	n := 0
	for at := 0; at+rate <= len(s); at += rate / 2 {
		w := s[at : at+rate]
		if rms(w) < 300 {
			continue
		}
		if f, share := peakFreq(w, rate); math.Abs(f-freq) <= freq*0.02 && share > 0.5 {
			n++
		}
	}
	return n
}

// TestVoicemailLeaveListenDelete is issue 19's acceptance with real
// phones: baresip 6001 calls 6000, which does not answer; the call falls
// to VoiceMail, baresip's microphone plays a 1000 Hz tone for ~6 s; the
// spool holds msg0000.txt (fields checked) and the recording (tone
// checked), the mail with the attachment reached mailcmd, "voicemail
// show users" counts it; then 6000 calls *97, logs in with RFC 2833
// DTMF, listens (the tone comes back), deletes the message, and the
// spool and the count are empty again.
func TestVoicemailLeaveListenDelete(t *testing.T) {
	requireBaresip(t)
	mailFile := filepath.Join(t.TempDir(), "mail.eml")
	in := voicemailInstance(t, mailFile)
	if out := in.MustRX("sip show peer 6000"); !strings.Contains(out, "  LastMsgsSent : 32767/65535\n") {
		t.Errorf("before any MWI, sip show peer 6000:\n%s", out)
	}
	// 6000's MWI subscription (sipp; 6000 itself stays unregistered, so
	// Dial finds it absent and falls to VoiceMail).
	harness.RequireSipp(t)
	msgs := filepath.Join(t.TempDir(), "mwi-messages.log")
	watcher := harness.Sipp{Scenario: mustAbs(t, filepath.Join("testdata", "vm-mwi-sub-6000.xml")),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 180 * time.Second,
		Extra: []string{"-trace_msg", "-message_file", msgs}}
	waitWatcher := watcher.Start(t)
	if !harness.PollUntil(10*time.Second, func() bool { return len(mwiNotifies(msgs)) >= 1 }) {
		t.Fatalf("no MWI NOTIFY after the SUBSCRIBE")
	}

	caller := phone(t, in, "6001", "PCMU", 1000)
	// The greeting (the person at extension 6000 is unavailable, the
	// instructions) is early media, as chan_sip sends it; VoiceMail
	// answers before the beep; then ~6 s of tone.
	caller.command("dial", "sip:6000@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if !harness.PollUntil(25*time.Second, func() bool { return strings.Contains(in.Output(), "Playing 'beep.") }) {
		t.Fatalf("no beep; output:\n%s", in.Output())
	}
	if err := caller.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(6500 * time.Millisecond)
	hangup(t, caller, nil)
	caller.Stop()

	inbox := in.Path("var", "spool", "voicemail", "default", "6000", "INBOX")
	if !harness.PollUntil(5*time.Second, func() bool { _, err := os.Stat(filepath.Join(inbox, "msg0000.txt")); return err == nil }) {
		t.Fatalf("no msg0000.txt in %s; output:\n%s", inbox, in.Output())
	}
	txt, _ := os.ReadFile(filepath.Join(inbox, "msg0000.txt"))
	for _, re := range []string{
		`(?m)^\[message\]$`, `(?m)^origmailbox=6000$`, `(?m)^context=work$`, `(?m)^exten=6000$`,
		`(?m)^priority=2$`, `(?m)^callerchan=SIP/6001-[0-9a-f]{8}$`, `(?m)^callerid="Choucheh Sadek" <6001>$`,
		`(?m)^origdate=\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d [AP]M UTC \d{4}$`, `(?m)^origtime=\d{10}$`,
		`(?m)^msg_id=\d{10}-[0-9a-f]{8}$`, `(?m)^flag=$`, `(?m)^duration=[5-7]$`,
	} {
		if !regexp.MustCompile(re).Match(txt) {
			t.Errorf("msg0000.txt lacks %s:\n%s", re, txt)
		}
	}
	rec, err := readWAVPCM(filepath.Join(inbox, "msg0000.wav"))
	if err != nil {
		t.Fatal(err)
	}
	checkTone(t, "the recording", rec.span(0.5, 4.5), rec.rate, 1000)
	if _, err := os.Stat(filepath.Join(inbox, "msg0000.WAV")); err != nil {
		t.Errorf("no wav49 copy: %v", err)
	}
	checkVoicemailMail(t, mailFile, filepath.Join(inbox, "msg0000.WAV"))
	if !harness.PollUntil(10*time.Second, func() bool { n := mwiNotifies(msgs); return len(n) > 0 && n[len(n)-1] == "yes 1/0 (0/0)" }) {
		t.Errorf("no NOTIFY with Voice-Message: 1/0 after the deposit: %q", mwiNotifies(msgs))
	}
	if out := in.MustRX("sip show peer 6000"); !strings.Contains(out, "  LastMsgsSent : 1/0\n") {
		t.Errorf("after the deposit, sip show peer 6000:\n%s", out)
	}
	users := in.MustRX("voicemail show users")
	want := "Context    Mbox  User                      Zone       NewMsg\n" +
		"default    6000  Sadek Adel                european        1\n" +
		"default    6001  Choucheh Sadek                            0\n" +
		"2 voicemail users configured.\n"
	if users != want {
		t.Errorf("voicemail show users:\n%q\nwant:\n%q", users, want)
	}

	// 6000 listens to its message and deletes it.
	owner := phone(t, in, "6000", "PCMU", 0)
	mark := len(in.Output())
	dial(t, in, owner, nil, "*97")
	if !harness.PollUntil(10*time.Second, func() bool { return strings.Contains(in.Output()[mark:], "Playing 'vm-password.") }) {
		t.Fatalf("no password prompt; output:\n%s", in.Output()[mark:])
	}
	for _, d := range "1234#" {
		owner.command("sndcode", string(d))
		time.Sleep(300 * time.Millisecond)
	}
	if !harness.PollUntil(10*time.Second, func() bool { return strings.Contains(in.Output()[mark:], "Playing 'vm-youhave.") }) {
		t.Fatalf("login failed; output:\n%s", in.Output()[mark:])
	}
	owner.command("sndcode", "1")
	msgPlay := "Playing '" + filepath.Join(inbox, "msg0000") + "."
	if !harness.PollUntil(20*time.Second, func() bool { return strings.Contains(in.Output()[mark:], msgPlay) }) {
		t.Fatalf("the message was not played; output:\n%s", in.Output()[mark:])
	}
	if !harness.PollUntil(15*time.Second, func() bool { return strings.Contains(in.Output()[mark:], "Playing 'vm-advopts.") }) {
		t.Fatalf("no menu after the message; output:\n%s", in.Output()[mark:])
	}
	owner.command("sndcode", "7")
	if !harness.PollUntil(10*time.Second, func() bool { return strings.Contains(in.Output()[mark:], "Playing 'vm-deleted.") }) {
		t.Fatalf("no vm-deleted; output:\n%s", in.Output()[mark:])
	}
	owner.command("sndcode", "#")
	if err := owner.waitEvent("CALL_CLOSED", 15*time.Second); err != nil {
		t.Error(err)
	}
	owner.Stop()
	heard := owner.lastRecording(t)
	if n := toneWindows(heard.samples, heard.rate, 1000); n < 4 {
		t.Errorf("the owner heard %d half-second-spaced windows of the 1000 Hz tone, want >= 4 (the message)", n)
	}
	if !harness.PollUntil(5*time.Second, func() bool { ents, _ := os.ReadDir(inbox); return len(ents) == 0 }) {
		ents, _ := os.ReadDir(inbox)
		t.Errorf("INBOX still holds %v", ents)
	}
	if got := in.MustRX("voicemail show users for default"); !strings.Contains(got, "default    6000  Sadek Adel                european        0\n") {
		t.Errorf("after the delete:\n%s", got)
	}
	if !harness.PollUntil(10*time.Second, func() bool { n := mwiNotifies(msgs); return len(n) > 0 && n[len(n)-1] == "no 0/0 (0/0)" }) {
		t.Errorf("no NOTIFY with Voice-Message: 0/0 after the delete: %q", mwiNotifies(msgs))
	}
	if out := in.MustRX("sip show peer 6000"); !strings.Contains(out, "  LastMsgsSent : 0/0\n") {
		t.Errorf("after the delete, sip show peer 6000:\n%s", out)
	}
	if res := waitWatcher(); res.ExitCode != 0 {
		t.Errorf("MWI watcher exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	got := mwiNotifies(msgs)
	if len(got) < 3 || got[0] != "no 0/0 (0/0)" {
		t.Errorf("MWI NOTIFYs %q: want 0/0 first, then 1/0, then 0/0", got)
	}
	checkPortsReleased(t, in)
}

var reMWIBody = regexp.MustCompile(`(?s)NOTIFY sip:.*?Messages-Waiting: (\w+)\r?\nMessage-Account: [^\r\n]+\r?\nVoice-Message: (\d+/\d+ \(\d+/\d+\))`)

// mwiNotifies lists the message-summary NOTIFYs sipp received, in order,
// as "<waiting> <voice-message>".
func mwiNotifies(path string) []string {
	data, _ := os.ReadFile(path)
	var out []string
	for _, m := range reMWIBody.FindAllStringSubmatch(string(data), -1) {
		out = append(out, m[1]+" "+m[2])
	}
	return out
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// checkVoicemailMail parses the stored mail with Go's MIME readers.
func checkVoicemailMail(t *testing.T, path, audio string) {
	t.Helper()
	if !harness.PollUntil(5*time.Second, func() bool { st, err := os.Stat(path); return err == nil && st.Size() > 10000 }) {
		t.Fatalf("mailcmd stored no mail at %s", path)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("To"); got != `"Sadek Adel" <sadek@example.com>` {
		t.Errorf("To: %q", got)
	}
	if got := msg.Header.Get("From"); got != "Asterisk PBX <voicemail@pbx.example.com>" {
		t.Errorf("From: %q", got)
	}
	if got := msg.Header.Get("Subject"); got != "[PBX]: New message 1 in mailbox 6000" {
		t.Errorf("Subject: %q", got)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	body, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(body)
	if !strings.Contains(string(text), "Dear Sadek Adel:") || !strings.Contains(string(text), "(number 1)\nin mailbox 6000 from Choucheh Sadek") {
		t.Errorf("body:\n%s", text)
	}
	att, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if att.FileName() != "msg0000.WAV" || att.Header.Get("Content-Type") != `audio/x-WAV; name="msg0000.WAV"` {
		t.Errorf("attachment %q %q", att.FileName(), att.Header.Get("Content-Type"))
	}
	enc, _ := io.ReadAll(att)
	data, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\n", "", "\r", "").Replace(string(enc)))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(audio)
	if string(data) != string(want) {
		t.Errorf("attachment: %d bytes, the spool file %d", len(data), len(want))
	}
}

// TestVoicemailCLI: a spool in Asterisk 18's layout (the msgNNNN.txt
// fixtures of pkg/voicemail) is counted by "voicemail show users" (INBOX
// and Urgent are new messages); "voicemail show zones" and "voicemail
// reload" answer as app_voicemail does, and the reload brings a new box.
func TestVoicemailCLI(t *testing.T) {
	conf := "[general]\nformat=wav49|wav\n\n[zonemessages]\neastern=America/New_York|'vm-received' Q 'digits/at' IMp\n" +
		"european=Europe/Paris|'vm-received' a d b 'digits/at' HM\n\n[default]\n6000 => 1234,Sadek Adel,,,tz=european\n6001 => 4321,Choucheh Sadek\n\n[other]\n100 => 0000,Carol\n"
	in := harness.Start(t, harness.Options{Edit: func(f map[string]string) { f["voicemail.conf"] = conf }})
	in.DumpOnFailure()
	spool := in.Path("var", "spool", "voicemail")
	src := filepath.Join(harness.RepoRoot(), "pkg", "voicemail", "testdata", "spool")
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(spool, rel), 0o777)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(spool, rel), data, 0o666)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "Context    Mbox  User                      Zone       NewMsg\n" +
		"default    6000  Sadek Adel                european        3\n" +
		"default    6001  Choucheh Sadek                            1\n" +
		"other      100   Carol                                     0\n" +
		"3 voicemail users configured.\n"
	if got := in.MustRX("voicemail show users"); got != want {
		t.Errorf("voicemail show users:\n%s\nwant:\n%s", got, want)
	}
	if got := in.MustRX("voicemail show users for nosuch"); got != "No such voicemail context \"nosuch\"\n" {
		t.Errorf("unknown context: %q", got)
	}
	zones := "Zone            Timezone             Message Format                               \n" +
		"eastern         America/New_York     'vm-received' Q 'digits/at' IMp              \n" +
		"european        Europe/Paris         'vm-received' a d b 'digits/at' HM           \n"
	if got := in.MustRX("voicemail show zones"); got != zones {
		t.Errorf("voicemail show zones:\n%q\nwant:\n%q", got, zones)
	}
	in.WriteFile("voicemail.conf", conf+"6002 => 1,New Box\n")
	if got := in.MustRX("voicemail reload"); got != "Reloading voicemail configuration...\n" {
		t.Errorf("voicemail reload: %q", got)
	}
	if got := in.MustRX("voicemail show users for other"); !strings.Contains(got, "other      6002  New Box                                   0\n2 voicemail users configured.\n") {
		t.Errorf("after the reload:\n%s", got)
	}
}

// TestVoicemailUnsolicitedMWI: phone 6000 (a registered sipp) gets
// chan_sip's unsolicited NOTIFY with Voice-Message: 0/0 on registration
// and 1/0 once 6001 (baresip, a 1000 Hz tone) left it a message.
func TestVoicemailUnsolicitedMWI(t *testing.T) {
	requireBaresip(t)
	harness.RequireSipp(t)
	mailFile := filepath.Join(t.TempDir(), "mail.eml")
	in := mediaInstance(t, map[string][]string{
		"6000": {"mailbox=6000@default"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, func(f map[string]string) {
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n",
			"[work]\nexten => 6000,1,VoiceMail(6000@default,u)\nexten => 6000,2,Hangup()\n", 1)
		f["voicemail.conf"] = "[general]\nformat=wav\nmailcmd=cat > " + mailFile + "\n[default]\n6000 => 1234,Sadek Adel\n"
	})
	msgs := filepath.Join(t.TempDir(), "phone-messages.log")
	sf := scenarioFrom(t, "vm-mwi-phone-6000.xml.tmpl", map[string]string{"HOLD": "30000"})
	phone6000 := harness.Sipp{Scenario: sf, Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 90 * time.Second,
		Extra: []string{"-oocsf", mustAbs(t, filepath.Join("testdata", "vm-mwi-ooc.xml")), "-trace_msg", "-message_file", msgs}}
	waitPhone := phone6000.Start(t)
	if !harness.PollUntil(10*time.Second, func() bool { n := unsolicitedMWI(msgs); return len(n) > 0 }) {
		t.Fatalf("no NOTIFY on registration; output:\n%s", in.Output())
	}
	if got := unsolicitedMWI(msgs); got[0] != "no 0/0 (0/0)" {
		t.Errorf("NOTIFY on registration: %q, want 0/0", got)
	}
	caller := phone(t, in, "6001", "PCMU", 1000)
	caller.command("dial", "sip:6000@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if !harness.PollUntil(25*time.Second, func() bool { return strings.Contains(in.Output(), "Playing 'beep.") }) {
		t.Fatalf("no beep; output:\n%s", in.Output())
	}
	if err := caller.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	hangup(t, caller, nil)
	caller.Stop()
	if !harness.PollUntil(10*time.Second, func() bool { n := unsolicitedMWI(msgs); return len(n) > 1 && n[len(n)-1] == "yes 1/0 (0/0)" }) {
		t.Errorf("no NOTIFY with Voice-Message: 1/0 after the message: %q", unsolicitedMWI(msgs))
	}
	if out := in.MustRX("sip show peer 6000"); !strings.Contains(out, "  LastMsgsSent : 1/0\n") {
		t.Errorf("sip show peer 6000:\n%s", out)
	}
	waitPhone()
}

// unsolicitedMWI lists the message-summary NOTIFYs in a sipp message
// trace that carry no Subscription-State (chan_sip's unsolicited MWI).
func unsolicitedMWI(path string) []string {
	data, _ := os.ReadFile(path)
	var out []string
	for _, m := range regexp.MustCompile(`(?s)NOTIFY sip:(.*?)Messages-Waiting: (\w+)\r?\nMessage-Account: [^\r\n]+\r?\nVoice-Message: (\d+/\d+ \(\d+/\d+\))`).FindAllStringSubmatch(string(data), -1) {
		if strings.Contains(m[1], "Subscription-State:") {
			continue
		}
		out = append(out, m[2]+" "+m[3])
	}
	return out
}
