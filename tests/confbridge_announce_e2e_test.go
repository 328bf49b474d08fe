package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// confUserRow is a SIP user's row in "confbridge list <conf>".
var confUserRow = regexp.MustCompile(`(?m)^SIP/600[0-9]-[0-9a-f]{8} `)

// TestConfBridgeAnnounceJoinLeave: a caller of an announce_join_leave
// profile records its name (its tone, ended by '#') before joining; the
// other participant hears that recording when it joins and when it
// leaves. The named caller is muted, so the only way its tone reaches
// the other is the announcement.
func TestConfBridgeAnnounceJoinLeave(t *testing.T) {
	requireBaresip(t)
	in := confInstance(t,
		"[listener]\ntype=user\nquiet=yes\n"+
			"[named]\ntype=user\nquiet=yes\nstartmuted=yes\nannounce_join_leave=yes\n",
		"exten => 8510,1,ConfBridge(510,,listener)\n same => n,Hangup()\n"+
			"exten => 8511,1,ConfBridge(510,,named)\n same => n,Hangup()\n")
	listener := &confPhone{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440}
	named := &confPhone{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050}
	joinConf(t, in, "8510", listener)
	time.Sleep(time.Second)
	joinConf(t, in, "8511", named)
	// vm-rec-name and the beep (4.7 s), then about three seconds of name.
	time.Sleep(7500 * time.Millisecond)
	named.command("sndcode", "#")
	if !harness.PollUntil(5*time.Second, func() bool {
		out, _ := in.RX("confbridge list 510")
		return len(confUserRow.FindAllString(out, -1)) == 2
	}) {
		out, _ := in.RX("confbridge list 510")
		t.Fatalf("the named caller did not join after '#':\n%s", out)
	}
	// The name (about 3 s) and conf-hasjoin (1.8 s), then quiet.
	time.Sleep(10 * time.Second)
	hangup(t, named.baresip, nil)
	time.Sleep(5 * time.Second)
	hangup(t, listener.baresip, nil)
	listener.Stop()
	named.Stop()

	// Where the listener heard 1050 Hz, by half seconds: the phones'
	// recordings drift from the wall clock on a loaded machine, so the
	// test looks for the two announcements in the audio itself.
	rec := listener.lastRecording(t)
	var heard []bool
	for at := 0.0; at+0.5 <= rec.seconds(); at += 0.5 {
		heard = append(heard, goertzelShare(rec.span(at, at+0.5), 1050, rec.rate) > 0.3)
	}
	type burst struct{ from, to int } // half seconds, to excluded
	var bursts []burst
	for i, h := range heard {
		switch {
		case !h:
		case len(bursts) > 0 && i-bursts[len(bursts)-1].to <= 1:
			bursts[len(bursts)-1].to = i + 1
		default:
			bursts = append(bursts, burst{i, i + 1})
		}
	}
	t.Logf("1050 Hz heard by 6000 (half seconds): %v of %d", bursts, len(heard))
	switch {
	case len(bursts) != 2:
		t.Errorf("6000 heard 6001's name %d times, want 2 (join, leave): %v", len(bursts), bursts)
	case bursts[0].from < 8:
		// 6001 dials about 1.7 s after 6000 and records 7.5 s.
		t.Errorf("6000 heard 1050 Hz %.1f s after it joined, before 6001 recorded its name", float64(bursts[0].from)/2)
	case bursts[0].to-bursts[0].from < 3 || bursts[1].to-bursts[1].from < 3:
		t.Errorf("announcements too short (want 1.5 s or more of the name): %v", bursts)
	case bursts[1].from-bursts[0].to < 6:
		// Muted, 6001 is heard only through the announcements.
		t.Errorf("the announcements are %.1f s apart, want 3 s or more of 6001 muted in between", float64(bursts[1].from-bursts[0].to)/2)
	}
}

// TestMixMonitorLegs: MixMonitor's r and t options write what the caller
// says and what it hears to two files of their own, beside the mixed one.
func TestMixMonitorLegs(t *testing.T) {
	requireBaresip(t)
	dir := t.TempDir()
	mixed, rx, tx := filepath.Join(dir, "mix.wav"), filepath.Join(dir, "rx.wav"), filepath.Join(dir, "tx.wav")
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, addDialplan("exten => 8601,1,MixMonitor("+mixed+",r("+rx+")t("+tx+")i(MMID))\n"+
		" same => n,Dial(SIP/6001,20)\n same => n,Hangup()\n", ""))
	requireApps(t, in, "MixMonitor")
	caller := phone(t, in, "6000", "PCMU", 440)
	callee := phone(t, in, "6001", "PCMU", 1050)
	dial(t, in, caller, callee, "8601")
	time.Sleep(4 * time.Second)
	hangup(t, caller, callee)
	caller.Stop()
	callee.Stop()
	read := func(path string) pcm {
		t.Helper()
		var p pcm
		if !harness.PollUntil(5*time.Second, func() bool {
			var err error
			p, err = readWAVPCM(path)
			return err == nil
		}) {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("no recording %s (dir: %v)", path, entries)
		}
		return p
	}
	for _, tc := range []struct {
		path      string
		want, not []float64
	}{
		{mixed, []float64{440, 1050}, nil},
		{rx, []float64{440}, []float64{1050}},
		{tx, []float64{1050}, []float64{440}},
	} {
		f := read(tc.path)
		t.Logf("%s: %.1f s", filepath.Base(tc.path), f.seconds())
		if f.seconds() < 2 {
			t.Errorf("%s is %.1f s long", tc.path, f.seconds())
			continue
		}
		checkHears(t, filepath.Base(tc.path), f.span(0.5, f.seconds()-0.5), f.rate, tc.want, tc.not)
	}
}

// TestMixMonitorToMailbox: MixMonitor's m option leaves the mixed
// recording of a call in a mailbox as a new message (both parties' tones
// in it), the mailbox counts it, and d removes
// the recording from the monitor directory.
func TestMixMonitorToMailbox(t *testing.T) {
	requireBaresip(t)
	spool := t.TempDir()
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, func(f map[string]string) {
		f["asterisk.conf"] = regexp.MustCompile(`(?m)^astspooldir\s*=>.*$`).ReplaceAllString(f["asterisk.conf"], "astspooldir => "+spool)
		f["voicemail.conf"] = "[general]\nformat=wav\n[default]\n7000 => 1234,Team Lead\n"
		addDialplan("exten => 8602,1,MixMonitor(call-${UNIQUEID}.wav,m(7000@default)d)\n"+
			" same => n,Dial(SIP/6001,20)\n same => n,Hangup()\n", "")(f)
	})
	requireApps(t, in, "MixMonitor", "VoiceMail")
	caller := phone(t, in, "6000", "PCMU", 440)
	callee := phone(t, in, "6001", "PCMU", 1050)
	dial(t, in, caller, callee, "8602")
	time.Sleep(4 * time.Second)
	hangup(t, caller, callee)
	caller.Stop()
	callee.Stop()
	inbox := filepath.Join(spool, "voicemail", "default", "7000", "INBOX")
	if !harness.PollUntil(8*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(inbox, "msg0000.txt"))
		return err == nil
	}) {
		entries, _ := os.ReadDir(inbox)
		t.Fatalf("no message in %s: %v\n%s", inbox, entries, fullLog(t, in))
	}
	txt, _ := os.ReadFile(filepath.Join(inbox, "msg0000.txt"))
	// Asterisk puts the connected line (6001) there; gostrisk's Dial does
	// not give the caller's channel its connected line yet, so MixMonitor
	// falls back to the channel's own caller ID.
	if !regexp.MustCompile(`(?m)^callerid=.*<600[01]>$`).Match(txt) || !regexp.MustCompile(`(?m)^duration=[2-9]$`).Match(txt) {
		t.Errorf("msg0000.txt:\n%s", txt)
	}
	msg, err := readWAVPCM(filepath.Join(inbox, "msg0000.wav"))
	if err != nil {
		t.Fatal(err)
	}
	checkHears(t, "the message", msg.span(0.5, msg.seconds()-0.5), msg.rate, []float64{440, 1050}, nil)
	left, _ := filepath.Glob(filepath.Join(spool, "monitor", "call-*"))
	if len(left) != 0 {
		t.Errorf("d left the recording: %v", left)
	}
	if out, _ := in.RX("voicemail show users"); !regexp.MustCompile(`(?m)^default +7000 +Team Lead +1$`).MatchString(out) {
		t.Errorf("voicemail show users:\n%s", out)
	}
}
