package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// Local channels (chan_local) end to end: 6001 (sipp UAC) calls 6000 in
// [work], which dials Local/${EXTEN}@inner; the ;2 half runs [inner] and
// dials SIP/6000 (a registered sipp UAS).

// localLab is a flow lab whose [work] _6XXX runs work instead of the
// reference Dial, with an [inner] context dialing the SIP phone.
func localLab(t *testing.T, work string) *flowLab {
	t.Helper()
	harness.RequireSipp(t)
	edit := func(f map[string]string) {
		flowDialplan(20)(f)
		ext := f["extensions.conf"]
		ext = strings.Replace(ext, "exten => _6XXX,1,Dial(SIP/${EXTEN},20)", "exten => _6XXX,1,"+work, 1)
		ext += "\n[inner]\nexten => _6XXX,1,Dial(SIP/${EXTEN},20)\n" +
			"\n[orig]\nexten => 7001,1,Answer()\n same => n,Wait(1)\n same => n,Hangup()\n"
		f["extensions.conf"] = ext
	}
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: edit, Args: []string{"-vvv"}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	lab := &flowLab{in: in, uasPort: harness.FreePort(t)}
	runSipp(t, in, regScenario(t), lab.uasPort, 1)
	return lab
}

var reLocalPair = regexp.MustCompile(`^Local/6000@inner-[0-9a-f]{8};1 -- 6000@inner\n$`)

// TestLocalRTPBothWays: RTP from the caller reaches the callee through
// the pair and the callee's echo comes back; the caller sends the BYE,
// which ends both halves and the callee's leg.
func TestLocalRTPBothWays(t *testing.T) {
	lab := localLab(t, "Dial(Local/${EXTEN}@inner,20)")
	pcap := filepath.Join(t.TempDir(), "pcmu-440hz.pcap")
	writePCMUPcap(t, pcap, 100)
	waitUAS := lab.callee(t, callScenario(t, "call-uas-6000.xml"), "-rtp_echo")
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-rtp.xml.tmpl", map[string]string{"PCAP": pcap}))

	out := waitMediaBothWays(t, lab.in, 50)
	t.Logf("during the call:\n%s", out)
	if got := lab.in.MustRX("local show channels"); !reLocalPair.MatchString(got) {
		t.Errorf("local show channels during the call:\n%s", got)
	}
	chans := lab.in.MustRX("core show channels")
	for _, want := range []string{"SIP/6001-", "Local/6000@inner-", "SIP/6000-", "4 active channels"} {
		if !strings.Contains(chans, want) {
			t.Errorf("core show channels lacks %q:\n%s", want, chans)
		}
	}
	if !strings.Contains(chans, ";1 ") || !strings.Contains(chans, ";2 ") {
		t.Errorf("core show channels does not list both halves:\n%s", chans)
	}

	requireSippOK(t, "UAC 6001", waitUAC())
	requireSippOK(t, "UAS 6000", waitUAS())
	waitOutput(t, lab.in, regexp.MustCompile(`-- Executing \[6000@inner:1\] Dial\("Local/6000@inner-[0-9a-f]{8};2", "SIP/6000,20"\)`))
	checkIdle(t, lab.in, 2) // the caller's dialplan and ;2's
	if got := lab.in.MustRX("local show channels"); got != "No local channels in use\n" {
		t.Errorf("local show channels after the call: %q", got)
	}
	// Asterisk 18's two records: the caller to ;1, and ;2 (the call as
	// [inner] sees it) to the phone it dialed.
	recs := cdrRecords(t, lab.in, 2)
	if len(recs) != 2 {
		t.Fatalf("Master.csv holds %d records, want 2: %+v", len(recs), recs)
	}
	byChan := map[bool]cdrRecord{}
	for _, r := range recs {
		byChan[strings.HasPrefix(r.Channel, "Local/")] = r
	}
	outer, inner := byChan[false], byChan[true]
	if !strings.HasPrefix(outer.Channel, "SIP/6001-") || !strings.HasPrefix(outer.DstChannel, "Local/6000@inner-") ||
		!strings.HasSuffix(outer.DstChannel, ";1") || outer.DContext != "work" || outer.Disposition != "ANSWERED" {
		t.Errorf("the caller's record: %+v", outer)
	}
	if !strings.HasSuffix(inner.Channel, ";2") || !strings.HasPrefix(inner.DstChannel, "SIP/6000-") ||
		inner.Src != "6001" || inner.Dst != "6000" || inner.DContext != "inner" || inner.LastApp != "Dial" ||
		inner.Disposition != "ANSWERED" {
		t.Errorf(";2's record: %+v", inner)
	}
}

// TestLocalCalleeHangsUp: the callee's BYE ends ;2, ;1 and the caller.
func TestLocalCalleeHangsUp(t *testing.T) {
	lab := localLab(t, "Dial(Local/${EXTEN}@inner,20)")
	waitUAS := lab.callee(t, callScenario(t, "flow-uas-bye.xml"))
	waitUAC := lab.caller(t, callScenario(t, "flow-uac-callee-bye.xml"))
	requireSippOK(t, "UAS 6000 (sends BYE)", waitUAS())
	requireSippOK(t, "UAC 6001 (receives BYE)", waitUAC())
	checkIdle(t, lab.in, 2)
	// Asterisk's line for Local, taken from its transcript.
	ref, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "pkg", "pbx", "testdata", "core-show-channeltypes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, line := range strings.SplitAfter(string(ref), "\n") {
		if strings.HasPrefix(line, "Local ") {
			want = line
		}
	}
	if got := lab.in.MustRX("core show channeltypes"); want == "" || !strings.Contains(got, want) {
		t.Errorf("core show channeltypes lacks %q:\n%s", want, got)
	}
}

// TestLocalNoSuchExtension: Dial(Local/404@inner) fails at the call, as
// chan_local checks the extension: DIALSTATUS is CHANUNAVAIL.
func TestLocalNoSuchExtension(t *testing.T) {
	lab := localLab(t, "Dial(Local/404@inner,20)")
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-final.xml.tmpl", map[string]string{"CODE": "603"}))
	res := waitUAC()
	waitOutput(t, lab.in, regexp.MustCompile(`NOTICE\[\d+\]: .*No such extension/context 404@inner while calling Local channel\n`))
	waitOutput(t, lab.in, dialStatus("CHANUNAVAIL"))
	requireSippOK(t, "UAC 6001 (gets 603)", res)
	checkIdle(t, lab.in, 1)
}

// TestLocalOriginate: `channel originate Local/6000@inner extension
// 7001@orig`: ;2 rings 6000, its answer answers ;1, which then runs
// 7001@orig and hangs up after a second; 6000 gets the BYE.
func TestLocalOriginate(t *testing.T) {
	lab := localLab(t, "Dial(Local/${EXTEN}@inner,20)")
	waitUAS := lab.callee(t, callScenario(t, "call-uas-6000.xml"))
	if out := lab.in.MustRX("channel originate Local/6000@inner extension 7001@orig"); out != "" {
		t.Errorf("channel originate printed %q", out)
	}
	requireSippOK(t, "UAS 6000 (answers, gets BYE)", waitUAS())
	waitOutput(t, lab.in, regexp.MustCompile(`-- Executing \[7001@orig:2\] Wait\("Local/6000@inner-[0-9a-f]{8};1", "1"\)`))
	checkIdle(t, lab.in, 2)
}

// TestLocalQueueMember: a queue whose only member is Local/6000@agents/n
// rings it through chan_local: ;2 dials SIP/6000, which answers; the
// queue connects the caller to the member, and the agent's BYE ends the
// call for the caller.
func TestLocalQueueMember(t *testing.T) {
	harness.RequireSipp(t)
	edit := func(f map[string]string) {
		queueSetup("[lq]\ntimeout = 5\nretry = 1\nmember => Local/6000@agents/n\n",
			"exten => 700,1,Answer()\n same => n,Queue(lq)\n same => n,Hangup()\n")(f)
		f["extensions.conf"] += "\n[agents]\nexten => 6000,1,Dial(SIP/6000,20)\n"
	}
	in := harness.Start(t, harness.Options{Edit: edit, Args: []string{"-vvv"}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	if out := in.MustRX("queue show lq"); !strings.Contains(out, "Local/6000@agents/n") || strings.Contains(out, "Invalid") {
		t.Errorf("queue show lq:\n%s", out)
	}
	port := harness.FreePort(t)
	runSipp(t, in, scenarioCopy(t, "chansip/reg-6000.xml"), port, 1)
	uas := harness.Sipp{Scenario: callScenario(t, "flow-uas-bye.xml"), LocalPort: port, Timeout: 30 * time.Second}
	wait := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	caller := make(chan harness.SippResult, 1)
	go func() { caller <- queueCaller(t, in, "700") }()
	// While the agent talks the member is in use (its device state comes
	// from chan_local: a pair to 6000@agents exists).
	var during string
	inUse := harness.PollUntil(5*time.Second, func() bool {
		during, _ = in.RX("queue show lq")
		return regexp.MustCompile(`Local/6000@agents/n .*\(In use\)`).MatchString(during)
	})
	if !inUse {
		t.Errorf("the Local member never showed in use:\n%s", during)
	}
	requireSippOK(t, "queue caller", <-caller)
	requireSippOK(t, "agent 6000", wait())
	var after string
	if !harness.PollUntil(3*time.Second, func() bool {
		after, _ = in.RX("queue show lq")
		return regexp.MustCompile(`Local/6000@agents/n .*\(Not in use\)`).MatchString(after)
	}) {
		t.Errorf("the Local member after the call:\n%s", after)
	}
	if got := connectedAgents(queueLogLines(t, in)); len(got) != 1 || got[0] != "Local/6000@agents/n" {
		t.Errorf("queue_log CONNECT members %v, want [Local/6000@agents/n]\n%s", got, strings.Join(queueLogLines(t, in), "\n"))
	}
	waitOutput(t, in, regexp.MustCompile(`-- Executing \[6000@agents:1\] Dial\("Local/6000@agents-[0-9a-f]{8};2", "SIP/6000,20"\)`))
}

// TestLocalCallerCancels: 6001 cancels while 6000 rings behind the pair;
// ;1's hangup ends ;2, whose Dial cancels the phone.
func TestLocalCallerCancels(t *testing.T) {
	lab := localLab(t, "Dial(Local/${EXTEN}@inner,20)")
	waitUAS := lab.callee(t, callScenario(t, "flow-uas-ring.xml"))
	waitUAC := lab.caller(t, callScenario(t, "flow-uac-cancel.xml"))
	requireSippOK(t, "UAC 6001 (CANCEL -> 200 + 487)", waitUAC())
	requireSippOK(t, "UAS 6000 (receives CANCEL)", waitUAS())
	checkIdle(t, lab.in, 2)
}
