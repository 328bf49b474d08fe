package devstate

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/funcs"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestPresenceWatch: a change of CustomPresence:bob reaches the watchers of
// 900 (whose hint names bob as its presence provider) with the state,
// subtype and message, and not those of 201; the hint's presence is read
// back from the astdb.
func TestPresenceWatch(t *testing.T) {
	e, s, db := newLab(t, extensionsConf)
	got := make(chan pbx.ExtensionStateChange, 4)
	stop, ok := e.WatchExtension("internal", "900", func(c pbx.ExtensionStateChange) { got <- c })
	if !ok {
		t.Fatal("no hint 900")
	}
	defer stop()
	other := make(chan pbx.ExtensionStateChange, 4)
	stop2, _ := e.WatchExtension("internal", "201", func(c pbx.ExtensionStateChange) { other <- c })
	defer stop2()

	if p, ok := e.HintPresence("internal", "900"); !ok || p.Set() {
		t.Fatalf("presence before any change: %+v %v", p, ok)
	}
	if _, ok := e.HintPresence("internal", "201"); ok {
		t.Fatal("201's hint has no presence provider")
	}
	const value = "away,lunch,back soon"
	if err := db.Put(funcs.CustomPresenceFamily, "bob", value); err != nil {
		t.Fatal(err)
	}
	p, err := funcs.ParsePresence(value)
	if err != nil {
		t.Fatal(err)
	}
	funcs.PublishPresence(e, "CustomPresence:bob", p)
	select {
	case c := <-got:
		want := pbx.PresenceInfo{State: "away", Subtype: "lunch", Message: "back soon"}
		if c.Presence == nil || *c.Presence != want || c.Exten != "900" {
			t.Fatalf("change %+v (presence %+v)", c, c.Presence)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher of 900 heard nothing")
	}
	select {
	case c := <-other:
		t.Fatalf("201's watcher heard %+v", c)
	case <-time.After(100 * time.Millisecond):
	}
	if p, ok := e.HintPresence("internal", "900"); !ok || p.State != "away" || p.Message != "back soon" {
		t.Fatalf("HintPresence after the change: %+v %v", p, ok)
	}
	_ = s
}
