package features

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestFeatureFunctions: FEATURE/FEATUREMAP read features.conf until a
// channel writes its own value, which its bridge codes then use; other
// channels keep the file's.
func TestFeatureFunctions(t *testing.T) {
	cfg := Defaults()
	m := New(Options{Config: func() *Config { return cfg }})
	eng := pbx.New(pbx.Config{})
	for _, f := range Functions(func() *Config { return cfg }) {
		if err := eng.RegisterFunction(f); err != nil {
			t.Fatal(err)
		}
	}
	ch := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6000"})
	other := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001"})
	read := func(c *pbx.Channel, fn, arg string) string {
		t.Helper()
		v, err := eng.ReadFunction(c, fn, arg)
		if err != nil {
			t.Fatalf("%s(%s): %v", fn, arg, err)
		}
		return v
	}
	for _, tc := range []struct{ fn, arg, want string }{
		{"FEATURE", "featuredigittimeout", "1000"}, {"FEATURE", "transferdigittimeout", "3"},
		{"FEATURE", "atxfernoanswertimeout", "15"}, {"FEATURE", "atxferabort", "*1"},
		{"FEATURE", "pickupexten", "*8"}, {"FEATURE", "xfersound", "beep"}, {"FEATURE", "inherit", "no"},
		{"FEATUREMAP", "blindxfer", "#"}, {"FEATUREMAP", "disconnect", "*"}, {"FEATUREMAP", "atxfer", ""},
	} {
		if got := read(ch, tc.fn, tc.arg); got != tc.want {
			t.Errorf("%s(%s) = %q, want %q", tc.fn, tc.arg, got, tc.want)
		}
	}
	for _, w := range [][3]string{
		{"FEATUREMAP", "blindxfer", "#9"}, {"FEATUREMAP", "atxfer", "*3"},
		{"FEATURE", "featuredigittimeout", "2500"}, {"FEATURE", "transferdigittimeout", "7"},
	} {
		if err := eng.WriteFunction(ch, w[0], w[1], w[2]); err != nil {
			t.Fatalf("%s(%s)=%s: %v", w[0], w[1], w[2], err)
		}
	}
	if got := read(ch, "FEATUREMAP", "blindxfer") + " " + read(ch, "FEATURE", "transferdigittimeout"); got != "#9 7" {
		t.Errorf("after writes: %q", got)
	}
	if got := read(other, "FEATUREMAP", "blindxfer"); got != "#" {
		t.Errorf("other channel: %q", got)
	}
	ch.SetFeatureFlags(pbx.FeatureTransfer)
	f := m.Features(ch, other)
	if run, _ := f.Match("#9"); run == nil {
		t.Error("channel's own blindxfer #9 does not run")
	}
	if run, partial := f.Match("#"); run != nil || !partial {
		t.Error("features.conf's # still runs on the channel")
	}
	if run, _ := f.Match("*3"); run == nil {
		t.Error("channel's own atxfer *3 does not run")
	}
	if f.DigitTimeout() != 2500*time.Millisecond {
		t.Errorf("digit timeout %v", f.DigitTimeout())
	}
	for _, bad := range [][3]string{
		{"FEATURE", "nosuch", "1"}, {"FEATUREMAP", "nosuch", "1"}, {"FEATURE", "featuredigittimeout", "soon"},
	} {
		if err := eng.WriteFunction(other, bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("%s(%s)=%s accepted", bad[0], bad[1], bad[2])
		}
	}
	if other.Datastore(overrideKey{}) != nil {
		t.Error("failed writes left a copy on the channel")
	}
	if _, err := eng.ReadFunction(ch, "FEATURE", "bogus"); err == nil || err.Error() != "Invalid argument 'bogus' to FEATURE()" {
		t.Errorf("bad read: %v", err)
	}
}

// TestFeatureInherit: with FEATURE(inherit)=yes a dialed channel gets the
// dialer's settings (and passes them on); without, it has the file's.
func TestFeatureInherit(t *testing.T) {
	cfg := Defaults()
	eng := pbx.New(pbx.Config{})
	for _, f := range Functions(func() *Config { return cfg }) {
		if err := eng.RegisterFunction(f); err != nil {
			t.Fatal(err)
		}
	}
	caller := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6000"})
	if err := eng.WriteFunction(caller, "FEATUREMAP", "blindxfer", "#5"); err != nil {
		t.Fatal(err)
	}
	plain := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Requestor: caller})
	plain.InheritVars(caller)
	if v, _ := eng.ReadFunction(plain, "FEATUREMAP", "blindxfer"); v != "#" {
		t.Errorf("without inherit the dialed channel has %q", v)
	}
	if err := eng.WriteFunction(caller, "FEATURE", "inherit", "yes"); err != nil {
		t.Fatal(err)
	}
	if v, _ := eng.ReadFunction(caller, "FEATURE", "inherit"); v != "yes" {
		t.Errorf("inherit reads %q", v)
	}
	child := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6002", Requestor: caller})
	child.InheritVars(caller)
	grandchild := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6003", Requestor: child})
	grandchild.InheritVars(child)
	for _, ch := range []*pbx.Channel{child, grandchild} {
		if v, _ := eng.ReadFunction(ch, "FEATUREMAP", "blindxfer"); v != "#5" {
			t.Errorf("%s inherited %q", ch.Name(), v)
		}
	}
	// The copies are the children's own.
	if err := eng.WriteFunction(child, "FEATUREMAP", "blindxfer", "#7"); err != nil {
		t.Fatal(err)
	}
	if v, _ := eng.ReadFunction(caller, "FEATUREMAP", "blindxfer"); v != "#5" {
		t.Errorf("child's write changed the caller: %q", v)
	}
}
