package tests

import (
	"strconv"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestRecordRouteDialogs: both phones sit behind a record-routing proxy
// (each sipp plays its own proxy: Record-Route names it, its Contact a
// port nobody listens on). gostrisk's 200 to the caller echoes the
// Record-Route; its ACK to the callee's 200 and the BYE it passes to the
// caller when the callee hangs up reach the phones only through their
// route sets, each with a Route header (RFC 3261 12.1, 12.2.1.1).
func TestRecordRouteDialogs(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: noDirectMedia}) // no re-INVITEs: the test is about route sets
	in.DumpOnFailure()
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	waitUAS := (&harness.Sipp{Scenario: callScenario(t, "rr-uas-6000.xml"), LocalPort: uasPort, Timeout: 20 * time.Second}).Start(t)
	time.Sleep(200 * time.Millisecond) // let sipp bind before the call reaches it
	uac := harness.Sipp{Scenario: callScenario(t, "rr-uac-6001-to-6000.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 20 * time.Second}
	if res := uac.Run(t); res.ExitCode != 0 {
		t.Errorf("uac exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	if res := waitUAS(); res.ExitCode != 0 {
		t.Errorf("uas exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
}
