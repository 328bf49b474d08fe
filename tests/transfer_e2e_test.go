package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// transferInstance is mediaInstance with a third phone, 6002, in "work".
func transferInstance(t *testing.T, edit func(map[string]string)) *harness.Instance {
	t.Helper()
	return mediaInstance(t, nil, func(f map[string]string) {
		f["sip.conf"] += "\n[6002]\ntype=friend\nhost=dynamic\nallow=ulaw\nsecret=test\ncontext=work\n"
		if edit != nil {
			edit(f)
		}
	})
}

// TestBlindTransferREFER: 6001 calls 6000, 6000 transfers it blind to
// 6002 with baresip's REFER. gostrisk answers 202, reports the progress
// in NOTIFYs (baresip ends its call on the final 200), and 6001 ends up
// talking to 6002: each hears the other's tone.
func TestBlindTransferREFER(t *testing.T) {
	requireBaresip(t)
	const toneA, toneB, toneC = 440.0, 1000.0, 1500.0
	in := transferInstance(t, nil)
	b := phone(t, in, "6000", "PCMU", toneB)
	a := phone(t, in, "6001", "PCMU", toneA)
	c := phone(t, in, "6002", "PCMU", toneC)
	dial(t, in, a, b, "6000")
	time.Sleep(800 * time.Millisecond)

	b.command("transfer", "sip:6002@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if err := c.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	time.Sleep(500 * time.Millisecond)
	chans := in.MustRX("core show channels")
	t.Logf("after the transfer:\n%s", chans)
	if !strings.Contains(chans, "SIP/6001-") || !strings.Contains(chans, "SIP/6002-") || strings.Contains(chans, "SIP/6000-") {
		t.Errorf("core show channels: want 6001 and 6002 and no 6000:\n%s", chans)
	}
	time.Sleep(1500 * time.Millisecond)
	hangup(t, a, c)
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
	heardByA := a.lastRecording(t)
	heardByC := c.lastRecording(t)
	// A's one call heard B first, then C: its last second is C's tone.
	end := heardByA.seconds()
	checkTone(t, "the transferee heard", heardByA.span(end-1.2, end-0.2), heardByA.rate, toneC)
	checkTone(t, "the target heard", heardByC.span(0.5, 10), heardByC.rate, toneA)
	checkPortsReleased(t, in)
}
