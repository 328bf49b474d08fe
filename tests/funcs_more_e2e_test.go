package tests

import (
	"regexp"
	"strings"
	"testing"
)

// hangupCauseDialplan makes [work]'s _6XXX dial and then print what
// func_hangupcause.c and friends see: the dialed channel chan_sip recorded
// with the SIP response line, the Asterisk cause text, the caller's INVITE
// header names, and that HangupCauseClear empties the list.
func hangupCauseDialplan(f map[string]string) {
	f["extensions.conf"] = strings.Replace(f["extensions.conf"],
		"exten => _6XXX,1,Dial(SIP/${EXTEN},20)\nexten => _6XXX,2,Hangup()\n",
		`exten => _6XXX,1,Dial(SIP/${EXTEN},20)
same => n,Set(K=${HANGUPCAUSE_KEYS()})
same => n,NoOp(HCAUSE K=${K} TECH=${HANGUPCAUSE(${K},tech)} AST=${HANGUPCAUSE(${K},ast)} DS=${DIALSTATUS} EXISTS=${CHANNEL_EXISTS(${CHANNEL})} HDRS=${SIP_HEADERS(Call)} MAX=${MAX(3,7)})
same => n,HangupCauseClear()
same => n,NoOp(HCLEARED [${HANGUPCAUSE_KEYS()}])
same => n,Hangup()
`, 1)
}

// TestFuncsHangupCause: 6001 calls 6000, whose phone answers 486; after
// Dial the caller's HANGUPCAUSE functions name the dialed SIP channel
// with "SIP 486 Busy Here" and "User busy".
func TestFuncsHangupCause(t *testing.T) {
	in, lab := dialplanLab(t, hangupCauseDialplan, "HANGUPCAUSE_KEYS")
	waitUAS := lab.callee(t, callScenario(t, "flow-uas-busy.xml"))
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-final.xml.tmpl", map[string]string{"CODE": "486"}))
	requireSippOK(t, "UAC 6001 (gets 486)", waitUAC())
	requireSippOK(t, "UAS 6000 (486)", waitUAS())
	waitOutput(t, in, regexp.MustCompile(`NoOp\("SIP/6001-[0-9a-f]{8}", "HCAUSE K=SIP/6000-[0-9a-f]{8} TECH=SIP 486 Busy Here AST=User busy DS=BUSY EXISTS=1 HDRS=Call-ID MAX=7"\)`))
	waitOutput(t, in, regexp.MustCompile(`NoOp\("SIP/6001-[0-9a-f]{8}", "HCLEARED \[\]"\)`))
}
