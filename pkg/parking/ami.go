package parking

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/gostrisk/gostrisk/pkg/manager"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Registrar is where the actions go: the manager's *Module.
type Registrar interface {
	RegisterAction(manager.Action) error
}

// RegisterAMI adds res_parking's actions: Parkinglots, ParkedCalls and
// Park (action.go).
func (m *Module) RegisterAMI(reg Registrar) error {
	for _, a := range []manager.Action{
		{Name: "Parkinglots", Synopsis: "Get a list of parking lots", Perm: manager.PermCall, Handler: m.amiLots},
		{Name: "ParkedCalls", Synopsis: "List parked calls.", Perm: manager.PermCall, Handler: m.amiParked},
		{Name: "Park", Synopsis: "Park a channel.", Perm: manager.PermCall, Handler: m.amiPark},
	} {
		if err := reg.RegisterAction(a); err != nil {
			return fmt.Errorf("res_parking: %w", err)
		}
	}
	return nil
}

func (m *Module) amiLots(r *manager.Request) error {
	lots := m.Config().Lots
	r.ListStart("Parking lots will follow")
	for _, l := range lots {
		r.ListItem("Parkinglot",
			manager.Header{Key: "Name", Value: l.Name},
			manager.Header{Key: "StartSpace", Value: strconv.Itoa(l.Start)},
			manager.Header{Key: "StopSpace", Value: strconv.Itoa(l.Stop)},
			manager.Header{Key: "Timeout", Value: strconv.Itoa(int(l.ParkingTime / time.Second))})
	}
	r.ListComplete("ParkinglotsComplete", len(lots))
	return nil
}

// parkedSnap is one parked call copied out of the lock.
type parkedSnap struct {
	ch          *pbx.Channel
	lot, parker string
	space       int
	start       time.Time
	limit       time.Duration
}

// amiParked is ParkedCalls: one lot's calls (ParkingLot), or every
// lot's, each as a ParkedCall event with the parkee's snapshot block.
func (m *Module) amiParked(r *manager.Request) error {
	want := r.Get("ParkingLot")
	if want != "" && m.Config().Lookup(want) == nil {
		r.Error("Requested parking lot could not be found.")
		return nil
	}
	var calls []parkedSnap
	m.mu.Lock()
	for _, l := range m.Config().Lots {
		if want != "" && l.Name != want {
			continue
		}
		st := m.lots[l.Name]
		if st == nil {
			continue
		}
		var lc []parkedSnap
		for _, pc := range st.parked {
			lc = append(lc, parkedSnap{ch: pc.ch, lot: pc.lot, parker: pc.parker, space: pc.space, start: pc.start, limit: pc.limit})
		}
		sort.Slice(lc, func(i, j int) bool { return lc[i].space < lc[j].space })
		calls = append(calls, lc...)
	}
	m.mu.Unlock()
	r.ListStart("Parked calls will follow")
	now := time.Now()
	for _, pc := range calls {
		var fields []manager.Header
		for _, h := range r.ChannelHeaders(pc.ch) {
			fields = append(fields, manager.Header{Key: "Parkee" + h.Key, Value: h.Value})
		}
		var timeout int64
		if pc.limit > 0 {
			timeout = int64(pc.start.Add(pc.limit).Sub(now) / time.Second)
		}
		fields = append(fields,
			manager.Header{Key: "ParkerDialString", Value: pc.parker},
			manager.Header{Key: "Parkinglot", Value: pc.lot},
			manager.Header{Key: "ParkingSpace", Value: strconv.Itoa(pc.space)},
			manager.Header{Key: "ParkingTimeout", Value: strconv.FormatInt(timeout, 10)},
			manager.Header{Key: "ParkingDuration", Value: strconv.FormatInt(int64(now.Sub(pc.start)/time.Second), 10)})
		// res_parking writes the ActionID after the call's lines.
		r.ListItemIDLast("ParkedCall", fields...)
	}
	r.ListComplete("ParkedCallsComplete", len(calls))
	return nil
}
