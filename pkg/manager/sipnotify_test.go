package manager

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// notifySIP is a SIP whose Notify records what it was asked.
type notifySIP struct {
	got []string
}

func (notifySIP) Peers() [][]Header            { return nil }
func (notifySIP) Peer(string) ([]Header, bool) { return nil, false }
func (notifySIP) Registry() [][]Header         { return nil }
func (notifySIP) Qualify(string) bool          { return false }
func (n *notifySIP) Notify(target string, vars []Header) error {
	if target == "nowhere" {
		return errors.New("no address")
	}
	n.got = append(n.got, fmt.Sprintf("%s %v", target, vars))
	return nil
}
func (n *notifySIP) NotifyDialog(callID string, vars []Header) error {
	if callID != "live@host" {
		return errors.New("no dialog")
	}
	n.got = append(n.got, fmt.Sprintf("dialog %s %v", callID, vars))
	return nil
}

func TestSIPnotify(t *testing.T) {
	l := newLab(t, testConf)
	n := &notifySIP{}
	if err := l.m.RegisterSIP(n); err != nil {
		t.Fatal(err)
	}
	c := l.dial()
	c.login("admin", "s3cret")
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"Channel: SIP/6001", "Variable: Event=check-sync", "Variable: Content-Type=text/plain,Content=hello"},
			"Response: Success\r\nActionID: n\r\nMessage: Notify Sent\r\n"},
		{[]string{"Variable: Event=check-sync"}, "Response: Error\r\nActionID: n\r\nMessage: SIPNotify requires a channel name\r\n"},
		{[]string{"Channel: nowhere", "Variable: Event=x"}, "Response: Error\r\nActionID: n\r\nMessage: Could not create address\r\n"},
		{[]string{"Channel: SIP/6001", "Call-ID: abc"}, "Response: Error\r\nActionID: n\r\nMessage: Call-ID not found\r\n"},
		{[]string{"Call-ID: live@host"}, "Response: Error\r\nActionID: n\r\nMessage: SIPNotify requires a channel name\r\n"},
		{[]string{"Channel: SIP/6001", "Call-ID: live@host", "Variable: Event=talk"},
			"Response: Success\r\nActionID: n\r\nMessage: Notify Sent\r\n"},
	} {
		c.send(append([]string{"Action: SIPnotify", "ActionID: n"}, tc.lines...)...)
		if got := c.resp(); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.lines, got, tc.want)
		}
	}
	if got, want := strings.Join(n.got, "|"), "SIP/6001 [{Event check-sync} {Content-Type text/plain} {Content hello}]|dialog live@host [{Event talk}]"; got != want {
		t.Errorf("Notify calls %q, want %q", got, want)
	}
}
