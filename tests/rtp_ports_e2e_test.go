package tests

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// smallRTPRange starts the reference setup (without its loopback trunk,
// which would claim every INVITE from 127.0.0.1) with rtp.conf's range cut
// to ports ports, and registers 6000 at the port its sipp UAS will use. It
// returns rtpstart and rtpend as written.
func smallRTPRange(t *testing.T, ports int) (in *harness.Instance, uasPort, start, end int) {
	t.Helper()
	harness.RequireSipp(t)
	in = harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		attackConf(0)(f)
		m := regexp.MustCompile(`(?m)^rtpstart=(\d+)$`).FindStringSubmatch(f["rtp.conf"])
		if m == nil {
			t.Fatalf("no rtpstart in rtp.conf:\n%s", f["rtp.conf"])
		}
		start, _ = strconv.Atoi(m[1])
		end = start + ports - 1
		f["rtp.conf"] = regexp.MustCompile(`(?m)^rtpend=\d+$`).ReplaceAllString(f["rtp.conf"], "rtpend="+strconv.Itoa(end))
	}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	uasPort = harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	return in, uasPort, start, end
}

// TestRTPPortsComeBackE2E: with rtp.conf's range cut to 20 ports (10 pairs,
// 5 calls' worth), 50 short calls three at a time all get through: every
// call's ports come back when it ends. None is refused for want of a port,
// and none is held once they are over.
func TestRTPPortsComeBackE2E(t *testing.T) {
	in, uasPort, _, _ := smallRTPRange(t, 20)
	const calls = 50
	uas := harness.Sipp{Scenario: callScenario(t, "ports-uas-6000.xml"), LocalPort: uasPort, Calls: calls, Timeout: 30 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond) // let sipp bind before the calls reach it
	uac := harness.Sipp{Scenario: callScenario(t, "ports-uac-6001-to-6000.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		Calls: calls, Rate: 50, Extra: []string{"-l", "3", "-d", "20"}, Timeout: 30 * time.Second}
	if res := uac.Run(t); res.ExitCode != 0 {
		t.Fatalf("uac exited %d: not every call got through\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	requireSippOK(t, "uas", waitUAS())
	if n := countLines(t, in.Path("var", "log", "messages"), "No RTP port pair free"); n != 0 {
		t.Errorf("%d 'No RTP port pair free' warnings in messages", n)
	}
	var bound []int
	harness.PollUntil(3*time.Second, func() bool {
		bound = rtpPortsBound(t, in)
		return len(bound) == 0
	})
	if len(bound) != 0 {
		t.Errorf("RTP ports still bound after the calls: %v", bound)
	}
}

// TestRTPRangeFullE2E: with rtp.conf's range holding one call (4 ports),
// calls made while it is up get chan_sip's 488, the messages log says once
// that the range is full and which it is, and the range serves again
// when the call is over.
func TestRTPRangeFullE2E(t *testing.T) {
	in, uasPort, start, end := smallRTPRange(t, 4)
	uas := harness.Sipp{Scenario: callScenario(t, "ports-uas-6000.xml"), LocalPort: uasPort, Calls: 2, Timeout: 20 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	target := "127.0.0.1:" + strconv.Itoa(in.SIPPort)
	held := harness.Sipp{Scenario: callScenario(t, "ports-uac-6001-to-6000.xml"), Target: target,
		Extra: []string{"-d", "4000"}, Timeout: 20 * time.Second}
	waitHeld := held.Start(t)
	// Two legs, each with its RTP port and its RTCP port (port+1).
	harness.PollUntil(5*time.Second, func() bool { return len(rtpPortsBound(t, in)) == 4 })
	if b := rtpPortsBound(t, in); len(b) != 4 {
		t.Fatalf("the held call binds RTP/RTCP ports %v, want 4", b)
	}

	c := newSIPClient(t, in.SIPPort)
	for i := range 3 {
		first, final := c.exchange("INVITE", "6001", "6000", "test")
		if first == nil || first.code != 401 || final == nil || final.code != 488 {
			t.Fatalf("call %d while the range is full: %s then %s, want a challenge then 488", i, first.headerSet(), final.headerSet())
		}
	}
	messages := in.Path("var", "log", "messages")
	want := fmt.Sprintf("No RTP port pair free in rtp.conf's range %d-%d (2 pairs in use); raise rtpend or lower the load", start, end)
	waitLog(t, in, want)
	if n := countLines(t, messages, "No RTP port pair free"); n != 1 {
		t.Errorf("%d range warnings for 3 refused calls, want 1", n)
	}
	if n := countLines(t, messages, "Unable to allocate RTP"); n != 0 {
		t.Errorf("%d per-call RTP lines in messages, want the range's warning only", n)
	}

	requireSippOK(t, "held call", waitHeld())
	harness.PollUntil(3*time.Second, func() bool { return len(rtpPortsBound(t, in)) == 0 })
	after := harness.Sipp{Scenario: callScenario(t, "ports-uac-6001-to-6000.xml"), Target: target, Timeout: 20 * time.Second}
	if res := after.Run(t); res.ExitCode != 0 {
		t.Fatalf("a call once the range is free again: sipp exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	requireSippOK(t, "uas", waitUAS())
	if out := in.MustRX("core show channels"); !strings.Contains(out, "0 active calls") {
		t.Errorf("core show channels after the calls:\n%s", out)
	}
}
