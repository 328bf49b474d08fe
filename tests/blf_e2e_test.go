package tests

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// The presence/BLF tests (issue 18 items 1-2): sipp plays the RFC flows
// (RFC 6665 subscriptions, RFC 4235 dialog package, RFC 3842 MWI) against
// the binary on the reference setup, with a pattern hint for the 6XXX
// phones and a mailbox for 6001.

func blfDialplan(f map[string]string) {
	callCounter(f)
	f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n",
		"[work]\nexten => _6XXX,hint,SIP/${EXTEN}\nexten => 7000,hint,Custom:DND7000\n", 1)
	f["sip.conf"] = strings.Replace(f["sip.conf"], "[6001]\n", "[6001]\nmailbox=6001@default\n", 1)
}

// callCounter turns on chan_sip's call counters for every peer: without
// them a SIP peer in a call stays NOT_INUSE (never RINGING or INUSE), in
// chan_sip as in gostrisk, and BLF keys and ringinuse=no see nothing.
func callCounter(f map[string]string) {
	f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n", "[general]\ncallcounter=yes\n", 1)
}

func blfScenario(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "blf", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBLFDialogSubscription: 6001 subscribes to 6000's hint and sees
// terminated (idle), early, confirmed and terminated as 6000 rings,
// answers and hangs up; "sip show subscriptions" and "core show hints"
// list the watch; Expires: 0 ends it with a terminated NOTIFY.
func TestBLFDialogSubscription(t *testing.T) {
	in, lab := dialplanLab(t, blfDialplan, "_6XXX,hint")
	watcher := harness.Sipp{Scenario: blfScenario(t, "blf-watch-6001.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 40 * time.Second}
	waitWatcher := watcher.Start(t)

	var subs string
	if !harness.PollUntil(10*time.Second, func() bool {
		subs = in.MustRX("sip show subscriptions")
		return strings.Contains(subs, "1 active SIP subscription\n")
	}) {
		res := waitWatcher()
		t.Fatalf("no subscription listed:\n%s\nwatcher:\n%s\n%s", subs, res.Output, res.ErrLog)
	}
	// chan_sip's FORMAT4 line: the peer's address, user, Call-ID cut to 15,
	// exten@context, last state, type and a zero-padded expiry.
	// User is 6001's username= (choucheh), as chan_sip's p->username.
	reLine := regexp.MustCompile(`(?m)^127\.0\.0\.1        choucheh         .{15}  6000@work        Idle           dialog-info\+xml <none>     000600\n`)
	if !strings.HasPrefix(subs, "Peer             User             Call ID          Extension        Last state     Type            Mailbox    Expiry\n") || !reLine.MatchString(subs) {
		t.Errorf("sip show subscriptions:\n%q", subs)
	}
	hints := in.MustRX("core show hints")
	if !strings.Contains(hints, "6000@work                     : SIP/6000                                                      State:Idle            Presence:not_set         Watchers  1\n") ||
		!strings.Contains(hints, "- 3 hints registered\n") {
		t.Errorf("core show hints:\n%s", hints)
	}

	waitUAS := lab.callee(t, callScenario(t, "call-uas-6000.xml"))
	waitUAC := lab.caller(t, callScenario(t, "call-uac-6001-to-6000.xml"))
	requireSippOK(t, "UAC 6001", waitUAC())
	requireSippOK(t, "UAS 6000", waitUAS())
	requireSippOK(t, "BLF watcher 6001", waitWatcher())

	if !harness.PollUntil(5*time.Second, func() bool {
		return strings.Contains(in.MustRX("sip show subscriptions"), "0 active SIP subscriptions\n")
	}) {
		t.Errorf("subscription still listed after Expires: 0:\n%s", in.MustRX("sip show subscriptions"))
	}
}

// TestSubscribeErrors: an unknown event package gets 489, an extension
// without hint 404, an unknown dialog 481, a too short Expires 423.
func TestSubscribeErrors(t *testing.T) {
	in, _ := dialplanLab(t, blfDialplan, "_6XXX,hint")
	for _, sf := range []string{"sub-489.xml", "sub-404.xml", "sub-481.xml", "sub-423.xml"} {
		s := harness.Sipp{Scenario: blfScenario(t, sf), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 15 * time.Second}
		if res := s.Run(t); res.ExitCode != 0 {
			t.Errorf("%s: sipp exited %d\n%s\n%s", sf, res.ExitCode, res.Output, res.ErrLog)
		}
	}
	if out := in.MustRX("sip show subscriptions"); !strings.Contains(out, "0 active SIP subscriptions\n") {
		t.Errorf("a refused SUBSCRIBE left a subscription:\n%s", out)
	}
}

// TestMWISubscription: 6001 (mailbox=6001@default) subscribes to
// message-summary; without a voicemail module the mailbox has no
// messages, which the NOTIFY says in chan_sip's body; "sip show peer"
// then shows LastMsgsSent 0/0 instead of chan_sip's never-sent 32767/65535.
func TestMWISubscription(t *testing.T) {
	in, _ := dialplanLab(t, blfDialplan, "_6XXX,hint")
	if out := in.MustRX("sip show peer 6001"); !strings.Contains(out, "  LastMsgsSent : 32767/65535\n") {
		t.Errorf("before any MWI, sip show peer 6001:\n%s", out)
	}
	sf := scenarioFrom(t, "blf-mwi-sub-6001.xml.tmpl", map[string]string{"WAITING": "no", "COUNTS": "0/0"})
	s := harness.Sipp{Scenario: sf, Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 15 * time.Second}
	if res := s.Run(t); res.ExitCode != 0 {
		t.Fatalf("sipp exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	if out := in.MustRX("sip show peer 6001"); !strings.Contains(out, "  LastMsgsSent : 0/0\n") {
		t.Errorf("after the NOTIFY, sip show peer 6001:\n%s", out)
	}
}

// TestCustomDevstate: "devstate change" sets a Custom: device, the hint
// that names it follows ("core show hint"), the astdb keeps it
// (/CustomDevstate/<name>) and a restart restores it.
func TestCustomDevstate(t *testing.T) {
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: blfDialplan})
	in.DumpOnFailure()
	if out := in.MustRX("devstate change Custom:DND7000 BUSY"); out != "Changing DND7000 to BUSY\n" {
		t.Errorf("devstate change: %q", out)
	}
	want := "7000@work                     : Custom:DND7000                                                State:Busy            Presence:not_set         Watchers  0\n1 hint matching extension 7000\n"
	if out := in.MustRX("core show hint 7000"); out != want {
		t.Errorf("core show hint 7000:\n%q\nwant\n%q", out, want)
	}
	if out := in.MustRX("devstate change SIP/6000 BUSY"); out != "The devstate command can only be used to set 'Custom:' device state!\n" {
		t.Errorf("devstate change SIP/6000: %q", out)
	}
	in.Kill()
	in.StartDaemon()
	if out := in.MustRX("core show hint 7000"); out != want {
		t.Errorf("after restart, core show hint 7000:\n%q", out)
	}
	list := in.MustRX("devstate list")
	if !strings.Contains(list, "--- Name: 'Custom:DND7000'  State: 'BUSY'\n---\n") {
		t.Errorf("devstate list:\n%s", list)
	}
	if db := in.MustRX("database show CustomDevstate"); !strings.Contains(db, "/CustomDevstate/DND7000") || !strings.Contains(db, "BUSY") {
		t.Errorf("astdb:\n%s", db)
	}
}

// TestPresenceNotify: 6001 subscribes to 7100's presence (PIDF); its hint
// names CustomPresence:7100 as presence provider. "presencestate change"
// sends a NOTIFY whose PIDF carries chan_sip's digium-presence tuple with
// the state, subtype and message.
func TestPresenceNotify(t *testing.T) {
	edit := func(f map[string]string) {
		blfDialplan(f)
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n",
			"[work]\nexten => 7100,hint,Custom:lamp7100,CustomPresence:7100\n", 1)
	}
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: edit})
	in.DumpOnFailure()
	watcher := harness.Sipp{Scenario: blfScenario(t, "presence-watch-6001.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 30 * time.Second}
	waitWatcher := watcher.Start(t)
	var subs string
	if !harness.PollUntil(10*time.Second, func() bool {
		subs = in.MustRX("sip show subscriptions")
		return strings.Contains(subs, "1 active SIP subscription\n")
	}) {
		res := waitWatcher()
		t.Fatalf("no subscription listed:\n%s\nwatcher:\n%s\n%s", subs, res.Output, res.ErrLog)
	}
	time.Sleep(300 * time.Millisecond) // the first NOTIFY goes out before the change
	if out := in.MustRX("presencestate change CustomPresence:7100 away,lunch,brb"); !strings.Contains(out, "Changing 7100 to away") {
		t.Errorf("presencestate change: %q", out)
	}
	if res := waitWatcher(); res.ExitCode != 0 {
		t.Fatalf("watcher sipp exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
}

// TestBLFHintCallCounter: chan_sip reports a peer in a call NOT_INUSE
// unless it counts its calls (callcounter=yes or a call-limit): the hint
// of 6000 stays Idle during 6001's call to it without the counter, and is
// InUse with it.
func TestBLFHintCallCounter(t *testing.T) {
	harness.RequireSipp(t)
	for _, tc := range []struct {
		name    string
		counter bool
		want    string
	}{
		{"without callcounter", false, "State:Idle "},
		{"callcounter=yes", true, "State:InUse "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
				noDirectMedia(f)
				f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n", "[work]\nexten => 6000,hint,SIP/6000\n", 1)
				if tc.counter {
					callCounter(f)
				}
			}})
			in.DumpOnFailure()
			uasPort := harness.FreePort(t)
			runSipp(t, in, regScenario(t), uasPort, 1)
			waitUAS := (&harness.Sipp{Scenario: callScenario(t, "dm-uas-6000-local.xml"), LocalPort: uasPort,
				Timeout: 25 * time.Second}).Start(t)
			time.Sleep(200 * time.Millisecond)
			uac := harness.Sipp{Scenario: callScenario(t, "call-uac-6001-to-6000.xml"),
				Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 25 * time.Second,
				Extra: []string{"-mp", strconv.Itoa(harness.FreeRTPRange(t, 4))}}
			waitUAC := uac.Start(t)
			if !harness.PollUntil(8*time.Second, func() bool {
				out, _ := in.RX("bridge show all")
				return strings.Contains(out, "\n1 bridge") || regexp.MustCompile(`(?m)^\S+\s+2 `).MatchString(out)
			}) {
				t.Fatalf("the call was never bridged:\n%s", in.MustRX("bridge show all"))
			}
			if hint := in.MustRX("core show hint 6000"); !strings.Contains(hint, tc.want) {
				t.Errorf("core show hint 6000 during the call, want %q:\n%s", tc.want, hint)
			}
			requireSippOK(t, "uac 6001", waitUAC())
			requireSippOK(t, "uas 6000", waitUAS())
		})
	}
}
