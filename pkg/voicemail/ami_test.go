package voicemail_test

import (
	"strings"
	"testing"

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
