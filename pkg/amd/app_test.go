package amd

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestAMDOnAChannel: the application reads the channel's audio: a short
// "hello" then silence is a HUMAN; a hang-up is HANGUP.
func TestAMDOnAChannel(t *testing.T) {
	log := &pbxtest.Log{}
	eng := pbx.New(pbx.Config{Logger: log})
	m := New(nil)
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	phone := pbxtest.NewPhone(media.ULaw)
	ch := phone.NewChannel(eng, "6001", "default", "s")
	ch.SetState(pbx.StateUp)
	hello, err := pbxtest.ToneFrames("300", 500*time.Millisecond, media.ULaw)
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := pbxtest.ToneFrames("0", 1200*time.Millisecond, media.ULaw)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		_ = phone.Say(append(hello, quiet...)...)
	}()
	if _, err := eng.ExecApp(ch, "AMD", ""); err != nil {
		t.Fatal(err)
	}
	st, _ := ch.Var("AMDSTATUS")
	cause, _ := ch.Var("AMDCAUSE")
	if st != "HUMAN" || cause != "HUMAN-800-800" {
		t.Errorf("AMDSTATUS=%q AMDCAUSE=%q, want HUMAN HUMAN-800-800; log:\n%v", st, cause, log.Lines())
	}

	ch2 := phone.NewChannel(eng, "6001", "default", "s")
	ch2.SetState(pbx.StateUp)
	go func() {
		time.Sleep(100 * time.Millisecond)
		ch2.SoftHangup(pbx.CauseNormalClearing)
	}()
	res, _ := eng.ExecApp(ch2, "AMD", "")
	if st, _ := ch2.Var("AMDSTATUS"); st != "HANGUP" || res != pbx.HangupResult {
		t.Errorf("after a hang-up AMDSTATUS=%q result %v", st, res)
	}
}
