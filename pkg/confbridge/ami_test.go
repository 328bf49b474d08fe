package confbridge

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/manager/managertest"
)

// TestManagerActions drives app_confbridge's actions through a manager
// session: lists, mute, lock, recording, kick, and their refusals.
func TestManagerActions(t *testing.T) {
	l := newLab(t, "[quiet]\ntype=user\nquiet=yes\n[adm]\ntype=user\nquiet=yes\nadmin=yes\nmarked=yes\n")
	mgr := managertest.Start(t, l.eng)
	if err := l.m.RegisterAMI(mgr); err != nil {
		t.Fatal(err)
	}
	c := managertest.Dial(t, mgr)
	var out strings.Builder
	var rep *strings.Replacer
	do := func(lines ...string) {
		out.WriteString("> " + strings.Join(lines, " | ") + "\n")
		for _, msg := range c.List(lines...) {
			if rep != nil {
				msg = rep.Replace(msg)
			}
			out.WriteString(msg + "\n")
		}
	}
	do("Action: ConfbridgeListRooms")
	do("Action: ConfbridgeList", "Conference: 9")

	a := l.join("a", "9,,adm", nil)
	l.waitUsers("9", 1)
	b := l.join("b", "9,,quiet", nil)
	conf := l.waitUsers("9", 2)
	rep = strings.NewReplacer(a.ch.UniqueID(), "<a-id>", b.ch.UniqueID(), "<b-id>", a.ch.LinkedID(), "<a-linked>", b.ch.LinkedID(), "<b-linked>")

	do("Action: ConfbridgeList")
	do("Action: ConfbridgeList", "Conference: nosuch")
	do("Action: ConfbridgeList", "Conference: 9")
	do("Action: ConfbridgeMute", "Conference: 9", "Channel: "+b.ch.Name())
	if us := conf.Users(); us[0].Muted() || !us[1].Muted() {
		t.Errorf("after ConfbridgeMute of b: a muted %v, b muted %v", us[0].Muted(), us[1].Muted())
	}
	do("Action: ConfbridgeMute", "Conference: 9")
	do("Action: ConfbridgeMute", "Channel: x")
	do("Action: ConfbridgeMute", "Conference: 9", "Channel: SIP/nobody")
	do("Action: ConfbridgeLock", "Conference: 9")
	do("Action: ConfbridgeListRooms")
	do("Action: ConfbridgeUnmute", "Conference: 9", "Channel: participants")
	if us := conf.Users(); us[1].Muted() {
		t.Error("ConfbridgeUnmute participants left b muted")
	}
	do("Action: ConfbridgeUnlock", "Conference: 9")
	do("Action: ConfbridgeStopRecord", "Conference: 9")
	do("Action: ConfbridgeStartRecord", "Conference: 9", "RecordFile: conf9.wav")
	do("Action: ConfbridgeStartRecord", "Conference: 9")
	do("Action: ConfbridgeStopRecord", "Conference: 9")
	do("Action: ConfbridgeKick", "Conference: 9", "Channel: SIP/nobody")
	do("Action: ConfbridgeKick", "Conference: 9", "Channel: "+b.ch.Name())
	select {
	case <-b.done:
	case <-time.After(3 * time.Second):
		t.Fatal("b still in the conference after ConfbridgeKick")
	}
	if got := len(conf.Users()); got != 1 {
		t.Errorf("%d users after the kick", got)
	}
	do("Action: ConfbridgeKick", "Conference: 9", "Channel: all")
	<-a.done
	do("Action: ConfbridgeSetSingleVideoSrc", "Conference: 9", "Channel: x")
	goldenfile.Check(t, "testdata/ami.golden", out.String())
}
