package tests

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestSessionTimersE2E is issue 18's session-timer acceptance on the real
// daemon, both sides of one call with chan_sip's default settings
// (session-timers=accept, Min-SE 90): 6001 (sipp) calls asking for timers
// with itself as the refresher and never refreshes; gostrisk answers with
// Session-Expires: 90;refresher=uac and Require: timer and sends BYE when
// the refresh does not come (60 s). Meanwhile callee 6000 (sipp) answered
// with refresher=uac, making gostrisk the refresher of that leg: its
// re-INVITE comes at 45 s, before the BYE. The test takes about a minute.
func TestSessionTimersE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a minute (RFC 4028's smallest interval is 90 s)")
	}
	in, lab := dialplanLab(t, func(map[string]string) {}, "[work]")
	uas := harness.Sipp{Scenario: callScenario(t, "st-uas-6000-refreshed.xml"), LocalPort: lab.uasPort, Timeout: 100 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: callScenario(t, "st-uac-6001-no-refresh.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 100 * time.Second}
	waitUAC := uac.Start(t)
	requireSippOK(t, "UAC 6001 (timers asked, refresh missed, BYE at 60 s)", waitUAC())
	requireSippOK(t, "UAS 6000 (gostrisk refreshed at 45 s)", waitUAS())
	waitOutput(t, in, regexp.MustCompile(`WARNING\[\d+\]: \S+ \S+: Session-Timer expired - \S+`))
}
