package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestChanSIPPath plays RFC 3327's flow with sipp: 6000 (supportpath=yes)
// registers through an edge proxy that added a Path header; the 200
// echoes it with "path" in Supported, "sip show peer 6000" lists it, and
// the call 6001 -> 6000 reaches the proxy's address with the Path as its
// Route and the registered Contact as its Request-URI.
func TestChanSIPPath(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		noDirectMedia(f)
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[6000]\n", "[6000]\nsupportpath=yes\n", 1)
	}})
	in.DumpOnFailure()
	phonePort, proxyPort := harness.FreePort(t), harness.FreePort(t)
	repl := []string{"@PROXY@", strconv.Itoa(proxyPort), "@PHONE@", strconv.Itoa(phonePort)}
	runSipp(t, in, scenarioCopy(t, "path-reg-6000.xml", repl...), phonePort, 1)
	want := "\n  Path support : Yes\n  Path         : <sip:127.0.0.1:" + strconv.Itoa(proxyPort) + ";lr>\n"
	if out := in.MustRX("sip show peer 6000"); !strings.Contains(out, want) {
		t.Errorf("sip show peer 6000 lacks %q:\n%s", want, out)
	}
	waitProxy := (&harness.Sipp{Scenario: scenarioCopy(t, "path-uas-proxy.xml", repl...), LocalPort: proxyPort,
		Timeout: 25 * time.Second}).Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: callScenario(t, "call-uac-6001-to-6000.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 25 * time.Second,
		Extra: []string{"-mp", strconv.Itoa(harness.FreeRTPRange(t, 4))}}
	requireSippOK(t, "uac 6001", uac.Run(t))
	requireSippOK(t, "proxy of 6000", waitProxy())
}

// TestChanSIPPathSubscribe: 6000 (supportpath=yes) registers through an
// edge proxy with a Path, then subscribes to 6001's hint from its own
// address: the subscription's NOTIFY goes to the proxy with the Path as
// Route and 6000's registered Contact as Request-URI, as requests to the
// registered phone do, and none reaches the phone directly.
func TestChanSIPPathSubscribe(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[6000]\n", "[6000]\nsupportpath=yes\n", 1)
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n", "[work]\nexten => 6001,hint,SIP/6001\n", 1)
	}})
	in.DumpOnFailure()
	phonePort, proxyPort := harness.FreePort(t), harness.FreePort(t)
	repl := []string{"@PROXY@", strconv.Itoa(proxyPort), "@PHONE@", strconv.Itoa(phonePort)}
	runSipp(t, in, scenarioCopy(t, "path-reg-6000.xml", repl...), phonePort, 1)
	waitProxy := (&harness.Sipp{Scenario: scenarioCopy(t, "path-sub-proxy.xml", repl...), LocalPort: proxyPort,
		Timeout: 15 * time.Second}).Start(t)
	time.Sleep(200 * time.Millisecond)
	sub := harness.Sipp{Scenario: callScenario(t, "path-sub-6000.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		LocalPort: phonePort, Timeout: 15 * time.Second}
	requireSippOK(t, "6000 subscribing (no NOTIFY straight to it)", sub.Run(t))
	requireSippOK(t, "edge proxy (NOTIFY with the Path as Route)", waitProxy())
	if out := in.MustRX("sip show subscriptions"); !strings.Contains(out, "1 active SIP subscription") {
		t.Errorf("sip show subscriptions:\n%s", out)
	}
}
