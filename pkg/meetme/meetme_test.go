package meetme

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

func TestLoad(t *testing.T) {
	cfg, _ := confparse.Parse("meetme.conf", []byte("[general]\naudiobuffers=32\nbogus=1\n[rooms]\nconf => 100\nconf => 200,1234,9999\nroom => 3\n"), confparse.Options{})
	c, diags := Load(cfg)
	if len(diags) != 2 || diags[0].Line != 3 || diags[1].Line != 7 {
		t.Errorf("diagnostics %v", diags)
	}
	if c.Rooms["200"] != (Room{"200", "1234", "9999"}) || c.Rooms["100"] != (Room{Number: "100"}) {
		t.Errorf("rooms %+v", c.Rooms)
	}
}

func TestProfiles(t *testing.T) {
	for _, tc := range []struct {
		opts  string
		admin bool
		check func(t *testing.T, opts string)
	}{
		{"aAqwxT", false, nil},
		{"mM(jazz)sp", false, nil},
		{"s", true, nil},
		{"i", false, nil},
		{"I", false, nil},
	} {
		_, up, menu := Profiles(pbx.ParseAppOptions(tc.opts), tc.admin)
		var keys []string
		for _, e := range menu.Entries {
			keys = append(keys, e.DTMF+"="+e.Actions[0].Name)
		}
		got := strings.Join(keys, " ")
		switch tc.opts {
		case "aAqwxT":
			if !up.Admin || !up.Marked || !up.Quiet || !up.WaitMarked || !up.EndMarked || !up.TalkDetection || got != "" {
				t.Errorf("%s: %+v menu %s", tc.opts, up, got)
			}
		case "mM(jazz)sp":
			if !up.StartMuted || !up.MusicOnHoldWhenEmpty || up.MusicClass != "jazz" || strings.Contains(got, "toggle_mute") ||
				!strings.Contains(got, "#=leave_conference") {
				t.Errorf("%s: %+v menu %s", tc.opts, up, got)
			}
		case "i", "I":
			if !up.AnnounceJoinLeave || up.JoinReview != (tc.opts == "i") {
				t.Errorf("%s: announce %v review %v", tc.opts, up.AnnounceJoinLeave, up.JoinReview)
			}
		case "s":
			if !up.Admin || !strings.Contains(got, "*1=toggle_mute") || !strings.Contains(got, "*2=admin_toggle_conference_lock") {
				t.Errorf("%s (admin pin): %+v menu %s", tc.opts, up, got)
			}
		}
	}
}

// TestMeetMeRooms: a static room with its PIN given as argument, a
// dynamic one, an unknown one turned away; meetme list's layouts.
func TestMeetMeRooms(t *testing.T) {
	cfg, _ := confparse.Parse("meetme.conf", []byte("[rooms]\nconf => 100,11,99\n"), confparse.Options{})
	rooms, _ := Load(cfg)
	eng := pbx.New(pbx.Config{Logger: pbxtest.TLog{T: t}})
	m := New(Options{Log: pbxtest.TLog{T: t}, DataDir: t.TempDir()}, rooms)
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	run := func(name, data string) (*pbx.Channel, chan pbx.Result) {
		ch := pbxtest.NewPhone(media.ULaw).NewChannel(eng, name, "work", "s")
		ch.SetCallerID(pbx.CallerID{Num: "60" + name, Name: "Phone " + name})
		done := make(chan pbx.Result, 1)
		go func() {
			res, _ := m.exec(ch, data)
			done <- res
		}()
		return ch, done
	}
	_, adm := run("a", "100,q,99")
	_, dyn := run("b", "300,dq")
	_, bad := run("c", "400,q")
	select {
	case res := <-bad:
		if res.Action != pbx.ActHangup {
			t.Errorf("unknown room: %+v", res)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("a caller got into a room meetme.conf does not have")
	}
	deadline := time.Now().Add(3 * time.Second)
	for (m.cb.Find("100") == nil || m.cb.Find("300") == nil) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	out, _ := m.List(nil)
	for _, re := range []string{
		`^Conf Num       Parties        Marked     Activity  Creation  Locked\n`,
		`(?m)^100            0001\t      N/A        00:00:0\d  Static    No    \n`,
		`(?m)^300            0001\t      N/A        00:00:0\d  Dynamic   No    \n`,
		`\* Total number of MeetMe users: 2\n$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("meetme list lacks %q:\n%s", re, out)
		}
	}
	out, _ = m.List([]string{"100"})
	if !regexp.MustCompile(`^User #: 01          60a Phone a              Channel: Test/a-[0-9a-f]{8} \(Admin\)    \(unmonitored\) 00:00:0\d\n1 users in that conference.\n$`).MatchString(out) {
		t.Errorf("meetme list 100:\n%q", out)
	}
	if got, _ := m.info(nil, "parties,100"); got != "1" {
		t.Errorf("MEETME_INFO(parties,100) = %s", got)
	}
	if got, _ := m.info(nil, "dynamic,300"); got != "1" {
		t.Errorf("MEETME_INFO(dynamic,300) = %s", got)
	}
	for _, c := range m.cb.Conferences() {
		c.Kick("all")
	}
	for _, d := range []chan pbx.Result{adm, dyn} {
		select {
		case <-d:
		case <-time.After(3 * time.Second):
			t.Fatal("a user stayed after the kick")
		}
	}
}
