package tests

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestParkHints: with parkinghints=yes each space of the lot has the hint
// park:<space>@parkedcalls, listed by `core show hints` (with the
// dialplan's own hints, which res_parking must not hide) and Idle while
// the space is free, InUse while a call is parked there, Idle again once
// it hung up.
func TestParkHints(t *testing.T) {
	requireBaresip(t)
	in := transferInstance(t, func(f map[string]string) {
		f["res_parking.conf"] = "[default]\nparkext => 700\nparkpos => 701-703\ncontext => parkedcalls\nparkinghints => yes\nparkingtime => 60\n"
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n", "[work]\ninclude => parkedcalls\nexten => 6000,hint,SIP/6000\n", 1)
	})
	hintLine := func(space, state string) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^` + space + `@parkedcalls +: park:` + space + `@parkedcalls +State:` + state + ` +Presence:not_set +Watchers  0$`)
	}
	hints := in.MustRX("core show hints")
	for _, re := range []*regexp.Regexp{hintLine("701", "Idle"), hintLine("702", "Idle"), hintLine("703", "Idle"),
		regexp.MustCompile(`(?m)^6000@work +: SIP/6000 `)} {
		if !re.MatchString(hints) {
			t.Errorf("core show hints lacks %s:\n%s", re, hints)
		}
	}
	a := phone(t, in, "6001", "PCMU", 440)
	dial(t, in, a, nil, "700")
	if !harness.PollUntil(5*time.Second, func() bool { return hintLine("701", "InUse").MatchString(in.MustRX("core show hints")) }) {
		t.Errorf("the hint of the occupied space 701:\n%s", in.MustRX("core show hints"))
	}
	if hints := in.MustRX("core show hints"); !hintLine("702", "Idle").MatchString(hints) {
		t.Errorf("the hint of the free space 702:\n%s", hints)
	}
	if ds := in.MustRX("devstate list"); strings.Contains(ds, "park:") {
		// devstate list shows Custom: devices only, as func_devstate's.
		t.Errorf("devstate list lists the parking devices:\n%s", ds)
	}
	time.Sleep(500 * time.Millisecond)
	a.command("hangup", "")
	if err := a.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Error(err)
	}
	if !harness.PollUntil(5*time.Second, func() bool { return hintLine("701", "Idle").MatchString(in.MustRX("core show hints")) }) {
		t.Errorf("the hint of space 701 after the parked call left:\n%s", in.MustRX("core show hints"))
	}
	a.Stop()
}

// TestParkedCallFeatures: parkedcallhangup=callee and
// parkedcallrecording=caller: 6000 retrieves 6001 parked at 701; in that
// bridge 6000 (the retriever) has automixmon (*3), which records the call,
// but not disconnect (*0), which only the parked 6001 has and which ends
// the call.
func TestParkedCallFeatures(t *testing.T) {
	requireBaresip(t)
	in := transferInstance(t, func(f map[string]string) {
		f["res_parking.conf"] = "[default]\nparkext => 700\nparkpos => 701-703\ncontext => parkedcalls\nparkingtime => 60\n" +
			"parkedcallhangup => callee\nparkedcallrecording => caller\n"
		f["features.conf"] = "[featuremap]\ndisconnect => *0\nautomixmon => *3\n"
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n", "[work]\ninclude => parkedcalls\n", 1)
	})
	a := phone(t, in, "6001", "PCMU", 440)
	b := phone(t, in, "6000", "PCMU", 1000)
	dial(t, in, a, nil, "700")
	if !harness.PollUntil(5*time.Second, func() bool {
		return strings.Contains(in.MustRX("parking show default"), "Space               :  701\n")
	}) {
		t.Fatalf("not parked:\n%s", in.MustRX("parking show default"))
	}
	time.Sleep(2500 * time.Millisecond) // the space is said to the parked call
	dial(t, in, b, nil, "701")
	time.Sleep(1500 * time.Millisecond)
	sendDigits(b, "*3", 200*time.Millisecond)
	time.Sleep(2500 * time.Millisecond)
	sendDigits(b, "*3", 200*time.Millisecond)
	mon := in.Path("var", "spool", "monitor")
	var files []string
	if !harness.PollUntil(5*time.Second, func() bool {
		files, _ = filepath.Glob(filepath.Join(mon, "auto-*.wav"))
		return len(files) == 1
	}) {
		t.Errorf("the retriever's automixmon left no recording in %s: %v", mon, files)
	}
	sendDigits(b, "*0", 200*time.Millisecond)
	time.Sleep(1500 * time.Millisecond)
	if chans := in.MustRX("core show channels"); !strings.Contains(chans, "2 active channels") {
		t.Errorf("the retriever's *0 ended the call (parkedcallhangup=callee):\n%s", chans)
	}
	sendDigits(a, "*0", 200*time.Millisecond)
	for _, p := range []*baresip{a, b} {
		if err := p.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
			t.Errorf("the parked call's *0: %v", err)
		}
	}
	a.Stop()
	b.Stop()
}

// TestParkDynamicLot: with parkeddynamic=yes, 6001 runs Park(sales) with
// PARKINGDYNCONTEXT=dyn and PARKINGDYNPOS=751-755: the lot sales is
// created (parking show sales: Dynamic yes, the call at 751), 6000
// retrieves the call by dialling 751 (work includes dyn), and once the
// call is over the lot is gone.
func TestParkDynamicLot(t *testing.T) {
	requireBaresip(t)
	in := transferInstance(t, func(f map[string]string) {
		f["res_parking.conf"] = "[general]\nparkeddynamic => yes\n[default]\nparkext => 700\nparkpos => 701-720\ncontext => parkedcalls\nparkingtime => 60\n"
		addDialplan("include => dyn\nexten => 7100,1,Set(PARKINGDYNCONTEXT=dyn)\n same => n,Set(PARKINGDYNPOS=751-755)\n"+
			" same => n,Park(sales)\n same => n,Hangup()\n", "[dyn]\n")(f)
	})
	a := phone(t, in, "6001", "PCMU", 440)
	b := phone(t, in, "6000", "PCMU", 1000)
	dial(t, in, a, nil, "7100")
	var show string
	if !harness.PollUntil(5*time.Second, func() bool {
		show = in.MustRX("parking show sales")
		return strings.Contains(show, "Space               :  751\n")
	}) {
		t.Fatalf("not parked in the dynamic lot:\n%s", show)
	}
	for _, want := range []string{"Parking Lot: sales\n", "Parking Context     :  dyn\n", "Parking Spaces      :  751-755\n", "Dynamic             :  yes\n"} {
		if !strings.Contains(show, want) {
			t.Errorf("parking show sales lacks %q:\n%s", want, show)
		}
	}
	time.Sleep(2500 * time.Millisecond) // the space is said to the parked call
	dial(t, in, b, nil, "751")
	time.Sleep(1500 * time.Millisecond)
	chans := in.MustRX("core show channels")
	if !strings.Contains(chans, "ParkedCall(sales,751)") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels after the retrieval:\n%s", chans)
	}
	hangup(t, b, a)
	if !harness.PollUntil(3*time.Second, func() bool {
		return strings.Contains(in.MustRX("parking show sales"), "Could not find parking lot 'sales'")
	}) {
		t.Errorf("the empty dynamic lot is still listed:\n%s", in.MustRX("parking show sales"))
	}
	a.Stop()
	b.Stop()
}
