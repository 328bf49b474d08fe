package parking

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestParkGetChannel: the parked channel's name, nothing for a free
// space, res_parking's errors for a bad lot or space.
func TestParkGetChannel(t *testing.T) {
	c, _ := Load(parse(t, "res_parking.conf", "[default]\nparkext => 700\nparkpos => 701-703\n"), nil)
	m := New(Options{}, c)
	eng := pbx.New(pbx.Config{})
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	ch := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001"})
	defer ch.Hangup(0)
	pc, err := m.park(ch, c.Lookup("default"), 0, "SIP/6000", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ arg, want, err string }{
		{"701,default", ch.Name(), ""},
		{"702,default", "", ""},
		{"701,nolot", "", "Could not find parking lot: 'nolot'"},
		{"x,default", "", "value 'x' for parking_space argument is invalid. Must be an integer greater than 0."},
		{"701", "", "Usage: PARK_GET_CHANNEL(<parking_space>,<parking_lot>)"},
	} {
		got, err := eng.ReadFunction(nil, "PARK_GET_CHANNEL", tc.arg)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("PARK_GET_CHANNEL(%s) = %q, %v; want %q, %q", tc.arg, got, err, tc.want, tc.err)
		}
	}
	m.leave(pc)
	if got, _ := eng.ReadFunction(nil, "PARK_GET_CHANNEL", "701,default"); got != "" {
		t.Errorf("after leaving: %q", got)
	}
}
