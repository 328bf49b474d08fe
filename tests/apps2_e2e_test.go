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
