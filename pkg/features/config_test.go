package features

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func TestLoad(t *testing.T) {
	text := "[general]\nfeaturedigittimeout = 1500\ntransferdigittimeout => 5\npickupexten = *9\natxferdropcall = yes\nparkext => 700\nbogus = 1\n" +
		"atxferloopdelay = 4\natxfercallbackretries = 5\natxfernoanswertimeout = 7\n" +
		"[featuremap]\nblindxfer => #1\natxfer => *2\ndisconnect => *0\nparkcall => #72\nnope => 1\n" +
		"[applicationmap]\nmonkeys => #9,peer,Playback(tt-monkeys),default\nold => *7,self/callee,Playback,beep\nbad => *6,nobody,NoOp\n"
	cfg, diags := confparse.Parse("features.conf", []byte(text), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c, d := Load(cfg)
	g := c.General
	if g.FeatureDigitTimeout != 1500*time.Millisecond || g.TransferDigitTimeout != 5*time.Second || g.PickupExten != "*9" || !g.AtxferDropCall || g.AtxferComplete != "*2" {
		t.Errorf("general: %+v", g)
	}
	if g.AtxferLoopDelay != 4*time.Second || g.AtxferCallbackRetries != 5 || g.AtxferNoAnswerTimeout != 7*time.Second {
		t.Errorf("atxfer timers: %+v", g)
	}
	if d := Defaults().General; d.AtxferLoopDelay != 10*time.Second || d.AtxferCallbackRetries != 2 || d.AtxferNoAnswerTimeout != 15*time.Second || d.AtxferDropCall {
		t.Errorf("atxfer defaults: %+v", d)
	}
	if c.FeatureMap != (FeatureMap{BlindXfer: "#1", AtXfer: "*2", Disconnect: "*0", ParkCall: "#72"}) {
		t.Errorf("featuremap: %+v", c.FeatureMap)
	}
	want := []AppItem{
		{Name: "monkeys", DTMF: "#9", App: "Playback", Data: "tt-monkeys", MOHClass: "default"},
		{Name: "old", DTMF: "*7", OnSelf: true, App: "Playback", Data: "beep"},
	}
	if len(c.AppMap) != len(want) || c.AppMap[0] != want[0] || c.AppMap[1] != want[1] {
		t.Errorf("applicationmap: %+v", c.AppMap)
	}
	var got []string
	for _, x := range d {
		got = append(got, x.String())
	}
	for _, w := range []string{"features.conf:7: WARNING: unknown option 'bogus'", "features.conf:16: WARNING: unknown feature 'nope'", "features.conf:20: WARNING: Invalid 'activate_on' value nobody"} {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(strings.ToUpper(g), strings.ToUpper(w))
		}
		if !found {
			t.Errorf("no diagnostic %q in %q", w, got)
		}
	}
}

// TestMatch: Dial's flags choose the codes a party has; a complete code
// runs, its beginning waits for more, other digits pass.
func TestMatch(t *testing.T) {
	cfg := Defaults()
	cfg.FeatureMap.AtXfer, cfg.FeatureMap.ParkCall = "*2", "#72"
	m := New(Options{Config: func() *Config { return cfg }})
	eng := pbx.New(pbx.Config{})
	ch := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6000"})
	other := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001"})
	if f := m.Features(ch, other); f != nil {
		t.Fatalf("features without flags: %v", f)
	}
	ch.SetFeatureFlags(pbx.FeatureTransfer | pbx.FeaturePark)
	f := m.Features(ch, other)
	for _, tc := range []struct {
		digits       string
		run, partial bool
	}{
		{"#", true, false}, {"*", false, true}, {"*2", true, false}, {"#7", false, true},
		{"5", false, false}, {"*0", false, false},
	} {
		run, partial := f.Match(tc.digits)
		if (run != nil) != tc.run || partial != tc.partial {
			t.Errorf("%q: run %v partial %v, want %v %v", tc.digits, run != nil, partial, tc.run, tc.partial)
		}
	}
	if f.DigitTimeout() != time.Second {
		t.Errorf("digit timeout %v", f.DigitTimeout())
	}
}
