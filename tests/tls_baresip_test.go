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

// requireTLSRouting skips while the daemon cannot send requests to a
// phone registered over TLS: that needs the driver's start-up to route
// its client over the phones' connections (Driver.routeOverConnections)
// and the call manager to know the TLS listener (call.Deps.LocalFor =
// Driver.ListenAddr). The peers have qualify=yes, so the OPTIONS that
// follows each registration is the probe: it only succeeds over the
// phone's own connection. Once both are wired this never skips.
func requireTLSRouting(t *testing.T, in *harness.Instance, peer string) {
	t.Helper()
	ok := harness.PollUntil(3*time.Second, func() bool {
		out, _ := in.RX("sip show peer " + peer)
		return strings.Contains(out, "  Status       : OK (")
	})
	if !ok {
		out, _ := in.RX("sip show peer " + peer)
		t.Fatalf("qualify of %s over its TLS connection did not answer: requests to TLS-registered phones must go back over their connection\n%s", peer, out)
	}
}

// tlsInstance starts gostrisk on the sample config with TLS on a free
// port and peers 6000/6001 on transport=tls with encryption=yes (and
// qualify=yes: the OPTIONS must reach them over their connection too).
func tlsInstance(t *testing.T, files tlsFiles) (*harness.Instance, int) {
	t.Helper()
	tlsPort := harness.FreePort(t)
	in := harness.Start(t, harness.Options{Edit: func(f map[string]string) {
		sip := f["sip.conf"]
		sip = regexp.MustCompile(`(?m)^register\s*=>.*$`).ReplaceAllString(sip, "")
		sip = strings.Replace(sip, "[general]\n", fmt.Sprintf("[general]\ntlsenable=yes\ntlsbindaddr=127.0.0.1:%d\ntlscertfile=%s\ntlscafile=%s\ntransport=udp,tls\n",
			tlsPort, files.Server, files.CA), 1)
		for _, peer := range []string{"6000", "6001"} {
			sip = strings.Replace(sip, "["+peer+"]\n", "["+peer+"]\ntransport=tls\nencryption=yes\nqualify=yes\n", 1)
		}
		f["sip.conf"] = sip
	}})
	in.DumpOnFailure()
	return in, tlsPort
}

// TestTLSBaresipSRTPCall registers two baresip softphones over TLS with
// SRTP mandatory, calls 6000 from 6001 through gostrisk and checks that
// each side hears the other's tone and that no RTP packet on gostrisk's
// media ports carries audio in clear.
//
// Why this proves encryption: both phones run mediaenc=srtp-mand, so each
// refuses a call without SDES crypto and discards any packet that fails
// SRTP authentication (an 80-bit HMAC tag under the negotiated key):
// audio recorded at the far end had to cross both legs as valid SRTP.
// On top of that, an AF_PACKET capture on lo (root only; skipped
// otherwise) looks at every UDP packet from or to gostrisk's RTP range
// and decodes its payload as clear PCMU: a clear packet of the test tones
// shows the tone (checked on a synthetic clear packet first), an
// encrypted one is noise.
func TestTLSBaresipSRTPCall(t *testing.T) {
	if _, err := exec.LookPath("baresip"); err != nil {
		t.Skip("baresip is not installed (make test-deps)")
	}
	dir := t.TempDir()
	files := makeTLSFiles(t, dir)
	in, tlsPort := tlsInstance(t, files)
	requireSIPCalls(t, in)

	const toneCaller, toneCallee = 440.0, 1000.0
	writeToneWAV(t, filepath.Join(dir, "caller.wav"), toneCaller, 20)
	writeToneWAV(t, filepath.Join(dir, "callee.wav"), toneCallee, 20)

	// The detector must flag a clear PCMU packet of the tone, or its
	// silence below would prove nothing.
	clear := make([]byte, 12+160)
	clear[0] = 0x80
	for i := 0; i < 160; i++ {
		clear[12+i] = ulawEncode(int16(12000 * sinAt(toneCaller, i)))
	}
	if !plaintextTone(clear, toneCaller, toneCallee) {
		t.Fatal("plaintext detector does not recognise a clear PCMU tone packet")
	}

	capture, err := startRTPCapture(in.RTPBase, in.RTPBase+200)
	if err != nil {
		t.Logf("no packet capture (%v): relying on SRTP authentication at both phones", err)
	} else {
		t.Cleanup(func() { capture.Stop() })
	}

	callee := startBaresip(t, baresipConfig{User: "6000", Registrar: tlsPort, CAFile: files.CA,
		Source: filepath.Join(dir, "callee.wav"), RTPStart: harness.FreeRTPRange(t, 20), CtrlPort: harness.FreePort(t)})
	caller := startBaresip(t, baresipConfig{User: "6001", Registrar: tlsPort, CAFile: files.CA,
		Source: filepath.Join(dir, "caller.wav"), RTPStart: harness.FreeRTPRange(t, 20), CtrlPort: harness.FreePort(t)})
	for _, p := range []*baresip{callee, caller} {
		if err := p.waitRegistered(8 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	requireTLSRouting(t, in, "6000")

	peer := in.MustRX("sip show peer 6000")
	for _, want := range []string{"  Prim.Transp. : TLS\n", "  Allowed.Trsp : TLS\n", "  Encryption   : Yes\n"} {
		if !strings.Contains(peer, want) {
			t.Errorf("sip show peer 6000 lacks %q:\n%s", want, peer)
		}
	}
	if !regexp.MustCompile(`(?m)^  Reg\. Contact : sip:6000[^@]*@127\.0\.0\.1:\d+;transport=(?i:tls)\b`).MatchString(peer) {
		t.Errorf("sip show peer 6000: no TLS Reg. Contact:\n%s", peer)
	}
	tcp := in.MustRX("sip show tcp")
	if n := strings.Count(tcp, " TLS       Server\n"); n != 2 {
		t.Errorf("sip show tcp lists %d TLS server connections, want 2:\n%s", n, tcp)
	}

	caller.command("dial", "sip:6000@127.0.0.1:"+strconv.Itoa(tlsPort))
	for _, p := range []*baresip{caller, callee} {
		if err := p.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(3 * time.Second) // talk
	channels := in.MustRX("core show channels")
	caller.command("hangup", "")
	if err := callee.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Error(err)
	}
	if !strings.Contains(channels, "2 active channels") {
		t.Errorf("during the call, core show channels:\n%s", channels)
	}
	caller.Stop()
	callee.Stop()

	for _, c := range []struct {
		p    *baresip
		tone float64
	}{{callee, toneCaller}, {caller, toneCallee}} {
		rec, err := c.p.recording()
		if err != nil {
			t.Errorf("%s: %v", c.p.name, err)
			continue
		}
		if len(rec) < 8000 {
			t.Errorf("%s recorded %d samples, want at least 1 s", c.p.name, len(rec))
			continue
		}
		// Skip the first half second: jitter buffer fill and SRTP setup.
		body := rec[4000:]
		level, share := rms(body), toneShare(body, c.tone)
		t.Logf("%s heard %d samples, RMS %.0f, %.0f Hz share %.2f", c.p.name, len(rec), level, c.tone, share)
		if level < 500 {
			t.Errorf("%s's recording is silent (RMS %.0f)", c.p.name, level)
		}
		if share < 0.3 {
			t.Errorf("%s's recording is not the far end's %.0f Hz tone (share %.2f)", c.p.name, c.tone, share)
		}
	}

	if capture != nil {
		pkts := capture.Stop()
		rtp, leaks := 0, 0
		for _, p := range pkts {
			if len(p) >= 12 && p[0]>>6 == 2 && p[1]&0x7f == 0 {
				rtp++
				if plaintextTone(p, toneCaller, toneCallee) {
					leaks++
				}
			}
		}
		t.Logf("captured %d packets on gostrisk's RTP ports, %d PCMU RTP/SRTP", len(pkts), rtp)
		if rtp < 100 {
			t.Errorf("captured only %d media packets: the capture saw no call", rtp)
		}
		if leaks > 0 {
			t.Errorf("%d of %d media packets carry the test tone in clear", leaks, rtp)
		}
	}
}
