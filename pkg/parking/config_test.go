package parking

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func parse(t *testing.T, name, text string) *confparse.Config {
	t.Helper()
	if text == "" {
		return nil
	}
	cfg, diags := confparse.Parse(name, []byte(text), confparse.Options{})
	if diags.HasErrors() {
		t.Fatalf("%s: %v", name, diags)
	}
	return cfg
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name, resParking, features string
		wantLots                   []string
		check                      func(t *testing.T, c *Config)
		wantDiag                   string
	}{
		{name: "no files: the default lot", wantLots: []string{"default"}, check: func(t *testing.T, c *Config) {
			l := c.Lookup("default")
			if l.ParkExt != "700" || l.Start != 701 || l.Stop != 750 || l.Context != "parkedcalls" ||
				l.ParkingTime != 45*time.Second || !l.ComebackToOrigin || l.ComebackDialTime != 30*time.Second ||
				l.ComebackContext != "parkedcallstimeout" || l.FindNext {
				t.Errorf("defaults: %+v", l)
			}
		}},
		{name: "res_parking.conf lots", resParking: "[general]\nparkeddynamic=yes\n[default]\nparkext => 700\nparkpos => 701-720\ncontext => parkedcalls\nparkingtime => 20\nfindslot => next\nparkedmusicclass=default\n[sales]\nparkext => 800\nparkpos => 801-802\ncontext => salesparking\ncomebacktoorigin=no\n",
			wantLots: []string{"default", "sales"}, check: func(t *testing.T, c *Config) {
				d, s := c.Lookup("default"), c.Lookup("sales")
				if !c.Dynamic || d.Stop != 720 || d.ParkingTime != 20*time.Second || !d.FindNext || d.MusicClass != "default" {
					t.Errorf("default: %+v", d)
				}
				if s.ParkExt != "800" || s.Start != 801 || s.Stop != 802 || s.Context != "salesparking" || s.ComebackToOrigin {
					t.Errorf("sales: %+v", s)
				}
			}},
		{name: "features.conf's old form", features: "[general]\nparkext => 7000\nparkpos => 7001-7005\ncontext => oldpark\nparkingtime => 60\ntransferdigittimeout => 3\n[featuremap]\nblindxfer => #1\n",
			wantLots: []string{"default"}, check: func(t *testing.T, c *Config) {
				l := c.Lookup("default")
				if l.ParkExt != "7000" || l.Start != 7001 || l.Stop != 7005 || l.Context != "oldpark" || l.ParkingTime != time.Minute {
					t.Errorf("default from features.conf: %+v", l)
				}
			}},
		{name: "res_parking.conf's default wins over features.conf", resParking: "[default]\nparkext => 700\nparkpos => 701-703\n", features: "[general]\nparkpos => 9001-9002\n",
			wantLots: []string{"default"}, check: func(t *testing.T, c *Config) {
				if l := c.Lookup("default"); l.Stop != 703 {
					t.Errorf("default: %+v", l)
				}
			}},
		{name: "unknown option", resParking: "[default]\nparkext => 700\nparkfoo => 1\n", wantLots: []string{"default"},
			wantDiag: "res_parking.conf:3: WARNING: unknown option 'parkfoo' in parking lot 'default'"},
		{name: "bad parkpos", resParking: "[default]\nparkpos => 720-701\n", wantLots: []string{"default"},
			wantDiag: "res_parking.conf:2: ERROR: invalid parkpos '720-701' in parking lot 'default': want start-stop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, diags := Load(parse(t, "res_parking.conf", tc.resParking), parse(t, "features.conf", tc.features))
			var names []string
			for _, l := range c.Lots {
				names = append(names, l.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.wantLots, ",") {
				t.Errorf("lots %v, want %v", names, tc.wantLots)
			}
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			if tc.wantDiag == "" && len(got) > 0 || tc.wantDiag != "" && (len(got) != 1 || !strings.EqualFold(got[0], tc.wantDiag)) {
				t.Errorf("diagnostics %q, want %q", got, tc.wantDiag)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func TestDialplan(t *testing.T) {
	c, _ := Load(parse(t, "res_parking.conf", "[default]\nparkext => 700\nparkpos => 701-702\n[sales]\nparkext => 800\nparkpos => 801-801\ncontext => salesparking\n"), nil)
	dp := c.Dialplan()
	var b strings.Builder
	for _, cat := range dp.Categories {
		b.WriteString("[" + cat.Name + "]\n")
		for _, v := range cat.Vars {
			b.WriteString(v.Name + " => " + v.Value + "\n")
		}
	}
	want := "[parkedcalls]\nexten => 700,1,Park(default)\n[salesparking]\nexten => 800,1,Park(sales)\n"
	if b.String() != want {
		t.Errorf("dialplan:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestShow checks `parking show` and `parking show <lot>` against
// res_parking's layout, with a parked call and without.
func TestShow(t *testing.T) {
	c, _ := Load(parse(t, "res_parking.conf", "[default]\nparkext => 700\nparkpos => 701-720\nparkedmusicclass=default\n[sales]\nparkext => 800\nparkpos => 801-810\ncontext => salesparking\ncomebacktoorigin=no\n"), nil)
	m := New(Options{}, c)
	eng := pbx.New(pbx.Config{})
	ch := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001"})
	if _, err := m.park(ch, c.Lookup("default"), 0, "SIP/6000", time.Minute); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/parking-show.txt", m.ShowLots())
	goldenfile.Check(t, "testdata/parking-show-default.txt", m.ShowLot("default"))
	goldenfile.Check(t, "testdata/parking-show-sales.txt", m.ShowLot("sales"))
	goldenfile.Check(t, "testdata/parking-show-nolot.txt", m.ShowLot("nolot"))
}

// TestSpaces: findslot first reuses the lowest free space, next goes on
// after the last one used; a full lot refuses, a preferred space is
// taken when free.
func TestSpaces(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	for _, tc := range []struct {
		name      string
		findNext  bool
		preferred []int
		want      []int // spaces given, -1 for refused
	}{
		{"first", false, []int{0, 0, 0, 0}, []int{701, 702, 703, -1}},
		{"next", true, []int{0, 0, 0}, []int{701, 702, 703}},
		{"preferred", false, []int{703, 703, 0}, []int{703, -1, 701}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lot := defaultLot("default")
			lot.Start, lot.Stop, lot.FindNext = 701, 703, tc.findNext
			m := New(Options{}, &Config{Lots: []*Lot{lot}})
			var got []int
			for i, p := range tc.preferred {
				ch := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "x"})
				pc, err := m.park(ch, lot, p, "SIP/x", time.Minute)
				if err != nil {
					got = append(got, -1)
					continue
				}
				got = append(got, pc.space)
				if tc.findNext && i == 0 {
					m.leave(pc) // the next search still starts after it
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("spaces %v, want %v", got, tc.want)
			}
		})
	}
}
