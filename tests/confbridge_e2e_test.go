package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// confPhone is a phone in a conference test: the tone it plays and when
// its call was established.
type confPhone struct {
	*baresip
	freq   float64
	joined time.Time
}

// confInstance starts gostrisk with three ulaw phones (6000, 6001, 6002),
// confbridge.conf and the dialplan given.
func confInstance(t *testing.T, confbridge, dialplan string) *harness.Instance {
	t.Helper()
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, func(f map[string]string) {
		f["sip.conf"] += "\n[6002]\ntype=friend\nhost=dynamic\nsecret=test\ncontext=work\ndisallow=all\nallow=ulaw\n"
		f["confbridge.conf"] = confbridge
		addDialplan(dialplan, "")(f)
	})
	requireApps(t, in, "ConfBridge")
	return in
}

// joinConf dials exten from each phone in turn.
func joinConf(t *testing.T, in *harness.Instance, exten string, phones ...*confPhone) {
	t.Helper()
	for _, p := range phones {
		dial(t, in, p.baresip, nil, exten)
		p.joined = time.Now()
		time.Sleep(700 * time.Millisecond)
	}
}

// heardBetween is what p heard between two instants of the test.
func (p *confPhone) heardBetween(t *testing.T, a, b time.Time) ([]float64, int) {
	t.Helper()
	rec := p.lastRecording(t)
	from, to := a.Sub(p.joined).Seconds(), b.Sub(p.joined).Seconds()
	if to > rec.seconds() {
		to = rec.seconds()
	}
	return rec.span(from, to), rec.rate
}

// checkHears checks which tones a stretch of audio holds: those of want
// clearly, those of not barely.
func checkHears(t *testing.T, what string, s []float64, rate int, want, not []float64) {
	t.Helper()
	for _, f := range want {
		if sh := goertzelShare(s, f, rate); sh < 0.08 {
			t.Errorf("%s: %v Hz missing (share %.3f)", what, f, sh)
		}
	}
	for _, f := range not {
		if sh := goertzelShare(s, f, rate); sh > 0.02 {
			t.Errorf("%s: %v Hz should not be there (share %.3f)", what, f, sh)
		}
	}
}

var (
	confListHeader = "Conference Bridge Name           Users  Marked Locked Muted\n" +
		"================================ ====== ====== ====== =====\n"
	confUsersHeader = "Channel                        Flags  User Profile     Bridge Profile   Menu             CallerID\n" +
		"============================== ====== ================ ================ ================ ================\n"
)

// TestConfBridgeThreeCallers: three phones with distinct tones in one
// ConfBridge each hear the two others and not themselves; a DTMF mute
// from the menu takes one tone away from the others; the conference
// recording holds all three tones; "confbridge list" has Asterisk 18's
// layout.
func TestConfBridgeThreeCallers(t *testing.T) {
	requireBaresip(t)
	recFile := filepath.Join(t.TempDir(), "conf500.wav")
	in := confInstance(t,
		"[general]\n"+
			"[rec_bridge]\ntype=bridge\nrecord_conference=yes\nrecord_file="+recFile+"\nrecord_file_timestamp=no\n"+
			"[quiet_user]\ntype=user\nquiet=yes\n"+
			"[mute_menu]\ntype=menu\n1=toggle_mute\n*=leave_conference\n",
		"exten => 8500,1,Answer()\n same => n,ConfBridge(500,rec_bridge,quiet_user,mute_menu)\n same => n,Hangup()\n")
	phones := []*confPhone{
		{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440},
		{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050},
		{baresip: phone(t, in, "6002", "PCMU", 1650), freq: 1650},
	}
	joinConf(t, in, "8500", phones...)
	time.Sleep(1500 * time.Millisecond)
	allIn := time.Now()

	list, _ := in.RX("confbridge list")
	if !strings.HasPrefix(list, confListHeader) {
		t.Errorf("confbridge list header:\n%q", list)
	}
	if !regexp.MustCompile(`(?m)^500 {35}3 {6}0 No {5}No$`).MatchString(list) {
		t.Errorf("confbridge list row:\n%s", list)
	}
	users, _ := in.RX("confbridge list 500")
	if !strings.HasPrefix(users, confUsersHeader) {
		t.Errorf("confbridge list 500 header:\n%q", users)
	}
	row := regexp.MustCompile(`(?m)^SIP/600[012]-[0-9a-f]{8} {21}quiet_user {7}rec_bridge {7}mute_menu {8}600[012]$`)
	if n := len(row.FindAllString(users, -1)); n != 3 {
		t.Errorf("confbridge list 500: %d user rows in Asterisk's layout, want 3:\n%s", n, users)
	}

	time.Sleep(3 * time.Second)
	beforeMute := time.Now()
	phones[2].command("sndcode", "1")
	time.Sleep(3 * time.Second)
	muted, _ := in.RX("confbridge list 500")
	if !regexp.MustCompile(`(?m)^SIP/6002-[0-9a-f]{8} {14}m {6}quiet_user`).MatchString(muted) {
		t.Errorf("6002 is not shown muted after its DTMF 1:\n%s", muted)
	}
	end := time.Now()
	for _, p := range phones {
		hangup(t, p.baresip, nil)
	}
	for _, p := range phones {
		p.Stop()
	}

	freqs := []float64{440, 1050, 1650}
	for i, p := range phones {
		var others []float64
		for j, f := range freqs {
			if j != i {
				others = append(others, f)
			}
		}
		s, rate := p.heardBetween(t, allIn.Add(500*time.Millisecond), beforeMute)
		checkHears(t, p.name+" before the mute", s, rate, others, []float64{p.freq})
	}
	for _, p := range phones[:2] {
		s, rate := p.heardBetween(t, beforeMute.Add(1500*time.Millisecond), end.Add(-300*time.Millisecond))
		var want []float64
		for _, o := range phones[:2] {
			if o != p {
				want = append(want, o.freq)
			}
		}
		checkHears(t, p.name+" after 6002's mute", s, rate, want, []float64{p.freq, 1650})
	}

	// The recording is complete once the last user left.
	var rec pcm
	if !harness.PollUntil(5*time.Second, func() bool {
		var err error
		rec, err = readWAVPCM(recFile)
		return err == nil
	}) {
		entries, _ := os.ReadDir(filepath.Dir(recFile))
		t.Fatalf("no conference recording at %s (dir: %v)", recFile, entries)
	}
	t.Logf("conference recording: %.1f s", rec.seconds())
	if rec.seconds() < 5 {
		t.Fatalf("conference recording is %.1f s long", rec.seconds())
	}
	// The recording started with the first caller: the stretch where all
	// three talked is at the same offset.
	from := allIn.Sub(phones[0].joined).Seconds()
	to := beforeMute.Sub(phones[0].joined).Seconds()
	checkHears(t, "the conference recording", rec.span(from+0.5, to), rec.rate, freqs, nil)
	log := fullLog(t, in)
	for _, want := range []string{"joined 'softmix' base-bridge", "Conference '500' created"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// TestConfBridgeWaitMarked: a wait_marked user waits (shown 'Ww', hears
// nobody) until the marked user comes, then they hear each other.
func TestConfBridgeWaitMarked(t *testing.T) {
	requireBaresip(t)
	in := confInstance(t,
		"[waiter]\ntype=user\nwait_marked=yes\nquiet=yes\n"+
			"[leader]\ntype=user\nmarked=yes\nquiet=yes\n",
		"exten => 8501,1,ConfBridge(501,,waiter)\n same => n,Hangup()\n"+
			"exten => 8502,1,ConfBridge(501,,leader)\n same => n,Hangup()\n")
	waiter := &confPhone{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440}
	leader := &confPhone{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050}
	other := &confPhone{baresip: phone(t, in, "6002", "PCMU", 1650), freq: 1650}
	joinConf(t, in, "8501", waiter)
	joinConf(t, in, "8501", other)
	time.Sleep(2 * time.Second)
	waiting := time.Now()
	out, _ := in.RX("confbridge list 501")
	if n := len(regexp.MustCompile(`(?m)^SIP/600[02]-[0-9a-f]{8} {14}Ww {5}waiter `).FindAllString(out, -1)); n != 2 {
		t.Errorf("the two waiting users are not listed with flags Ww:\n%s", out)
	}
	joinConf(t, in, "8502", leader)
	time.Sleep(3 * time.Second)
	out, _ = in.RX("confbridge list 501")
	if !regexp.MustCompile(`(?m)^SIP/6001-[0-9a-f]{8} {14}M {6}leader `).MatchString(out) ||
		!regexp.MustCompile(`(?m)^SIP/6000-[0-9a-f]{8} {14}W {6}waiter `).MatchString(out) {
		t.Errorf("after the leader came:\n%s", out)
	}
	list, _ := in.RX("confbridge list")
	if !regexp.MustCompile(`(?m)^501 {35}3 {6}1 No {5}No$`).MatchString(list) {
		t.Errorf("confbridge list:\n%s", list)
	}
	end := time.Now()
	for _, p := range []*confPhone{waiter, other, leader} {
		hangup(t, p.baresip, nil)
		p.Stop()
	}
	s, rate := waiter.heardBetween(t, waiter.joined.Add(500*time.Millisecond), waiting)
	checkHears(t, "6000 while waiting", s, rate, nil, []float64{440, 1050, 1650})
	s, rate = waiter.heardBetween(t, leader.joined.Add(1500*time.Millisecond), end.Add(-300*time.Millisecond))
	checkHears(t, "6000 with the leader in", s, rate, []float64{1050, 1650}, []float64{440})
}

// TestMixMonitorCall: MixMonitor before a Dial records both parties'
// tones in one file (the bridge leaves the native relay for it), and its
// post command runs once the file is complete; a MixMonitor into a
// directory that cannot be written logs an error and the call goes on.
func TestMixMonitorCall(t *testing.T) {
	requireBaresip(t)
	dir := t.TempDir()
	rec := filepath.Join(dir, "call.wav")
	done := filepath.Join(dir, "post-command-ran")
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, addDialplan("exten => 8600,1,MixMonitor(/proc/no-such-dir/x.wav)\n"+
		" same => n,MixMonitor("+rec+",,cp ^{MIXMONITOR_FILENAME} "+done+")\n"+
		" same => n,Dial(SIP/6001,20)\n same => n,Hangup()\n", ""))
	requireApps(t, in, "MixMonitor")
	caller := phone(t, in, "6000", "PCMU", 440)
	callee := phone(t, in, "6001", "PCMU", 1050)
	dial(t, in, caller, callee, "8600")
	time.Sleep(4 * time.Second)
	tech := bridgeTech(t, in)
	if tech != "simple_bridge" {
		t.Errorf("bridge technology %q while MixMonitor records, want simple_bridge (frames)", tech)
	}
	hangup(t, caller, callee)
	caller.Stop()
	callee.Stop()
	var file pcm
	if !harness.PollUntil(5*time.Second, func() bool {
		_, err := os.Stat(done)
		return err == nil
	}) {
		t.Fatalf("the post command did not run (no %s)", done)
	}
	file, err := readWAVPCM(rec)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %.1f s", file.seconds())
	checkHears(t, "the MixMonitor file", file.span(0.5, file.seconds()-0.5), file.rate, []float64{440, 1050}, nil)
	copied, err := readWAVPCM(done)
	if err != nil || copied.seconds() != file.seconds() {
		t.Errorf("the post command's copy of MIXMONITOR_FILENAME: %.2f s, %v", copied.seconds(), err)
	}
	// The file logger flushes shortly after a burst: the last line may
	// land after the post command's file.
	for _, want := range []string{"ERROR", "Cannot open /proc/no-such-dir/x.wav", "Begin MixMonitor Recording", "End MixMonitor Recording"} {
		if !harness.PollUntil(3*time.Second, func() bool { return strings.Contains(fullLog(t, in), want) }) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// TestMeetMeMapped: MeetMe(600,dq) puts two phones in one room on the
// conference mixer: each hears the other, not itself; "meetme list" has
// app_meetme's layout.
func TestMeetMeMapped(t *testing.T) {
	requireBaresip(t)
	in := confInstance(t, "", "exten => 8600,1,MeetMe(600,dq)\n same => n,Hangup()\n")
	requireApps(t, in, "MeetMe")
	a := &confPhone{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440}
	b := &confPhone{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050}
	joinConf(t, in, "8600", a, b)
	time.Sleep(2500 * time.Millisecond)
	out, _ := in.RX("meetme list")
	for _, re := range []string{
		`^Conf Num       Parties        Marked     Activity  Creation  Locked\n`,
		`(?m)^600            0002\t      N/A        00:00:0\d  Dynamic   No    $`,
		`(?m)^\* Total number of MeetMe users: 2$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("meetme list lacks %q:\n%s", re, out)
		}
	}
	end := time.Now()
	for _, p := range []*confPhone{a, b} {
		hangup(t, p.baresip, nil)
		p.Stop()
	}
	s, rate := a.heardBetween(t, b.joined.Add(time.Second), end.Add(-300*time.Millisecond))
	checkHears(t, "6000 in MeetMe 600", s, rate, []float64{1050}, []float64{440})
	s, rate = b.heardBetween(t, b.joined.Add(time.Second), end.Add(-300*time.Millisecond))
	checkHears(t, "6001 in MeetMe 600", s, rate, []float64{440}, []float64{1050})
}

// TestMixMonitorTrunkCall: MixMonitor(${UNIQUEID}.wav) before a Dial
// through the trunk (issue 22's report: the call failed) records both
// parties, the phone's 1050 Hz and the trunk's 440 Hz, in the monitor
// directory, and the post command runs.
func TestMixMonitorTrunkCall(t *testing.T) {
	requireBaresip(t)
	trunk := startFakeTrunk(t, "127.0.0.1", trunkChallenge)
	trunk.tone, trunk.packets = 440, 200
	spool := t.TempDir()
	in := mediaInstance(t, map[string][]string{"6000": {"disallow=all", "allow=ulaw"}}, func(f map[string]string) {
		f["sip.conf"] = strings.Replace(f["sip.conf"], "port=5070", "port="+strconv.Itoa(trunk.port()), 1)
		f["asterisk.conf"] = regexp.MustCompile(`(?m)^astspooldir\s*=>.*$`).ReplaceAllString(f["asterisk.conf"], "astspooldir => "+spool)
		addDialplan("exten => 0612345678,1,MixMonitor(${UNIQUEID}.wav,,touch "+spool+"/post-^{UNIQUEID})\n"+
			" same => n,Dial(SIP/trunk-ovh/${EXTEN},20)\n same => n,Hangup()\n", "")(f)
	})
	requireApps(t, in, "MixMonitor")
	caller := phone(t, in, "6000", "PCMU", 1050)
	dial(t, in, caller, nil, "0612345678")
	time.Sleep(4500 * time.Millisecond)
	hangup(t, caller, nil)
	caller.Stop()
	var files []string
	harness.PollUntil(5*time.Second, func() bool {
		files, _ = filepath.Glob(filepath.Join(spool, "monitor", "*.wav"))
		return len(files) == 1
	})
	if len(files) != 1 {
		t.Fatalf("recordings in %s/monitor: %v", spool, files)
	}
	uid := strings.TrimSuffix(filepath.Base(files[0]), ".wav")
	if !harness.PollUntil(5*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(spool, "post-"+uid))
		return err == nil
	}) {
		t.Errorf("the post command did not run for %s", uid)
	}
	rec, err := readWAVPCM(files[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %.1f s", rec.seconds())
	// The trunk plays 4 s of 440 Hz once it answered.
	checkHears(t, "the trunk call's recording", rec.span(0.5, 3.5), rec.rate, []float64{440, 1050}, nil)
}

// TestConfBridgeMusicWhenAlone: a user with music_on_hold_when_empty
// hears the default class while alone, and the other caller once they
// come.
func TestConfBridgeMusicWhenAlone(t *testing.T) {
	requireBaresip(t)
	music := soundFile(t, mohFile)
	in := confInstance(t, "[moh_user]\ntype=user\nquiet=yes\nmusic_on_hold_when_empty=yes\n",
		"exten => 8700,1,ConfBridge(700,,moh_user)\n same => n,Hangup()\n")
	alone := &confPhone{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440}
	other := &confPhone{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050}
	joinConf(t, in, "8700", alone)
	time.Sleep(3500 * time.Millisecond)
	joinConf(t, in, "8700", other)
	time.Sleep(3 * time.Second)
	end := time.Now()
	for _, p := range []*confPhone{alone, other} {
		hangup(t, p.baresip, nil)
		p.Stop()
	}
	s, _ := alone.heardBetween(t, alone.joined.Add(1500*time.Millisecond), alone.joined.Add(2500*time.Millisecond))
	c, lag := bestCorrelation(s, music.span(0, 6))
	t.Logf("alone: correlation %.3f with %s at %.2f s", c, mohFile, float64(lag)/8000)
	if c < 0.8 {
		t.Errorf("the lone user did not hear the music (best correlation %.2f)", c)
	}
	s, rate := alone.heardBetween(t, other.joined.Add(1200*time.Millisecond), end.Add(-300*time.Millisecond))
	checkHears(t, "6000 once 6001 came", s, rate, []float64{1050}, []float64{440})
	if strings.Contains(fullLog(t, in), "Started music on hold, class 'default', on channel 'SIP/6000") == false {
		t.Error("no 'Started music on hold' line for 6000")
	}
}

// TestConfBridgeRTPTimeout: a participant whose phone dies (no BYE, no
// more RTP) is dropped by rtptimeout; the two others stay and still hear
// each other.
func TestConfBridgeRTPTimeout(t *testing.T) {
	requireBaresip(t)
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw"},
		"6001": {"disallow=all", "allow=ulaw"},
	}, func(f map[string]string) {
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n", "[general]\nrtptimeout=3\n", 1)
		f["sip.conf"] += "\n[6002]\ntype=friend\nhost=dynamic\nsecret=test\ncontext=work\ndisallow=all\nallow=ulaw\n"
		f["confbridge.conf"] = "[q]\ntype=user\nquiet=yes\n"
		addDialplan("exten => 8800,1,ConfBridge(800,,q)\n same => n,Hangup()\n", "")(f)
	})
	requireApps(t, in, "ConfBridge")
	a := &confPhone{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440}
	b := &confPhone{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050}
	dead := &confPhone{baresip: phone(t, in, "6002", "PCMU", 1650), freq: 1650}
	joinConf(t, in, "8800", a, b, dead)
	time.Sleep(time.Second)
	dead.cmd.Process.Kill()
	killed := time.Now()
	if !harness.PollUntil(10*time.Second, func() bool {
		out, _ := in.RX("confbridge list 800")
		return strings.Count(out, "SIP/600") == 2 && !strings.Contains(out, "SIP/6002")
	}) {
		out, _ := in.RX("confbridge list 800")
		t.Fatalf("6002 is still in the conference %v after its phone died:\n%s", time.Since(killed).Round(time.Second), out)
	}
	gone := time.Now()
	t.Logf("6002 dropped %.1f s after its phone died", gone.Sub(killed).Seconds())
	time.Sleep(2 * time.Second)
	end := time.Now()
	for _, p := range []*confPhone{a, b} {
		hangup(t, p.baresip, nil)
		p.Stop()
	}
	s, rate := a.heardBetween(t, gone.Add(300*time.Millisecond), end.Add(-300*time.Millisecond))
	checkHears(t, "6000 after 6002 was dropped", s, rate, []float64{1050}, []float64{440, 1650})
	if !strings.Contains(fullLog(t, in), "SIP/6002") {
		t.Error("nothing logged about 6002")
	}
}
