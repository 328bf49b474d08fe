package meetme

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// MeetMeAdmin and MeetMeChannelAdmin on room 100: an admin (user 1) and
// a participant (user 2).
func TestMeetMeAdmin(t *testing.T) {
	cfg, _ := confparse.Parse("meetme.conf", []byte("[rooms]\nconf => 100,11,99\n"), confparse.Options{})
	rooms, _ := Load(cfg)
	log := &pbxtest.Log{}
	eng := pbx.New(pbx.Config{Logger: log})
	m := New(Options{Log: log, DataDir: t.TempDir()}, rooms)
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	join := func(name, data string) (*pbx.Channel, chan pbx.Result) {
		ch := pbxtest.NewPhone(media.ULaw).NewChannel(eng, name, "work", "s")
		done := make(chan pbx.Result, 1)
		go func() {
			res, _ := m.exec(ch, data)
			done <- res
		}()
		return ch, done
	}
	_, admDone := join("a", "100,q,99")
	waitUsers := func(n int) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			if c := m.cb.Find("100"); c != nil && len(c.Users()) == n {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("room 100 never had %d users", n)
	}
	waitUsers(1)
	user, userDone := join("b", "100,q,11")
	waitUsers(2)
	conf := m.cb.Find("100")
	ctl := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "ctl", "work", "s")
	muted := func(n int) bool {
		u := findUser(conf, string(rune('0'+n)))
		return u != nil && u.Muted()
	}
	steps := []struct {
		app, data, status string
		check             func() bool
		log               string
	}{
		{app: "MeetMeAdmin", data: "100,L", status: "OK", check: func() bool { _, _, locked, _ := conf.Counts(); return locked }},
		{app: "MeetMeAdmin", data: "100,l", status: "OK", check: func() bool { _, _, locked, _ := conf.Counts(); return !locked }},
		{app: "MeetMeAdmin", data: "100,M,2", status: "OK", check: func() bool { return muted(2) && !muted(1) }},
		{app: "MeetMeAdmin", data: "100,m,2", status: "OK", check: func() bool { return !muted(2) }},
		{app: "MeetMeAdmin", data: "100,N", status: "OK", check: func() bool { return muted(2) && !muted(1) }},
		{app: "MeetMeAdmin", data: "100,n", status: "OK", check: func() bool { return !muted(2) }},
		{app: "MeetMeAdmin", data: "100,T,2", status: "OK"},
		{app: "MeetMeAdmin", data: "100,R", status: "OK"},
		{app: "MeetMeAdmin", data: "100,k", status: "NOTFOUND", log: "NOTICE: No user specified!"},
		{app: "MeetMeAdmin", data: "100,k,7", status: "NOTFOUND", log: "NOTICE: Specified User not found!"},
		{app: "MeetMeAdmin", data: "200,K", status: "NOTFOUND", log: "WARNING: Conference number '200' not found!"},
		{app: "MeetMeAdmin", data: "100,E", status: "FAILED"},
		{app: "MeetMeChannelAdmin", data: user.Name() + ",M", check: func() bool { return muted(2) }},
		{app: "MeetMeChannelAdmin", data: user.Name() + ",m", check: func() bool { return !muted(2) }},
		{app: "MeetMeChannelAdmin", data: "SIP/none,k", log: "NOTICE: Specified user (SIP/none) not found"},
		// e ejects the last user who joined, never an admin.
		{app: "MeetMeAdmin", data: "100,e", status: "OK", check: func() bool {
			select {
			case <-userDone:
				return true
			case <-time.After(3 * time.Second):
				return false
			}
		}},
		{app: "MeetMeAdmin", data: "100,e", status: "FAILED", log: "NOTICE: Not kicking last user, is an Admin!"},
		{app: "MeetMeAdmin", data: "100,K", status: "OK", check: func() bool {
			select {
			case <-admDone:
				return true
			case <-time.After(3 * time.Second):
				return false
			}
		}},
	}
	for _, s := range steps {
		ctl.UnsetVar("MEETMEADMINSTATUS")
		app, _ := eng.App(s.app)
		if _, err := app.Exec(ctl, s.data); err != nil {
			t.Fatal(err)
		}
		if s.status != "" {
			if got, _ := ctl.Var("MEETMEADMINSTATUS"); got != s.status {
				t.Errorf("%s(%s): MEETMEADMINSTATUS=%q, want %q", s.app, s.data, got, s.status)
			}
		}
		if s.check != nil && !s.check() {
			t.Errorf("%s(%s) had no effect", s.app, s.data)
		}
		if s.log != "" && !strings.Contains(strings.Join(log.Lines(), "\n"), s.log) {
			t.Errorf("%s(%s): log lacks %q", s.app, s.data, s.log)
		}
	}
}
