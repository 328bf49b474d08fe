package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// featuresInstance dials the phones of "work" with Dial options opts and
// uses the given features.conf.
func featuresInstance(t *testing.T, opts, featuresConf string) *harness.Instance {
	t.Helper()
	return transferInstance(t, func(f map[string]string) {
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "Dial(SIP/${EXTEN},20)", "Dial(SIP/${EXTEN},20,"+opts+")", 1)
		if featuresConf != "" {
			f["features.conf"] = featuresConf
		}
	})
}

// sendDigits sends RFC 2833 digits from a phone, one every gap.
func sendDigits(p *baresip, digits string, gap time.Duration) {
	for _, d := range digits {
		p.command("sndcode", string(d))
		time.Sleep(gap)
	}
}

// TestDTMFBlindTransfer: in a Dial(...,tT) call from 6001, 6000 presses
// # (blindxfer) and dials 6002: 6001 ends up talking to 6002 and never
// heard the feature's digits.
func TestDTMFBlindTransfer(t *testing.T) {
	requireBaresip(t)
	const toneA, toneC = 440.0, 1500.0
	in := featuresInstance(t, "tT", "")
	b := phone(t, in, "6000", "PCMU", 1000)
	a := phone(t, in, "6001", "PCMU", toneA)
	c := phone(t, in, "6002", "PCMU", toneC)
	dial(t, in, a, b, "6000")
	if tech := bridgeTech(t, in); tech != "simple_bridge" {
		t.Errorf("a bridge with DTMF features uses %s, want simple_bridge", tech)
	}
	sendDigits(b, "#", 300*time.Millisecond)
	time.Sleep(2500 * time.Millisecond) // pbx-transfer
	sendDigits(b, "6002", 300*time.Millisecond)
	if err := c.waitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	if leaked := a.collectEvents("CALL_DTMF_START", 1500*time.Millisecond); len(leaked) > 0 {
		t.Errorf("the transferee heard the transferer's digits %q", leaked)
	}
	chans := in.MustRX("core show channels")
	t.Logf("after the transfer:\n%s", chans)
	if !strings.Contains(chans, "6002@work:1") || strings.Contains(chans, "SIP/6000-") {
		t.Errorf("core show channels: want 6001 in 6002@work and no 6000:\n%s", chans)
	}
	hangup(t, a, c)
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, toneC)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, toneA)
	checkPortsReleased(t, in)
}

// TestDTMFAttendedTransfer: with atxfer => *2 in features.conf, 6000
// presses *2 in a Dial(...,tT) call from 6001, dials 6002, talks with it,
// then completes with *2 (atxfercomplete), or by hanging up
// (atxferdropcall=no): 6001 and 6002 are bridged.
func TestDTMFAttendedTransfer(t *testing.T) {
	for _, complete := range []string{"*2", "hangup"} {
		t.Run(complete, func(t *testing.T) { attendedByDTMF(t, complete) })
	}
}

func attendedByDTMF(t *testing.T, complete string) {
	requireBaresip(t)
	const toneA, toneC = 440.0, 1500.0
	in := featuresInstance(t, "tT", "[general]\n[featuremap]\natxfer => *2\n")
	b := phone(t, in, "6000", "PCMU", 1000)
	a := phone(t, in, "6001", "PCMU", toneA)
	c := phone(t, in, "6002", "PCMU", toneC)
	dial(t, in, a, b, "6000")
	sendDigits(b, "*2", 200*time.Millisecond)
	time.Sleep(2500 * time.Millisecond)
	sendDigits(b, "6002", 300*time.Millisecond)
	if err := c.waitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	consulting := in.MustRX("core show channels")
	t.Logf("consultation:\n%s", consulting)
	if complete == "hangup" {
		b.command("hangup", "")
	} else {
		sendDigits(b, complete, 200*time.Millisecond)
	}
	if err := b.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	time.Sleep(1500 * time.Millisecond)
	chans := in.MustRX("core show channels")
	t.Logf("after the transfer:\n%s", chans)
	if strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6001 and 6002 only:\n%s", chans)
	}
	hangup(t, a, c)
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, toneC)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, toneA)
	checkPortsReleased(t, in)
	// Asterisk 18's one record per bridged pair: 6001 with 6000 up to the
	// transfer, then 6001's record continuing with 6002 (dst and lastapp
	// stay its Dial's). The consultation 6000 -> 6002 writes no record yet
	// (it runs on 6000, a dialed leg, where Asterisk uses a Local channel).
	recs := cdrRecords(t, in, 2)
	if len(recs) != 2 {
		t.Fatalf("Master.csv: %d records, want 2: %+v", len(recs), recs)
	}
	first, second := recs[0], recs[1]
	if first.Src != "6001" || first.Dst != "6000" || !strings.HasPrefix(first.Channel, "SIP/6001-") || !strings.HasPrefix(first.DstChannel, "SIP/6000-") || first.Disposition != "ANSWERED" {
		t.Errorf("first record %+v, want 6001 -> 6000 answered", first)
	}
	if second.Src != "6001" || second.Dst != "6000" || second.Channel != first.Channel || !strings.HasPrefix(second.DstChannel, "SIP/6002-") || second.LastApp != "Dial" || second.Disposition != "ANSWERED" {
		t.Errorf("second record %+v, want 6001's record continuing with 6002", second)
	}
}

// TestDTMFDisconnect: with Dial's h, 6000 presses *0 (the sample's disconnect) and the
// call ends for both.
func TestDTMFDisconnect(t *testing.T) {
	requireBaresip(t)
	in := featuresInstance(t, "h", "")
	b := phone(t, in, "6000", "PCMU", 1000)
	a := phone(t, in, "6001", "PCMU", 440)
	dial(t, in, a, b, "6000")
	sendDigits(b, "*0", 200*time.Millisecond)
	for _, p := range []*baresip{a, b} {
		if err := p.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
			t.Error(err)
		}
	}
	a.Stop()
	b.Stop()
}

// TestFeaturesShow checks `features show` with a features.conf that
// changes codes and has an applicationmap item and a group.
func TestFeaturesShow(t *testing.T) {
	in := featuresInstance(t, "tT", "[general]\npickupexten = *9\n[featuremap]\natxfer => *2\nparkcall => #72\n[applicationmap]\nplaymonkeys => #9,peer,Playback(tt-monkeys)\n[mygroup]\nplaymonkeys => #8\n")
	got := in.MustRX("features show")
	want := "Builtin Feature           Default Current\n" +
		"---------------           ------- -------\n" +
		"Pickup                    *8      *9     \n" +
		"Blind Transfer            #       #      \n" +
		"Attended Transfer                 *2     \n" +
		"One Touch Monitor                        \n" +
		"Disconnect Call           *       *      \n" +
		"Park Call                         #72    \n" +
		"One Touch MixMonitor                     \n" +
		"\n" +
		"Dynamic Feature           Default Current\n" +
		"---------------           ------- -------\n" +
		"playmonkeys               no def  #9     \n" +
		"\n" +
		"Feature Groups:\n" +
		"---------------\n" +
		"===> Group: mygroup\n" +
		"===> --> playmonkeys (#8)\n"
	if got != want {
		t.Errorf("features show:\n%s\nwant:\n%s", got, want)
	}
}
