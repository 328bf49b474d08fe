package apps_test

import (
	"slices"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func vars(t *testing.T, ch *pbx.Channel, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got, _ := ch.Var(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestReferenceDialplan(t *testing.T) {
	tests := []struct {
		name     string
		context  string
		exten    string
		script   map[string]behaviour
		apps     []string
		vars     map[string]string
		log      []string
		outbound string // name of the outbound channel, "" when none
		connNum  string // connected-line number shown to the callee
		cause    int
		inds     []pbx.Indication
	}{
		{
			name: "internal call answered then callee hangs up", context: "work", exten: "6000",
			script:   map[string]behaviour{"6000": answerThenHangup},
			apps:     []string{"Dial"},
			vars:     map[string]string{"DIALSTATUS": "ANSWER", "DIALEDPEERNUMBER": "6000", "DIALEDPEERNAME": "SIP/6000-00000001"},
			outbound: "SIP/6000-00000001", connNum: "6001", cause: pbx.CauseNormalClearing,
			inds: []pbx.Indication{pbx.IndRinging},
			log: []string{
				`    -- Executing [6000@work:1] Dial("SIP/6001-00000000", "SIP/6000,20") in new stack`,
				`    -- Called SIP/6000`,
				`    -- SIP/6000-00000001 is ringing`,
				`    -- SIP/6000-00000001 answered SIP/6001-00000000`,
				`  == Spawn extension (work, 6000, 1) exited non-zero on 'SIP/6001-00000000'`,
			},
		},
		{
			name: "national number through the trunk", context: "sortant-ovh", exten: "0612345678",
			script:   map[string]behaviour{"0612345678": answerThenHangup},
			apps:     []string{"NoOp", "Set", "Dial"},
			vars:     map[string]string{"DIALSTATUS": "ANSWER", "DIALEDPEERNUMBER": "0612345678"},
			outbound: "SIP/trunk-ovh-00000001", connNum: "0972124831", cause: pbx.CauseNormalClearing,
			inds: []pbx.Indication{pbx.IndRinging},
			log: []string{
				`    -- Executing [0612345678@sortant-ovh:1] NoOp("SIP/6001-00000000", "Appel sortant OVH vers 0612345678") in new stack`,
				`    -- Executing [0612345678@sortant-ovh:2] Set("SIP/6001-00000000", "CALLERID(num)=0972124831") in new stack`,
				`    -- Executing [0612345678@sortant-ovh:3] Dial("SIP/6001-00000000", "SIP/trunk-ovh/0612345678,60") in new stack`,
				`    -- Called SIP/trunk-ovh/0612345678`,
			},
		},
		{
			name: "inbound DID jumps to the full number", context: "ovh-sip", exten: "0972124831",
			script:   map[string]behaviour{"6000": answerThenHangup},
			apps:     []string{"Goto", "NoOp", "Ringing", "Dial"},
			vars:     map[string]string{"DIALSTATUS": "ANSWER"},
			outbound: "SIP/6000-00000001", connNum: "6001", cause: pbx.CauseNormalClearing,
			inds: []pbx.Indication{pbx.IndRinging, pbx.IndProgress}, // Ringing(), then Dial m's early media
			log: []string{
				`    -- Executing [0972124831@ovh-sip:1] Goto("SIP/6001-00000000", "ovh-sip,0033972124831,1") in new stack`,
				`    -- Goto (ovh-sip,0033972124831,1)`,
				`    -- Executing [0033972124831@ovh-sip:3] Dial("SIP/6001-00000000", "SIP/6000,25,tm") in new stack`,
			},
		},
		{
			name: "inbound without a known DID falls back to s", context: "ovh-sip", exten: "0123",
			script: map[string]behaviour{"6000": busy},
			apps:   []string{"NoOp", "Ringing", "Dial", "Hangup"},
			vars:   map[string]string{"DIALSTATUS": "BUSY"},
			cause:  pbx.CauseBusy, inds: []pbx.Indication{pbx.IndRinging, pbx.IndProgress}, // Ringing(), then Dial m's early media
			log: []string{
				`  == Starting SIP/6001-00000000 at ovh-sip,0123,1 failed so falling back to exten 's'`,
				`    -- Executing [s@ovh-sip:1] NoOp("SIP/6001-00000000", "Appel entrant OVH sans DID") in new stack`,
				`    -- SIP/6000-00000001 is busy`,
				`  == Everyone is busy/congested at this time (1:1/0/0)`,
				`    -- Executing [s@ovh-sip:4] Hangup("SIP/6001-00000000", "") in new stack`,
			},
		},
		{
			name: "unknown number", context: "work", exten: "9999",
			apps:  nil,
			cause: pbx.CauseNormalClearing,
			log: []string{
				`  == Starting SIP/6001-00000000 at work,9999,1 failed so falling back to exten 's'`,
				`  == Starting SIP/6001-00000000 at work,s,1 still failed so falling back to context 'default'`,
				`WARNING: Channel 'SIP/6001-00000000' sent to invalid extension but no invalid handler: context,exten,priority=default,s,1`,
			},
		},
		{
			name: "busy callee", context: "work", exten: "6002",
			script: map[string]behaviour{"6002": busy},
			apps:   []string{"Dial", "Hangup"},
			vars:   map[string]string{"DIALSTATUS": "BUSY"},
			cause:  pbx.CauseBusy,
		},
		{
			name: "unreachable callee", context: "work", exten: "6004",
			script: map[string]behaviour{"6004": unavailable},
			apps:   []string{"Dial", "Hangup"},
			vars:   map[string]string{"DIALSTATUS": "CHANUNAVAIL"},
			cause:  pbx.CauseSubscriberAbsent,
			log:    []string{`WARNING: Unable to create channel of type 'SIP' (cause 20 - Subscriber absent)`},
		},
		{
			name: "congested trunk", context: "sortant-ovh", exten: "0145454545",
			script: map[string]behaviour{"0145454545": congested},
			apps:   []string{"NoOp", "Set", "Dial", "Hangup"},
			vars:   map[string]string{"DIALSTATUS": "CONGESTION"},
			cause:  pbx.CauseCongestion,
			log:    []string{`    -- SIP/trunk-ovh-00000001 is circuit-busy`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			l := newLab(t, referencePlan(t), tc.script)
			ch, d := l.call(t, tc.context, tc.exten)
			if got := l.log.executed(); !slices.Equal(got, tc.apps) {
				t.Errorf("applications = %v, want %v", got, tc.apps)
			}
			vars(t, ch, tc.vars)
			l.log.has(t, tc.log...)
			if !ch.Gone() {
				t.Error("caller channel not hung up")
			}
			if got := ch.HangupCause(); got != tc.cause {
				t.Errorf("caller hangup cause = %d, want %d", got, tc.cause)
			}
			if tc.inds != nil && !slices.Equal(d.indications(), tc.inds) {
				t.Errorf("caller indications = %v, want %v", d.indications(), tc.inds)
			}
			if n := len(l.e.Channels()); n != 0 {
				t.Errorf("%d channels left", n)
			}
			outs := l.tech.outbound()
			if tc.outbound == "" {
				return
			}
			if len(outs) != 1 || outs[0].Name() != tc.outbound {
				t.Fatalf("outbound channels %v, want %s", outs, tc.outbound)
			}
			if got := outs[0].Connected().Num; got != tc.connNum {
				t.Errorf("outbound connected number = %q, want %q", got, tc.connNum)
			}
			if got := outs[0].LinkedID(); got != ch.UniqueID() {
				t.Errorf("outbound linkedid %q, want %q", got, ch.UniqueID())
			}
		})
	}
}
