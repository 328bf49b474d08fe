package tests

import (
	"strings"
	"testing"
	"time"
)

// TestApps3JitterBuffer: 6001 calls 6000 through JITTERBUFFER(fixed): the
// buffered caller keeps the bridge on frames (simple_bridge, where the
// same call without a buffer is relayed natively) and both hear each
// other through it. A second call sets the buffer and removes it
// (disabled) before the Dial: native_rtp again.
func TestApps3JitterBuffer(t *testing.T) {
	requireBaresip(t)
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw", "directmedia=no"},
		"6001": {"disallow=all", "allow=ulaw", "directmedia=no"},
	}, addDialplan("exten => 8810,1,Set(JITTERBUFFER(fixed)=120,1000)\n same => n,Dial(SIP/6000,20)\n"+
		"exten => 8811,1,Set(JITTERBUFFER(adaptive)=default)\n same => n,Set(JITTERBUFFER(disabled)=)\n same => n,Dial(SIP/6000,20)\n", ""))
	const toneA, toneB = 440.0, 1050.0
	callee := phone(t, in, "6000", "PCMU", toneB)
	caller := phone(t, in, "6001", "PCMU", toneA)
	defer func() {
		callee.Stop()
		caller.Stop()
	}()

	dial(t, in, caller, callee, "8810")
	time.Sleep(300 * time.Millisecond)
	if tech := bridgeTech(t, in); tech != "simple_bridge" {
		t.Errorf("a jitter-buffered caller is bridged with %s, want simple_bridge", tech)
	}
	time.Sleep(2500 * time.Millisecond)
	hangup(t, caller, callee)
	heardByA, heardByB := caller.lastRecording(t), callee.lastRecording(t)
	endA, endB := heardByA.seconds(), heardByB.seconds()
	checkTone(t, "the buffered caller heard", heardByA.span(endA-1.5, endA-0.3), heardByA.rate, toneB)
	checkTone(t, "the callee heard the buffered caller", heardByB.span(endB-1.5, endB-0.3), heardByB.rate, toneA)

	dial(t, in, caller, callee, "8811")
	time.Sleep(300 * time.Millisecond)
	if tech := bridgeTech(t, in); tech != "native_rtp" {
		t.Errorf("after JITTERBUFFER(disabled) the bridge is %s, want native_rtp", tech)
	}
	hangup(t, caller, callee)
	if log := fullLog(t, in); strings.Contains(log, "Function JITTERBUFFER not registered") {
		t.Error("JITTERBUFFER is not registered")
	}
}
