package chansip

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestStateBodies checks the NOTIFY bodies against chan_sip's
// state_notify_build_xml layouts (golden files testdata/cli/notify-*,
// written from its format strings; -update rewrites them).
func TestStateBodies(t *testing.T) {
	base := notifyState{exten: "201", mfrom: "sip:6001@127.0.0.1", mto: "sip:201@127.0.0.1:5060", full: true, ringing: true, callID: "abc@1.2.3.4"}
	with := func(f func(*notifyState)) notifyState { n := base; f(&n); return n }
	tests := []struct {
		golden string
		kind   subKind
		n      notifyState
	}{
		{"dialog-idle.txt", subDialogInfo, base},
		{"dialog-ringing.txt", subDialogInfo, with(func(n *notifyState) { n.state, n.version = pbx.ExtRinging, 1 })},
		{"dialog-ringing-cid.txt", subDialogInfo, with(func(n *notifyState) {
			n.state, n.version = pbx.ExtRinging, 2
			n.callerID = &ringingParty{callerNum: "6001", callerName: "Choucheh <S>", connectedNum: "201", domain: "127.0.0.1"}
		})},
		{"dialog-ringinuse-noringing.txt", subDialogInfo, with(func(n *notifyState) { n.state, n.ringing = pbx.ExtRingInUse, false })},
		{"dialog-inuse.txt", subDialogInfo, with(func(n *notifyState) { n.state = pbx.ExtInUse })},
		{"dialog-onhold.txt", subDialogInfo, with(func(n *notifyState) { n.state = pbx.ExtOnHold })},
		{"pidf-idle.txt", subPIDF, base},
		{"pidf-inuse.txt", subPIDF, with(func(n *notifyState) { n.state = pbx.ExtInUse })},
		{"pidf-offline.txt", subPIDF, with(func(n *notifyState) { n.state, n.allAway = pbx.ExtUnavailable, true })},
		{"pidf-presence-away.txt", subPIDF, with(func(n *notifyState) {
			n.presence = pbx.PresenceInfo{State: "away", Subtype: "lunch", Message: "back <soon> & fed"}
		})},
		{"pidf-presence-notset.txt", subPIDF, with(func(n *notifyState) { n.presence = pbx.PresenceInfo{State: "not_set"} })},
		{"xpidf-inuse.txt", subXPIDF, with(func(n *notifyState) { n.state = pbx.ExtInUse })},
		{"xpidf-busy.txt", subXPIDF, with(func(n *notifyState) { n.state = pbx.ExtBusy })},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			golden(t, "notify-"+tc.golden, stateBody(tc.kind, tc.n)) // testdata/cli, cli_more_test.go
		})
	}
}

func TestMWIBody(t *testing.T) {
	tests := []struct {
		c         pbx.MailboxCounts
		port      uint16
		transport string
		buggy     bool
		want      string
	}{
		{pbx.MailboxCounts{New: 2, Old: 1}, 5060, "UDP", false, "Messages-Waiting: yes\r\nMessage-Account: sip:asterisk@10.0.0.1\r\nVoice-Message: 2/1 (0/0)\r\n"},
		{pbx.MailboxCounts{}, 5070, "UDP", false, "Messages-Waiting: no\r\nMessage-Account: sip:asterisk@10.0.0.1:5070\r\nVoice-Message: 0/0 (0/0)\r\n"},
		{pbx.MailboxCounts{Old: 4}, 5060, "TCP", true, "Messages-Waiting: no\r\nMessage-Account: sip:asterisk@10.0.0.1;transport=TCP\r\nVoice-Message: 0/4\r\n"},
		{pbx.MailboxCounts{New: 1}, 5061, "TLS", false, "Messages-Waiting: yes\r\nMessage-Account: sip:asterisk@10.0.0.1;transport=TLS\r\nVoice-Message: 1/0 (0/0)\r\n"},
	}
	for _, tc := range tests {
		if got := mwiBody(tc.c, "asterisk", "10.0.0.1", tc.port, tc.transport, tc.buggy); got != tc.want {
			t.Errorf("mwiBody(%+v, %d, %s) =\n%q\nwant\n%q", tc.c, tc.port, tc.transport, got, tc.want)
		}
	}
}
