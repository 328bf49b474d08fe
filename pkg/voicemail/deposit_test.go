package voicemail_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestDepositRecording: a recording handed over by MixMonitor's m option
// becomes message 0 of the INBOX in every format=, with its .txt; MWI
// announces it and the e-mail goes out; an unknown mailbox is an error.
func TestDepositRecording(t *testing.T) {
	l := newLab(t, labConf)
	rec := filepath.Join(t.TempDir(), "call.wav")
	ff, _ := sound.LookupFileFormat("wav")
	w, err := sound.Create(rec, ff)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := w.WriteFrame(media.VoiceFrame(media.SLin, make([]byte, 320), uint32(i*160))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ch := pbxtest.NewPhone(media.ULaw).NewChannel(l.e, "a", "default", "s")
	r := pbx.RecordingForMailbox{Mailbox: "6000@default", File: rec, Format: "wav", Channel: ch,
		CallerID: pbx.CallerID{Name: "Bob", Num: "200"}, Duration: 2}
	if err := l.e.DepositRecording(r); err != nil {
		t.Fatal(err)
	}
	if c := l.mwi(t, "6000@default"); c.New != 1 {
		t.Errorf("counts after the deposit: %+v", c)
	}
	inbox := filepath.Join(l.spool, "voicemail", "default", "6000", "INBOX")
	for _, f := range []string{"msg0000.WAV", "msg0000.wav", "msg0000.txt"} {
		if _, err := os.Stat(filepath.Join(inbox, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	txt, _ := os.ReadFile(filepath.Join(inbox, "msg0000.txt"))
	for _, want := range []string{"callerid=\"Bob\" <200>\n", "duration=2\n", "callerchan=" + ch.Name() + "\n"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("msg0000.txt lacks %q:\n%s", want, txt)
		}
	}
	r.Mailbox = "9999@default"
	if err := l.e.DepositRecording(r); err == nil {
		t.Error("a deposit into a mailbox that does not exist succeeded")
	}
}
