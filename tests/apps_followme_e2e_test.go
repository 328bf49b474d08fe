package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestAppsFollowMe: 6000 calls FollowMe(boss): step 1 rings 6001, which
// answers, hears the prompts and declines with 2; step 2 rings 6002,
// which takes the call with 1 and is bridged with the caller (each hears
// the other's tone).
func TestAppsFollowMe(t *testing.T) {
	requireBaresip(t)
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw", "directmedia=no"},
		"6001": {"disallow=all", "allow=ulaw", "directmedia=no"},
	}, func(f map[string]string) {
		f["sip.conf"] += "\n[6002]\ntype=friend\nhost=dynamic\nsecret=test\ncontext=work\ndisallow=all\nallow=ulaw\ndirectmedia=no\n"
		f["followme.conf"] = "[general]\nfeaturedigittimeout=>3000\n" +
			"[boss]\ncontext=>work\nnumber=>6001,12\nnumber=>6002,12\n"
		addDialplan("exten => 8700,1,FollowMe(boss,d)\n same => n,NoOp(after followme ${CHANNEL(name)})\n", "")(f)
	})
	requireApps(t, in, "FollowMe")
	caller := &confPhone{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440}
	declines := &confPhone{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050}
	takes := &confPhone{baresip: phone(t, in, "6002", "PCMU", 1650), freq: 1650}
	defer func() {
		for _, p := range []*confPhone{caller, declines, takes} {
			p.Stop()
		}
	}()
	start := time.Now()
	caller.command("dial", "sip:8700@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if err := declines.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatalf("6001 (step 1): %v", err)
	}
	time.Sleep(1500 * time.Millisecond) // the prompts play
	declines.command("sndcode", "2")
	if err := declines.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Fatalf("6001 declined but stayed up: %v", err)
	}
	if err := takes.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatalf("6002 (step 2): %v", err)
	}
	takes.joined = time.Now()
	time.Sleep(1500 * time.Millisecond)
	takes.command("sndcode", "1")
	if !harness.PollUntil(5*time.Second, func() bool {
		out, _ := in.RX("core show channels concise")
		return strings.Contains(fullLog(t, in), "Executing [8700@work:1] FollowMe") && strings.Count(out, "\n") >= 2 && bridged(out)
	}) {
		out, _ := in.RX("core show channels")
		t.Fatalf("no bridge after 6002 pressed 1:\n%s", out)
	}
	t.Logf("bridged %v after the dial", time.Since(start))
	from := time.Now()
	time.Sleep(3 * time.Second)
	to := time.Now()
	hangup(t, caller.baresip, takes.baresip)

	s, rate := takes.heardBetween(t, from.Add(300*time.Millisecond), to)
	checkHears(t, "6002 after taking the call", s, rate, []float64{440}, []float64{1050})
	log := fullLog(t, in)
	for _, want := range []string{
		"calling Local/6001@work/m",
		"calling Local/6002@work/m",
		"answered SIP/6000-",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	// The callee heard the prompt sequence: Playing lines on the Local
	// channel for no-recording and options.
	for _, prompt := range []string{"followme/no-recording", "followme/options"} {
		if !strings.Contains(log, "Playing '"+prompt+".") {
			t.Errorf("log lacks the playback of %s", prompt)
		}
	}
}

// bridged reports whether "core show channels concise" shows a caller
// channel of 6000 bridged (its BridgeID column set).
func bridged(concise string) bool {
	for _, ln := range strings.Split(concise, "\n") {
		if !strings.HasPrefix(ln, "SIP/6000-") {
			continue
		}
		f := strings.Split(ln, "!")
		// ...!Duration!BridgeID!UniqueID
		return len(f) > 3 && strings.TrimSpace(f[len(f)-2]) != ""
	}
	return false
}
