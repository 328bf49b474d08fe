package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// pickupInstance gives 6000 callgroup 1 and 6002 the pickup group given.
func pickupInstance(t *testing.T, pickupgroup string) *harness.Instance {
	t.Helper()
	return mediaInstance(t, map[string][]string{"6000": {"callgroup=1", "pickupgroup=1"}}, func(f map[string]string) {
		f["sip.conf"] += "\n[6002]\ntype=friend\nhost=dynamic\nallow=ulaw\nsecret=test\ncontext=work\npickupgroup=" + pickupgroup + "\n"
	})
}

// TestPickupExtenSameGroup: 6001 calls 6000, which rings (it does not
// answer); 6002, whose pickupgroup is 6000's callgroup, dials *8 and gets
// the call: 6000 stops ringing, 6001 and 6002 hear each other.
func TestPickupExtenSameGroup(t *testing.T) {
	requireBaresip(t)
	const toneA, toneC = 440.0, 1500.0
	in := pickupInstance(t, "1")
	b := startPhone(t, in, baresipConfig{User: "6000", Codecs: "PCMU", Manual: true}, 1000)
	a := phone(t, in, "6001", "PCMU", toneA)
	c := phone(t, in, "6002", "PCMU", toneC)
	a.command("dial", "sip:6000@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if err := b.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	ringing := in.MustRX("core show channels")
	t.Logf("ringing:\n%s", ringing)
	dial(t, in, c, nil, "*8")
	if err := a.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("the ringing phone was not cancelled: %v", err)
	}
	if !strings.Contains(in.Output(), "Pickup SIP/6000-") || !strings.Contains(in.Output(), " attempt by SIP/6002-") {
		t.Errorf("no \"Pickup ... attempt by ...\" notice in the log")
	}
	time.Sleep(1500 * time.Millisecond)
	chans := in.MustRX("core show channels")
	t.Logf("picked up:\n%s", chans)
	if strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "SIP/6002-") {
		t.Errorf("core show channels: want 6001 with 6002 and no 6000:\n%s", chans)
	}
	hangup(t, a, c)
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the caller heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, toneC)
	checkTone(t, "the picker heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, toneA)
	checkPortsReleased(t, in)
}

// TestPickupExtenOtherGroup: 6002's pickup group (2) is not 6000's call
// group (1): *8 is refused and 6000 keeps ringing.
func TestPickupExtenOtherGroup(t *testing.T) {
	requireBaresip(t)
	in := pickupInstance(t, "2")
	b := startPhone(t, in, baresipConfig{User: "6000", Codecs: "PCMU", Manual: true}, 1000)
	a := phone(t, in, "6001", "PCMU", 440)
	c := phone(t, in, "6002", "PCMU", 1500)
	a.command("dial", "sip:6000@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if err := b.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	c.command("dial", "sip:*8@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if err := c.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("*8 from another group was not refused: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	chans := in.MustRX("core show channels")
	if !strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "Ringing") {
		t.Errorf("6000 no longer rings:\n%s", chans)
	}
	a.command("hangup", "")
	if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Error(err)
	}
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
}

// TestPickupInviteReplaces: a call from 6001 rings at 6000; another
// phone sends an INVITE with Replaces naming that ringing dialog (what a
// BLF key does, RFC 3891): it is answered in 6000's place, 6000 stops
// ringing and 6001's call is answered.
func TestPickupInviteReplaces(t *testing.T) {
	requireBaresip(t)
	harness.RequireSipp(t)
	in := pickupInstance(t, "1")
	b := startPhone(t, in, baresipConfig{User: "6000", Codecs: "PCMU", Manual: true}, 1000)
	a := phone(t, in, "6001", "PCMU", 440)
	a.command("dial", "sip:6000@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if err := b.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	callID, ours, theirs := dialogOfPeer(t, in, "6000")
	uac := harness.Sipp{Scenario: callScenario(t, "xfer-uac-6001-replaces.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		Extra: []string{"-key", "replaces", callID + ";to-tag=" + ours + ";from-tag=" + theirs}, Timeout: 20 * time.Second}
	wait := uac.Start(t)
	if err := a.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("the ringing phone was not cancelled: %v", err)
	}
	if res := wait(); res.ExitCode != 0 {
		t.Fatalf("picker exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	if err := a.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("the caller's call did not end with the picker's BYE: %v", err)
	}
	a.Stop()
	b.Stop()
}

// dialogOfPeer reads the Call-ID and tags of peer's dialog from `sip show
// channels` and `sip show channel`.
func dialogOfPeer(t *testing.T, in *harness.Instance, peer string) (callID, ours, theirs string) {
	t.Helper()
	for _, ln := range strings.Split(in.MustRX("sip show channels"), "\n") {
		f := strings.Fields(ln)
		if len(f) > 3 && f[len(f)-1] == peer {
			out := in.MustRX("sip show channel " + f[2])
			for _, l := range strings.Split(out, "\n") {
				k, v, ok := strings.Cut(strings.TrimSpace(l), ":")
				if !ok {
					continue
				}
				switch strings.TrimSpace(k) {
				case "Call-ID":
					callID = strings.TrimSpace(v)
				case "Our Tag":
					ours = strings.TrimSpace(v)
				case "Their Tag":
					theirs = strings.TrimSpace(v)
				}
			}
			return callID, ours, theirs
		}
	}
	t.Fatalf("no dialog of %s:\n%s", peer, in.MustRX("sip show channels"))
	return
}
