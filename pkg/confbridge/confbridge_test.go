package confbridge

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

func parse(t *testing.T, text string) *confparse.Config {
	t.Helper()
	cfg, d := confparse.Parse("confbridge.conf", []byte(text), confparse.Options{})
	if d.HasErrors() {
		t.Fatal(d)
	}
	return cfg
}

func TestLoad(t *testing.T) {
	cfg, diags := Load(parse(t, `[general]
[default_user]
type=user
announce_user_count=yes
[admin](!)
type=user
admin=yes
marked=yes
[boss](admin)
pin=1234
music_on_hold_when_empty=yes
dsp_silence_threshold=1000
bogus=1
[big]
type=bridge
max_members=10
internal_sample_rate=16000
mixing_interval=40
video_mode=follow_talker
sound_only_person=custom/alone
record_conference=yes
[menu1]
type=menu
1=toggle_mute
2=playback(tt-monkeys&beep),leave_conference
*9=dialplan_exec(work,100,1)
7=jump_around
`))
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	want := []string{
		"confbridge.conf:13: warning: unknown option 'bogus' in user profile 'boss'",
		"confbridge.conf:19: warning: video_mode=follow_talker ignored: gostrisk conferences carry audio only",
		"confbridge.conf:27: warning: unknown menu action 'jump_around' for DTMF 7",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fmt.Sprint(cfg.Added) != "[Adding default_bridge profile to app_confbridge Adding default_menu menu to app_confbridge]" {
		t.Errorf("added %v", cfg.Added)
	}
	boss := cfg.Users["boss"]
	if boss == nil || !boss.Admin || !boss.Marked || boss.PIN != "1234" || !boss.MusicOnHoldWhenEmpty ||
		boss.SilenceThreshold != time.Second || boss.TalkingThreshold != 160 || !boss.AnnounceOnlyUser {
		t.Errorf("boss: %+v", boss)
	}
	if !cfg.Users["default_user"].AnnounceUserCount {
		t.Error("default_user from the file lost announce_user_count")
	}
	big := cfg.Bridges["big"]
	if big.MaxMembers != 10 || big.SampleRate != 16000 || big.MixingInterval != 40*time.Millisecond || !big.Record ||
		big.Sound("sound_only_person") != "custom/alone" || big.Sound("sound_get_pin") != "conf-getpin" || big.Language != "en" {
		t.Errorf("big: %+v", big)
	}
	m := cfg.Menus["menu1"]
	if len(m.Entries) != 3 || m.Entries[1].Actions[0] != (MenuAction{"playback", "tt-monkeys&beep"}) ||
		m.Entries[1].Actions[1].Name != "leave_conference" || m.Entries[2].Actions[0].Arg != "work,100,1" {
		t.Errorf("menu1: %+v", m.Entries)
	}
}

func TestParseMenuEntry(t *testing.T) {
	for _, tc := range []struct {
		dtmf, value, want, err string
	}{
		{"1", "toggle_mute", "[{toggle_mute }]", ""},
		{"22", "increase_listening_volume, playback_and_continue(a&b)", "[{increase_listening_volume } {playback_and_continue a&b}]", ""},
		{"3", "dialplan_exec(ctx,s,1),leave_conference", "[{dialplan_exec ctx,s,1} {leave_conference }]", ""},
		{"x", "toggle_mute", "", "not a DTMF sequence"},
		{"4", "playback", "", "needs an argument"},
		{"5", "", "", "no action"},
	} {
		e, err := ParseMenuEntry(tc.dtmf, tc.value)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s=%s: error %v, want %q", tc.dtmf, tc.value, err, tc.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(e.Actions) != tc.want {
			t.Errorf("%s=%s: %v %v, want %s", tc.dtmf, tc.value, e.Actions, err, tc.want)
		}
	}
}

// confLab is an engine with the module and fake phones.
type confLab struct {
	t   *testing.T
	eng *pbx.Engine
	m   *Module
}

func newLab(t *testing.T, conf string) *confLab {
	cfg, _ := Load(parse(t, conf))
	eng := pbx.New(pbx.Config{Logger: pbxtest.TLog{T: t}})
	m := New(Options{Log: pbxtest.TLog{T: t}, DataDir: t.TempDir(), SpoolDir: t.TempDir()}, cfg)
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return &confLab{t: t, eng: eng, m: m}
}

type caller struct {
	ph   *pbxtest.Phone
	ch   *pbx.Channel
	done chan pbx.Result
}

// join runs ConfBridge(data) on a new fake channel.
func (l *confLab) join(name, data string, before func(ch *pbx.Channel)) *caller {
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(l.eng, name, "work", "s")
	if before != nil {
		before(ch)
	}
	c := &caller{ph: ph, ch: ch, done: make(chan pbx.Result, 1)}
	go func() {
		res, _ := l.m.exec(ch, data)
		c.done <- res
	}()
	return c
}

func (l *confLab) waitUsers(conf string, n int) *Conference {
	l.t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if c := l.m.Find(conf); c != nil && len(c.Users()) == n {
			return c
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.t.Fatalf("conference %s never had %d users", conf, n)
	return nil
}

func tone(freq float64, n, offset int) media.Frame {
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*freq*float64(offset+i)/8000))
	}
	out := make([]byte, n)
	for i, v := range pcm {
		out[i] = media.LinearToULaw(v)
	}
	return media.VoiceFrame(media.ULaw, out, uint32(offset))
}

// TestConferenceFlow: two quiet users, the CLI's layouts, one user's
// voice heard by the other, CONFBRIDGE_INFO, a dynamic marked profile,
// a DTMF mute and a kick.
func TestConferenceFlow(t *testing.T) {
	l := newLab(t, "[quiet]\ntype=user\nquiet=yes\n[m]\ntype=menu\n1=toggle_mute\n")
	sub := l.eng.Bus().Subscribe()
	defer sub.Close()
	a := l.join("a", "7,,quiet,m", nil)
	l.waitUsers("7", 1) // a first: the list's order is the join order
	b := l.join("b", "7", func(ch *pbx.Channel) {
		for opt, v := range map[string]string{"quiet": "yes", "marked": "yes"} {
			if err := l.m.writeConfbridge(ch, "user,"+opt, v); err != nil {
				t.Fatal(err)
			}
		}
	})
	c := l.waitUsers("7", 2)
	goldenfile.Check(t, "testdata/list.txt", l.m.ShowList())
	out, ok := l.m.ShowConference("7")
	if !ok {
		t.Fatal("no conference 7")
	}
	goldenfile.Check(t, "testdata/list7.txt", out)
	for typ, want := range map[string]string{"parties": "2", "marked": "1", "admins": "0", "locked": "0"} {
		if got, err := l.m.readInfo(nil, typ+",7"); got != want || err != nil {
			t.Errorf("CONFBRIDGE_INFO(%s,7) = %q %v, want %s", typ, got, err, want)
		}
	}
	if got, _ := l.m.readInfo(nil, "parties,nosuch"); got != "0" {
		t.Errorf("CONFBRIDGE_INFO of a missing conference: %q", got)
	}

	// a speaks; b hears it.
	go func() {
		for i := 0; i < 100; i++ {
			_ = a.ph.Say(tone(440, 160, i*160))
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if !b.ph.WaitHeard(60, 5*time.Second) {
		t.Fatal("b heard nothing")
	}
	pcm, err := b.ph.HeardPCM()
	if err != nil {
		t.Fatal(err)
	}
	loud := 0
	for _, v := range pcm {
		if v > 4000 || v < -4000 {
			loud++
		}
	}
	if loud < 1000 {
		t.Errorf("b heard %d loud samples of a's tone", loud)
	}

	if err := a.ph.Press('1'); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !c.Users()[0].Muted() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !c.Users()[0].Muted() {
		t.Error("DTMF 1 (toggle_mute) did not mute a")
	}

	if !c.Kick("all") {
		t.Fatal("kick all found nobody")
	}
	for _, u := range []*caller{a, b} {
		select {
		case res := <-u.done:
			if res.Action != pbx.ActHangup {
				t.Errorf("%s: ConfBridge returned %+v after a kick", u.ch.Name(), res)
			}
			if v, _ := u.ch.Var("CONFBRIDGE_RESULT"); v != "KICKED" {
				t.Errorf("%s: CONFBRIDGE_RESULT=%q", u.ch.Name(), v)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("%s still in the conference after the kick", u.ch.Name())
		}
	}
	deadline = time.Now().Add(2 * time.Second)
	for l.m.Find("7") != nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if l.m.Find("7") != nil {
		t.Error("the conference outlived its users")
	}

	// The manager events, in order, with their own lines.
	var types []string
	var join []pbx.EventField
	for _, ev := range sub.Take() {
		if !strings.HasPrefix(string(ev.Type), "Confbridge") {
			continue
		}
		types = append(types, string(ev.Type))
		if ev.Type == "ConfbridgeJoin" && join == nil {
			join = ev.Fields
			if ev.Channel != a.ch {
				t.Errorf("first ConfbridgeJoin is for %v", ev.Channel)
			}
		}
	}
	want := "ConfbridgeStart ConfbridgeJoin ConfbridgeJoin ConfbridgeMute ConfbridgeLeave ConfbridgeLeave ConfbridgeEnd"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("events:\n%s\nwant\n%s", got, want)
	}
	var keys []string
	for _, f := range join {
		keys = append(keys, f.Key)
	}
	if got := strings.Join(keys, ","); got != "Conference,BridgeUniqueid,BridgeType,BridgeTechnology,BridgeCreator,BridgeName,BridgeNumChannels,BridgeVideoSourceMode,Admin,Muted" {
		t.Errorf("ConfbridgeJoin lines: %s", got)
	}
}

// TestLockedAndFull: a locked conference and a full one turn a
// non-admin away with CONFBRIDGE_RESULT=FAILED; an admin gets in.
func TestLockedAndFull(t *testing.T) {
	l := newLab(t, "[quiet]\ntype=user\nquiet=yes\n[adm]\ntype=user\nquiet=yes\nadmin=yes\n[two]\ntype=bridge\nmax_members=1\n")
	first := l.join("a", "8,two,quiet", nil)
	l.waitUsers("8", 1)
	full := l.join("b", "8,two,quiet", nil)
	select {
	case res := <-full.done:
		if v, _ := full.ch.Var("CONFBRIDGE_RESULT"); v != "FAILED" || res.Action != pbx.ActHangup {
			t.Errorf("full conference: %+v %q", res, v)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("a caller got into a full conference")
	}
	adm := l.join("c", "8,two,adm", nil)
	c := l.waitUsers("8", 2)
	c.SetLocked(true)
	out := l.m.ShowList()
	if !strings.Contains(out, "8                                     2      0 Yes    No\n") {
		t.Errorf("locked conference:\n%s", out)
	}
	c.Kick("all")
	for _, u := range []*caller{first, adm} {
		<-u.done
	}
}

// TestWrongPIN: three wrong PINs and the caller is turned away with
// CONFBRIDGE_RESULT=FAILED; the right one lets the next caller in.
func TestWrongPIN(t *testing.T) {
	l := newLab(t, "[locked]\ntype=user\nquiet=yes\npin=4321\n")
	for _, tc := range []struct {
		name, keys string
		in         bool
	}{
		{"wrong", "1#2#3#", false},
		{"right", "9#4321#", true},
	} {
		c := l.join(tc.name, "9,,locked", nil)
		for _, k := range tc.keys {
			if err := c.ph.Press(k); err != nil {
				t.Fatal(err)
			}
		}
		if tc.in {
			l.waitUsers("9", 1)
			l.m.Find("9").Kick("all")
		}
		select {
		case res := <-c.done:
			v, _ := c.ch.Var("CONFBRIDGE_RESULT")
			if !tc.in && (v != "FAILED" || res.Action != pbx.ActHangup) {
				t.Errorf("%s PIN: %+v CONFBRIDGE_RESULT=%q", tc.name, res, v)
			}
			if tc.in && v != "KICKED" {
				t.Errorf("%s PIN: CONFBRIDGE_RESULT=%q, want KICKED (it was in)", tc.name, v)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s PIN: ConfBridge did not return", tc.name)
		}
	}
}

// TestProfileViews: "confbridge show profile user/bridge" and "confbridge
// show menu" in app_confbridge's layouts.
func TestProfileViews(t *testing.T) {
	cfg, _ := Load(parse(t, "[u]\ntype=user\nadmin=yes\npin=12\nmusic_on_hold_when_empty=yes\n"+
		"[b]\ntype=bridge\nmax_members=5\nrecord_file=/tmp/x.wav\nsound_join=beep\n"+
		"[m]\ntype=menu\n1=toggle_mute\n*2=playback(a&b),leave_conference\n"))
	goldenfile.Check(t, "testdata/show-user.txt", ShowUserProfile(cfg.Users["u"]))
	goldenfile.Check(t, "testdata/show-bridge.txt", ShowBridgeProfile(cfg.Bridges["b"]))
	goldenfile.Check(t, "testdata/show-menu.txt", ShowMenu(cfg.Menus["m"]))
}

// TestAnnounceJoinLeave: a user of an announce_join_leave profile
// records its name before joining; the other participant hears that
// recording when it joins and again when it leaves, after which the
// file is gone.
func TestAnnounceJoinLeave(t *testing.T) {
	l := newLab(t, "[quiet]\ntype=user\nquiet=yes\n[named]\ntype=user\nquiet=yes\nannounce_join_leave=yes\n")
	a := l.join("a", "5,,quiet", nil)
	l.waitUsers("5", 1)
	b := l.join("b", "5,,named", nil)
	// b says its name (a tone) and ends the recording with '#'.
	for i := 0; i < 50; i++ {
		if err := b.ph.Say(tone(700, 160, i*160)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := b.ph.Press('#'); err != nil {
		t.Fatal(err)
	}
	c := l.waitUsers("5", 2)
	name := l.m.namePath("5", b.ch) + ".sln"
	if _, err := os.Stat(name); err != nil {
		t.Fatalf("no name recording while b is in: %v", err)
	}
	loudHeard := func(what string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			pcm, _ := a.ph.HeardPCM()
			loud := 0
			for _, v := range pcm {
				if v > 4000 || v < -4000 {
					loud++
				}
			}
			if loud >= 2000 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: a heard %d loud samples of b's name", what, loud)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	loudHeard("join")
	a.ph.ResetHeard()
	c.Kick(b.ch.Name())
	<-b.done
	loudHeard("leave")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(name); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the name recording is still there after b left")
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.Kick("all")
	<-a.done
}

// TestTalkDetectionEvents: a talk_detection_events user who talks then
// stops gives ConfbridgeTalking on and off; a user without the option
// gives none.
func TestTalkDetectionEvents(t *testing.T) {
	l := newLab(t, "[quiet]\ntype=user\nquiet=yes\n[talk]\ntype=user\nquiet=yes\ntalk_detection_events=yes\ndsp_silence_threshold=200\n")
	sub := l.eng.Bus().SubscribeTo("ConfbridgeTalking")
	defer sub.Close()
	a := l.join("a", "4,,talk", nil)
	b := l.join("b", "4,,quiet", nil)
	l.waitUsers("4", 2)
	for _, c := range []*caller{a, b} {
		for i := 0; i < 25; i++ {
			if err := c.ph.Say(tone(440, 160, i*160)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		silence := media.VoiceFrame(media.ULaw, bytes.Repeat([]byte{0xff}, 160), 0)
		for i := 0; i < 25; i++ {
			if err := c.ph.Say(silence); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	var got []string
	deadline := time.After(3 * time.Second)
	for len(got) < 2 {
		select {
		case <-sub.Ready():
		case <-deadline:
			t.Fatalf("ConfbridgeTalking events: %v", got)
		}
		for _, ev := range sub.Take() {
			got = append(got, talkEvent(ev))
		}
	}
	time.Sleep(200 * time.Millisecond)
	for _, ev := range sub.Take() {
		got = append(got, talkEvent(ev))
	}
	if want := []string{a.ch.Name() + " on", a.ch.Name() + " off"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ConfbridgeTalking: %v, want %v", got, want)
	}
	l.m.Find("4").Kick("all")
	<-a.done
	<-b.done
}

// talkEvent is "channel status" of a ConfbridgeTalking event.
func talkEvent(ev pbx.BusEvent) string {
	name := ""
	if ev.Channel != nil {
		name = ev.Channel.Name()
	}
	for _, f := range ev.Fields {
		if f.Key == "TalkingStatus" {
			return name + " " + f.Value
		}
	}
	return name + " ?"
}

// TestAnnounceJoinLeaveReview: with announce_join_leave_review the
// caller hears the review menu after its name: 3 records it again, 1
// accepts it and the caller joins.
func TestAnnounceJoinLeaveReview(t *testing.T) {
	l := newLab(t, "[quiet]\ntype=user\nquiet=yes\n[named]\ntype=user\nquiet=yes\nannounce_join_leave_review=yes\n")
	a := l.join("a", "6,,quiet", nil)
	l.waitUsers("6", 1)
	b := l.join("b", "6,,named", nil)
	say := func() {
		for i := 0; i < 25; i++ {
			if err := b.ph.Say(tone(700, 160, i*160)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	say()
	for _, k := range "#3" {
		if err := b.ph.Press(k); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if c := l.m.Find("6"); len(c.Users()) != 1 {
		t.Fatal("the caller joined before accepting its name")
	}
	// Recording again: 1 is no answer to the menu yet, '#' ends the
	// recording and 1 accepts it.
	say()
	if err := b.ph.Press('1'); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if c := l.m.Find("6"); len(c.Users()) != 1 {
		t.Fatal("3 did not record the name again (1 was taken as the menu's accept)")
	}
	for _, k := range "#1" {
		if err := b.ph.Press(k); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	c := l.waitUsers("6", 2)
	if _, err := os.Stat(l.m.namePath("6", b.ch) + ".sln"); err != nil {
		t.Errorf("no name recording after the review: %v", err)
	}
	c.Kick("all")
	<-a.done
	<-b.done
}
