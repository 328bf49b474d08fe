package voicemail_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/manager/managertest"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestVoicemailRefresh: the action announces the matching mailboxes'
// MWI again (MessageWaiting on the bus), none for a mailbox it does not
// know.
func TestVoicemailRefresh(t *testing.T) {
	l := newLab(t, labConf+"6001 => 1,Bob\n[other]\n7000 => 1,Carol\n")
	mgr := managertest.Start(t, l.e)
	if err := l.vm.RegisterAMI(mgr); err != nil {
		t.Fatal(err)
	}
	c := managertest.Dial(t, mgr)
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"Context: default", "Mailbox: 6000"}, "6000@default"},
		{[]string{"Context: default"}, "6000@default 6001@default"},
		{[]string{"Mailbox: 9999"}, ""},
		{nil, "6000@default 6001@default 7000@other"},
	} {
		l.bus.Take()
		if got := c.Do(append([]string{"Action: VoicemailRefresh"}, tc.lines...)...); got != "Response: Success\r\nMessage: Refresh sent\r\n" {
			t.Errorf("%v: %q", tc.lines, got)
		}
		var boxes []string
		for _, ev := range l.bus.Take() {
			if ev.Type == pbx.BusMessageWaiting {
				boxes = append(boxes, ev.Value)
			}
		}
		if got := strings.Join(boxes, " "); got != tc.want {
			t.Errorf("%v: MWI for %q, want %q", tc.lines, got, tc.want)
		}
	}
}

// TestVoicemailUsersList: every mailbox as a VoicemailUserEntry with
// app_voicemail's fields in its order (golden), the counts read from the
// spool (INBOX alone is NewMessageCount: the Urgent message is not in
// it), and VoicemailUserStatus for one box, an unknown box and a request
// without its parameters.
func TestVoicemailUsersList(t *testing.T) {
	l := newLab(t, labConf+"6001 => 1,Bob,,,tz=eu|leaveurgent=no|review=yes|volgain=1.5|maxsecs=60|exitcontext=out\n[other]\n7000 => 1,Carol\n")
	sp := l.vm.Spool()
	for _, f := range []struct{ folder, msg string }{
		{"INBOX", "msg0000.txt"}, {"INBOX", "msg0001.txt"}, {"Urgent", "msg0000.txt"}, {"Old", "msg0000.txt"},
	} {
		dir := sp.FolderDir("default", "6000", f.folder)
		if err := os.MkdirAll(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.msg), []byte("[message]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mgr := managertest.Start(t, l.e)
	if err := l.vm.RegisterAMI(mgr); err != nil {
		t.Fatal(err)
	}
	c := managertest.Dial(t, mgr)
	list := c.List("Action: VoicemailUsersList")
	status := c.List("Action: VoicemailUserStatus", "Context: default", "Mailbox: 6001")
	// mailcmd names the test's directory.
	got := strings.ReplaceAll(strings.Join(list, "")+"----\n"+strings.Join(status, ""), l.mails, "MAILDIR")
	goldenfile.Check(t, "testdata/ami_users_list.txt", got)
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"Context: default", "Mailbox: 9999"}, "Response: Success\r\nMessage: There is no voicemail user of the given info.\r\n"},
		{[]string{"Mailbox: 6000"}, "Response: Error\r\nMessage: Need 'Context' and 'Mailbox' parameters.\r\n"},
	} {
		if got := c.Do(append([]string{"Action: VoicemailUserStatus"}, tc.lines...)...); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.lines, got, tc.want)
		}
	}
}

// TestVoicemailUsersListEmpty: no mailbox is app_voicemail's plain
// acknowledgement, not an empty list.
func TestVoicemailUsersListEmpty(t *testing.T) {
	l := newLab(t, "[general]\nformat=wav\n")
	mgr := managertest.Start(t, l.e)
	if err := l.vm.RegisterAMI(mgr); err != nil {
		t.Fatal(err)
	}
	c := managertest.Dial(t, mgr)
	if got := c.Do("Action: VoicemailUsersList"); got != "Response: Success\r\nMessage: There are no voicemail users currently defined.\r\n" {
		t.Errorf("%q", got)
	}
}
