package voicemail

import (
	"errors"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/apps"
)

// errNewUserAbort ends VoiceMailMain after the new-user setup timed out or
// the caller pressed '#': app_voicemail leaves with 0, so the dialplan
// goes on.
var errNewUserAbort = errors.New("voicemail: new user setup abandoned")

// isNewUser is vm_execmain's test for a new user: a box whose password
// is still its number, with forcename or forcegreetings set.
func (s *session) isNewUser() bool {
	return strings.EqualFold(s.u.Mailbox, s.m.password(s.u)) && (s.u.ForceName || s.u.ForceGreet)
}

// prompt is the [general] override of a login or password prompt.
func (s *session) prompt(name string) string {
	if p := s.cfg.General.Prompts[name]; p != "" {
		return p
	}
	return name
}

// newUser is vm-newuser then vm_newuser_setup, in Asterisk's order: the
// name (forcename) and the unavailable and busy greetings
// (forcegreetings), each only when the file is not there yet, then the
// new password last, so a caller who hangs up half way is still a new
// user on the next call.
func (s *session) newUser() error {
	ch, u, sp := s.ch, s.u, s.m.spool
	if _, err := play(ch, s.prompt("vm-newuser"), ""); err != nil {
		return err
	}
	type greeting struct {
		on            bool
		prompt, which string
	}
	for _, g := range []greeting{
		{u.ForceName, "vm-rec-name", "greet"},
		{u.ForceGreet, "vm-rec-unv", "unavail"},
		{u.ForceGreet, "vm-rec-busy", "busy"},
	} {
		base := sp.Greeting(u.Context, u.Mailbox, g.which)
		if !g.on || apps.SoundExists(ch, base) {
			continue
		}
		if err := s.recordGreeting(g.prompt, base); err != nil {
			return err
		}
	}
	for tries := 0; ; {
		p1, err := readString(ch, s.prompt("vm-newpassword"), 80, loginTimeout)
		if err != nil {
			return err
		}
		if p1 == "" {
			return errNewUserAbort
		}
		ok := s.m.CheckPassword(u, p1)
		if !ok {
			s.m.log.Notice("Invalid password for user %s (%s)\n", u.Mailbox, p1)
			if _, err := play(ch, s.prompt("vm-invalid-password"), ""); err != nil {
				return err
			}
		} else {
			p2, err := readString(ch, s.prompt("vm-reenterpassword"), 80, loginTimeout)
			if err != nil {
				return err
			}
			if p2 == "" {
				return errNewUserAbort
			}
			if p1 == p2 {
				if err := s.m.ChangePassword(u, p1); err != nil {
					s.m.log.Warning("Unable to change the password of %s: %v\n", u.ID(), err)
				}
				_, err := play(ch, s.prompt("vm-passchanged"), "")
				return err
			}
			s.m.log.Notice("Password mismatch for user %s (%s != %s)\n", u.Mailbox, p1, p2)
			if _, err := play(ch, s.prompt("vm-mismatch"), ""); err != nil {
				return err
			}
		}
		if tries++; tries == 3 {
			return errHangup
		}
		if _, err := play(ch, s.prompt("vm-pls-try-again"), ""); err != nil {
			return err
		}
	}
}
