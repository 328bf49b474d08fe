package tests

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// qsSRTPInstance starts gostrisk on the reference config with TLS on a free
// port and peerLines added under the headers of the peers they name.
func qsSRTPInstance(t *testing.T, files *tlsFiles, peerLines map[string]string) (*harness.Instance, int) {
	t.Helper()
	tlsPort := 0
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		sip := f["sip.conf"]
		if files != nil {
			tlsPort = harness.FreePort(t)
			sip = strings.Replace(sip, "[general]\n", fmt.Sprintf("[general]\ntlsenable=yes\ntlsbindaddr=127.0.0.1:%d\ntlscertfile=%s\ntlscafile=%s\n",
				tlsPort, files.Server, files.CA), 1)
		}
		for peer, lines := range peerLines {
			sip = strings.Replace(sip, "["+peer+"]\n", "["+peer+"]\n"+lines, 1)
		}
		f["sip.conf"] = sip
	}})
	in.DumpOnFailure()
	return in, tlsPort
}

// qsChannelStat is one row of "sip show channelstats".
type qsChannelStat struct {
	Peer, CallID string
	Recv, Send   int
}

// chan_sip's row: peer (15), call id (11), duration (8), then the receive
// and send packet counts (10 digits, a K suffix above 100000).
var qsReChannelStat = regexp.MustCompile(`(?m)^(.{15})  (.{11})  .{8} (\d{10})[K ] (\d{10}) \(\s*\d+\.\d\d%\) \S+\s+(\d{10})[K ] `)

func qsParseChannelStats(out string) []qsChannelStat {
	var rows []qsChannelStat
	for _, m := range qsReChannelStat.FindAllStringSubmatch(out, -1) {
		recv, _ := strconv.Atoi(m[3])
		send, _ := strconv.Atoi(m[5])
		rows = append(rows, qsChannelStat{Peer: strings.TrimSpace(m[1]), CallID: strings.TrimSpace(m[2]), Recv: recv, Send: send})
	}
	return rows
}

// TestSRTPToRTPCall: 6001 is a baresip softphone on TLS with SRTP
// mandatory (encryption=yes), 6000 a plain-RTP sipp UAS registered over
// UDP that echoes the media it gets. 6001 calls 6000: gostrisk decrypts
// the caller's SRTP for the sipp leg and encrypts the echo back, so the
// caller hears its own tone. Packets flow both ways on both legs
// (sip show channelstats), and the tone in the caller's recording could
// only get there through SRTP that baresip authenticated.
func TestSRTPToRTPCall(t *testing.T) {
	if _, err := exec.LookPath("baresip"); err != nil {
		t.Skip("baresip is not installed (make test-deps)")
	}
	harness.RequireSipp(t)
	dir := t.TempDir()
	files := makeTLSFiles(t, dir)
	in, tlsPort := qsSRTPInstance(t, &files, map[string]string{"6001": "transport=tls\nencryption=yes\n"})
	requireSIPCalls(t, in)

	// 6000: register over UDP, then answer the call on the same port,
	// echoing RTP.
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	uas := harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalPort: uasPort,
		Extra: []string{"-rtp_echo"}, Timeout: 20 * time.Second}
	waitUAS := uas.Start(t)

	const tone = 440.0
	writeToneWAV(t, filepath.Join(dir, "caller.wav"), tone, 20)
	callerRTP := harness.FreeRTPRange(t, 20)
	// Two captures on lo (root only): the caller's RTP ports must carry
	// no clear tone (SRTP leg), gostrisk's must (the sipp leg is plain
	// RTP, so the relay did decrypt).
	var srtpLeg, relay *rtpCapture
	if c, err := startRTPCapture(callerRTP, callerRTP+20); err != nil {
		t.Logf("no packet capture (%v): relying on baresip's SRTP authentication", err)
	} else {
		srtpLeg = c
		t.Cleanup(func() { c.Stop() })
		if relay, err = startRTPCapture(in.RTPBase, in.RTPBase+200); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { relay.Stop() })
	}
	caller := startBaresip(t, baresipConfig{User: "6001", Registrar: tlsPort, CAFile: files.CA,
		Source: filepath.Join(dir, "caller.wav"), RTPStart: callerRTP, CtrlPort: harness.FreePort(t)})
	if err := caller.waitRegistered(8 * time.Second); err != nil {
		t.Fatal(err)
	}

	// The two legs' peers as "sip show peer" describes them: one on TLS
	// with SRTP, one on UDP without.
	p6001 := in.MustRX("sip show peer 6001")
	for _, want := range []string{"  Prim.Transp. : TLS\n", "  Allowed.Trsp : TLS\n", "  Encryption   : Yes\n", "  Useragent    : baresip"} {
		if !strings.Contains(p6001, want) {
			t.Errorf("sip show peer 6001 lacks %q:\n%s", want, p6001)
		}
	}
	p6000 := in.MustRX("sip show peer 6000")
	for _, want := range []string{"  Prim.Transp. : UDP\n", "  Allowed.Trsp : UDP\n", "  Encryption   : No\n",
		fmt.Sprintf("  Reg. Contact : sip:6000@127.0.0.1:%d;transport=UDP\n", uasPort)} {
		if !strings.Contains(p6000, want) {
			t.Errorf("sip show peer 6000 lacks %q:\n%s", want, p6000)
		}
	}
	// A TLS-registered peer's line in "sip show peers": its address and
	// the port of its TLS connection.
	peers := in.MustRX("sip show peers")
	if !regexp.MustCompile(`(?m)^6001/choucheh             127\.0\.0\.1                                D  Auto \(No\)  No             \d+\s+Unmonitored\s+$`).MatchString(peers) {
		t.Errorf("sip show peers, 6001 registered over TLS:\n%s", peers)
	}

	caller.command("dial", "sip:6000@127.0.0.1:"+strconv.Itoa(tlsPort))
	if err := caller.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // talk: 150 packets each way per leg

	stats := in.MustRX("sip show channelstats")
	rows := qsParseChannelStats(stats)
	if len(rows) != 2 || !strings.HasSuffix(stats, "2 active SIP channels\n") {
		t.Errorf("sip show channelstats, want 2 channels:\n%s", stats)
	}
	for _, r := range rows {
		// At 20 ms a packet, 3 s of talk is 150 packets; half of that
		// leaves room for set-up and scheduling.
		if r.Recv < 75 || r.Send < 75 {
			t.Errorf("channel %s (%s): %d packets received, %d sent, want media both ways:\n%s", r.CallID, r.Peer, r.Recv, r.Send, stats)
		}
	}
	channels := in.MustRX("core show channels")
	if !strings.Contains(channels, "2 active channels") || !strings.Contains(channels, "SIP/6001-") || !strings.Contains(channels, "SIP/6000-") {
		t.Errorf("core show channels during the call:\n%s", channels)
	}

	caller.command("hangup", "")
	if res := waitUAS(); res.ExitCode != 0 {
		t.Errorf("6000's sipp exited %d (no BYE relayed?)\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	caller.Stop()

	rec, err := caller.recording()
	if err != nil {
		t.Fatal(err)
	}
	if len(rec) < 8000 {
		t.Fatalf("caller recorded %d samples, want at least 1 s", len(rec))
	}
	body := rec[4000:] // past jitter buffer fill and the echo's round trip
	level, share := rms(body), toneShare(body, tone)
	t.Logf("caller heard %d samples, RMS %.0f, %.0f Hz share %.2f", len(rec), level, tone, share)
	if level < 500 {
		t.Errorf("the caller's recording is silent (RMS %.0f): the echo did not come back through the SRTP leg", level)
	}
	if share < 0.3 {
		t.Errorf("the caller's recording is not its own %.0f Hz tone echoed (share %.2f)", tone, share)
	}

	if srtpLeg != nil {
		media, clear := qsCountMedia(srtpLeg.Stop(), tone)
		t.Logf("caller's RTP ports: %d PCMU media packets, %d in clear", media, clear)
		if media < 100 || clear > 0 {
			t.Errorf("SRTP leg: %d media packets, %d with the tone in clear; want at least 100, none clear", media, clear)
		}
		media, clear = qsCountMedia(relay.Stop(), tone)
		t.Logf("gostrisk's RTP ports: %d PCMU media packets, %d in clear", media, clear)
		if clear < 50 {
			t.Errorf("only %d of %d media packets on gostrisk's ports carry the tone in clear: the RTP leg to sipp is not plain RTP", clear, media)
		}
	}
}

// qsCountMedia counts the PCMU RTP (or SRTP) packets of a capture and
// those whose payload is the tone in clear.
func qsCountMedia(pkts [][]byte, tone float64) (media, clear int) {
	for _, p := range pkts {
		if len(p) >= 12 && p[0]>>6 == 2 && p[1]&0x7f == 0 {
			media++
			if plaintextTone(p, tone) {
				clear++
			}
		}
	}
	return media, clear
}

// TestSRTPPlainOfferRefused: 6001 is set up with encryption=yes; a call
// from it whose SDP offers plain RTP/AVP without a=crypto is refused
// with 488 after authentication, with chan_sip's warning, and leaves no
// channel behind. The peer also allows TLS (transport=udp,tls), which
// "sip show peer" lists in chan_sip's fixed order.
func TestSRTPPlainOfferRefused(t *testing.T) {
	harness.RequireSipp(t)
	in, _ := qsSRTPInstance(t, nil, map[string]string{"6001": "transport=udp,tls\nencryption=yes\n"})
	requireSIPCalls(t, in)

	peer := in.MustRX("sip show peer 6001")
	for _, want := range []string{"  Prim.Transp. : UDP\n", "  Allowed.Trsp : UDP,TLS\n", "  Encryption   : Yes\n"} {
		if !strings.Contains(peer, want) {
			t.Errorf("sip show peer 6001 lacks %q:\n%s", want, peer)
		}
	}

	port := harness.FreePort(t)
	runSipp(t, in, callScenario(t, "qs-uac-6001-plain-offer.xml"), port, 1)
	waitLog(t, in, "Matched device setup to use SRTP, but request was not!")
	if out := in.MustRX("core show channels"); !strings.Contains(out, "0 active channels") {
		t.Errorf("a refused call left channels:\n%s", out)
	}
}

// TestSRTPOfferOverUDP is the other side of the 488: the same
// encryption=yes peer offering SDES (RTP/SAVP with a=crypto) is answered
// RTP/SAVP with a key of gostrisk's own (the sipp scenario checks the
// 200's SDP), the call reaches the plain-RTP 6000, and since the keys
// crossed UDP in clear gostrisk warns about it once.
func TestSRTPOfferOverUDP(t *testing.T) {
	harness.RequireSipp(t)
	in, _ := qsSRTPInstance(t, nil, map[string]string{"6001": "encryption=yes\n"})
	requireSIPCalls(t, in)

	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	uas := harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalPort: uasPort, Timeout: 15 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond) // let sipp bind before the call reaches it

	runSipp(t, in, callScenario(t, "qs-uac-6001-srtp-offer.xml"), harness.FreePort(t), 1)
	if res := waitUAS(); res.ExitCode != 0 {
		t.Errorf("6000's sipp exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	log := waitLog(t, in, "are sent over unencrypted UDP signalling")
	if n := strings.Count(log, "SRTP keys for '6001'"); n != 1 {
		t.Errorf("%d clear-key warnings for 6001, want 1 per call:\n%s", n, log)
	}
	if strings.Contains(log, "Matched device setup to use SRTP, but request was not!") {
		t.Errorf("an SDES offer was taken for a plain one:\n%s", log)
	}
}
