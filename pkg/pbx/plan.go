package pbx

import "github.com/gostrisk/gostrisk/pkg/pbx/dialplan"

// dialplanPlan adapts a *dialplan.Dialplan to Plan.
type dialplanPlan struct{ d *dialplan.Dialplan }

// FromDialplan wraps a built dialplan as the Plan the executor runs.
func FromDialplan(d *dialplan.Dialplan) Plan { return dialplanPlan{d} }

// GlobalsOf returns a dialplan's [globals] for Engine.ReplaceGlobals.
func GlobalsOf(d *dialplan.Dialplan) []Global {
	var out []Global
	for _, g := range d.Globals() {
		out = append(out, Global{Name: g.Name, Value: g.Value})
	}
	return out
}

func (p dialplanPlan) Find(context, exten, callerID string, priority int) (*Priority, bool) {
	dp, ok := p.d.Find(context, exten, callerID, priority)
	if !ok {
		return nil, false
	}
	return &Priority{
		Context: dp.Context, Exten: dp.Exten, CID: dp.CID, Number: dp.Number,
		Label: dp.Label, App: dp.App, Data: dp.Data, File: dp.File, Line: dp.Line,
	}, true
}

func (p dialplanPlan) FindLabel(context, exten, callerID, label string) (int, bool) {
	return p.d.FindLabel(context, exten, callerID, label)
}

func (p dialplanPlan) Exists(context, exten, callerID string, priority int) bool {
	return p.d.Exists(context, exten, callerID, priority)
}

func (p dialplanPlan) HasContext(name string) bool { return p.d.HasContext(name) }

func (p dialplanPlan) AutoFallthrough() bool { return p.d.General().AutoFallthrough }

func (p dialplanPlan) CanMatch(context, exten, callerID string) bool {
	return p.d.CanMatch(context, exten, callerID)
}

func (p dialplanPlan) MatchMore(context, exten, callerID string) bool {
	return p.d.MatchMore(context, exten, callerID)
}
