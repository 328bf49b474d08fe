package parking

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/manager/managertest"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// The seconds a slow machine may shift by one or two.
var (
	secsNearMinute = regexp.MustCompile(`ParkingTimeout: (5[5-9]|60)\b`)
	secsNearZero   = regexp.MustCompile(`ParkingDuration: [0-4]\b`)
)

// TestManagerActions: Parkinglots and ParkedCalls on the wire, with a
// call parked in each of two lots.
func TestManagerActions(t *testing.T) {
	c, _ := Load(parse(t, "res_parking.conf", "[default]\nparkext => 700\nparkpos => 701-720\nparkingtime => 45\n[sales]\nparkext => 800\nparkpos => 801-810\ncontext => salesparking\n"), nil)
	m := New(Options{}, c)
	eng := pbx.New(pbx.Config{})
	a := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Context: "internal", Exten: "700",
		CallerID: pbx.CallerID{Num: "6001", Name: "Alice"}})
	b := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6002", Context: "internal", Exten: "800"})
	t.Cleanup(func() { a.Hangup(pbx.CauseNormalClearing); b.Hangup(pbx.CauseNormalClearing) })
	if _, err := m.park(a, c.Lookup("default"), 0, "SIP/6000", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := m.park(b, c.Lookup("sales"), 805, "SIP/6003", 0); err != nil {
		t.Fatal(err)
	}
	mgr := managertest.Start(t, eng)
	if err := m.RegisterAMI(mgr); err != nil {
		t.Fatal(err)
	}
	cl := managertest.Dial(t, mgr)
	rep := strings.NewReplacer(a.UniqueID(), "<a-id>", b.UniqueID(), "<b-id>")
	var out strings.Builder
	for _, action := range [][]string{
		{"Action: Parkinglots"},
		{"Action: ParkedCalls"},
		{"Action: ParkedCalls", "ParkingLot: sales"},
		{"Action: ParkedCalls", "ParkingLot: nolot"},
	} {
		out.WriteString("> " + strings.Join(action, " | ") + "\n")
		for _, msg := range cl.List(action...) {
			msg = secsNearMinute.ReplaceAllString(msg, "ParkingTimeout: <about 60>")
			msg = secsNearZero.ReplaceAllString(msg, "ParkingDuration: <about 0>")
			out.WriteString(rep.Replace(msg) + "\n")
		}
	}
	goldenfile.Check(t, "testdata/ami.golden", out.String())
}

// TestOverlayKeepsHints: the plan the overlay wraps still answers for its
// hints (the device state module and the manager ask the engine's plan).
func TestOverlayKeepsHints(t *testing.T) {
	m := New(Options{}, nil)
	p := m.Overlay(hintPlan{}, func(string) []string { return nil })
	if hf, ok := p.(pbx.HintFinder); !ok {
		t.Error("overlay hides HintFinder")
	} else if h, ok := hf.Hint("work", "6000"); !ok || h != "SIP/6000" {
		t.Errorf("Hint = %q %v", h, ok)
	}
	if hl, ok := p.(pbx.HintLister); !ok || len(hl.Hints()) != 1 {
		t.Error("overlay hides HintLister")
	}
	if al, ok := p.(pbx.AutohintLister); !ok || len(al.AutohintContexts()) != 1 {
		t.Error("overlay hides AutohintLister")
	}
}

type hintPlan struct{ pbx.Plan }

func (hintPlan) Hint(c, e string) (string, bool) { return "SIP/" + e, c == "work" }
func (hintPlan) Hints() []pbx.Hint {
	return []pbx.Hint{{Context: "work", Exten: "6000", Devices: "SIP/6000"}}
}
func (hintPlan) AutohintContexts() []string { return []string{"phones"} }
