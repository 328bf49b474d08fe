package voicemail_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// TestNewUserSetup: a box whose password is its number, with forcename
// and forcegreetings, records its name, then its unavailable and busy
// greetings, then chooses a password (externpasscheck refusing 1111
// first); the password is written to voicemail.conf and the
// externpassnotify command is told.
func TestNewUserSetup(t *testing.T) {
	needSounds(t)
	dir := t.TempDir()
	check := filepath.Join(dir, "check.sh")
	notified := filepath.Join(dir, "notified")
	os.WriteFile(check, []byte("#!/bin/sh\n[ \"$4\" = 1111 ] && echo INVALID || echo VALID\n"), 0o755)
	conf := labConf + "6002 => 6002,New User,,,forcename=yes|forcegreetings=yes\n" +
		"[general]\nexternpasscheck=" + check + "\nexternpassnotify=echo >" + notified + "\n"
	l := newLab(t, conf)
	c := l.start(t, "*96")
	from := l.log.waitFor(t, 0, "Playing 'vm-password.")
	c.press("6002#")
	from = l.log.waitFor(t, from, "Playing 'vm-newuser.")
	for _, p := range []string{"vm-rec-name", "vm-rec-unv", "vm-rec-busy"} {
		from = l.log.waitFor(t, from, "Playing '"+p+".")
		from = l.log.waitFor(t, from, "Playing 'beep.")
		time.Sleep(300 * time.Millisecond)
		c.phone.Say(toneFrames(t, 500, 700*time.Millisecond, media.ULaw)...)
		c.phone.Press('#')
		from = l.log.waitFor(t, from, "Playing 'vm-review.")
		c.phone.Press('1')
		from = l.log.waitFor(t, from, "Playing 'vm-msgsaved.")
	}
	from = l.log.waitFor(t, from, "Playing 'vm-newpassword.")
	c.press("1111#")
	from = l.log.waitFor(t, from, "Playing 'vm-invalid-password.")
	from = l.log.waitFor(t, from, "Playing 'vm-pls-try-again.")
	from = l.log.waitFor(t, from, "Playing 'vm-newpassword.")
	c.press("4444#")
	from = l.log.waitFor(t, from, "Playing 'vm-reenterpassword.")
	c.press("4444#")
	from = l.log.waitFor(t, from, "Playing 'vm-passchanged.")
	// Then the mailbox as usual.
	l.log.waitFor(t, from, "Playing 'vm-youhave.")
	c.phone.Press('#')
	c.wait(t, l)
	box := filepath.Join(l.spool, "voicemail", "default", "6002")
	for _, g := range []string{"greet", "unavail", "busy"} {
		if _, err := os.Stat(filepath.Join(box, g+".wav")); err != nil {
			t.Errorf("%s greeting: %v", g, err)
		}
	}
	got, _ := os.ReadFile(filepath.Join(l.spool, "etc", "voicemail.conf"))
	if !strings.Contains(string(got), "6002 => 4444,New User,,,forcename=yes|forcegreetings=yes\n") {
		t.Errorf("voicemail.conf:\n%s", got)
	}
	if n, _ := os.ReadFile(notified); string(n) != "default 6002 4444\n" {
		t.Errorf("externpassnotify got %q", n)
	}
	// No longer a new user: the next login goes straight to the box.
	mark := len(l.log.Lines())
	c = l.start(t, "*96")
	l.log.waitFor(t, mark, "Playing 'vm-password.")
	c.press("4444#")
	l.log.waitFor(t, mark, "Playing 'vm-youhave.")
	for _, line := range l.log.Lines()[mark:] {
		if strings.Contains(line, "vm-newuser") {
			t.Errorf("new user setup again: %s", line)
		}
	}
}

// TestAliasLogin: VoiceMailMain given an alias opens the mailbox it
// stands for.
func TestAliasLogin(t *testing.T) {
	needSounds(t)
	l := newLab(t, strings.Replace(labConf, "[general]\n", "[general]\naliasescontext=myaliases\n", 1)+
		"[myaliases]\n6999@devices => 6000@default\n")
	c := l.start(t, "*95")
	l.login(t, c)
	l.log.waitFor(t, 0, "Playing 'vm-youhave.")
}
