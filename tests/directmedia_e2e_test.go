package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// noDirectMedia keeps the media of bridged calls on gostrisk, for tests
// whose sipp phones do not take chan_sip's direct-media re-INVITE (the
// reference sip.conf leaves directmedia at its default, yes).
func noDirectMedia(f map[string]string) {
	f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n", "[general]\ndirectmedia=no\n", 1)
}

// directMediaCall runs the reference call 6001 -> 6000 with uas(port) as
// 6000's scenario, port being the RTP port the uac announces (fixed so the
// uas can check it), and fails the test when either sipp fails.
func directMediaCall(t *testing.T, in *harness.Instance, uas func(port int) string) {
	t.Helper()
	media := harness.FreeRTPRange(t, 4)
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	waitUAS := (&harness.Sipp{Scenario: uas(media), LocalPort: uasPort, Timeout: 25 * time.Second}).Start(t)
	time.Sleep(200 * time.Millisecond) // let sipp bind before the call reaches it
	uac := harness.Sipp{Scenario: callScenario(t, "call-uac-6001-to-6000.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 25 * time.Second,
		Extra: []string{"-mp", strconv.Itoa(media)}}
	if res := uac.Run(t); res.ExitCode != 0 {
		t.Errorf("uac exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	if res := waitUAS(); res.ExitCode != 0 {
		t.Errorf("uas exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
}

// directUAS writes the direct-media uas scenario for a caller whose RTP is
// at 127.0.0.1:port.
func directUAS(t *testing.T, port int) string {
	t.Helper()
	b, err := os.ReadFile(callScenario(t, "dm-uas-6000-direct.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "@MEDIAIP@", `127\.0\.0\.1`)
	s = strings.ReplaceAll(s, "@MEDIAPORT@", strconv.Itoa(port))
	p := filepath.Join(t.TempDir(), "dm-uas-6000.xml")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDirectMediaReInvite: with chan_sip's default directmedia=yes on
// both peers (the reference sip.conf sets nothing), the bridged callee is
// re-INVITEd with the caller's RTP address and the call still ends with a
// BYE through gostrisk.
func TestDirectMediaReInvite(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf()})
	in.DumpOnFailure()
	directMediaCall(t, in, func(port int) string { return directUAS(t, port) })
}

// TestDirectMediaStaysLocal: no re-INVITE reaches the callee when the
// media must stay on gostrisk: directmedia=no, nat=comedia (symmetric
// RTP), or Dial's t option (DTMF features need the media).
func TestDirectMediaStaysLocal(t *testing.T) {
	harness.RequireSipp(t)
	for _, tc := range []struct {
		name string
		edit func(f map[string]string)
	}{
		{"directmedia=no", noDirectMedia},
		{"comedia", func(f map[string]string) {
			f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n", "[general]\nnat=force_rport,comedia\n", 1)
		}},
		{"Dial t", func(f map[string]string) {
			f["extensions.conf"] = strings.Replace(f["extensions.conf"], "Dial(SIP/${EXTEN},20)", "Dial(SIP/${EXTEN},20,t)", 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: tc.edit})
			in.DumpOnFailure()
			directMediaCall(t, in, func(int) string { return callScenario(t, "dm-uas-6000-local.xml") })
		})
	}
}

// TestDirectMediaFollowsMove: while 6001 and 6000 talk directly, 6001
// re-INVITEs with a new RTP port; our answer keeps 6000's address (the
// phones still talk directly) and 6000 is re-INVITEd to 6001's new port.
func TestDirectMediaFollowsMove(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf()})
	in.DumpOnFailure()
	base := harness.FreeRTPRange(t, 12) // sipp binds media_port and media_port+2
	uacMedia, uasMedia, moved := base, base+4, base+8
	repl := []string{"@MEDIAIP@", `127\.0\.0\.1`, "@MEDIAPORT@", strconv.Itoa(uacMedia),
		"@MOVED@", strconv.Itoa(moved), "@CALLEEPORT@", strconv.Itoa(uasMedia)}
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	waitUAS := (&harness.Sipp{Scenario: scenarioCopy(t, "dm-uas-6000-moved.xml", repl...), LocalPort: uasPort,
		Timeout: 25 * time.Second, Extra: []string{"-mp", strconv.Itoa(uasMedia)}}).Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: scenarioCopy(t, "dm-uac-6001-moves.xml", repl...),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 25 * time.Second,
		Extra: []string{"-mp", strconv.Itoa(uacMedia)}}
	requireSippOK(t, "uac 6001", uac.Run(t))
	requireSippOK(t, "uas 6000", waitUAS())
}

// TestDirectMediaRTPSetup: with directrtpsetup=yes the INVITE to 6000
// already carries 6001's RTP address, 6001's 200 carries 6000's, and no
// re-INVITE follows (6000's scenario fails on one).
func TestDirectMediaRTPSetup(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n", "[general]\ndirectrtpsetup=yes\n", 1)
	}})
	in.DumpOnFailure()
	if out := in.MustRX("sip show settings"); !strings.Contains(out, "  Direct RTP setup:       Yes\n") {
		t.Errorf("sip show settings does not say Direct RTP setup: Yes:\n%s", out)
	}
	base := harness.FreeRTPRange(t, 8) // sipp binds media_port and media_port+2
	uacMedia, uasMedia := base, base+4
	uas := scenarioCopy(t, "dm-uas-6000-local.xml", `<recv request="INVITE" crlf="true"/>`,
		`<recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="c=IN IP4 127\.0\.0\.1[[:space:]]" search_in="body" check_it="true" assign_to="c"/>
      <ereg regexp="m=audio `+strconv.Itoa(uacMedia)+` " search_in="body" check_it="true" assign_to="m"/>
    </action>
  </recv>
  <Reference variables="c,m"/>`)
	uac := scenarioCopy(t, "call-uac-6001-to-6000.xml", `<recv response="200" rrs="true">
    <action>`, `<recv response="200" rrs="true">
    <action>
      <ereg regexp="m=audio `+strconv.Itoa(uasMedia)+` " search_in="body" check_it="true" assign_to="m"/>`,
		`<label id="talk"/>`, `<label id="talk"/>
  <Reference variables="m"/>`)
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	waitUAS := (&harness.Sipp{Scenario: uas, LocalPort: uasPort, Timeout: 25 * time.Second,
		Extra: []string{"-mp", strconv.Itoa(uasMedia)}}).Start(t)
	time.Sleep(200 * time.Millisecond)
	caller := harness.Sipp{Scenario: uac, Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 25 * time.Second,
		Extra: []string{"-mp", strconv.Itoa(uacMedia)}}
	requireSippOK(t, "uac 6001", caller.Run(t))
	requireSippOK(t, "uas 6000", waitUAS())
}

// TestDirectMediaRTPSetupDialFeatures: with directrtpsetup=yes but a Dial
// whose options need the call's digits (t/T transfer, h hang-up keys),
// app_dial's CAN_EARLY_BRIDGE refuses the early bridge: the INVITE to 6000
// carries gostrisk's RTP address, not 6001's, and since the bridge watches
// the digits nobody is re-INVITEd afterwards (both scenarios fail on a
// re-INVITE).
func TestDirectMediaRTPSetupDialFeatures(t *testing.T) {
	harness.RequireSipp(t)
	for _, opts := range []string{"tT", "h"} {
		t.Run(opts, func(t *testing.T) {
			in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
				f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n", "[general]\ndirectrtpsetup=yes\n", 1)
				f["extensions.conf"] = strings.Replace(f["extensions.conf"], "Dial(SIP/${EXTEN},20)", "Dial(SIP/${EXTEN},20,"+opts+")", 1)
			}})
			in.DumpOnFailure()
			base := harness.FreeRTPRange(t, 8)
			uacMedia, uasMedia := base, base+4
			uas := scenarioCopy(t, "dm-uas-6000-local.xml", `<recv request="INVITE" crlf="true"/>`,
				`<recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="m=audio `+strconv.Itoa(uacMedia)+` " search_in="body" check_it_inverse="true" assign_to="m"/>
    </action>
  </recv>
  <Reference variables="m"/>`)
			uasPort := harness.FreePort(t)
			runSipp(t, in, regScenario(t), uasPort, 1)
			waitUAS := (&harness.Sipp{Scenario: uas, LocalPort: uasPort, Timeout: 25 * time.Second,
				Extra: []string{"-mp", strconv.Itoa(uasMedia)}}).Start(t)
			time.Sleep(200 * time.Millisecond)
			caller := harness.Sipp{Scenario: callScenario(t, "call-uac-6001-to-6000.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
				Timeout: 25 * time.Second, Extra: []string{"-mp", strconv.Itoa(uacMedia)}}
			requireSippOK(t, "uac 6001", caller.Run(t))
			requireSippOK(t, "uas 6000 (offered gostrisk's address, no re-INVITE)", waitUAS())
		})
	}
}
