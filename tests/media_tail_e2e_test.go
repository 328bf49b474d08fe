package tests

import (
	"path/filepath"
	"testing"
	"time"
)

// TestMediaPlaybackTail: Playback of a one-second tone followed by Hangup
// sends every frame of the file before the BYE. gostrisk paces from a
// queue of a few frames; Playback returns once they are out (as
// Asterisk's, which writes each frame when it is due), so hanging up right
// after it cuts nothing. Counted on the wire with a capture on lo (root
// only), the phone itself sending silence.
func TestMediaPlaybackTail(t *testing.T) {
	requireBaresip(t)
	const tone = 1000.0
	prompt := filepath.Join(t.TempDir(), "second")
	writeToneWAV(t, prompt+".wav", tone, 1) // 50 frames of 20 ms
	in := mediaInstance(t, map[string][]string{"6001": {"disallow=all", "allow=ulaw"}},
		addDialplan("exten => 7400,1,Answer()\n same => n,Playback("+prompt+")\n same => n,Hangup()\n", ""))
	requireApps(t, in, "Playback")
	capture, err := startRTPCapture(in.RTPBase, in.RTPBase+200)
	if err != nil {
		t.Skipf("no packet capture: %v", err)
	}
	t.Cleanup(func() { capture.Stop() })
	caller := phone(t, in, "6001", "PCMU", 0)
	dial(t, in, caller, nil, "7400")
	if err := caller.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	caller.Stop()
	time.Sleep(100 * time.Millisecond) // the capture's last reads
	media, withTone := qsCountMedia(capture.Stop(), tone)
	t.Logf("%d PCMU packets on gostrisk's ports, %d carry the prompt's tone", media, withTone)
	// The first frame may be cut by the phone's own start; the last ones
	// are what a queue dropped at hang-up.
	if withTone < 49 {
		t.Errorf("the phone got %d of the prompt's 50 frames before the BYE", withTone)
	}
	checkPortsReleased(t, in)
}
