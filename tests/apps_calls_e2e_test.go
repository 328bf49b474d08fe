package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// appsInstance starts gostrisk with ulaw phones 6000, 6001, 6002 (no
// direct media: the calls' audio is checked) and extra dialplan lines in
// [work].
func appsInstance(t *testing.T, work string) *harness.Instance {
	t.Helper()
	return mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw", "directmedia=no"},
		"6001": {"disallow=all", "allow=ulaw", "directmedia=no"},
	}, func(f map[string]string) {
		f["sip.conf"] += "\n[6002]\ntype=friend\nhost=dynamic\nsecret=test\ncontext=work\ndisallow=all\nallow=ulaw\ndirectmedia=no\n"
		addDialplan(work, "")(f)
	})
}

// TestAppsDISA: 6000 reaches DISA, hears dial tone, keys the passcode and
// then 6001#: the call goes to 6001 in the DISA context with the new
// caller ID and account code, and the two talk.
func TestAppsDISA(t *testing.T) {
	requireBaresip(t)
	in := appsInstance(t, "exten => 8800,1,DISA(4321,work,\"Ext\" <555>)\n")
	requireApps(t, in, "DISA")
	caller := &confPhone{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440}
	callee := &confPhone{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050}
	defer caller.Stop()
	defer callee.Stop()
	dial(t, in, caller.baresip, nil, "8800")
	caller.joined = time.Now()
	time.Sleep(1200 * time.Millisecond)
	toneEnd := time.Now()
	for _, k := range "4321#6001#" {
		caller.command("sndcode", string(k))
		time.Sleep(250 * time.Millisecond)
	}
	if err := callee.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatalf("6001 never got the call: %v", err)
	}
	callee.joined = time.Now()
	time.Sleep(2500 * time.Millisecond)
	end := time.Now()
	chans, _ := in.RX("core show channels verbose")
	hangup(t, caller.baresip, callee.baresip)
	s, rate := caller.heardBetween(t, caller.joined.Add(200*time.Millisecond), toneEnd)
	checkHears(t, "the caller before the passcode (dial tone)", s, rate, []float64{350, 440}, nil)
	s, rate = callee.heardBetween(t, callee.joined.Add(500*time.Millisecond), end)
	checkHears(t, "6001 in the DISA call", s, rate, []float64{440}, nil)
	log := fullLog(t, in)
	for _, want := range []string{"Executing [6001@work:1] Dial(", "Called SIP/6001"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if !strings.Contains(chans, " 555 ") || !strings.Contains(chans, "4321") {
		t.Errorf("core show channels verbose lacks the DISA caller id 555 or account code 4321:\n%s", chans)
	}
}

// TestAppsBridge: 6000 waits in the dialplan; 6001 runs Bridge() on it:
// they talk, and when 6001 hangs up 6000 goes on in its dialplan (the
// bridger's own dialplan ends with its hang-up, so BRIDGERESULT is the
// unit tests').
func TestAppsBridge(t *testing.T) {
	requireBaresip(t)
	in := appsInstance(t, "exten => 8801,1,Answer()\n same => n,Wait(30)\n same => n,NoOp(bridged party went on)\n same => n,Hangup()\n"+
		"exten => 8802,1,Bridge(SIP/6000)\n same => n,NoOp(BRIDGERESULT=${BRIDGERESULT})\n")
	requireApps(t, in, "Bridge")
	waiter := &confPhone{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440}
	bridger := &confPhone{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050}
	defer waiter.Stop()
	defer bridger.Stop()
	dial(t, in, waiter.baresip, nil, "8801")
	time.Sleep(500 * time.Millisecond)
	dial(t, in, bridger.baresip, nil, "8802")
	bridger.joined = time.Now()
	time.Sleep(3 * time.Second)
	end := time.Now()
	bridger.command("hangup", "")
	if !harness.PollUntil(5*time.Second, func() bool { return strings.Contains(fullLog(t, in), "bridged party went on") }) {
		t.Error("6000 did not go on in its dialplan after the bridge")
	}
	if err := waiter.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Error(err)
	}
	s, rate := bridger.heardBetween(t, bridger.joined.Add(700*time.Millisecond), end)
	t.Logf("the bridger recorded %.2f s; the window holds %d samples of the %v after it joined", bridger.lastRecording(t).seconds(), len(s), end.Sub(bridger.joined))
	checkHears(t, "the bridger", s, rate, []float64{440}, nil)
}

// TestAppsRetryDial: 6002 is not registered: RetryDial tries it twice,
// with its sleep between the tries (the caller hears music), then the
// dialplan goes on with DIALSTATUS CHANUNAVAIL.
func TestAppsRetryDial(t *testing.T) {
	requireBaresip(t)
	in := appsInstance(t, "exten => 8803,1,Answer()\n same => n,RetryDial(,1,2,SIP/6002,5)\n same => n,NoOp(RETRIED ${DIALSTATUS})\n same => n,Hangup()\n")
	requireApps(t, in, "RetryDial")
	caller := phone(t, in, "6000", "PCMU", 440)
	defer caller.Stop()
	start := time.Now()
	dial(t, in, caller, nil, "8803")
	if !harness.PollUntil(10*time.Second, func() bool { return strings.Contains(fullLog(t, in), "RETRIED CHANUNAVAIL") }) {
		t.Fatalf("RetryDial did not end with CHANUNAVAIL:\n%s", fullLog(t, in))
	}
	if el := time.Since(start); el < 2*time.Second {
		t.Errorf("two tries with a 1 s sleep took %v", el)
	}
	log := fullLog(t, in)
	if n := strings.Count(log, "Executing [8803@work:2] RetryDial"); n != 1 {
		t.Errorf("RetryDial executed %d times", n)
	}
	if n := strings.Count(log, "Everyone is busy/congested at this time") + strings.Count(log, "Unable to create channel of type 'SIP'") + strings.Count(log, "Couldn't call SIP/6002"); n < 2 {
		t.Errorf("%d failed attempts logged, want 2:\n%s", n, log)
	}
	if err := caller.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Error(err)
	}
}
