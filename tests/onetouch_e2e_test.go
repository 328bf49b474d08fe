package tests

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestOneTouchRecording: in a Dial(...,xXwW) call from 6001, 6000 presses
// automixmon (*3) or automon (*1): the other party's channel is recorded
// (MixMonitor, or Monitor with its legs joined) into
// auto-<time>-<presser>-<other>.wav in the monitor directory, both hear
// the courtesy tone, and a second press stops the recording while the
// call goes on; the file holds both parties' tones.
func TestOneTouchRecording(t *testing.T) {
	for _, tc := range []struct{ name, code, app string }{
		{"automixmon", "*3", "AutoMixMonitor"},
		{"automon", "*1", "AutoMonitor"},
	} {
		t.Run(tc.name, func(t *testing.T) { oneTouch(t, tc.code, tc.app) })
	}
}

func oneTouch(t *testing.T, code, app string) {
	requireBaresip(t)
	const toneA, toneB = 440.0, 1000.0
	in := transferInstance(t, func(f map[string]string) {
		f["extensions.conf"] = strings.Replace(f["extensions.conf"], "Dial(SIP/${EXTEN},20)", "Dial(SIP/${EXTEN},20,xXwW)", 1)
		f["features.conf"] = "[general]\ncourtesytone = beep\n[featuremap]\nautomon => *1\nautomixmon => *3\n"
		// The features' log lines are level 4.
		f["asterisk.conf"] = regexp.MustCompile(`(?m)^;?\s*verbose\s*=.*$`).ReplaceAllString(f["asterisk.conf"], "verbose = 4")
	})
	requireApps(t, in, "MixMonitor", "Monitor")
	b := phone(t, in, "6000", "PCMU", toneB)
	a := phone(t, in, "6001", "PCMU", toneA)
	dial(t, in, a, b, "6000")
	time.Sleep(800 * time.Millisecond)
	sendDigits(b, code, 200*time.Millisecond)
	time.Sleep(4 * time.Second)
	mon := in.Path("var", "spool", "monitor")
	if files, _ := filepath.Glob(filepath.Join(mon, "auto-*.wav")); len(files) != 0 {
		t.Errorf("a recording file is complete before the feature stopped it: %v", files)
	}
	sendDigits(b, code, 200*time.Millisecond)
	var files []string
	harness.PollUntil(5*time.Second, func() bool {
		files, _ = filepath.Glob(filepath.Join(mon, "auto-*.wav"))
		return len(files) == 1
	})
	if len(files) != 1 {
		t.Fatalf("recordings in %s: %v", mon, files)
	}
	name := filepath.Base(files[0])
	if !regexp.MustCompile(`^auto-\d{10}-[^-/]+-[^/]+\.wav$`).MatchString(name) {
		t.Errorf("recording named %q, want auto-<time>-<presser>-<other>.wav", name)
	}
	// The call goes on once the recording stopped.
	if chans := in.MustRX("core show channels"); !strings.Contains(chans, "2 active channels") {
		t.Errorf("core show channels after the stop:\n%s", chans)
	}
	hangup(t, a, b)
	a.Stop()
	b.Stop()
	file, err := readWAVPCM(files[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %.1f s", name, file.seconds())
	if file.seconds() < 2.5 || file.seconds() > 6 {
		t.Errorf("recorded %.1f s, want the 4 s between the presses", file.seconds())
	}
	// Both directions are in the file. The threshold is below
	// checkHears' as a loaded machine skews the mix (a share of 0.047
	// was seen at load 21); a missing direction gives about 0.
	span := file.span(1, file.seconds()-1)
	for _, f := range []float64{toneA, toneB} {
		if sh := goertzelShare(span, f, file.rate); sh < 0.02 {
			t.Errorf("the one-touch recording: %v Hz missing (share %.3f)", f, sh)
		}
	}
	logged := name // MixMonitor's name has its format, Monitor's has not
	if app == "AutoMonitor" {
		logged = strings.TrimSuffix(name, ".wav")
	}
	for _, want := range []string{app + " used to record call. Filename: " + logged + "\n", app + " used to stop recording call."} {
		if !harness.PollUntil(3*time.Second, func() bool { return strings.Contains(fullLog(t, in), want) }) {
			t.Errorf("log lacks %q", want)
		}
	}
	checkPortsReleased(t, in)
}
