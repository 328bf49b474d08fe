package tests

import (
	"strconv"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestChanSIPUnbracketedIPv6URI: an INVITE to sip:6000@::1 (an IPv6 host
// without the brackets RFC 3261 requires, RFC 5118 4.2) is answered 400
// Bad Request as chan_sip does, instead of being dropped unanswered; the
// ACK closes the transaction (no retransmitted 400 reaches sipp after
// it, which would fail the scenario) and the next request is answered.
func TestChanSIPUnbracketedIPv6URI(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf()})
	in.DumpOnFailure()
	uac := harness.Sipp{Scenario: callScenario(t, "chansip-uac-bare-ipv6-uri.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 15 * time.Second,
		Extra: []string{"-mp", strconv.Itoa(harness.FreeRTPRange(t, 4))}}
	requireSippOK(t, "uac (400 to a bare IPv6 Request-URI)", uac.Run(t))
}
