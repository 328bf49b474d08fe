package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// requireSIPCalls skips when the daemon has no SIP channel technology yet:
// calls need the driver to route INVITEs to pkg/chansip/call and to
// register its Technology with the engine.
func requireSIPCalls(t *testing.T, in *harness.Instance) {
	t.Helper()
	requireSIPDriver(t, in)
	out, _ := in.RX("core show channeltypes")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "SIP ") {
			return
		}
	}
	t.Skip("SIP calls are not wired into the daemon yet (no SIP channel type in 'core show channeltypes')")
}

func callScenario(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// maskCallID blanks the Call ID column of `sip show channels`.
func maskCallID(s string) string {
	lines := strings.Split(s, "\n")
	for i, ln := range lines {
		if i > 0 && len(ln) > 49 && !strings.Contains(ln, "active SIP dialog") {
			lines[i] = ln[:34] + "<call-id>      " + ln[49:]
		}
	}
	return strings.Join(lines, "\n")
}

// rtpPortsBound reports the instance's RTP ports that its daemon still
// holds (other tests' sockets in the same range do not count).
func rtpPortsBound(t *testing.T, in *harness.Instance) []int {
	t.Helper()
	bound, err := in.UDPPorts(in.RTPBase, in.RTPBase+199)
	if err != nil {
		t.Fatalf("listing the daemon's UDP sockets: %v", err)
	}
	return bound
}

// TestChanSIPCall is the reference call: 6000 registers and is played by
// sipp's uas-6000.xml, 6001 calls it with uac-6001-to-6000.xml (3 s of
// talk instead of 10) and hangs up.
func TestChanSIPCall(t *testing.T) {
	harness.RequireSipp(t)
	// The reference modules.conf says noload = cdr_csv.so (and gostrisk
	// honours it); this test wants the CDR, so it loads the backend.
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		f["modules.conf"] = strings.ReplaceAll(f["modules.conf"], "noload = cdr_csv.so", "load = cdr_csv.so")
	}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)

	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	uas := harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalPort: uasPort, Timeout: 20 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond) // let sipp bind before the call reaches it
	uac := harness.Sipp{Scenario: callScenario(t, "call-uac-6001-to-6000.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 20 * time.Second}
	waitUAC := uac.Start(t)

	var during string
	harness.PollUntil(8*time.Second, func() bool {
		during = in.MustRX("sip show channels")
		// Both legs were re-INVITEd for direct media (directmedia
		// defaults to yes), as Asterisk did: both ACKs are ours.
		return strings.Contains(during, "2 active SIP dialogs") && strings.Count(during, "Tx: ACK") == 2
	})
	coreDuring := in.MustRX("core show channels")
	// The port check below must see the daemon's media sockets: during the
	// call each leg holds its RTP port (RTCP ports are reserved, not bound).
	if b := rtpPortsBound(t, in); len(b) < 2 {
		t.Errorf("during the call the daemon holds RTP ports %v, want 2 (one per leg)", b)
	}
	if want := maskCallID(readCallTestdata(t, "call-sip-show-channels.during-call.txt")); maskCallID(during) != want {
		t.Errorf("sip show channels during the call\n--- got\n%s--- want\n%s", during, want)
	}
	if want := harness.Transcript(t, "core-show-channels.during-call-6001-to-6000.txt"); coreDuring != want {
		t.Errorf("core show channels during the call\n--- got\n%s--- want\n%s", coreDuring, want)
	}

	if res := waitUAC(); res.ExitCode != 0 {
		t.Fatalf("uac exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	if res := waitUAS(); res.ExitCode != 0 {
		t.Fatalf("uas exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}

	after := in.MustRX("sip show channels")
	if want := maskCallID(harness.Transcript(t, "sip-show-channels.after-call.txt")); maskCallID(after) != want {
		t.Errorf("sip show channels after the call\n--- got\n%s--- want\n%s", after, want)
	}
	if got, want := in.MustRX("core show channels"), harness.Transcript(t, "core-show-channels.after-call.txt"); got != want {
		t.Errorf("core show channels after the call\n--- got\n%s--- want\n%s", got, want)
	}
	if b := rtpPortsBound(t, in); len(b) > 0 {
		t.Errorf("RTP ports still bound after the call: %v", b)
	}
	csv := in.Path("var", "log", "cdr-csv", "Master.csv")
	var data []byte
	harness.PollUntil(3*time.Second, func() bool {
		data, _ = os.ReadFile(csv)
		return len(data) > 0
	})
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"ANSWERED"`) || !strings.Contains(lines[0], `"SIP/6001-00000000","SIP/6000-00000001"`) {
		t.Errorf("Master.csv, want one ANSWERED line for SIP/6001 -> SIP/6000:\n%s", data)
	}
}

// TestChanSIPCallUnknownExtension: 404 and chan_sip's NOTICE, which
// fail2ban's asterisk filter matches.
func TestChanSIPCallUnknownExtension(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf()})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	port := harness.FreePort(t)
	runSipp(t, in, callScenario(t, "call-uac-6001-to-9999.xml"), port, 1)
	waitLog(t, in, "Call from '6001' (UDP:127.0.0.1:"+strconv.Itoa(port)+") to extension '9999' rejected because extension not found in context 'work'.")
}

func readCallTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
