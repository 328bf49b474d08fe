package parking

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is res_parking's dynamic lots (parkeddynamic=yes): Park()
// into a lot that does not exist creates it from a template lot, named
// by the parker's PARKINGDYNAMIC (else default), with PARKINGDYNCONTEXT,
// PARKINGDYNEXTEN and PARKINGDYNPOS replacing the template's context,
// parkext and parkpos. The lot lives while calls are parked in it.

// lookup returns a configured lot, else a dynamic one, by name.
func (m *Module) lookup(name string) *Lot {
	if l := m.Config().Lookup(name); l != nil {
		return l
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dyn[name]
}

// allLots is the configured lots in file order, then the dynamic ones by
// name.
func (m *Module) allLots() []*Lot {
	lots := m.Config().Lots
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.dyn) == 0 {
		return lots
	}
	out := append([]*Lot(nil), lots...)
	names := make([]string, 0, len(m.dyn))
	for n := range m.dyn {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, m.dyn[n])
	}
	return out
}

// dynamicLot creates the lot name for ch when parkeddynamic is on; nil
// (with the reason logged) when it is off or the variables are wrong.
func (m *Module) dynamicLot(ch *pbx.Channel, name string) *Lot {
	cfg := m.Config()
	if !cfg.Dynamic {
		return nil
	}
	v := func(n string) string { s, _ := ch.Var(n); return strings.TrimSpace(s) }
	tmplName := v("PARKINGDYNAMIC")
	if tmplName == "" {
		tmplName = DefaultLot
	}
	tmpl := cfg.Lookup(tmplName)
	if tmpl == nil {
		m.log.Warning("Lot %s does not exist. Can not use it as a dynamic parking lot template.\n", tmplName)
		return nil
	}
	lot := *tmpl
	lot.Name, lot.Dynamic, lot.ParkingHints = name, true, false
	if c := v("PARKINGDYNCONTEXT"); c != "" {
		lot.Context = c
	}
	if e := v("PARKINGDYNEXTEN"); e != "" {
		lot.ParkExt = e
	}
	if r := v("PARKINGDYNPOS"); r != "" {
		lo, hi, ok := parseRange(r)
		if !ok {
			m.log.Warning("Invalid parking range %s specified in PARKINGDYNPOS: could not parse minimum/maximum parking space range\n", r)
			return nil
		}
		lot.Start, lot.Stop = lo, hi
	}
	if err := m.addDynamic(&lot); err != nil {
		m.log.Warning("%v\n", err)
		return nil
	}
	m.log.Verbose(3, "Created dynamic parking lot '%s' from template '%s'\n", name, tmplName)
	return &lot
}

// addDynamic registers a dynamic lot unless its spaces or its parkext
// overlap a lot of the same context.
func (m *Module) addDynamic(lot *Lot) error {
	for _, o := range m.allLots() {
		if o.Name == lot.Name {
			return fmt.Errorf("parking lot '%s' exists already", lot.Name)
		}
		if !strings.EqualFold(o.Context, lot.Context) {
			continue
		}
		if lot.Start <= o.Stop && o.Start <= lot.Stop {
			return fmt.Errorf("Failed to build dynamic parking lot '%s': its spaces %d-%d overlap lot '%s' in context '%s'",
				lot.Name, lot.Start, lot.Stop, o.Name, lot.Context)
		}
		if lot.ParkExt != "" && lot.ParkExt == o.ParkExt {
			return fmt.Errorf("Failed to build dynamic parking lot '%s': its parking extension %s@%s is lot '%s''s",
				lot.Name, lot.ParkExt, lot.Context, o.Name)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dyn == nil {
		m.dyn = map[string]*Lot{}
	}
	m.dyn[lot.Name] = lot
	return nil
}

// dropIfUnused removes a dynamic lot with no call parked in it (m.mu
// held).
func (m *Module) dropIfUnused(name string) {
	if l := m.dyn[name]; l == nil {
		return
	}
	if st := m.lots[name]; st != nil && len(st.parked) > 0 {
		return
	}
	delete(m.dyn, name)
	delete(m.lots, name)
}
