package parking

import (
	"strconv"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Overlay returns plan with the extensions of the occupied spaces added:
// while a call is parked at 701 in a lot whose context is parkedcalls,
// 701 exists there (running ParkedCall(lot,701)) and in every context
// that includes parkedcalls, as res_parking adds the extension for the
// time the call is parked. includes lists a context's includes
// (dialplan.Dialplan's); the static dialplan's own matches come first.
func (m *Module) Overlay(plan pbx.Plan, includes func(context string) []string) pbx.Plan {
	if plan == nil {
		return nil
	}
	return overlay{Plan: plan, m: m, includes: includes}
}

type overlay struct {
	pbx.Plan
	m        *Module
	includes func(string) []string
}

func (o overlay) Find(context, exten, callerID string, priority int) (*pbx.Priority, bool) {
	if p, ok := o.Plan.Find(context, exten, callerID, priority); ok {
		return p, ok
	}
	if priority != 1 {
		return nil, false
	}
	if l := o.dynamicExt(context, exten); l != nil {
		return &pbx.Priority{Context: l.Context, Exten: exten, Number: 1, App: "Park", Data: l.Name}, true
	}
	lot, ctx, ok := o.space(context, exten)
	if !ok {
		return nil, false
	}
	return &pbx.Priority{Context: ctx, Exten: exten, Number: 1, App: "ParkedCall", Data: lot + "," + exten}, true
}

func (o overlay) Exists(context, exten, callerID string, priority int) bool {
	if o.Plan.Exists(context, exten, callerID, priority) {
		return true
	}
	if priority != 1 {
		return false
	}
	_, _, ok := o.space(context, exten)
	return ok || o.dynamicExt(context, exten) != nil
}

// dynamicExt is the dynamic lot whose parkext is exten in context or one
// it includes: res_parking adds it to the dialplan with the lot.
func (o overlay) dynamicExt(context, exten string) *Lot {
	o.m.mu.Lock()
	var lots []*Lot
	for _, l := range o.m.dyn {
		if l.ParkExt == exten {
			lots = append(lots, l)
		}
	}
	o.m.mu.Unlock()
	for _, l := range lots {
		if o.reaches(context, l.Context) {
			return l
		}
	}
	return nil
}

// space finds an occupied space named exten in a lot whose context is
// context or one it includes (at any depth).
func (o overlay) space(context, exten string) (lot, lotContext string, ok bool) {
	n, err := strconv.Atoi(exten)
	if err != nil || strconv.Itoa(n) != exten {
		return "", "", false
	}
	for _, l := range o.m.allLots() {
		if n < l.Start || n > l.Stop || !o.m.occupied(l.Name, n) {
			continue
		}
		if o.reaches(context, l.Context) {
			return l.Name, l.Context, true
		}
	}
	return "", "", false
}

// reaches reports whether target is from or one of its includes.
func (o overlay) reaches(from, target string) bool {
	seen := map[string]bool{}
	queue := []string{from}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == target {
			return true
		}
		if seen[c] || o.includes == nil {
			continue
		}
		seen[c] = true
		queue = append(queue, o.includes(c)...)
	}
	return false
}

// occupied reports whether a call is parked at space in lot.
func (m *Module) occupied(lot string, space int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.lots[lot]
	return st != nil && st.parked[space] != nil
}

// CanMatch keeps the plan's pbx.Matcher (overlap dialing, WaitExten):
// an occupied space matches as it is.
func (o overlay) CanMatch(context, exten, callerID string) bool {
	if m, ok := o.Plan.(pbx.Matcher); ok && m.CanMatch(context, exten, callerID) {
		return true
	}
	_, _, ok := o.space(context, exten)
	ok = ok || o.dynamicExt(context, exten) != nil
	return ok || !isMatcher(o.Plan) && o.Plan.Exists(context, exten, callerID, 1)
}

// MatchMore is the plan's; a space is never the start of a longer one.
func (o overlay) MatchMore(context, exten, callerID string) bool {
	if m, ok := o.Plan.(pbx.Matcher); ok {
		return m.MatchMore(context, exten, callerID)
	}
	return false
}

func isMatcher(p pbx.Plan) bool { _, ok := p.(pbx.Matcher); return ok }

// The overlay adds extensions only: the hints of the plan under it stay
// visible to the device state module, the manager and chan_sip's
// subscriptions, which find them through these optional interfaces.

// Hint is pbx.HintFinder, from the plan under the overlay.
func (o overlay) Hint(context, exten string) (string, bool) {
	if hf, ok := o.Plan.(pbx.HintFinder); ok {
		return hf.Hint(context, exten)
	}
	return "", false
}

// Hints is pbx.HintLister, from the plan under the overlay.
func (o overlay) Hints() []pbx.Hint {
	if hl, ok := o.Plan.(pbx.HintLister); ok {
		return hl.Hints()
	}
	return nil
}

// AutohintContexts is pbx.AutohintLister, from the plan under the overlay.
func (o overlay) AutohintContexts() []string {
	if al, ok := o.Plan.(pbx.AutohintLister); ok {
		return al.AutohintContexts()
	}
	return nil
}
