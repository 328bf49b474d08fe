package parking

import (
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/manager/managertest"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestParkActionErrors: res_parking_manager's answers to a Park it
// cannot do, byte for byte (its messages keep their own trailing LF),
// and nothing parked or changed on a refused channel.
func TestParkActionErrors(t *testing.T) {
	c, _ := Load(parse(t, "res_parking.conf", "[default]\nparkext => 700\nparkpos => 701-702\n"), nil)
	m := New(Options{}, c)
	eng := pbx.New(pbx.Config{})
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	idle := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Context: "internal", Exten: "100"})
	t.Cleanup(func() { idle.Hangup(pbx.CauseNormalClearing) })
	mgr := managertest.Start(t, eng)
	if err := m.RegisterAMI(mgr); err != nil {
		t.Fatal(err)
	}
	cl := managertest.Dial(t, mgr)
	var out strings.Builder
	for _, action := range [][]string{
		{"Action: Park"},
		{"Action: Park", "Channel: " + idle.Name(), "Timeout: soon"},
		{"Action: Park", "Channel: " + idle.Name(), "Timeout: -5"},
		{"Action: Park", "Channel: SIP/nobody-00000001"},
		{"Action: Park", "Channel: " + idle.Name(), "AnnounceChannel: SIP/nobody-00000002"},
		{"Action: Park", "Channel: " + idle.Name(), "Parkinglot: nolot"},
		{"Action: Park", "Channel: " + idle.Name(), "ParkingSpace: 799"},
		// neither running dialplan nor bridged: nobody could take it there
		{"Action: Park", "Channel: " + idle.Name()},
	} {
		out.WriteString("> " + strings.Join(action, " | ") + "\n")
		out.WriteString(cl.Do(action...) + "\n")
	}
	goldenfile.Check(t, "testdata/park_action.golden", strings.ReplaceAll(out.String(), idle.Name(), "<idle>"))
	if len(m.Parked("default")) != 0 {
		t.Error("a call was parked")
	}
}

// TestParkActionPlaces: the places the action sends channels to exist in
// the overlay (all their priorities, none after), and only there.
func TestParkActionPlaces(t *testing.T) {
	m := New(Options{}, nil)
	p := m.Overlay(emptyPlan{}, func(string) []string { return nil })
	ext := m.actions.add("parker", []pbx.Priority{{App: "SayDigits", Data: "701"}, {App: "Hangup"}})
	for _, tc := range []struct {
		context string
		prio    int
		app     string
	}{
		{actionContext, 1, "SayDigits"}, {actionContext, 2, "Hangup"}, {actionContext, 3, ""}, {"internal", 1, ""},
	} {
		pr, ok := p.Find(tc.context, ext, "", tc.prio)
		if got := ""; ok {
			got = pr.App
			if got != tc.app || pr.Context != actionContext || pr.Exten != ext || pr.Number != tc.prio {
				t.Errorf("%s,%d: %+v", tc.context, tc.prio, pr)
			}
		} else if tc.app != "" {
			t.Errorf("%s,%d: not found", tc.context, tc.prio)
		}
		if p.Exists(tc.context, ext, "", tc.prio) != (tc.app != "") {
			t.Errorf("%s,%d: Exists wrong", tc.context, tc.prio)
		}
	}
}

// emptyPlan is a dialplan with nothing in it.
type emptyPlan struct{}

func (emptyPlan) Find(string, string, string, int) (*pbx.Priority, bool) { return nil, false }
func (emptyPlan) FindLabel(string, string, string, string) (int, bool)   { return 0, false }
func (emptyPlan) Exists(string, string, string, int) bool                { return false }
func (emptyPlan) HasContext(string) bool                                 { return false }
func (emptyPlan) AutoFallthrough() bool                                  { return true }
