package parking

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestDynamicLots: with parkeddynamic=yes a Park into a lot that does
// not exist creates it from the PARKINGDYNAMIC template (else default)
// with the PARKINGDYN* variables; it is listed while a call is parked in
// it and goes away after; bad variables, an overlap with a lot of the
// same context or parkeddynamic=no create nothing.
func TestDynamicLots(t *testing.T) {
	conf := "[general]\nparkeddynamic => %s\n[default]\nparkext => 700\nparkpos => 701-720\n[tmpl]\nparkpos => 801-802\ncontext => tmplctx\nparkingtime => 90\n"
	tests := []struct {
		name, dynamic string
		vars          map[string]string
		ok            bool
		ctx, ext      string
		start, stop   int
		time          time.Duration
	}{
		{"from default in another context", "yes", map[string]string{"PARKINGDYNCONTEXT": "dyn"}, true, "dyn", "700", 701, 720, 45 * time.Second},
		{"default's copy in default's context", "yes", nil, false, "", "", 0, 0, 0},
		{"from a template with variables", "yes", map[string]string{"PARKINGDYNAMIC": "tmpl", "PARKINGDYNCONTEXT": "dyn",
			"PARKINGDYNEXTEN": "750", "PARKINGDYNPOS": "751-755"}, true, "dyn", "750", 751, 755, 90 * time.Second},
		{"off", "no", nil, false, "", "", 0, 0, 0},
		{"unknown template", "yes", map[string]string{"PARKINGDYNAMIC": "nope"}, false, "", "", 0, 0, 0},
		{"bad range", "yes", map[string]string{"PARKINGDYNCONTEXT": "dyn", "PARKINGDYNPOS": "75x"}, false, "", "", 0, 0, 0},
		{"overlaps default", "yes", map[string]string{"PARKINGDYNPOS": "710-730", "PARKINGDYNEXTEN": "790"}, false, "", "", 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, diags := Load(parse(t, "res_parking.conf", strings.Replace(conf, "%s", tc.dynamic, 1)), nil)
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			m := New(Options{}, c)
			eng := pbx.New(pbx.Config{})
			ch := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001"})
			for k, v := range tc.vars {
				ch.SetVar(k, v)
			}
			if tc.name == "overlaps default" {
				// The same context as default, whose spaces 701-720 it overlaps.
				ch.SetVar("PARKINGDYNCONTEXT", "parkedcalls")
			}
			lot := m.dynamicLot(ch, "sales")
			if (lot != nil) != tc.ok {
				t.Fatalf("dynamicLot = %+v, want created %v", lot, tc.ok)
			}
			if !tc.ok {
				if m.lookup("sales") != nil {
					t.Error("a lot was registered")
				}
				return
			}
			if lot.Context != tc.ctx || lot.ParkExt != tc.ext || lot.Start != tc.start || lot.Stop != tc.stop || lot.ParkingTime != tc.time || !lot.Dynamic {
				t.Errorf("lot %+v", lot)
			}
			pc, err := m.park(ch, m.lookup("sales"), 0, "SIP/6000", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if show := m.ShowLot("sales"); !strings.Contains(show, "Dynamic             :  yes\n") || !strings.Contains(show, "SIP/6001") {
				t.Errorf("parking show sales:\n%s", show)
			}
			if show := m.ShowLots(); !strings.Contains(show, "Parking Lot: sales\n") {
				t.Errorf("parking show:\n%s", show)
			}
			m.leave(pc)
			if m.lookup("sales") != nil {
				t.Error("the empty dynamic lot is still there")
			}
		})
	}
}
