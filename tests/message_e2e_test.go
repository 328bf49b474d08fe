package tests

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// messageDialplan routes out-of-call MESSAGEs in their own context, as the
// training documents set up the internal chat: each text to a 6XXX
// extension is sent on to that phone with the sender's identity.
func messageDialplan(f map[string]string) {
	f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n", "[general]\noutofcall_message_context=messages\n", 1)
	f["extensions.conf"] += `
[messages]
exten => _6XXX,1,NoOp(MSG to=${MESSAGE(to)} from=${MESSAGE(from)} body=${MESSAGE(body)})
 same => n,MessageSend(sip:${EXTEN},${MESSAGE(from)})
 same => n,NoOp(MESSAGE_SEND_STATUS=${MESSAGE_SEND_STATUS})
`
}

// TestMessage6000To6001 is issue 18's MESSAGE acceptance: 6000 sends a
// MESSAGE to 6001 (sipp), chan_sip challenges it, the dialplan routes it
// with MESSAGE() and MessageSend, and registered 6001 (sipp) receives it,
// challenges it in turn and gets the answer with 6001's credentials.
func TestMessage6000To6001(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: messageDialplan, Args: []string{"-vvv"}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	port := harness.FreePort(t)
	runSipp(t, in, callScenario(t, "msg-reg-6001.xml"), port, 1)

	uas := harness.Sipp{Scenario: callScenario(t, "msg-uas-6001.xml"), LocalPort: port, Timeout: 15 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: callScenario(t, "msg-uac-6000.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 15 * time.Second}
	requireSippOK(t, "UAC 6000 (MESSAGE, 202 Accepted)", uac.Run(t))
	requireSippOK(t, "UAS 6001 (MESSAGE received, challenge answered)", waitUAS())

	waitOutput(t, in, regexp.MustCompile(`Executing \[6001@messages:1\] NoOp\("Message/ast_msg_queue", "MSG to=sip:6001@127\.0\.0\.1:\d+ from="Sadek Adel" <sip:6000@127\.0\.0\.1> body=hello 6001, from 6000"\)`))
	waitOutput(t, in, regexp.MustCompile(`MESSAGE_SEND_STATUS=SUCCESS`))
}

// TestIdentityPAIE2E is issue 18's caller-identity acceptance: 6001
// (trustrpid=yes) asserts an identity with P-Asserted-Identity, which
// becomes the caller id; 6000 (sendrpid=pai) gets it in its INVITE as
// P-Asserted-Identity and in From.
func TestIdentityPAIE2E(t *testing.T) {
	_, lab := dialplanLab(t, func(f map[string]string) {
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[6000]\n", "[6000]\nsendrpid=pai\n", 1)
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[6001]\n", "[6001]\ntrustrpid=yes\n", 1)
	}, "[work]")
	uas := harness.Sipp{Scenario: callScenario(t, "id-uas-6000-pai.xml"), LocalPort: lab.uasPort, Timeout: 15 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	wait := lab.caller(t, callScenario(t, "id-uac-6001-pai.xml"))
	requireSippOK(t, "UAC 6001 (asserted identity)", wait())
	requireSippOK(t, "UAS 6000 (P-Asserted-Identity and From checked)", waitUAS())
}

// TestChannelOriginateE2E: "channel originate" (res_clioriginate) calls
// registered 6000 (sipp, answers then waits for BYE) and runs the
// application on the answered channel, which then hangs up.
func TestChannelOriginateE2E(t *testing.T) {
	in, lab := dialplanLab(t, func(map[string]string) {}, "[work]")
	uas := harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalPort: lab.uasPort, Timeout: 15 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	if out := in.MustRX("channel originate SIP/6000 application Wait 1"); out != "" {
		t.Errorf("channel originate printed %q", out)
	}
	requireSippOK(t, "UAS 6000 (originated call answered, then BYE)", waitUAS())
	waitOutput(t, in, regexp.MustCompile(`Launching Wait\(1\) on SIP/6000-[0-9a-f]{8}`))
	if out, _ := in.RX("channel originate SIP extension"); !strings.Contains(out, "*** No data provided after channel type! ***") {
		t.Errorf("no data: %q", out)
	}
}
