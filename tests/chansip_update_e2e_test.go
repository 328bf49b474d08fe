package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestChanSIPUpdate plays RFC 3311's flows from the calling phone (sipp
// 6001 -> 6000, media relayed): an UPDATE with SDP in the early dialog
// gets chan_sip's 501 Method Not Implemented; in the confirmed dialog an
// UPDATE with a=sendonly holds the call (our answer is recvonly and the
// core puts 6000 on hold), one with a=sendrecv resumes it, and one without
// a body refreshes the session (200 without SDP).
func TestChanSIPUpdate(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: noDirectMedia, Args: []string{"-vvv"}})
	in.DumpOnFailure()
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	// 6000 rings 2.5 s, long enough for the early UPDATE and its 501.
	uas := scenarioCopy(t, "dm-uas-6000-local.xml", `<pause milliseconds="1000"/>`, `<pause milliseconds="2500"/>`)
	waitUAS := (&harness.Sipp{Scenario: uas, LocalPort: uasPort, Timeout: 25 * time.Second}).Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: callScenario(t, "update-uac-6001.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 25 * time.Second,
		Extra: []string{"-mp", strconv.Itoa(harness.FreeRTPRange(t, 4))}}
	requireSippOK(t, "uac 6001", uac.Run(t))
	requireSippOK(t, "uas 6000", waitUAS())
	// The reference setup loads no music class: the hold reaches the core,
	// which says so as Asterisk does ("Started music on hold" with one).
	if log := fullLog(t, in); !strings.Contains(log, "Music class default requested but no musiconhold loaded.") &&
		!strings.Contains(log, "Started music on hold, class 'default', on channel 'SIP/6000") {
		t.Error("the UPDATE with a=sendonly did not put 6000 on hold")
	}
}
