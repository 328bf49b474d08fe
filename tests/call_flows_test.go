package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// The call flows of issue 6 beyond the reference call, each on a fresh
// daemon with the reference config (cdr_csv loaded, a NoOp showing
// DIALSTATUS after Dial): 6001 is a sipp UAC, 6000 a registered sipp UAS.
// Every flow ends with the checks of checkIdle and one Master.csv record.

// TestCallFlowRTPBothWays: 6001 plays ~2 s of PCMU from a pcap, 6000 echoes
// it; "sip show channelstats" shows packets in and out on both dialogs, so
// media crossed gostrisk in both directions.
func TestCallFlowRTPBothWays(t *testing.T) {
	lab := startFlowLab(t, 20)
	pcap := filepath.Join(t.TempDir(), "pcmu-440hz.pcap")
	writePCMUPcap(t, pcap, 100)
	waitUAS := lab.callee(t, callScenario(t, "call-uas-6000.xml"), "-rtp_echo")
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-rtp.xml.tmpl", map[string]string{"PCAP": pcap}))

	// The pcap holds 100 packets: wait until most of them went out to the
	// callee and came back from its echo on both dialogs (some slack for
	// the packets strict RTP learning drops).
	out := waitMediaBothWays(t, lab.in, 50)
	if !strings.Contains(out, "2 active SIP channels\n") {
		t.Errorf("sip show channelstats during the call:\n%s", out)
	}
	t.Logf("during the call:\n%s", out)

	requireSippOK(t, "UAC 6001", waitUAC())
	requireSippOK(t, "UAS 6000", waitUAS())
	checkIdle(t, lab.in, 1)
	checkOneCDR(t, lab.in, "ANSWERED")
}

// TestCallFlowCalleeHangsUp: 6000 answers and sends BYE 1.5 s later; 6001
// gets the BYE. Without Dial's g option the caller's dialplan stops there
// (the NoOp after Dial does not run), as app_dial does.
func TestCallFlowCalleeHangsUp(t *testing.T) {
	lab := startFlowLab(t, 20)
	waitUAS := lab.callee(t, callScenario(t, "flow-uas-bye.xml"))
	waitUAC := lab.caller(t, callScenario(t, "flow-uac-callee-bye.xml"))
	requireSippOK(t, "UAS 6000 (sends BYE)", waitUAS())
	requireSippOK(t, "UAC 6001 (receives BYE)", waitUAC())
	waitOutput(t, lab.in, regexp.MustCompile(`== Spawn extension \(work, 6000, 1\) exited non-zero on 'SIP/6001-[0-9a-f]{8}'`))
	if dialStatus("ANSWER").MatchString(lab.in.Output()) {
		t.Errorf("the dialplan went on after the callee hung up (Dial has no g option)")
	}
	checkIdle(t, lab.in, 1)
	if r := checkOneCDR(t, lab.in, "ANSWERED"); r.Billsec < 1 {
		t.Errorf("answered call billed %d s, want >= 1 (6000 talked 1.5 s): %+v", r.Billsec, r)
	}
}

// TestCallFlowCallerCancels: 6001 cancels while 6000 rings: 200 to the
// CANCEL and 487 to the INVITE for the caller, a CANCEL for the callee, and
// chan_sip's NO ANSWER disposition for the record.
func TestCallFlowCallerCancels(t *testing.T) {
	lab := startFlowLab(t, 20)
	waitUAS := lab.callee(t, callScenario(t, "flow-uas-ring.xml"))
	waitUAC := lab.caller(t, callScenario(t, "flow-uac-cancel.xml"))
	requireSippOK(t, "UAC 6001 (CANCEL -> 200 + 487)", waitUAC())
	requireSippOK(t, "UAS 6000 (receives CANCEL)", waitUAS())
	checkIdle(t, lab.in, 1)
	checkOneCDR(t, lab.in, "NO ANSWER")
}

// TestCallFlowBusy: 6000 answers 486. app_dial hands the callee's cause
// (17, user busy) to the caller, Hangup() keeps it, and chan_sip maps it
// to 486 Busy Here; DIALSTATUS is BUSY and the record says BUSY.
func TestCallFlowBusy(t *testing.T) {
	lab := startFlowLab(t, 20)
	waitUAS := lab.callee(t, callScenario(t, "flow-uas-busy.xml"))
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-final.xml.tmpl", map[string]string{"CODE": "486"}))
	requireSippOK(t, "UAC 6001 (gets 486)", waitUAC())
	requireSippOK(t, "UAS 6000 (486)", waitUAS())
	// app_dial's verbose lines, as Asterisk prints them.
	waitOutput(t, lab.in, regexp.MustCompile(`-- SIP/6000-[0-9a-f]{8} is busy\n`))
	waitOutput(t, lab.in, regexp.MustCompile(`== Everyone is busy/congested at this time \(1:1/0/0\)\n`))
	waitOutput(t, lab.in, dialStatus("BUSY"))
	checkIdle(t, lab.in, 1)
	checkOneCDR(t, lab.in, "BUSY")
}

// TestCallFlowNoAnswer: Dial(SIP/6000,2) while 6000 rings forever: after 2 s
// the callee gets a CANCEL, DIALSTATUS is NOANSWER, the record NO ANSWER.
// The caller's channel ends with cause 16 (normal clearing; Dial does not
// pass a cause on for a timeout), which chan_sip has no SIP code for, so
// it answers the unanswered INVITE 603 Declined.
func TestCallFlowNoAnswer(t *testing.T) {
	lab := startFlowLab(t, 2)
	waitUAS := lab.callee(t, callScenario(t, "flow-uas-ring.xml"))
	start := time.Now()
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-final.xml.tmpl", map[string]string{"CODE": "603"}))
	requireSippOK(t, "UAS 6000 (receives CANCEL)", waitUAS())
	requireSippOK(t, "UAC 6001 (gets 603)", waitUAC())
	if d := time.Since(start); d < 2*time.Second || d > 6*time.Second {
		t.Errorf("the call ended after %v, want the 2 s Dial timeout", d.Round(time.Millisecond))
	}
	waitOutput(t, lab.in, regexp.MustCompile(`-- Nobody picked up in 2000 ms\n`))
	waitOutput(t, lab.in, dialStatus("NOANSWER"))
	checkIdle(t, lab.in, 1)
	checkOneCDR(t, lab.in, "NO ANSWER")
}

// TestCallFlowWrongPassword: 6001 answers the INVITE challenge with a wrong
// password: 403 Forbidden, chan_sip's NOTICE in the messages log, and no
// channel, call or record.
func TestCallFlowWrongPassword(t *testing.T) {
	lab := startFlowLab(t, 20)
	port := harness.FreePort(t)
	runSipp(t, lab.in, callScenario(t, "flow-uac-wrong-password.xml"), port, 1)
	log := waitLog(t, lab.in, "Failed to authenticate device")
	// chan_sip prints its check_auth_result there; a wrong password is
	// AUTH_SECRET_FAILED (-1). The code is not pinned: gostrisk's
	// handleInvite prints -2 for every failed digest (see the report of
	// this test's author); the rest of the line is what fail2ban users grep.
	re := regexp.MustCompile(`(?m)^\[[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\] NOTICE\[\d+\](?:\[C-[0-9a-f]{8}\])? [a-z_]+\.go: Failed to authenticate device "Choucheh Sadek" <sip:6001@127\.0\.0\.1>;tag=\S+ for INVITE, code = -1$`)
	if !re.MatchString(log) {
		t.Errorf("messages lacks %s:\n%s", re, log)
	}
	checkIdle(t, lab.in, 0)
	if recs := cdrRecords(t, lab.in, 0); len(recs) != 0 {
		t.Errorf("a refused INVITE left CDR records: %+v", recs)
	}
	fail2banOnInviteFailure(t, lab.in.Path("var", "log", "messages"))
}

// fail2banOnInviteFailure runs fail2ban's stock asterisk filter over the
// messages log and reports whether it catches the INVITE failure. With
// Asterisk 18 it does not: the filter knows chan_sip's REGISTER and
// unknown-extension NOTICEs and the security log's ChallengeResponseFailed
// events, not "Failed to authenticate device ... for INVITE", and the
// reference logger.conf sends no security events to messages. The test
// asserts that fail2ban-regex reads every line (so the log stays parsable)
// and logs the count rather than asserting a ban Asterisk would not cause.
func fail2banOnInviteFailure(t *testing.T, messages string) {
	t.Helper()
	bin, err := exec.LookPath("fail2ban-regex")
	if err != nil {
		t.Log("fail2ban-regex not installed; filter not checked")
		return
	}
	if _, err := os.Stat(fail2banFilter); err != nil {
		t.Logf("no %s; filter not checked", fail2banFilter)
		return
	}
	out, err := exec.Command(bin, messages, fail2banFilter).CombinedOutput()
	if err != nil {
		t.Fatalf("fail2ban-regex: %v\n%s", err, out)
	}
	m := fail2banSummary.FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("fail2ban-regex output:\n%s", out)
	}
	b, _ := os.ReadFile(messages)
	if lines := strconv.Itoa(strings.Count(string(b), "\n")); m[1] != lines {
		t.Errorf("fail2ban-regex read %s lines of %s, the file has %s", m[1], messages, lines)
	}
	t.Logf("fail2ban stock filter on the INVITE failure: %s lines, %s matched, %s missed (Asterisk 18 logs the same line, which the stock filter does not match either)", m[1], m[3], m[4])
}

// TestCallFlowSIPDebugShowsBothWays: with "sip set debug on" the console
// shows what a call sends, not only what it reads: the INVITE to the
// callee and the callee's answer as read, the 486 passed back to the
// caller as transmitted.
func TestCallFlowSIPDebugShowsBothWays(t *testing.T) {
	lab := startFlowLab(t, 20)
	if out := lab.in.MustRX("sip set debug on"); !strings.Contains(out, "SIP Debugging enabled") {
		t.Fatalf("sip set debug on: %q", out)
	}
	waitUAS := lab.callee(t, callScenario(t, "flow-uas-busy.xml"))
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-final.xml.tmpl", map[string]string{"CODE": "486"}))
	requireSippOK(t, "UAC 6001 (gets 486)", waitUAC())
	requireSippOK(t, "UAS 6000 (486)", waitUAS())
	callee := regexp.QuoteMeta(fmt.Sprintf("127.0.0.1:%d", lab.uasPort))
	waitOutput(t, lab.in, regexp.MustCompile(`<--- Transmitting \(no NAT\) to `+callee+` --->\nINVITE sip:6000@`))
	waitOutput(t, lab.in, regexp.MustCompile(`<--- SIP read from UDP:`+callee+` --->\nSIP/2\.0 486 Busy Here\r\n`))
	waitOutput(t, lab.in, regexp.MustCompile(`<--- Transmitting \(no NAT\) to 127\.0\.0\.1:\d+ --->\nSIP/2\.0 486 Busy Here\r\n`))
	// Each message is printed once.
	sent := fmt.Sprintf("<--- Transmitting (no NAT) to 127.0.0.1:%d --->\nINVITE ", lab.uasPort)
	if n := strings.Count(lab.in.Output(), sent); n != 1 {
		t.Errorf("the INVITE to the callee was printed %d times", n)
	}
}
