package devstate

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/funcs"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestShowGolden checks the listings byte for byte against pbx.c's and
// func_devstate.c's layouts (golden files written from Asterisk 18.26.4's
// format strings: "%-30.30s: %-60.60s  State:%-15.15s Presence:%-15.15s
// Watchers %2d", hash-bucket order of the extension).
func TestShowGolden(t *testing.T) {
	e, s, db := newLab(t, extensionsConf)
	db.Put(funcs.CustomPresenceFamily, "bob", "away,,gone fishing")
	db.Put(funcs.CustomPresenceFamily, "eve", "dnd,bXRn,aW4gYSBtZWV0aW5n,e")
	db.Put(funcs.CustomPresenceFamily, "zed", "sleepy") // invalid: skipped
	stop, _ := e.WatchExtension("internal", "202", func(pbx.ExtensionStateChange) {})
	defer stop()
	ch := pbxtest.NewPhone(nil).NewChannel(e, "202", "internal", "s")
	defer ch.Hangup(0)
	ch.Ringing()
	w := &watch{ch: make(chan struct{}, 1)}
	stop2, _ := e.WatchExtension("internal", "202", w.fn)
	defer stop2()
	// The change may have come before the watch: wait only if not yet.
	if st, _ := s.State("internal", "202"); st != "RINGING" {
		w.waitFor(t, "RINGING")
	}
	if err := s.SetCustom("DND201", "INUSE"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCustom("lamp", "not_inuse"); err != nil {
		t.Fatal(err)
	}
	w201 := &watch{ch: make(chan struct{}, 1)}
	stop3, _ := e.WatchExtension("internal", "201", w201.fn)
	defer stop3()
	if st, _ := s.State("internal", "201"); st != "INUSE" {
		w201.waitFor(t, "INUSE")
	}
	tests := []struct{ name, golden string }{
		{"hints", "core-show-hints.txt"},
		{"hint 20", "core-show-hint-20.txt"},
		{"hint 7", "core-show-hint-7.txt"},
		{"devstate list", "devstate-list.txt"},
		{"presencestate list", "presencestate-list.txt"},
	}
	for _, tc := range tests {
		var b bytes.Buffer
		switch tc.name {
		case "hints":
			s.ShowHints(&b)
		case "hint 20":
			s.ShowHint(&b, "20")
		case "hint 7":
			s.ShowHint(&b, "7")
		case "devstate list":
			s.ListCustom(&b)
		case "presencestate list":
			s.ListPresence(&b)
		}
		goldenfile.Check(t, filepath.Join("testdata", tc.golden), b.String())
	}
}

func TestShowNoHints(t *testing.T) {
	_, s, _ := newLab(t, "[internal]\nexten => 1,1,NoOp()\n")
	var b bytes.Buffer
	s.ShowHints(&b)
	if b.String() != "There are no registered dialplan hints\n" {
		t.Fatalf("%q", b.String())
	}
}
