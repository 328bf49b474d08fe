package tests

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestApps2TextInCall is SendText/ReceiveText over chan_sip: 6001 (sipp)
// calls 7801, whose dialplan waits for a text; 6001 sends a MESSAGE in
// the dialog, the dialplan reads it (RECEIVETEXTSTATUS/MESSAGE) and sends
// it back with SendText as a MESSAGE in the same dialog, which sipp
// checks, then hangs up. SendURL reports UNSUPPORTED, as on chan_sip.
func TestApps2TextInCall(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Args: []string{"-vvv"}, Edit: func(f map[string]string) {
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n", "[general]\ndirectmedia=no\n", 1)
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n", `[work]
exten => 7801,1,Answer()
 same => n,ReceiveText(5)
 same => n,NoOp(got ${RECEIVETEXTSTATUS} '${RECEIVETEXTMESSAGE}')
 same => n,SendText(echo: ${RECEIVETEXTMESSAGE})
 same => n,NoOp(sent ${SENDTEXTSTATUS})
 same => n,SendURL(http://example.com/)
 same => n,NoOp(url ${SENDURLSTATUS})
 same => n,Wait(1)
 same => n,Hangup()
`, 1)
	}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	uac := harness.Sipp{Scenario: callScenario(t, "apps2-uac-6001-text.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 20 * time.Second}
	requireSippOK(t, "UAC 6001 (MESSAGE in the call, echo received)", uac.Run(t))
	waitOutput(t, in, regexp.MustCompile(`NoOp\("SIP/6001-[0-9a-f]{8}", "got SUCCESS 'ping from 6001'"\)`))
	waitOutput(t, in, regexp.MustCompile(`NoOp\("SIP/6001-[0-9a-f]{8}", "sent SUCCESS"\)`))
	waitOutput(t, in, regexp.MustCompile(`NoOp\("SIP/6001-[0-9a-f]{8}", "url UNSUPPORTED"\)`))
}

// TestApps2HangupCause: 6001 calls 6000 (sipp), who answers 486; after
// Dial the caller's HANGUPCAUSE has the leg's SIP response and its cause,
// HangupCauseClear empties HANGUPCAUSE_KEYS, and Dial's R rings the
// caller at once.
func TestApps2HangupCause(t *testing.T) {
	in, lab := dialplanLab(t, func(f map[string]string) {
		f["extensions.conf"] = strings.Replace(f["extensions.conf"],
			"exten => _6XXX,1,Dial(SIP/${EXTEN},20)\nexten => _6XXX,2,Hangup()\n",
			`exten => _6XXX,1,Dial(SIP/${EXTEN},20,R)
same => n,Set(LEG=${HANGUPCAUSE_KEYS()})
same => n,NoOp(HC ${LEG} '${HANGUPCAUSE(${LEG},tech)}' '${HANGUPCAUSE(${LEG},ast)}')
same => n,HangupCauseClear()
same => n,NoOp(HC2 '${HANGUPCAUSE_KEYS()}')
same => n,Hangup()
`, 1)
	}, "HANGUPCAUSE_KEYS")
	waitUAS := lab.callee(t, callScenario(t, "flow-uas-busy.xml"))
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-final.xml.tmpl", map[string]string{"CODE": "486"}))
	requireSippOK(t, "UAC 6001 (gets 486)", waitUAC())
	requireSippOK(t, "UAS 6000 (486)", waitUAS())
	waitOutput(t, in, regexp.MustCompile(`NoOp\("SIP/6001-[0-9a-f]{8}", "HC SIP/6000-[0-9a-f]{8} 'SIP 486 Busy Here' 'User busy'"\)`))
	waitOutput(t, in, regexp.MustCompile(`NoOp\("SIP/6001-[0-9a-f]{8}", "HC2 ''"\)`))
}
