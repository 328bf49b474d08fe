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

// TestMediaBridgeCodecs calls 6000 from 6001 with two baresip phones,
// each playing its own tone, and checks each heard the other's tone
// (spectral peak within 2 %) and which bridge technology carried the
// call: the native relay when both speak one codec (no decode), the
// translating frame bridge when they differ.
func TestMediaBridgeCodecs(t *testing.T) {
	requireBaresip(t)
	const toneCaller, toneCallee = 440.0, 1000.0
	for _, tc := range []struct {
		name                 string
		callerAllow          string // 6001's codec in sip.conf
		callerCodec          string // what its baresip offers
		calleeAllow          string // 6000's
		calleeCodec          string
		wantTech             string
		callerRate, peerRate int // the recordings' sample rates
	}{
		{"ulaw to ulaw", "ulaw", "PCMU", "ulaw", "PCMU", "native_rtp", 8000, 8000},
		{"ulaw to alaw", "ulaw", "PCMU", "alaw", "PCMA", "simple_bridge", 8000, 8000},
		{"g722 to ulaw", "g722", "G722/16000/1", "ulaw", "PCMU", "simple_bridge", 16000, 8000},
		{"gsm to alaw", "gsm", "GSM", "alaw", "PCMA", "simple_bridge", 8000, 8000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := mediaInstance(t, map[string][]string{
				"6001": {"disallow=all", "allow=" + tc.callerAllow},
				"6000": {"disallow=all", "allow=" + tc.calleeAllow},
			}, nil)
			callee := phone(t, in, "6000", tc.calleeCodec, toneCallee)
			caller := phone(t, in, "6001", tc.callerCodec, toneCaller)
			dial(t, in, caller, callee, "6000")
			time.Sleep(1000 * time.Millisecond)
			if tech := bridgeTech(t, in); tech != tc.wantTech {
				t.Errorf("bridge technology %s, want %s", tech, tc.wantTech)
			}
			time.Sleep(1200 * time.Millisecond)
			hangup(t, caller, callee)
			caller.Stop()
			callee.Stop()

			heardByCaller := caller.lastRecording(t)
			heardByCallee := callee.lastRecording(t)
			if heardByCaller.rate != tc.callerRate || heardByCallee.rate != tc.peerRate {
				t.Errorf("recording rates %d (caller) and %d (callee), want %d and %d",
					heardByCaller.rate, heardByCallee.rate, tc.callerRate, tc.peerRate)
			}
			// Skip the first half second: jitter buffers filling.
			checkTone(t, "the caller heard", heardByCaller.span(0.5, 10), heardByCaller.rate, toneCallee)
			checkTone(t, "the callee heard", heardByCallee.span(0.5, 10), heardByCallee.rate, toneCaller)
			checkPortsReleased(t, in)
		})
	}
}

// TestMediaDTMFRFC2833ToInfo: baresip 6001 sends digits as RFC 2833
// telephone-events, 6000 (sipp) has dtmfmode=info; gostrisk bridges them
// with frames and sends each digit to 6000 as an INFO
// application/dtmf-relay, in order.
func TestMediaDTMFRFC2833ToInfo(t *testing.T) {
	requireBaresip(t)
	harness.RequireSipp(t)
	uasPort := harness.FreePort(t)
	in := mediaInstance(t, map[string][]string{
		"6000": {"host=127.0.0.1", fmt.Sprintf("port=%d", uasPort), "dtmfmode=info", "disallow=all", "allow=ulaw"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, nil)
	msgs := filepath.Join(t.TempDir(), "messages.log")
	uas := harness.Sipp{Scenario: callScenario(t, "media-uas-6000-info.xml"), LocalPort: uasPort,
		Timeout: 20 * time.Second, Extra: []string{"-trace_msg", "-message_file", msgs}}
	waitUAS := uas.Start(t)
	caller := phone(t, in, "6001", "PCMU", 440)
	time.Sleep(200 * time.Millisecond) // sipp binds
	dial(t, in, caller, nil, "6000")
	time.Sleep(500 * time.Millisecond)
	if tech := bridgeTech(t, in); tech != "simple_bridge" {
		t.Errorf("bridge technology %s, want simple_bridge (the DTMF modes differ)", tech)
	}
	const digits = "15#"
	for _, d := range digits {
		caller.command("sndcode", string(d))
		time.Sleep(400 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	hangup(t, caller, nil)
	if res := waitUAS(); res.ExitCode != 0 {
		t.Fatalf("uas exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	data, err := os.ReadFile(msgs)
	if err != nil {
		t.Fatal(err)
	}
	infos := regexp.MustCompile(`(?ms)^INFO sip:.*?(?:\r?\n){2}Signal=(\S+)\r?\nDuration=(\d+)`).FindAllStringSubmatch(string(data), -1)
	var got string
	for _, m := range infos {
		got += m[1]
		if d, _ := strconv.Atoi(m[2]); d <= 0 {
			t.Errorf("INFO Signal=%s has Duration=%s", m[1], m[2])
		}
	}
	if n := strings.Count(string(data), "Content-Type: application/dtmf-relay"); n != len(infos) {
		t.Errorf("%d INFO bodies parsed, %d application/dtmf-relay content types", len(infos), n)
	}
	t.Logf("6000 got %d INFO(s), digits %q", len(infos), got)
	if got != digits {
		t.Errorf("6000 got INFO digits %q, want %q; messages:\n%s", got, digits, data)
	}
	checkPortsReleased(t, in)
}

// mohFile is the first file of the sample's default class (files play by
// name): a fresh daemon's first listener hears it from its start.
const mohFile = "/usr/share/asterisk/moh/macroform-cold_day.wav"

// TestMediaHoldMusic: one phone puts the call on hold from baresip
// ("hold": a re-INVITE with a=sendonly); the other then hears the
// default class's music (its recording matches the MOH file), and after
// "resume" the holder's tone again, on the bridge it had before: the
// native relay for one codec (a frame bridge during the hold), the frame
// bridge throughout when the codecs differ (music in A-law then).
func TestMediaHoldMusic(t *testing.T) {
	requireBaresip(t)
	music := soundFile(t, mohFile)
	for _, tc := range []struct {
		name        string
		callerHolds bool
		calleeAllow string
		calleeCodec string
		wantTech    string
	}{
		{"callee holds a ulaw call", false, "ulaw", "PCMU", "native_rtp"},
		{"caller holds a ulaw-alaw call", true, "alaw", "PCMA", "simple_bridge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := mediaInstance(t, map[string][]string{
				"6000": {"disallow=all", "allow=" + tc.calleeAllow},
				"6001": {"disallow=all", "allow=ulaw"},
			}, nil)
			tones := map[string]float64{"6000": 1000, "6001": 440}
			callee := phone(t, in, "6000", tc.calleeCodec, tones["6000"])
			caller := phone(t, in, "6001", "PCMU", tones["6001"])
			holder, listener := callee, caller
			if tc.callerHolds {
				holder, listener = caller, callee
			}
			dial(t, in, caller, callee, "6000")
			start := time.Now()
			time.Sleep(1200 * time.Millisecond)
			if tech := bridgeTech(t, in); tech != tc.wantTech {
				t.Errorf("before the hold: bridge technology %s, want %s", tech, tc.wantTech)
			}
			held := time.Since(start).Seconds()
			holder.command("hold", "")
			time.Sleep(2600 * time.Millisecond)
			if tech := bridgeTech(t, in); tech != "simple_bridge" {
				t.Errorf("during the hold: bridge technology %s, want simple_bridge (music to %s)", tech, listener.name)
			}
			resumed := time.Since(start).Seconds()
			holder.command("resume", "")
			time.Sleep(2 * time.Second)
			if tech := bridgeTech(t, in); tech != tc.wantTech {
				t.Errorf("after the resume: bridge technology %s, want %s", tech, tc.wantTech)
			}
			hangup(t, caller, callee)
			caller.Stop()
			callee.Stop()

			rec := listener.lastRecording(t)
			tone := tones[holder.name]
			t.Logf("%s recorded %.1f s; hold at %.1f s, resume at %.1f s", listener.name, rec.seconds(), held, resumed)
			checkTone(t, "before the hold", rec.span(0.5, held-0.2), rec.rate, tone)
			// One second of what the listener heard well into the hold,
			// found in the first seconds of the music file.
			window := rec.span(held+1.2, held+2.2)
			c, lag := bestCorrelation(window, music.span(0, 6))
			t.Logf("during the hold: correlation %.3f with %s at %.2f s", c, mohFile, float64(lag)/8000)
			if c < 0.8 {
				t.Errorf("during the hold %s did not hear the music file (best correlation %.2f)", listener.name, c)
			}
			checkTone(t, "after the resume", rec.span(resumed+0.8, rec.seconds()-0.3), rec.rate, tone)
			checkPortsReleased(t, in)
		})
	}
}

// TestMediaDialMusic: Dial(SIP/6000,20,m) plays the default class to
// the caller as early media while 6000 rings (the caller's recording
// matches the MOH file), then the call connects to 6000's tone.
func TestMediaDialMusic(t *testing.T) {
	requireBaresip(t)
	music := soundFile(t, mohFile)
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, func(f map[string]string) {
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n",
			"[work]\nexten => 7000,1,Dial(SIP/6000,20,m)\n", 1)
	})
	const toneCallee = 1000.0
	callee := startPhone(t, in, baresipConfig{User: "6000", Codecs: "PCMU", Manual: true}, toneCallee)
	caller := phone(t, in, "6001", "PCMU", 440)
	caller.command("dial", "sip:7000@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	if err := callee.waitEvent("CALL_INCOMING", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	time.Sleep(2500 * time.Millisecond)
	answered := time.Since(start).Seconds()
	callee.command("accept", "")
	for _, p := range []*baresip{caller, callee} {
		if err := p.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2 * time.Second)
	hangup(t, caller, callee)
	caller.Stop()
	callee.Stop()

	rec := caller.lastRecording(t)
	t.Logf("6001 recorded %.1f s; 6000 answered after %.1f s of ringing", rec.seconds(), answered)
	window := rec.span(1, 2)
	c, lag := bestCorrelation(window, music.span(0, 6))
	t.Logf("while ringing: correlation %.3f with %s at %.2f s", c, mohFile, float64(lag)/8000)
	if c < 0.8 {
		t.Errorf("while 6000 rang the caller did not hear the music file (best correlation %.2f)", c)
	}
	checkTone(t, "after the answer", rec.span(answered+0.8, rec.seconds()-0.3), rec.rate, toneCallee)
	checkPortsReleased(t, in)
}

// addDialplan adds lines to [work] (where the phones start) and whole
// contexts after it.
func addDialplan(work string, contexts string) func(map[string]string) {
	return func(f map[string]string) {
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "[work]\n", "[work]\n"+work, 1) + "\n" + contexts
	}
}

// fullLog is the daemon's "full" log file (verbose lines included).
func fullLog(t *testing.T, in *harness.Instance) string {
	t.Helper()
	b, err := os.ReadFile(in.Path("var", "log", "full"))
	if err != nil {
		t.Fatalf("full log: %v", err)
	}
	return string(b)
}

const soundsEN = "/usr/share/asterisk/sounds/en/"

// TestMediaIVR: an IVR menu (Background + WaitExten); the caller hears
// the menu's prompt (its recording correlates with the sound file),
// presses 2 (RFC 2833) during it and lands in extension 2, which plays a
// 1 kHz tone.
func TestMediaIVR(t *testing.T) {
	requireBaresip(t)
	prompt := soundFile(t, soundsEN+"demo-congrats.wav")
	in := mediaInstance(t, map[string][]string{
		"6001": {"disallow=all", "allow=ulaw"},
	}, addDialplan("exten => 7100,1,Goto(ivr,s,1)\n",
		"[ivr]\n"+
			"exten => s,1,Answer()\n"+
			" same => n,Background(demo-congrats)\n"+
			" same => n,WaitExten(5)\n"+
			"exten => 2,1,NoOp(QOS ${CHANNEL(rtpqos,audio,all)} RX ${CHANNEL(rtpqos,audio,local_count)})\n"+
			" same => n,Playtones(1000)\n"+
			" same => n,Wait(10)\n"+
			" same => n,Hangup()\n"))
	requireApps(t, in, "Background", "WaitExten", "PlayTones")
	caller := phone(t, in, "6001", "PCMU", 0)
	dial(t, in, caller, nil, "7100")
	start := time.Now()
	time.Sleep(3 * time.Second)
	pressed := time.Since(start).Seconds()
	caller.command("sndcode", "2")
	time.Sleep(2500 * time.Millisecond)
	hangup(t, caller, nil)
	caller.Stop()

	rec := caller.lastRecording(t)
	t.Logf("6001 recorded %.1f s, pressed 2 at %.1f s", rec.seconds(), pressed)
	c, lag := bestCorrelation(rec.span(1, 2), prompt.span(0, 4))
	t.Logf("before the digit: correlation %.3f with demo-congrats at %.2f s", c, float64(lag)/8000)
	if c < 0.8 {
		t.Errorf("the caller did not hear demo-congrats (best correlation %.2f)", c)
	}
	checkTone(t, "after the digit", rec.span(pressed+1, rec.seconds()-0.3), rec.rate, 1000)
	log := fullLog(t, in)
	for _, want := range []string{
		"Playing 'demo-congrats.slin' (language 'en')",
		"Executing [2@ivr:2] PlayTones(",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("full log lacks %q", want)
		}
	}
	checkRTPQoS(t, log)
}

// checkRTPQoS reads the CHANNEL(rtpqos,audio,all) the IVR logged after
// about 3 s of the caller's RTP: packets counted, the caller's SSRC
// seen, a jitter figure in seconds that a loopback call keeps small.
var qosLine = regexp.MustCompile(`QOS ssrc=(\d+);themssrc=(\d+);lp=(\d+);rxjitter=([0-9.]+);rxcount=(\d+);txjitter=[0-9.]+;txcount=(\d+);rlp=0;rtt=[0-9.]+ RX (\d+)`)

func checkRTPQoS(t *testing.T, log string) {
	t.Helper()
	m := qosLine.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no CHANNEL(rtpqos) line in the log")
	}
	num := func(i int) float64 { f, _ := strconv.ParseFloat(m[i], 64); return f }
	t.Logf("rtpqos: %s", m[0])
	if num(2) == 0 || num(1) == 0 {
		t.Errorf("SSRCs not known: %s", m[0])
	}
	if rx := num(5); rx < 100 || rx > 600 || num(7) < rx {
		t.Errorf("rxcount %v after about 3 s of 50 packets/s (local_count %v)", rx, num(7))
	}
	if num(6) < 100 {
		t.Errorf("txcount %v while the prompt played", num(6))
	}
	if j := num(4); j <= 0 || j > 0.05 {
		t.Errorf("rxjitter %v s on a loopback call", j)
	}
}

// TestMediaRecordPlayback: a caller's 1 kHz tone is recorded with
// Record(), then played back with Playback() to a second call, whose
// recording shows the tone.
func TestMediaRecordPlayback(t *testing.T) {
	requireBaresip(t)
	dir := t.TempDir()
	rec := filepath.Join(dir, "e2e-rec")
	in := mediaInstance(t, map[string][]string{
		"6001": {"disallow=all", "allow=ulaw"},
	}, func(f map[string]string) {
		// An A-law phone for the playback: the file is translated.
		f["sip.conf"] += "\n[6002]\ntype=friend\nhost=dynamic\nsecret=test\ncontext=work\ndisallow=all\nallow=alaw\n"
		addDialplan("exten => 7200,1,Answer()\n"+
			" same => n,Record("+rec+".wav,0,3,q)\n"+
			" same => n,Hangup()\n"+
			"exten => 7201,1,Answer()\n"+
			" same => n,Playback("+rec+")\n"+
			" same => n,Hangup()\n", "")(f)
	})
	requireApps(t, in, "Record", "Playback")
	first := phone(t, in, "6001", "PCMU", 1000)
	dial(t, in, first, nil, "7200")
	if err := first.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Fatal(err) // Record stops after 3 s and the dialplan hangs up
	}
	file, err := readWAVPCM(rec + ".wav")
	if err != nil {
		t.Fatalf("the recording: %v", err)
	}
	t.Logf("recorded %.2f s", file.seconds())
	if file.seconds() < 2 || file.seconds() > 3.5 {
		t.Errorf("recorded %.2f s, want about 3 (maxduration)", file.seconds())
	}
	checkTone(t, "the recorded file", file.span(0.5, 2.5), file.rate, 1000)

	second := phone(t, in, "6002", "PCMA", 440)
	dial(t, in, second, nil, "7201")
	if err := second.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Fatal(err) // Playback ends with the file
	}
	second.Stop()
	if !strings.Contains(second.out.String(), "Set audio decoder: PCMA") {
		t.Errorf("the second call is not A-law:\n%s", second.out.String())
	}
	heard := second.lastRecording(t)
	t.Logf("6002 heard %.2f s", heard.seconds())
	checkTone(t, "the playback", heard.span(0.7, 2.3), heard.rate, 1000)
	checkPortsReleased(t, in)
}

// TestMediaSayNumberFrench: SayNumber(42) to a phone with language=fr
// plays digits/40 then digits/2 from the French sounds, audibly.
func TestMediaSayNumberFrench(t *testing.T) {
	requireBaresip(t)
	forty := soundFile(t, "/usr/share/asterisk/sounds/fr/digits/40.wav")
	in := mediaInstance(t, map[string][]string{
		"6001": {"disallow=all", "allow=ulaw", "language=fr"},
	}, addDialplan("exten => 7300,1,Answer()\n"+
		" same => n,SayNumber(42)\n"+
		" same => n,Hangup()\n", ""))
	requireApps(t, in, "SayNumber")
	caller := phone(t, in, "6001", "PCMU", 0)
	dial(t, in, caller, nil, "7300")
	if err := caller.waitEvent("CALL_CLOSED", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	caller.Stop()
	log := fullLog(t, in)
	re := regexp.MustCompile(`Playing '([^']+)' \(language '([^']+)'\)`)
	var got []string
	for _, m := range re.FindAllStringSubmatch(log, -1) {
		got = append(got, m[1]+" "+m[2])
	}
	if want := []string{"digits/40.slin fr", "digits/2.slin fr"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("played %q, want %q", got, want)
	}
	rec := caller.lastRecording(t)
	t.Logf("6001 heard %.2f s, RMS %.0f", rec.seconds(), rms(rec.samples))
	if rms(rec.samples) < 300 {
		t.Errorf("SayNumber's audio is silent (RMS %.0f)", rms(rec.samples))
	}
	c, lag := bestCorrelation(forty.span(0.1, 0.4), rec.span(0, 2))
	t.Logf("digits/40 found in the recording at %.2f s (correlation %.3f)", float64(lag)/8000, c)
	if c < 0.8 {
		t.Errorf("the caller did not hear fr/digits/40 (best correlation %.2f)", c)
	}
}

// TestMediaDTMFInfoToRFC2833: 6000 (sipp, dtmfmode=info) calls baresip
// 6001 and sends digits as INFO; 6001 receives them as RFC 2833
// telephone-events (baresip reports each as CALL_DTMF_START), in order.
func TestMediaDTMFInfoToRFC2833(t *testing.T) {
	requireBaresip(t)
	harness.RequireSipp(t)
	in := mediaInstance(t, map[string][]string{
		"6000": {"dtmfmode=info", "disallow=all", "allow=ulaw"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, nil)
	callee := startPhone(t, in, baresipConfig{User: "6001", Codecs: "PCMU", SIPTrace: true}, 440)
	uac := harness.Sipp{Scenario: callScenario(t, "media-uac-6000-info.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 20 * time.Second}
	waitUAC := uac.Start(t)
	if err := callee.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
		t.Fatal(err)
	}
	digits := strings.Join(callee.collectEvents("CALL_DTMF_START", 8*time.Second), "")
	if res := waitUAC(); res.ExitCode != 0 {
		t.Fatalf("uac exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	t.Logf("6001 received digits %q", digits)
	if digits != "5#9" {
		t.Errorf("6001 received RFC 2833 digits %q, want %q", digits, "5#9")
	}
	// baresip reports INFO digits the same way: none may have come so.
	// (Its SIP trace shows requests as they arrive.)
	if !strings.Contains(callee.out.String(), "INVITE sip:6001") {
		t.Fatal("6001's output has no SIP trace")
	}
	if strings.Contains(callee.out.String(), "INFO sip:") {
		t.Errorf("6001 (dtmfmode=rfc2833) was sent INFO requests:\n%s", callee.out.String())
	}
	if !strings.Contains(callee.out.String(), "telephone-event/8000") {
		t.Errorf("no telephone-event in 6001's SDP exchange")
	}
}

// TestMediaDTMFInband: 6000 has dtmfmode=inband. Digits it plays as
// tones in its audio reach baresip 6001 as RFC 2833 events (gostrisk
// detects them), and a digit 6001 sends as an RFC 2833 event reaches
// 6000 as its two tones in the audio.
func TestMediaDTMFInband(t *testing.T) {
	requireBaresip(t)
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw", "dtmfmode=inband"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, nil)
	src := filepath.Join(t.TempDir(), "dtmf.wav")
	writeDTMFWAV(t, src, 30, 1, "75#")
	callee := startPhone(t, in, baresipConfig{User: "6000", Codecs: "PCMU", Source: src}, 0)
	caller := phone(t, in, "6001", "PCMU", 0)
	dial(t, in, caller, callee, "6000")
	if tech := bridgeTech(t, in); tech != "simple_bridge" {
		t.Errorf("bridge technology %s, want simple_bridge (inband digits need the audio)", tech)
	}
	caller.command("sndcode", "9")
	got := strings.Join(caller.collectEvents("CALL_DTMF_START", 2500*time.Millisecond), "")
	hangup(t, caller, callee)
	callee.Stop()
	caller.Stop()
	t.Logf("6001 received %q", got)
	if got != "75#" {
		t.Errorf("6001 received RFC 2833 digits %q, want %q (detected in 6000's audio)", got, "75#")
	}
	// The loudest 100 ms of what 6000 heard (the rest is silence) is the
	// digit 9: 852 and 1477 Hz, half the energy each.
	rec := callee.lastRecording(t)
	best, at := 0.0, 0
	for i := 0; i+800 <= len(rec.samples); i += 200 {
		if r := rms(rec.samples[i : i+800]); r > best {
			best, at = r, i
		}
	}
	w := rec.samples[at : at+min(800, len(rec.samples)-at)]
	low, high := goertzelShare(w, 852, 8000), goertzelShare(w, 1477, 8000)
	t.Logf("6000 heard its loudest 100 ms at %.2f s: RMS %.0f, 852 Hz share %.2f, 1477 Hz share %.2f", float64(at)/8000, best, low, high)
	if best < 1000 || low < 0.3 || high < 0.3 {
		t.Errorf("6000 did not hear the digit 9 inband (RMS %.0f, 852 Hz share %.2f, 1477 Hz share %.2f)", best, low, high)
	}
}
