package parking

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestSpaceDeviceState: the park: devices are INUSE while a call is
// parked at the space, NOT_INUSE otherwise, INVALID without a context;
// the engine asks the provider once parking registered it, and the
// parkinghints lots get a hint per space in their context.
func TestSpaceDeviceState(t *testing.T) {
	c, _ := Load(parse(t, "res_parking.conf", "[default]\nparkext => 700\nparkpos => 701-703\nparkinghints => yes\n[sales]\nparkpos => 801-802\ncontext => salesparking\n"), nil)
	m := New(Options{}, c)
	eng := pbx.New(pbx.Config{})
	if got := eng.DeviceState("park:701@parkedcalls"); got != pbx.DeviceInvalid {
		t.Errorf("before registration: %v, want INVALID", got)
	}
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	ch := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001"})
	pc, err := m.park(ch, c.Lookup("default"), 0, "SIP/6000", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		device string
		want   pbx.DeviceState
	}{
		{"park:701@parkedcalls", pbx.DeviceInUse},
		{"Park:701@ParkedCalls", pbx.DeviceInUse},
		{"park:702@parkedcalls", pbx.DeviceNotInUse},
		{"park:701@salesparking", pbx.DeviceNotInUse},
		{"park:801@salesparking", pbx.DeviceNotInUse},
		{"park:x@parkedcalls", pbx.DeviceNotInUse},
		{"park:701", pbx.DeviceInvalid},
	} {
		if got := eng.DeviceState(tc.device); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.device, got, tc.want)
		}
	}
	m.leave(pc)
	if got := eng.DeviceState("park:701@parkedcalls"); got != pbx.DeviceNotInUse {
		t.Errorf("after the call left: %v, want NOT_INUSE", got)
	}
	var dp strings.Builder
	for _, cat := range c.Dialplan().Browse() {
		dp.WriteString("[" + cat.Name + "]\n")
		for _, v := range cat.Vars {
			dp.WriteString(v.Name + " => " + v.Value + "\n")
		}
	}
	want := "[parkedcalls]\nexten => 700,1,Park(default)\nexten => 701,hint,park:701@parkedcalls\n" +
		"exten => 702,hint,park:702@parkedcalls\nexten => 703,hint,park:703@parkedcalls\n"
	if dp.String() != want {
		t.Errorf("dialplan:\n%s\nwant:\n%s", dp.String(), want)
	}
}

// TestParkedCallFeatureOptions reads parkedcalltransfers & co and
// parkedplay: no (or
// any false value), caller, callee, both; anything else warns with
// file:line and leaves the option off.
func TestParkedCallFeatureOptions(t *testing.T) {
	for _, tc := range []struct {
		val  string
		want Parties
		warn bool
	}{
		{"no", 0, false}, {"off", 0, false}, {"caller", ByCaller, false}, {"Callee", ByCallee, false},
		{"both", ByCaller | ByCallee, false}, {"yes", 0, true},
	} {
		c, diags := Load(parse(t, "res_parking.conf", "[default]\nparkedcalltransfers => "+tc.val+
			"\nparkedcallreparking => "+tc.val+"\nparkedcallhangup => "+tc.val+"\nparkedcallrecording => "+tc.val+"\nparkedplay => "+tc.val+"\n"), nil)
		l := c.Lookup("default")
		for i, got := range []Parties{l.Transfers, l.Reparking, l.Hangup, l.Recording, l.ParkedPlay} {
			want := tc.want
			if i == 4 && tc.warn {
				want = ByCaller // a bad parkedplay keeps the default
			}
			if got != want {
				t.Errorf("%s: option %d = %v, want %v", tc.val, i, got, want)
			}
		}
		if warned := len(diags) == 5 && strings.Contains(diags[0].String(), "res_parking.conf:2"); warned != tc.warn {
			t.Errorf("%s: diagnostics %v", tc.val, diags)
		}
	}
}

// TestParkedPlayDefault: without parkedplay the retriever (caller) hears
// the courtesy tone, as res_parking's default.
func TestParkedPlayDefault(t *testing.T) {
	c, _ := Load(parse(t, "res_parking.conf", "[default]\ncourtesytone => beep\n"), nil)
	if got := c.Lookup("default").ParkedPlay; got != ByCaller {
		t.Errorf("parkedplay = %v, want caller", got)
	}
}
