package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// parkingInstance is transferInstance with a lot of 701-720 whose calls
// wait parkingtime seconds.
func parkingInstance(t *testing.T, parkingtime int) *harness.Instance {
	t.Helper()
	return transferInstance(t, func(f map[string]string) {
		f["res_parking.conf"] = "[default]\nparkext => 700\nparkpos => 701-720\ncontext => parkedcalls\nparkingtime => " +
			strconv.Itoa(parkingtime) + "\n"
		if !strings.Contains(f["extensions.conf"], "include => parkedcalls") {
			f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n", "[work]\ninclude => parkedcalls\n", 1)
		}
	})
}

// TestParkByTransferAndRetrieve: 6000 parks its caller 6001 with a blind
// transfer to 700; `parking show default` lists it in space 701 with 6000
// as the parker; 6002 dials 701 and talks with 6001 (tones both ways);
// the lot is empty again.
func TestParkByTransferAndRetrieve(t *testing.T) {
	requireBaresip(t)
	const toneA, toneB, toneC = 440.0, 1000.0, 1500.0
	in := parkingInstance(t, 60)
	b := phone(t, in, "6000", "PCMU", toneB)
	a := phone(t, in, "6001", "PCMU", toneA)
	c := phone(t, in, "6002", "PCMU", toneC)
	dial(t, in, a, b, "6000")
	time.Sleep(500 * time.Millisecond)
	b.command("transfer", "sip:700@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if err := b.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	var show string
	if !harness.PollUntil(5*time.Second, func() bool {
		show = in.MustRX("parking show default")
		return strings.Contains(show, "Space               :  701\n")
	}) {
		t.Fatalf("parking show default does not list the parked call:\n%s", show)
	}
	for _, want := range []string{"  Channel             :  SIP/6001-", "  Parker Dial String  :  SIP/6000\n"} {
		if !strings.Contains(show, want) {
			t.Errorf("parking show default lacks %q:\n%s", want, show)
		}
	}
	chans := in.MustRX("core show channels")
	t.Logf("parked:\n%s", chans)
	// A blind transfer to a Park extension parks the call where it is
	// (Asterisk moves it into the parking bridge): still at its Dial.
	if !strings.Contains(chans, "6000@work:1") || !strings.Contains(chans, "Park(default)") || strings.Contains(chans, "700@") {
		t.Errorf("core show channels: the parked call is not in Park at its own 6000@work:\n%s", chans)
	}
	if !strings.Contains(in.Output(), "Parking 'SIP/6001-") || !strings.Contains(in.Output(), "' in 'default' at space 701") {
		t.Errorf("no \"Parking ... at space 701\" line in the log")
	}

	dial(t, in, c, nil, "701")
	if !harness.PollUntil(5*time.Second, func() bool { return strings.Contains(in.MustRX("parking show default"), "(none)") }) {
		t.Errorf("the lot still lists a call after its retrieval:\n%s", in.MustRX("parking show default"))
	}
	time.Sleep(2 * time.Second)
	chans = in.MustRX("core show channels")
	t.Logf("retrieved:\n%s", chans)
	if !strings.Contains(chans, "ParkedCall(default,701)") {
		t.Errorf("core show channels: the retriever is not in ParkedCall:\n%s", chans)
	}
	hangup(t, c, a)
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the parked caller heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, toneC)
	checkTone(t, "the retriever heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, toneA)
	checkPortsReleased(t, in)
	// The records: 6001 with 6000 up to the transfer; 6001's parked
	// record (still at 6000@work, cdr.c's Park and <lot>:<space>) ending
	// with its retriever 6002; the retriever's ParkedCall record naming
	// the parked call.
	recs := cdrRecords(t, in, 3)
	if len(recs) != 3 {
		t.Fatalf("Master.csv: %d records, want 3: %+v", len(recs), recs)
	}
	var parkedCh string
	for _, r := range recs {
		if r.LastApp == "Park" {
			parkedCh = r.Channel
		}
	}
	for _, r := range recs {
		switch r.LastApp {
		case "Dial":
			if r.Src != "6001" || r.Dst != "6000" || !strings.HasPrefix(r.DstChannel, "SIP/6000-") {
				t.Errorf("the call before the transfer: %+v", r)
			}
		case "Park":
			if r.Src != "6001" || r.Dst != "6000" || r.DContext != "work" || r.LastData != "default:701" || !strings.HasPrefix(r.DstChannel, "SIP/6002-") {
				t.Errorf("the parked call's record: %+v", r)
			}
		case "ParkedCall":
			if r.Src != "6002" || r.Dst != "701" || r.LastData != "default,701" || r.DstChannel != parkedCh || r.Disposition != "ANSWERED" {
				t.Errorf("the retriever's record: %+v (parked channel %s)", r, parkedCh)
			}
		default:
			t.Errorf("unexpected record %+v", r)
		}
	}
}

// TestParkTimeoutComeback: a call parked by 6000 (blind transfer to 700)
// with parkingtime 2 rings 6000 again when its time is up, from the
// park-dial context with PARKER set, and 6000 answers it.
func TestParkTimeoutComeback(t *testing.T) {
	requireBaresip(t)
	in := parkingInstance(t, 2)
	b := phone(t, in, "6000", "PCMU", 1000)
	a := phone(t, in, "6001", "PCMU", 440)
	dial(t, in, a, b, "6000")
	time.Sleep(500 * time.Millisecond)
	b.command("transfer", "sip:700@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if err := b.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	if err := b.waitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("the parker was not called back: %v", err)
	}
	chans := in.MustRX("core show channels")
	t.Logf("called back:\n%s", chans)
	if !strings.Contains(chans, "SIP_6000@park-dial:1") || !strings.Contains(chans, "Dial(SIP/6000,30)") {
		t.Errorf("core show channels: the parked call is not dialing back from park-dial:\n%s", chans)
	}
	if show := in.MustRX("parking show default"); !strings.Contains(show, "(none)") {
		t.Errorf("the lot still lists the call after its timeout:\n%s", show)
	}
	if v := in.MustRX("core show channel " + channelOf(chans, "SIP/6001-")); !strings.Contains(v, "PARKER=SIP/6000") || !strings.Contains(v, "PARKING_SPACE=701") {
		t.Errorf("the parked call lacks PARKER/PARKING_SPACE:\n%s", v)
	}
	hangup(t, a, b)
	a.Stop()
	b.Stop()
}

// TestParkDialedAnnounced: 6001 dials 700 itself; it is parked and hears
// its space said (SayDigits 7, 0, 1) before the music.
func TestParkDialedAnnounced(t *testing.T) {
	requireBaresip(t)
	in := parkingInstance(t, 60)
	a := phone(t, in, "6001", "PCMU", 440)
	dial(t, in, a, nil, "700")
	if !harness.PollUntil(5*time.Second, func() bool {
		return strings.Contains(in.MustRX("parking show default"), "Space               :  701\n")
	}) {
		t.Fatalf("not parked:\n%s", in.MustRX("parking show default"))
	}
	time.Sleep(2500 * time.Millisecond)
	out := in.Output()
	i := strings.Index(out, "' in 'default' at space 701")
	if i < 0 || !strings.Contains(out[i:], "digits/7") || !strings.Contains(out[i:], "digits/0") || !strings.Contains(out[i:], "digits/1") {
		t.Errorf("the space was not said to the parked call:\n%s", out)
	}
	a.command("hangup", "")
	if err := a.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Error(err)
	}
	if !harness.PollUntil(3*time.Second, func() bool { return strings.Contains(in.MustRX("parking show default"), "(none)") }) {
		t.Errorf("the lot still lists the call after its hangup")
	}
	a.Stop()
}

// channelOf is the name of the channel `core show channels` lists whose
// name starts with prefix.
func channelOf(chans, prefix string) string {
	for _, ln := range strings.Split(chans, "\n") {
		if f := strings.Fields(ln); len(f) > 0 && strings.HasPrefix(f[0], prefix) {
			return f[0]
		}
	}
	return ""
}

// TestParkAndAnnounce: 6001 dials 7005, whose dialplan parks it with
// ParkAndAnnounce and calls 6000 to announce the space: 6000 rings,
// answers, hears the announcement and is hung up; 6001 waits in 701.
func TestParkAndAnnounce(t *testing.T) {
	requireBaresip(t)
	in := transferInstance(t, func(f map[string]string) {
		f["res_parking.conf"] = "[default]\nparkext => 700\nparkpos => 701-720\ncontext => parkedcalls\nparkingtime => 60\n"
		f["extensions.conf"] += "\n[work]\nexten => 7005,1,Answer()\n same => n,ParkAndAnnounce(default,,pbx-transfer:PARKED,SIP/6000)\n"
	})
	b := phone(t, in, "6000", "PCMU", 1000)
	a := phone(t, in, "6001", "PCMU", 440)
	dial(t, in, a, nil, "7005")
	if err := b.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatalf("the announcement did not reach 6000: %v", err)
	}
	if show := in.MustRX("parking show default"); !strings.Contains(show, "Space               :  701\n") || !strings.Contains(show, "Channel             :  SIP/6001-") {
		t.Errorf("parking show default does not list 6001 in 701:\n%s", show)
	}
	if err := b.waitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Errorf("the announcement call did not end: %v", err)
	}
	if v := in.MustRX("core show channel " + channelOf(in.MustRX("core show channels"), "SIP/6001-")); !strings.Contains(v, "PARKEDAT=701") {
		t.Errorf("the parked call lacks PARKEDAT=701:\n%s", v)
	}
	a.command("hangup", "")
	_ = a.waitEvent("CALL_CLOSED", 5*time.Second)
	a.Stop()
	b.Stop()
}
