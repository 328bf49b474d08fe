package tests

import (
	"testing"
	"time"
)

// TestMediaBridgeCodecs calls 6000 from 6001 with two baresip phones,
// each playing its own tone, and checks each heard the other's tone
// (spectral peak within 2 %) and which bridge technology carried the
// call: the native relay when both speak one codec (no decode), the
// translating frame bridge when they differ.
func TestMediaBridgeCodecs(t *testing.T) {
	requireBaresip(t)
	const toneCaller, toneCallee = 440.0, 1000.0
	for _, tc := range []struct {
		name                 string
		callerAllow          string // 6001's codec in sip.conf
		callerCodec          string // what its baresip offers
		calleeAllow          string // 6000's
		calleeCodec          string
		wantTech             string
		callerRate, peerRate int // the recordings' sample rates
	}{
		{"ulaw to ulaw", "ulaw", "PCMU", "ulaw", "PCMU", "native_rtp", 8000, 8000},
		{"ulaw to alaw", "ulaw", "PCMU", "alaw", "PCMA", "simple_bridge", 8000, 8000},
		{"g722 to ulaw", "g722", "G722/16000/1", "ulaw", "PCMU", "simple_bridge", 16000, 8000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := mediaInstance(t, map[string][]string{
				"6001": {"disallow=all", "allow=" + tc.callerAllow},
				"6000": {"disallow=all", "allow=" + tc.calleeAllow},
			}, nil)
			callee := phone(t, in, "6000", tc.calleeCodec, toneCallee)
			caller := phone(t, in, "6001", tc.callerCodec, toneCaller)
			dial(t, in, caller, callee, "6000")
			time.Sleep(1500 * time.Millisecond)
			if tech := bridgeTech(t, in); tech != tc.wantTech {
				t.Errorf("bridge technology %s, want %s", tech, tc.wantTech)
			}
			time.Sleep(1500 * time.Millisecond)
			hangup(t, caller, callee)
			caller.Stop()
			callee.Stop()

			heardByCaller := caller.lastRecording(t)
			heardByCallee := callee.lastRecording(t)
			if heardByCaller.rate != tc.callerRate || heardByCallee.rate != tc.peerRate {
				t.Errorf("recording rates %d (caller) and %d (callee), want %d and %d",
					heardByCaller.rate, heardByCallee.rate, tc.callerRate, tc.peerRate)
			}
			// Skip the first half second: jitter buffers filling.
			checkTone(t, "the caller heard", heardByCaller.span(0.5, 10), heardByCaller.rate, toneCallee)
			checkTone(t, "the callee heard", heardByCallee.span(0.5, 10), heardByCallee.rate, toneCaller)
		})
	}
}
