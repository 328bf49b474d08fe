package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestVoicemailRemoteMWI: sip.conf's "mwi => 1234:s3cret@127.0.0.1:port/1234"
// subscribes at a remote voicemail server (a sipp UAS that challenges
// the SUBSCRIBE, checks the digest, accepts it and sends a NOTIFY with
// Voice-Message: 2/1); phone 6000 (a registered sipp with
// mailbox=1234@SIP_Remote) receives chan_sip's NOTIFY with 2/1; "sip show
// mwi" says the subscription is up.
func TestVoicemailRemoteMWI(t *testing.T) {
	harness.RequireSipp(t)
	vmPort := harness.FreePort(t)
	serverLog := filepath.Join(t.TempDir(), "server-messages.log")
	server := harness.Sipp{Scenario: scenarioFrom(t, "vm-remote-server.xml.tmpl", map[string]string{"HOLD": "20000"}),
		LocalPort: vmPort, Timeout: 60 * time.Second,
		Extra: []string{"-trace_msg", "-message_file", serverLog}}
	waitServer := server.Start(t)
	in := mediaInstance(t, map[string][]string{
		"6000": {"mailbox=1234@SIP_Remote"},
	}, func(f map[string]string) {
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n",
			fmt.Sprintf("[general]\nmwi => 1234:s3cret@127.0.0.1:%d/1234\n", vmPort), 1)
	})
	if !harness.PollUntil(15*time.Second, func() bool { return strings.Contains(in.MustRX("sip show mwi"), "Yes") }) {
		trace, _ := os.ReadFile(serverLog)
		t.Fatalf("no subscription; sip show mwi:\n%s\nthe server saw:\n%s", in.MustRX("sip show mwi"), trace)
	}
	want := "Host                            Username      Mailbox     Subscribed\n" +
		fmt.Sprintf("%-30s  1234          1234        Yes       \n", "127.0.0.1:"+strconv.Itoa(vmPort))
	if got := in.MustRX("sip show mwi"); got != want {
		t.Errorf("sip show mwi:\n%q\nwant\n%q", got, want)
	}
	msgs := filepath.Join(t.TempDir(), "phone-messages.log")
	sf := scenarioFrom(t, "vm-mwi-phone-6000.xml.tmpl", map[string]string{"HOLD": "5000"})
	phone6000 := harness.Sipp{Scenario: sf, Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 60 * time.Second,
		Extra: []string{"-oocsf", mustAbs(t, filepath.Join("testdata", "vm-mwi-ooc.xml")), "-trace_msg", "-message_file", msgs}}
	waitPhone := phone6000.Start(t)
	if !harness.PollUntil(10*time.Second, func() bool { n := unsolicitedMWI(msgs); return len(n) > 0 }) {
		t.Fatalf("no NOTIFY on registration; output:\n%s", in.Output())
	}
	if got := unsolicitedMWI(msgs); got[len(got)-1] != "yes 2/1 (0/0)" {
		t.Errorf("phone 6000's NOTIFYs %q, want the remote server's 2/1", got)
	}
	if out := in.MustRX("sip show peer 6000"); !strings.Contains(out, "  LastMsgsSent : 2/1\n") {
		t.Errorf("sip show peer 6000:\n%s", out)
	}
	if res := waitPhone(); res.ExitCode != 0 {
		t.Errorf("phone 6000 exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	if res := waitServer(); res.ExitCode != 0 {
		t.Errorf("the voicemail server exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
}

// TestVoicemailAliasAndNewUser: with baresip and RFC 2833 DTMF,
// VoiceMailMain given an alias (aliasescontext) opens the mailbox it
// stands for; then new user 6002 (password = its number, forcename=yes)
// is made to record its name before choosing a password, which is
// written back into voicemail.conf with the rest of the file unchanged.
func TestVoicemailAliasAndNewUser(t *testing.T) {
	requireBaresip(t)
	conf := "; voicemail for the tests\n[general]\nformat=wav\naliasescontext=myaliases ; aliases\n\n" +
		"[default]\n6000 => 1234,Sadek Adel\n; the new one\n6002 => 6002,New User,,,forcename=yes\n\n" +
		"[myaliases]\n6999@devices => 6000@default\n"
	in := mediaInstance(t, map[string][]string{
		"6001": {"disallow=all", "allow=ulaw"},
	}, func(f map[string]string) {
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n",
			"[work]\nexten => *95,1,VoiceMailMain(6999@devices)\nexten => *95,2,Hangup()\n"+
				"exten => *96,1,VoiceMailMain(6002@default)\nexten => *96,2,Hangup()\n", 1)
		f["voicemail.conf"] = conf
	})
	if got := in.MustRX("voicemail show aliases"); !strings.Contains(got, "Aliases context: myaliases\n") ||
		!strings.Contains(got, "6999@devices                     6000@default") {
		t.Errorf("voicemail show aliases:\n%s", got)
	}
	caller := phone(t, in, "6001", "PCMU", 0)
	keys := func(s string) {
		for _, d := range s {
			caller.command("sndcode", string(d))
			time.Sleep(300 * time.Millisecond)
		}
	}
	waitLog := func(mark int, s string) {
		t.Helper()
		if !harness.PollUntil(20*time.Second, func() bool { return strings.Contains(in.Output()[mark:], s) }) {
			t.Fatalf("no %q; output:\n%s", s, in.Output()[mark:])
		}
	}

	mark := len(in.Output())
	dial(t, in, caller, nil, "*95")
	waitLog(mark, "Playing 'vm-password.")
	keys("1234#")
	waitLog(mark, "Playing 'vm-youhave.")
	hangup(t, caller, nil)

	mark = len(in.Output())
	dial(t, in, caller, nil, "*96")
	waitLog(mark, "Playing 'vm-password.")
	keys("6002#")
	waitLog(mark, "Playing 'vm-newuser.")
	waitLog(mark, "Playing 'vm-rec-name.")
	waitLog(mark, "Playing 'beep.")
	time.Sleep(1500 * time.Millisecond)
	keys("#")
	waitLog(mark, "Playing 'vm-review.")
	keys("1")
	waitLog(mark, "Playing 'vm-msgsaved.")
	waitLog(mark, "Playing 'vm-newpassword.")
	keys("5555#")
	waitLog(mark, "Playing 'vm-reenterpassword.")
	keys("5555#")
	waitLog(mark, "Playing 'vm-passchanged.")
	waitLog(mark, "Playing 'vm-youhave.")
	hangup(t, caller, nil)
	caller.Stop()

	if _, err := os.Stat(in.Path("var", "spool", "voicemail", "default", "6002", "greet.wav")); err != nil {
		t.Errorf("no recorded name: %v", err)
	}
	want := strings.Replace(conf, "6002 => 6002,New User", "6002 => 5555,New User", 1)
	if got := in.ReadFile("voicemail.conf"); got != want {
		t.Errorf("voicemail.conf after the change:\n%s\nwant:\n%s", got, want)
	}
}
