package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// transferInstance is mediaInstance with a third phone, 6002, in "work".
func transferInstance(t *testing.T, edit func(map[string]string)) *harness.Instance {
	t.Helper()
	return mediaInstance(t, nil, func(f map[string]string) {
		f["sip.conf"] += "\n[6002]\ntype=friend\nhost=dynamic\nallow=ulaw\nsecret=test\ncontext=work\n"
		if edit != nil {
			edit(f)
		}
	})
}

// TestBlindTransferREFER: 6001 calls 6000, 6000 transfers it blind to
// 6002 with baresip's REFER. gostrisk answers 202, reports the progress
// in NOTIFYs (baresip ends its call on the final 200), and 6001 ends up
// talking to 6002: each hears the other's tone.
func TestBlindTransferREFER(t *testing.T) {
	requireBaresip(t)
	const toneA, toneB, toneC = 440.0, 1000.0, 1500.0
	in := transferInstance(t, nil)
	b := phone(t, in, "6000", "PCMU", toneB)
	a := phone(t, in, "6001", "PCMU", toneA)
	c := phone(t, in, "6002", "PCMU", toneC)
	dial(t, in, a, b, "6000")
	time.Sleep(800 * time.Millisecond)

	b.command("transfer", "sip:6002@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if err := c.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Errorf("the transferer's call: %v", err)
	}
	time.Sleep(500 * time.Millisecond)
	chans := in.MustRX("core show channels")
	t.Logf("after the transfer:\n%s", chans)
	if !strings.Contains(chans, "SIP/6001-") || !strings.Contains(chans, "SIP/6002-") || strings.Contains(chans, "SIP/6000-") {
		t.Errorf("core show channels: want 6001 and 6002 and no 6000:\n%s", chans)
	}
	time.Sleep(1500 * time.Millisecond)
	hangup(t, a, c)
	for _, p := range []*baresip{a, b, c} {
		p.Stop()
	}
	heardByA := a.lastRecording(t)
	heardByC := c.lastRecording(t)
	// A's one call heard B first, then C: its last second is C's tone.
	end := heardByA.seconds()
	checkTone(t, "the transferee heard", heardByA.span(end-1.2, end-0.2), heardByA.rate, toneC)
	checkTone(t, "the target heard", heardByC.span(0.5, 10), heardByC.rate, toneA)
	checkPortsReleased(t, in)
	// Asterisk 18's records: 6001's call with 6000 up to the transfer,
	// then 6001's record continuing with 6002.
	recs := cdrRecords(t, in, 2)
	if len(recs) != 2 {
		t.Fatalf("Master.csv: %d records, want 2: %+v", len(recs), recs)
	}
	first, second := recs[0], recs[1]
	if first.Src != "6001" || first.Dst != "6000" || !strings.HasPrefix(first.Channel, "SIP/6001-") || !strings.HasPrefix(first.DstChannel, "SIP/6000-") || first.Disposition != "ANSWERED" {
		t.Errorf("first record %+v, want 6001 -> 6000 answered", first)
	}
	if second.Src != "6001" || second.Dst != "6002" || second.DContext != "work" || second.Channel != first.Channel || !strings.HasPrefix(second.DstChannel, "SIP/6002-") || second.LastApp != "Dial" || second.Disposition != "ANSWERED" {
		t.Errorf("second record %+v, want 6001's channel -> 6002@work answered", second)
	}
}

// TestBlindTransferSippREFER plays the transferer with sipp (RFC 3515 and
// RFC 5589 flows): a tel: Refer-To gets 603, a REFER without Refer-To 400,
// an extension that does not exist 202 and a NOTIFY "404 Not found" with
// the call kept; then a transfer of 6000 (a dialed leg) to 600@work gets
// 202 and the NOTIFYs 100 Trying (active) and 200 OK (terminated). The
// transferee runs the echo test afterwards, and gostrisk sends no BYE of
// its own to the transferer, whose own BYE ends its dialog.
func TestBlindTransferSippREFER(t *testing.T) {
	harness.RequireSipp(t)
	in := mediaInstance(t, nil, nil)
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	uas := harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalPort: uasPort, Timeout: 30 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: callScenario(t, "xfer-uac-6001-refer.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 20 * time.Second}
	if res := uac.Run(t); res.ExitCode != 0 {
		t.Fatalf("transferer exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	var chans string
	if !harness.PollUntil(5*time.Second, func() bool {
		chans = in.MustRX("core show channels")
		return strings.Contains(chans, "600@work") && !strings.Contains(chans, "SIP/6001-")
	}) {
		t.Fatalf("the transferee is not in 600@work alone:\n%s", chans)
	}
	t.Logf("after the transfer:\n%s", chans)
	for _, want := range []string{"SIP/6000-", "1 active channel\n"} {
		if !strings.Contains(chans, want) {
			t.Errorf("core show channels lacks %q:\n%s", want, chans)
		}
	}
	if v := in.MustRX("core show channel " + firstChannel(chans)); !strings.Contains(v, "SIPTRANSFER=yes") || !strings.Contains(v, "BLINDTRANSFER=SIP/6001-") {
		t.Errorf("the transferee lacks SIPTRANSFER/BLINDTRANSFER:\n%s", v)
	}
	for _, want := range []string{"Can't transfer to non-sip: URI.  (Refer-to: tel:+33123456789)?", "Refer-To Header missing. Skipping transfer."} {
		if !strings.Contains(in.Output(), want) {
			t.Errorf("chan_sip's warning %q is not in the log", want)
		}
	}
	in.MustRX("channel request hangup all")
	if res := waitUAS(); res.ExitCode != 0 {
		t.Fatalf("transferee exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	// The transferer's call with 6000, then the record 6000 writes for
	// the dialplan the transfer gave it (600@work).
	recs := cdrRecords(t, in, 2)
	if len(recs) != 2 {
		t.Fatalf("Master.csv: %d records, want 2: %+v", len(recs), recs)
	}
	if r := recs[0]; r.Dst != "6000" || !strings.HasPrefix(r.Channel, "SIP/6001-") || !strings.HasPrefix(r.DstChannel, "SIP/6000-") {
		t.Errorf("first record %+v, want 6001 -> 6000", r)
	}
	if r := recs[1]; r.Dst != "600" || r.DContext != "work" || !strings.HasPrefix(r.Channel, "SIP/6000-") || r.Disposition != "ANSWERED" {
		t.Errorf("second record %+v, want 6000's own record at 600@work", r)
	}
}

// firstChannel is the name of the first channel `core show channels` lists.
func firstChannel(chans string) string {
	lines := strings.Split(chans, "\n")
	if len(lines) < 2 {
		return ""
	}
	f := strings.Fields(lines[1])
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// TestTransferRefused: a REFER from a peer with allowtransfer=no gets
// chan_sip's 603 "Declined (policy)" and the call goes on (the transferer
// hangs up normally); a REFER outside a dialog gets 603 "Declined (No
// dialog)".
func TestTransferRefused(t *testing.T) {
	harness.RequireSipp(t)
	in := mediaInstance(t, map[string][]string{"6001": {"allowtransfer=no"}}, nil)
	target := "127.0.0.1:" + strconv.Itoa(in.SIPPort)
	ood := harness.Sipp{Scenario: callScenario(t, "xfer-uac-refer-no-dialog.xml"), Target: target, Timeout: 10 * time.Second}
	if res := ood.Run(t); res.ExitCode != 0 {
		t.Fatalf("REFER outside a dialog: sipp exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	uas := harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalPort: uasPort, Timeout: 20 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: callScenario(t, "xfer-uac-6001-policy.xml"), Target: target, Timeout: 20 * time.Second}
	if res := uac.Run(t); res.ExitCode != 0 {
		t.Fatalf("transferer exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	// The transferer's BYE ended the call the usual way: 6000 got its BYE.
	if res := waitUAS(); res.ExitCode != 0 {
		t.Fatalf("callee exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
}

// TestAttendedTransferReplaces: the transferer (sipp, 6001) holds two
// calls through gostrisk, one to 6000 and a consultation to 6002 (both
// baresip phones playing tones), and completes an attended transfer with a
// REFER whose Refer-To carries Replaces for the consultation (RFC 5589
// section 7.1). gostrisk bridges 6000 with 6002 (each hears the other's
// tone), the NOTIFY says 200 OK, and both of the transferer's dialogs end
// with its own BYEs.
func TestAttendedTransferReplaces(t *testing.T) {
	requireBaresip(t)
	harness.RequireSipp(t)
	const toneA, toneC = 440.0, 1500.0
	amiPort := harness.FreePort(t)
	in := transferInstance(t, func(f map[string]string) {
		f["manager.conf"] = fmt.Sprintf("[general]\nenabled = yes\nport = %d\nbindaddr = 127.0.0.1\n\n"+
			"[admin]\nsecret = amp111\nread = all\nwrite = all\n", amiPort)
	})
	ami := newAMIStream(t, amiPort)
	a := phone(t, in, "6000", "PCMU", toneA)
	c := phone(t, in, "6002", "PCMU", toneC)
	target := "127.0.0.1:" + strconv.Itoa(in.SIPPort)
	inf := filepath.Join(t.TempDir(), "consult.csv")

	consult := harness.Sipp{Scenario: callScenario(t, "xfer-uac-6001-consult.xml"), Target: target,
		Extra: []string{"-cid_str", "consult-%u-%p", "-set", "inffile", inf}, Timeout: 20 * time.Second}
	waitConsult := consult.Start(t)
	if err := c.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	if !harness.PollUntil(5*time.Second, func() bool { _, err := os.Stat(inf); return err == nil }) {
		t.Fatal("the consultation call wrote no dialog ids")
	}
	xfer := harness.Sipp{Scenario: callScenario(t, "xfer-uac-6001-attended.xml"), Target: target, Inf: inf, Timeout: 20 * time.Second}
	waitXfer := xfer.Start(t)
	if err := a.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	if res := waitXfer(); res.ExitCode != 0 {
		t.Fatalf("transferer exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	if res := waitConsult(); res.ExitCode != 0 {
		t.Fatalf("consultation exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	// The manager hears it as chan_sip's transfer: the transferer's two
	// calls, each in its bridge, and IsExternal. As in Asterisk, 6000
	// stays in the bridge it was in with the transferer (no BridgeLeave
	// or BridgeDestroy of it) and 6002 enters that bridge, the
	// transfer's destination.
	var ev, orig string
	var seen []string
	ami.next(func(m string) bool {
		seen = append(seen, m)
		if strings.HasPrefix(m, "Event: AttendedTransfer\r\n") {
			ev = m
			orig = regexp.MustCompile(`(?m)^OrigBridgeUniqueid: (\S+)\r$`).FindStringSubmatch(m)[1]
		}
		return orig != "" && strings.HasPrefix(m, "Event: BridgeEnter\r\n") && strings.Contains(m, "Channel: SIP/6002-") &&
			strings.Contains(m, "BridgeUniqueid: "+orig+"\r\n")
	})
	if !strings.HasSuffix(ev, "DestBridgeUniqueid: "+orig+"\r\n") {
		t.Errorf("AttendedTransfer's destination is not the transferee's bridge %s:\n%s", orig, ev)
	}
	after := false // past the AttendedTransfer: the bridge exists already
	for _, m := range seen {
		after = after || m == ev
		inOrig := strings.Contains(m, "BridgeUniqueid: "+orig+"\r\n")
		if inOrig && (strings.HasPrefix(m, "Event: BridgeDestroy\r\n") || after && strings.HasPrefix(m, "Event: BridgeCreate\r\n") ||
			strings.HasPrefix(m, "Event: BridgeLeave\r\n") && strings.Contains(m, "Channel: SIP/6000-")) {
			t.Errorf("the transferee's bridge: %s", m)
		}
	}
	for _, re := range []string{`Result: Success\r\nOrigTransfererChannel: SIP/6001-\S+\r\n`,
		`OrigBridgeUniqueid: \S+\r\nOrigBridgeType: basic\r\n`, `SecondTransfererChannel: SIP/6001-\S+\r\n`,
		`SecondBridgeUniqueid: \S+\r\n`, `TransfereeChannel: SIP/6000-\S+\r\n`, `TransferTargetChannel: SIP/6002-\S+\r\n`,
		`IsExternal: Yes\r\nDestType: Bridge\r\nDestBridgeUniqueid: \S+\r\n$`} {
		if !regexp.MustCompile(re).MatchString(ev) {
			t.Errorf("AttendedTransfer does not match %s:\n%s", re, ev)
		}
	}
	chans := in.MustRX("core show channels")
	t.Logf("after the transfer:\n%s", chans)
	if !strings.Contains(chans, "SIP/6000-") || !strings.Contains(chans, "SIP/6002-") || strings.Contains(chans, "SIP/6001-") || !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels: want 6000 and 6002 only:\n%s", chans)
	}
	time.Sleep(1500 * time.Millisecond)
	hangup(t, a, c)
	a.Stop()
	c.Stop()
	heardByA, heardByC := a.lastRecording(t), c.lastRecording(t)
	endA, endC := heardByA.seconds(), heardByC.seconds()
	checkTone(t, "the transferee heard", heardByA.span(endA-1.2, endA-0.2), heardByA.rate, toneC)
	checkTone(t, "the target heard", heardByC.span(endC-1.2, endC-0.2), heardByC.rate, toneA)
	checkPortsReleased(t, in)
	// Asterisk 18's records: one per bridged pair. The transferer's call
	// with 6000 and its consultation with 6002 (each up to the transfer),
	// then 6000's own record with 6002 (a dialed leg: Dial's extension
	// and context, AppDial).
	recs := cdrRecords(t, in, 3)
	for i, r := range recs {
		t.Logf("CDR %d: %+v", i, r)
	}
	if len(recs) != 3 {
		t.Fatalf("Master.csv: %d records, want 3", len(recs))
	}
	var toA, toC, third *cdrRecord
	for i := range recs {
		r := &recs[i]
		switch {
		case strings.HasPrefix(r.Channel, "SIP/6001-") && strings.HasPrefix(r.DstChannel, "SIP/6000-"):
			toA = r
		case strings.HasPrefix(r.Channel, "SIP/6001-") && strings.HasPrefix(r.DstChannel, "SIP/6002-"):
			toC = r
		case strings.HasPrefix(r.Channel, "SIP/6000-") && strings.HasPrefix(r.DstChannel, "SIP/6002-"):
			third = r
		}
	}
	if toA == nil || toA.Src != "6001" || toA.Dst != "6000" || toA.DContext != "work" || toA.LastApp != "Dial" || toA.Disposition != "ANSWERED" {
		t.Errorf("the transferer's call with 6000: %+v", toA)
	}
	if toC == nil || toC.Src != "6001" || toC.Dst != "6002" || toC.LastApp != "Dial" || toC.Disposition != "ANSWERED" {
		t.Errorf("the consultation with 6002: %+v", toC)
	}
	if third == nil || toA == nil || toC == nil || third.Channel != toA.DstChannel ||
		third.DstChannel != toC.DstChannel || third.Dst != "6000" || third.DContext != "work" ||
		third.LastApp != "AppDial" || third.LastData != "(Outgoing Line)" || third.Disposition != "ANSWERED" || third.Billsec < 1 {
		t.Errorf("the transferee's record with 6002: %+v", third)
	}
}

// TestTransferApp: Transfer() on a ringing call answers 302 with the
// destination as Contact; on an answered call it sends the phone a REFER
// and reports the final NOTIFY's outcome in TRANSFERSTATUS.
func TestTransferApp(t *testing.T) {
	harness.RequireSipp(t)
	in := mediaInstance(t, nil, func(f map[string]string) {
		f["extensions.conf"] += "\n[work]\nexten => 7001,1,Transfer(SIP/6000)\n same => n,NoOp(T1 ${TRANSFERSTATUS}/${TRANSFERSTATUSPROTOCOL})\n same => n,Hangup()\n" +
			"exten => 7002,1,Answer()\n same => n,Wait(0.5)\n same => n,Transfer(600)\n same => n,NoOp(T2 ${TRANSFERSTATUS}/${TRANSFERSTATUSPROTOCOL})\n same => n,Wait(5)\n"
	})
	target := "127.0.0.1:" + strconv.Itoa(in.SIPPort)
	for _, sf := range []string{"xfer-uac-6001-redirected.xml", "xfer-uac-6001-refer-in.xml"} {
		uac := harness.Sipp{Scenario: callScenario(t, sf), Target: target, Timeout: 20 * time.Second}
		if res := uac.Run(t); res.ExitCode != 0 {
			t.Fatalf("%s: sipp exited %d\n%s\n%s", sf, res.ExitCode, res.Output, res.ErrLog)
		}
	}
	if !harness.PollUntil(3*time.Second, func() bool { return strings.Contains(in.Output(), "T2 SUCCESS/0") }) {
		t.Errorf("no \"T2 SUCCESS/0\" in the log:\n%s", in.Output())
	}
	if !strings.Contains(in.Output(), "T1 SUCCESS/0") {
		t.Errorf("no \"T1 SUCCESS/0\" in the log:\n%s", in.Output())
	}
}
