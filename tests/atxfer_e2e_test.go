package tests

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// atxferCall sets up 6001 (tone 440) calling 6000 (tone 1000) with Dial's
// tT and features.conf's general section extra, and 6002 (tone 1500,
// ringing until accepted when manual); 6000 presses *2 and dials 6002.
func atxferCall(t *testing.T, extra string, manual bool) (in *harness.Instance, a, b, c *baresip) {
	t.Helper()
	return atxferCallWith(t, "tT", extra, "", manual)
}

// atxferCallWith is atxferCall with Dial's feature flags and more of
// [featuremap].
func atxferCallWith(t *testing.T, flags, extra, featuremap string, manual bool) (in *harness.Instance, a, b, c *baresip) {
	t.Helper()
	requireBaresip(t)
	inst := featuresInstance(t, flags, "[general]\n"+extra+"[featuremap]\natxfer => *2\n"+featuremap)
	b = phone(t, inst, "6000", "PCMU", 1000)
	a = phone(t, inst, "6001", "PCMU", 440)
	c = startPhone(t, inst, baresipConfig{User: "6002", Codecs: "PCMU", Manual: manual}, 1500)
	dial(t, inst, a, b, "6000")
	sendDigits(b, "*2", 200*time.Millisecond)
	time.Sleep(2500 * time.Millisecond) // pbx-transfer
	sendDigits(b, "6002", 300*time.Millisecond)
	t.Cleanup(func() {
		for _, p := range []*baresip{a, b, c} {
			p.Stop()
		}
	})
	return inst, a, b, c
}

// shareFrom is the share of freq in what p heard from from to from+span
// seconds after the start of its last recording.
func shareFrom(t *testing.T, p *baresip, from, span, freq float64) float64 {
	t.Helper()
	r := p.lastRecording(t)
	s := r.span(from, from+span)
	share := goertzelShare(s, freq, r.rate)
	peak, _ := peakFreq(s, r.rate)
	t.Logf("%s, %.1f to %.1f s into its call: %.0f Hz at share %.2f (RMS %.0f, peak %.0f Hz)", p.name, from, from+span, freq, share, rms(s), peak)
	return share
}

// heardBoth reports whether some half second of what p heard carries
// both tones.
func heardBoth(t *testing.T, p *baresip, f1, f2 float64) bool {
	t.Helper()
	r := p.lastRecording(t)
	best1, best2 := 0.0, 0.0
	for from := 0.0; from+0.5 <= r.seconds(); from += 0.25 {
		s := r.span(from, from+0.5)
		s1, s2 := goertzelShare(s, f1, r.rate), goertzelShare(s, f2, r.rate)
		if min(s1, s2) > min(best1, best2) {
			best1, best2 = s1, s2
		}
	}
	t.Logf("%s: best half second with %.0f Hz and %.0f Hz: shares %.2f and %.2f", p.name, f1, f2, best1, best2)
	return best1 >= 0.2 && best2 >= 0.2
}

// checkBeeps checks that xfersound (beep) was played to each peer's
// channel, as Asterisk does when a transfer completes (to the target) or
// becomes a three-way call (to the target and the transferer).
func checkBeeps(t *testing.T, in *harness.Instance, peers ...string) {
	t.Helper()
	for _, p := range peers {
		re := regexp.MustCompile(`<SIP/` + p + `-[0-9a-f]+> Playing 'beep\.`)
		if !re.MatchString(in.Output()) {
			t.Errorf("no xfersound played to %s", p)
		}
	}
}

// shareAt is the share of freq in what p heard from ago-span to ago
// seconds before the end of its last recording.
func shareAt(t *testing.T, p *baresip, ago, span, freq float64) float64 {
	t.Helper()
	r := p.lastRecording(t)
	end := r.seconds()
	s := r.span(end-ago-span, end-ago)
	share := goertzelShare(s, freq, r.rate)
	peak, _ := peakFreq(s, r.rate)
	t.Logf("%s, %.1f to %.1f s before its end: %.0f Hz at share %.2f (RMS %.0f, peak %.0f Hz)", p.name, ago+span, ago, freq, share, rms(s), peak)
	return share
}

// TestAttendedTransferNoAnswer: with atxfernoanswertimeout=3 the target
// rings 3 s, is cancelled, and 6000 is back with 6001 (each hears the
// other's tone again).
func TestAttendedTransferNoAnswer(t *testing.T) {
	in, a, b, c := atxferCall(t, "atxfernoanswertimeout = 3\n", true)
	if err := c.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	rang := time.Now()
	if err := c.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(rang); d < 2*time.Second || d > 6*time.Second {
		t.Errorf("the target rang %v, want about 3 s", d)
	}
	time.Sleep(2500 * time.Millisecond) // beeperr, then the call again
	chans := in.MustRX("core show channels")
	t.Logf("after the timeout:\n%s", chans)
	if !strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "SIP/6001-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6000 and 6001 only:\n%s", chans)
	}
	hangup(t, a, b)
	a.Stop()
	b.Stop()
	heardByA, heardByB := a.lastRecording(t), b.lastRecording(t)
	endA, endB := heardByA.seconds(), heardByB.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, 1000)
	checkTone(t, "the transferer heard", heardByB.span(endB-1.2, endB-0.2), heardByB.rate, 440)
}

// TestAttendedTransferThreeway: in the consultation 6000 presses *3
// (atxferthreeway): 6001 hears 6000 and 6002 together; then 6000 hangs
// up and 6001 and 6002 go on talking.
func TestAttendedTransferThreeway(t *testing.T) {
	in, a, b, c := atxferCall(t, "", false)
	if err := c.waitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	sendDigits(b, "*3", 200*time.Millisecond)
	time.Sleep(4 * time.Second)
	chans := in.MustRX("core show channels")
	t.Logf("three-way:\n%s", chans)
	if !strings.Contains(chans, "3 active channels") {
		t.Errorf("core show channels: want 3 channels:\n%s", chans)
	}
	checkBeeps(t, in, "6002", "6000")
	checkMixingBridge(t, in)
	b.command("hangup", "")
	if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	time.Sleep(2500 * time.Millisecond)
	chans = in.MustRX("core show channels")
	t.Logf("after the transferer left:\n%s", chans)
	if strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6001 and 6002 only:\n%s", chans)
	}
	hangup(t, a, c)
	a.Stop()
	c.Stop()
	// Only the three-way lets each hear two tones at once: found in the
	// recording wherever it lies (a prompt before a bridge leaves the
	// audio choppy for a moment, which shifts a recording's timeline).
	if !heardBoth(t, a, 1000, 1500) {
		t.Error("the transferee never heard the transferer and the target together")
	}
	if !heardBoth(t, c, 440, 1000) {
		t.Error("the target never heard the transferee and the transferer together")
	}
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, 1500)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, 440)
}

// TestAttendedTransferSwap: consulting 6002, 6000 presses *4
// (atxferswap) and talks with 6001 again while 6002 waits, presses *4 to
// go back to 6002, then *2 to complete: 6001 and 6002 are bridged.
func TestAttendedTransferSwap(t *testing.T) {
	in, a, b, c := atxferCall(t, "", false)
	if err := c.waitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	cStart := time.Now()
	time.Sleep(time.Second)
	sendDigits(b, "*4", 200*time.Millisecond)
	time.Sleep(2500 * time.Millisecond)
	swapped := time.Now()
	sendDigits(b, "*4", 200*time.Millisecond)
	time.Sleep(1500 * time.Millisecond)
	backToC := time.Now()
	sendDigits(b, "*2", 200*time.Millisecond)
	if err := b.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	time.Sleep(2 * time.Second)
	chans := in.MustRX("core show channels")
	t.Logf("after the transfer:\n%s", chans)
	if strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6001 and 6002 only:\n%s", chans)
	}
	checkBeeps(t, in, "6002")
	agoSwap := time.Since(swapped).Seconds() + 0.2
	hangup(t, a, c)
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
	if sh := shareAt(t, a, agoSwap, 1.2, 1000); sh < 0.3 {
		t.Errorf("swapped back, the transferee heard the transferer at share %.2f", sh)
	}
	// The target's windows count from the start of its call: the
	// xfersound played to it before the handover leaves its audio choppy
	// for a moment (see TestAttendedTransferRingingKeys), which shortens
	// its recording's end.
	onHold, again := swapped.Sub(cStart).Seconds()-0.2, backToC.Sub(cStart).Seconds()-0.2
	if sh := shareFrom(t, c, onHold-1.2, 1.2, 1000); sh > 0.1 {
		t.Errorf("on hold, the target heard the transferer at share %.2f", sh)
	}
	if sh := shareFrom(t, c, again-1.0, 1.0, 1000); sh < 0.3 {
		t.Errorf("swapped again, the target heard the transferer at share %.2f", sh)
	}
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, 1500)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, 440)
}

// TestAttendedTransferBlond: 6000 hangs up while 6002 rings (a blond
// transfer): 6002 rings on for 6001, answers, and the two talk.
func TestAttendedTransferBlond(t *testing.T) {
	in, a, b, c := atxferCall(t, "", true)
	if err := c.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	b.command("hangup", "")
	if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	time.Sleep(time.Second)
	c.command("accept", "")
	if err := c.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatalf("the target, still ringing after the transferer left: %v", err)
	}
	time.Sleep(2 * time.Second)
	chans := in.MustRX("core show channels")
	t.Logf("after the transfer:\n%s", chans)
	if strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6001 and 6002 only:\n%s", chans)
	}
	hangup(t, a, c)
	a.Stop()
	c.Stop()
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, 1500)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, 440)
}

// TestAttendedTransferRecall: 6000 hangs up while 6002 rings, and 6002
// does not answer within atxfernoanswertimeout (3 s): with
// atxferdropcall=no 6000 is called back and talks with 6001 again.
func TestAttendedTransferRecall(t *testing.T) {
	in, a, b, c := atxferCall(t, "atxfernoanswertimeout = 3\natxferloopdelay = 1\n", true)
	if err := c.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	b.command("hangup", "")
	if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	if err := c.waitEvent("CALL_CLOSED", 6*time.Second); err != nil {
		t.Errorf("the target's ringing: %v", err)
	}
	if err := b.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatalf("the transferer was not called back: %v", err)
	}
	time.Sleep(2 * time.Second)
	chans := in.MustRX("core show channels")
	t.Logf("after the call back:\n%s", chans)
	if strings.Contains(chans, "SIP/6002-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6001 and 6000 only:\n%s", chans)
	}
	hangup(t, a, b)
	a.Stop()
	b.Stop()
	heardByA, heardByB := a.lastRecording(t), b.lastRecording(t)
	endA, endB := heardByA.seconds(), heardByB.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, 1000)
	checkTone(t, "the transferer heard", heardByB.span(endB-1.2, endB-0.2), heardByB.rate, 440)
}

// TestAttendedTransferDropCall: with atxferdropcall=yes, 6000 hangs up
// while 6002 rings; 6002 does not answer within atxfernoanswertimeout
// (3 s): nobody is called back, 6001's call ends.
func TestAttendedTransferDropCall(t *testing.T) {
	in, a, b, c := atxferCall(t, "atxferdropcall = yes\natxfernoanswertimeout = 3\n", true)
	if err := c.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	b.command("hangup", "")
	if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	if err := c.waitEvent("CALL_CLOSED", 6*time.Second); err != nil {
		t.Errorf("the target's ringing: %v", err)
	}
	if err := a.waitEvent("CALL_CLOSED", 4*time.Second); err != nil {
		t.Errorf("the transferee's call: %v", err)
	}
	if err := b.waitEvent("CALL_INCOMING", 2*time.Second); err == nil {
		t.Error("the transferer was called back with atxferdropcall=yes")
	}
	if !harness.PollUntil(3*time.Second, func() bool { return strings.Contains(in.MustRX("core show channels"), "0 active channels") }) {
		t.Errorf("channels left:\n%s", in.MustRX("core show channels"))
	}
}

// TestAttendedTransferRingingKeys: while 6002 rings, 6000 presses *1
// (atxferabort: 6002's call is cancelled, 6000 and 6001 talk again) or
// *2 (atxfercomplete: 6000 leaves, 6002 rings on for 6001 and answers).
func TestAttendedTransferRingingKeys(t *testing.T) {
	for _, key := range []string{"*1", "*2"} {
		t.Run(key, func(t *testing.T) {
			// xferfailsound is the default (beeperr): on *1 the
			// transferer hears it just before its bridge resumes, and
			// the tone it then hears must be clean at once.
			in, a, b, c := atxferCall(t, "", true)
			if err := c.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond)
			sendDigits(b, key, 200*time.Millisecond)
			other, otherTone := b, 1000.0
			if key == "*1" {
				if err := c.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
					t.Errorf("the target's ringing: %v", err)
				}
			} else {
				other, otherTone = c, 1500.0
				time.Sleep(time.Second)
				c.command("accept", "")
				if err := c.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
					t.Fatalf("the target, ringing for the transferee: %v", err)
				}
				if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
					t.Errorf("the transferer's call: %v", err)
				}
			}
			time.Sleep(2500 * time.Millisecond)
			chans := in.MustRX("core show channels")
			t.Logf("after %s:\n%s", key, chans)
			if !strings.Contains(chans, "2 active channels") {
				t.Errorf("core show channels: want 2 channels:\n%s", chans)
			}
			hangup(t, a, other)
			a.Stop()
			other.Stop()
			heardByA, heardByO := a.lastRecording(t), other.lastRecording(t)
			endA, endO := heardByA.seconds(), heardByO.seconds()
			checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, otherTone)
			checkTone(t, "its party heard", heardByO.span(endO-1.2, endO-0.2), heardByO.rate, 440)
			if key == "*1" {
				// The transferer's tone after the xferfailsound is clean
				// half second by half second, not only on average: a frame
				// bridge resuming after a prompt once restarted a
				// talkspurt at every late frame, and the phone heard
				// shares of 0.17 to 0.36 in every window. A heavily
				// loaded machine (make test beside other work) can stall
				// the daemon or the phone once, which spoils the two
				// overlapping windows around it: that is tolerated, a
				// third is not.
				var dips []string
				for from := endO - 1.7; from+0.5 <= endO-0.2+1e-9; from += 0.25 {
					if sh := goertzelShare(heardByO.span(from, from+0.5), 440, heardByO.rate); sh < 0.5 {
						dips = append(dips, fmt.Sprintf("share %.2f from %.2f to %.2f s", sh, from, from+0.5))
					}
				}
				if len(dips) > 2 {
					t.Errorf("the transferer heard 440 Hz unclean in %d half-second windows: %s", len(dips), strings.Join(dips, "; "))
				} else if len(dips) > 0 {
					t.Logf("unclean around one stall: %s", strings.Join(dips, "; "))
				}
			}
		})
	}
}

// TestAttendedTransferHangupBeep: consulting 6002, 6000 hangs up: the
// transfer completes (6001 and 6002 talk) and 6002 hears xfersound, as
// Asterisk 18's COMPLETE plays it however the transfer completes.
func TestAttendedTransferHangupBeep(t *testing.T) {
	in, a, b, c := atxferCall(t, "", false)
	if err := c.waitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	b.command("hangup", "")
	if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	time.Sleep(2500 * time.Millisecond)
	chans := in.MustRX("core show channels")
	t.Logf("after the transfer:\n%s", chans)
	if strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6001 and 6002 only:\n%s", chans)
	}
	checkBeeps(t, in, "6002")
	hangup(t, a, c)
	a.Stop()
	c.Stop()
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, 1500)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, 440)
}

// TestAttendedTransferRingingSwap: while 6002 rings, 6000 presses *4
// (atxferswap, Asterisk's HESITANT) and talks with 6001 again; 6002
// answers and waits (DOUBLECHECKING); *4 takes 6000 to 6002, *2
// completes: 6001 and 6002 talk.
func TestAttendedTransferRingingSwap(t *testing.T) {
	in, a, b, c := atxferCall(t, "", true)
	if err := c.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	sendDigits(b, "*4", 200*time.Millisecond)
	time.Sleep(2500 * time.Millisecond)
	chans := in.MustRX("core show channels")
	t.Logf("hesitant:\n%s", chans)
	if !strings.Contains(chans, "3 active channels") {
		t.Errorf("core show channels: want the target still ringing:\n%s", chans)
	}
	c.command("accept", "")
	if err := c.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatalf("the target: %v", err)
	}
	time.Sleep(time.Second)
	sendDigits(b, "*4", 200*time.Millisecond)
	time.Sleep(2 * time.Second)
	sendDigits(b, "*2", 200*time.Millisecond)
	if err := b.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	time.Sleep(2 * time.Second)
	chans = in.MustRX("core show channels")
	t.Logf("after the transfer:\n%s", chans)
	if strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6001 and 6002 only:\n%s", chans)
	}
	checkBeeps(t, in, "6002")
	hangup(t, a, c)
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
	if !heardTone(t, b, 440) {
		t.Error("swapped while the target rang, the transferer never heard the transferee")
	}
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, 1500)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, 440)
}

// heardTone reports whether some half second of p's last recording is
// mostly freq.
func heardTone(t *testing.T, p *baresip, freq float64) bool {
	t.Helper()
	r := p.lastRecording(t)
	best := 0.0
	for from := 0.0; from+0.5 <= r.seconds(); from += 0.25 {
		best = max(best, goertzelShare(r.span(from, from+0.5), freq, r.rate))
	}
	t.Logf("%s: best half second of %.0f Hz: share %.2f", p.name, freq, best)
	return best >= 0.5
}

// TestAttendedTransferRingingThreeway: while 6002 rings, 6000 presses *3
// (atxferthreeway, Asterisk's THREEWAY at once): 6000 talks with 6001,
// and 6002 joins both when it answers.
func TestAttendedTransferRingingThreeway(t *testing.T) {
	in, a, b, c := atxferCall(t, "", true)
	if err := c.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	sendDigits(b, "*3", 200*time.Millisecond)
	time.Sleep(2 * time.Second)
	c.command("accept", "")
	if err := c.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatalf("the target: %v", err)
	}
	time.Sleep(3 * time.Second)
	chans := in.MustRX("core show channels")
	t.Logf("three-way:\n%s", chans)
	if !strings.Contains(chans, "3 active channels") {
		t.Errorf("core show channels: want 3 channels:\n%s", chans)
	}
	checkBeeps(t, in, "6002", "6000")
	checkMixingBridge(t, in)
	hangup(t, a, nil)
	time.Sleep(1500 * time.Millisecond)
	chans = in.MustRX("core show channels")
	t.Logf("after the transferee left:\n%s", chans)
	if strings.Contains(chans, "SIP/6001-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6000 and 6002 talking on:\n%s", chans)
	}
	hangup(t, b, c)
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
	if !heardTone(t, b, 440) {
		t.Error("before the target answered, the transferer never heard the transferee")
	}
	if !heardBoth(t, a, 1000, 1500) {
		t.Error("the transferee never heard the transferer and the target together")
	}
	if !heardBoth(t, c, 440, 1000) {
		t.Error("the target never heard the transferee and the transferer together")
	}
	heardByB, heardByC := b.lastRecording(t), c.lastRecording(t)
	endB, endC := heardByB.seconds(), heardByC.seconds()
	checkTone(t, "the transferer heard", heardByB.span(endB-1.2, endB-0.2), heardByB.rate, 1500)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, 1000)
}

// mixingRow is a three-way call in "bridge show all": Asterisk's merged
// basic bridge on softmix.
var mixingRow = regexp.MustCompile(`(?m)^[0-9a-f-]{36} +3 basic +softmix +\d\d:\d\d:\d\d$`)

// checkMixingBridge checks that bridge show all lists the three-way call.
func checkMixingBridge(t *testing.T, in *harness.Instance) {
	t.Helper()
	out := in.MustRX("bridge show all")
	t.Logf("bridge show all:\n%s", out)
	if !mixingRow.MatchString(out) {
		t.Error("bridge show all: no three-way (softmix) bridge of 3 channels")
	}
}

// TestAttendedTransferThreewayKeys: in the three-way call the transfer's
// codes do nothing (*1, atxferabort: still three), and the features of
// the call work: 6000 (Dial's h and H) presses *0 (disconnect) and leaves,
// 6001 and 6002 talk on.
func TestAttendedTransferThreewayKeys(t *testing.T) {
	in, a, b, c := atxferCallWith(t, "tThH", "", "disconnect => *0\n", false)
	if err := c.waitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	sendDigits(b, "*3", 200*time.Millisecond)
	time.Sleep(3 * time.Second)
	sendDigits(b, "*1", 200*time.Millisecond)
	time.Sleep(1500 * time.Millisecond)
	checkMixingBridge(t, in)
	sendDigits(b, "*0", 200*time.Millisecond)
	if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("disconnect in the three-way call: %v", err)
	}
	time.Sleep(2 * time.Second)
	chans := in.MustRX("core show channels")
	t.Logf("after the disconnect:\n%s", chans)
	if strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6001 and 6002 only:\n%s", chans)
	}
	hangup(t, a, c)
	a.Stop()
	c.Stop()
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, 1500)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, 440)
}

// TestAttendedTransferRingingSwapAbort: while 6002 rings, 6000 presses
// *4 (back with 6001), then *1 (atxferabort: 6002 is cancelled, 6000
// stays with 6001).
func TestAttendedTransferRingingSwapAbort(t *testing.T) { ringingSwapKeys(t, "*1") }

// TestAttendedTransferRingingSwapBack: while 6002 rings, 6000 presses *4
// twice (ringback again), 6002 answers, and 6000 hangs up: the transfer
// completes.
func TestAttendedTransferRingingSwapBack(t *testing.T) { ringingSwapKeys(t, "*4") }

// ringingSwapKeys: *4 while 6002 rings, then keys.
func ringingSwapKeys(t *testing.T, keys string) {
	t.Helper()
	in, a, b, c := atxferCall(t, "", true)
	if err := c.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	swapAndWait(t, in, b)
	sendDigits(b, keys, 200*time.Millisecond)
	other, otherTone, partyTone := b, 1000.0, 440.0
	if keys == "*1" {
		if err := c.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
			t.Errorf("the target's ringing: %v", err)
		}
	} else {
		other, otherTone = c, 1500.0
		time.Sleep(time.Second)
		c.command("accept", "")
		if err := c.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
			t.Fatalf("the target: %v", err)
		}
		time.Sleep(1500 * time.Millisecond)
		b.command("hangup", "")
		if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
			t.Errorf("the transferer's call: %v", err)
		}
	}
	time.Sleep(2500 * time.Millisecond)
	chans := in.MustRX("core show channels")
	t.Logf("after %s:\n%s", keys, chans)
	if !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 2 channels:\n%s", chans)
	}
	if keys == "*4" {
		checkBeeps(t, in, "6002")
	}
	hangup(t, a, other)
	a.Stop()
	other.Stop()
	heardByA, heardByO := a.lastRecording(t), other.lastRecording(t)
	endA, endO := heardByA.seconds(), heardByO.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, otherTone)
	checkTone(t, "its party heard", heardByO.span(endO-1.2, endO-0.2), heardByO.rate, partyTone)
}

// TestAttendedTransferRingingSwapFail: while 6002 rings, 6000 presses *4
// twice, 6002 answers and consults with 6000; 6001 hangs up (Asterisk's
// CONSULTING -> FAIL): 6000 and 6002 talk on, 6001's channel is gone.
func TestAttendedTransferRingingSwapFail(t *testing.T) {
	in, a, b, c := atxferCall(t, "", true)
	if err := c.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	swapAndWait(t, in, b)
	sendDigits(b, "*4", 200*time.Millisecond)
	time.Sleep(time.Second)
	c.command("accept", "")
	if err := c.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatalf("the target: %v", err)
	}
	time.Sleep(time.Second)
	hangup(t, a, nil)
	time.Sleep(2 * time.Second)
	chans := in.MustRX("core show channels")
	t.Logf("after the transferee left:\n%s", chans)
	if strings.Contains(chans, "SIP/6001-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6000 and 6002 only:\n%s", chans)
	}
	hangup(t, b, c)
	b.Stop()
	c.Stop()
	heardByB, heardByC := b.lastRecording(t), c.lastRecording(t)
	endB, endC := heardByB.seconds(), heardByC.seconds()
	checkTone(t, "the transferer heard", heardByB.span(endB-1.2, endB-0.2), heardByB.rate, 1500)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, 1000)
}

// bridgeOf is the id of the listed bridge that has a channel named
// prefix..., "" when none.
func bridgeOf(in *harness.Instance, prefix string) string {
	all, _ := in.RX("bridge show all")
	for _, row := range bridgeRow.FindAllStringSubmatch(all, -1) {
		one, _ := in.RX("bridge show " + row[1])
		if strings.Contains(one, "Channel: "+prefix) {
			return row[1]
		}
	}
	return ""
}

// swapAndWait presses *4 (atxferswap) on the transferer while the target
// rings and waits until it talks with the transferee in a new bridge,
// whose keys are read then.
func swapAndWait(t *testing.T, in *harness.Instance, b *baresip) {
	t.Helper()
	before := bridgeOf(in, "SIP/6000-")
	sendDigits(b, "*4", 200*time.Millisecond)
	if !harness.PollUntil(10*time.Second, func() bool {
		now := bridgeOf(in, "SIP/6000-")
		return now != "" && now != before
	}) {
		t.Fatalf("*4 while the target rang: the transferer is not back with the transferee:\n%s", in.MustRX("bridge show all"))
	}
	time.Sleep(500 * time.Millisecond)
}
