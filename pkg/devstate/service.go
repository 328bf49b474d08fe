package devstate

import (
	"strconv"
	"strings"
	"sync"

	"github.com/gostrisk/gostrisk/pkg/astdb"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// CustomFamily is the astdb family Custom: device states persist in
// (/CustomDevstate/<name>), as func_devstate.c keeps them.
const CustomFamily = "CustomDevstate"

// DB is the part of the astdb the module uses.
type DB interface {
	Put(family, key, value string) error
	Get(family, key string) (string, bool)
	Del(family, key string) error
	Entries(family, subtree string) []astdb.Entry
}

// maxDynamicHints bounds the hints made on demand for a watch of an
// extension that only a pattern hint covers (exten => _2XX,hint,...):
// each costs a little memory, and a subscriber could otherwise ask for
// any number of extensions.
const maxDynamicHints = 4096

type key struct{ context, exten string }

// hint is one entry of the hint table.
type hint struct {
	key
	value    string   // the hint as written (${EXTEN} substituted for a dynamic one)
	devices  []string // lower-cased, as the device index keys them
	presence string
	state    pbx.ExtensionState
	watchers map[int]func(pbx.ExtensionStateChange)
	dynamic  bool // made for a watch through a pattern hint
	template bool // a pattern hint with ${...}: never evaluated
}

func isTemplate(h *hint) bool {
	return strings.HasPrefix(h.exten, "_") && strings.Contains(h.value, "${")
}

// Service is the device state module. It is safe for concurrent use.
type Service struct {
	eng *pbx.Engine
	db  DB // nil: Custom: states are not persisted (tests)

	mu       sync.Mutex
	hints    map[key]*hint
	order    []*hint            // static hints in dialplan order, then dynamic ones
	byDevice map[string][]*hint // device (lower-cased) -> hints naming it
	nextID   int

	// seen dedupes the device changes derived from channel events: the
	// last state published per device that has channels (entries go when
	// a device's channel hangs up, so its size follows live channels).
	seen map[string]pbx.DeviceState

	sub  *pbx.Subscription
	stop chan struct{}
	done chan struct{}
}

// New builds the module over an engine; db may be nil.
func New(eng *pbx.Engine, db DB) *Service {
	s := &Service{eng: eng, db: db, seen: map[string]pbx.DeviceState{}}
	s.rebuild()
	return s
}

// Start subscribes to the engine's bus, installs the module as the
// engine's hint watcher and follows events until Stop.
func (s *Service) Start() {
	s.sub = s.eng.Bus().SubscribeTo(pbx.BusNewchannel, pbx.BusNewstate, pbx.BusHangup,
		pbx.BusHold, pbx.BusUnhold, pbx.BusDeviceStateChange, pbx.BusPresenceStateChange)
	s.stop = make(chan struct{})
	s.done = make(chan struct{})
	s.eng.SetHintWatcher(s)
	s.Reload()
	go s.run()
}

// Stop ends the event loop and removes the hint watcher.
func (s *Service) Stop() {
	if s.stop == nil {
		return
	}
	s.eng.SetHintWatcher(nil)
	close(s.stop)
	<-s.done
	s.sub.Close()
	s.stop = nil
}

func (s *Service) run() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.sub.Ready():
			s.handleBatch(s.sub.Take())
		}
	}
}

// handleBatch turns a batch of bus events into device and extension
// state changes. A device's state is computed once per batch however many
// of its channels' events the batch holds: under load (a trunk or a queue
// with thousands of calls) batches grow and the work per event shrinks,
// and the state published is the one after the whole batch, as the state
// after each event would be superseded at once.
func (s *Service) handleBatch(evs []pbx.BusEvent) {
	var devices []string // channel devices, in first-seen order
	var changed []string // DeviceStateChange values, in order
	seen := map[string]bool{}
	ended := map[string]bool{}
	for _, ev := range evs {
		switch ev.Type {
		case pbx.BusNewchannel, pbx.BusNewstate, pbx.BusHangup, pbx.BusHold, pbx.BusUnhold:
			if ev.Channel == nil {
				continue
			}
			dev := ChannelDevice(ev.Channel.Name())
			if dev == "" {
				continue
			}
			k := strings.ToLower(dev)
			if !seen[k] {
				seen[k] = true
				devices = append(devices, dev)
			}
			ended[k] = ev.Type == pbx.BusHangup
		case pbx.BusDeviceStateChange:
			changed = append(changed, ev.Value)
		case pbx.BusPresenceStateChange:
			s.presenceChanged(ev) // rare: handled in place, in order
		}
	}
	for _, dev := range devices {
		k := strings.ToLower(dev)
		st := s.eng.DeviceState(dev)
		prev, ok := s.seen[k]
		if ended[k] && st == pbx.DeviceUnknown {
			delete(s.seen, k)
		} else {
			s.seen[k] = st
		}
		if !ok || prev != st {
			// Our own DeviceStateChange comes back through the bus and
			// updates the hints, as any other publisher's does.
			s.eng.PublishDeviceState(dev)
		}
	}
	done := map[string]bool{}
	for _, dev := range changed {
		if k := strings.ToLower(dev); !done[k] {
			done[k] = true
			s.deviceChanged(dev)
		}
	}
}

// ChannelDevice is the device a channel belongs to: its name without the
// "-<sequence>" Asterisk appends ("SIP/201-0000002a" -> "SIP/201").
func ChannelDevice(name string) string { return pbx.DeviceOfChannel(name) }

// deviceChanged recomputes the hints that name device, after making the
// autohints it calls for.
func (s *Service) deviceChanged(device string) {
	s.autohint(device)
	s.mu.Lock()
	hs := append([]*hint(nil), s.byDevice[strings.ToLower(device)]...)
	s.mu.Unlock()
	for _, h := range hs {
		s.update(h, false)
	}
}

// update recomputes h's state; when it changed (or force), the watchers
// are told and ExtensionStatus is published.
func (s *Service) update(h *hint, force bool) {
	st := s.eng.HintState(h.value)
	s.mu.Lock()
	if st == h.state && !force {
		s.mu.Unlock()
		return
	}
	h.state = st
	fns := make([]func(pbx.ExtensionStateChange), 0, len(h.watchers))
	for _, fn := range h.watchers {
		fns = append(fns, fn)
	}
	s.mu.Unlock()
	ch := pbx.ExtensionStateChange{Context: h.context, Exten: h.exten, Hint: h.value, State: st}
	for _, fn := range fns {
		fn(ch)
	}
	if bus := s.eng.Bus(); bus.Wants("ExtensionStatus") {
		bus.Publish(pbx.BusEvent{Type: "ExtensionStatus", Fields: []pbx.EventField{
			{Key: "Exten", Value: h.exten},
			{Key: "Context", Value: h.context},
			{Key: "Hint", Value: h.value},
			{Key: "Status", Value: strconv.Itoa(st.Code())},
			{Key: "StatusText", Value: st.Text()},
		}})
	}
}

func newHint(k key, value string, dynamic bool) *hint {
	devs, presence := pbx.HintDevices(value)
	for i := range devs {
		devs[i] = strings.ToLower(devs[i])
	}
	return &hint{key: k, value: value, devices: devs, presence: presence, dynamic: dynamic,
		watchers: map[int]func(pbx.ExtensionStateChange){}}
}

// Reload rebuilds the hint table from the running dialplan (after a
// dialplan reload): watchers of a hint that is still there keep watching
// and hear of a state change; those of a hint that went are told Removed.
func (s *Service) Reload() {
	removed, changed := s.rebuild()
	for _, h := range removed {
		for _, fn := range h.watchers {
			fn(pbx.ExtensionStateChange{Context: h.context, Exten: h.exten, Hint: h.value, State: h.state, Removed: true})
		}
	}
	for _, h := range changed {
		s.update(h, false)
	}
}

// rebuild makes the table from the engine's dialplan; it returns the
// watched hints that are gone and the kept ones whose value changed.
func (s *Service) rebuild() (removed, changed []*hint) {
	static := s.eng.Hints()
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.hints
	s.hints = make(map[key]*hint, len(static))
	s.order = s.order[:0:0]
	s.byDevice = map[string][]*hint{}
	hf, _ := s.eng.Plan().(pbx.HintFinder)
	add := func(h *hint) {
		s.hints[h.key] = h
		s.order = append(s.order, h)
		for _, d := range h.devices {
			s.byDevice[d] = append(s.byDevice[d], h)
		}
	}
	for _, sh := range static {
		k := key{sh.Context, sh.Exten}
		h := newHint(k, sh.Devices, false)
		if isTemplate(h) {
			// A pattern hint naming ${EXTEN} is only a template for the
			// hints watches make: Asterisk leaves it unevaluated.
			h.devices, h.state, h.template = nil, pbx.ExtUnavailable, true
		} else {
			h.state = s.eng.HintState(h.value)
		}
		if o := old[k]; o != nil {
			h.watchers = o.watchers
			h.state = o.state
			if o.value != h.value {
				changed = append(changed, h)
			}
		}
		add(h)
	}
	for k, o := range old {
		if _, ok := s.hints[k]; ok || len(o.watchers) == 0 {
			continue
		}
		// A dynamic hint, or a static one that went: keep it while a
		// pattern hint still covers the extension.
		if hf != nil {
			if v, ok := hf.Hint(k.context, k.exten); ok {
				h := newHint(k, expandExten(v, k.exten), true)
				h.watchers, h.state = o.watchers, o.state
				add(h)
				if h.value != o.value {
					changed = append(changed, h)
				}
				continue
			}
		}
		removed = append(removed, o)
	}
	return removed, changed
}

// autohint is pbx.c's autohints: in each context with autohints=yes, a
// device ("SIP/6000", "Custom:lamp") that has no hint named after its
// resource ("6000", "lamp") gets one ("exten => 6000,hint,SIP/6000").
func (s *Service) autohint(device string) {
	al, ok := s.eng.Plan().(pbx.AutohintLister)
	if !ok {
		return
	}
	ctxs := al.AutohintContexts()
	if len(ctxs) == 0 {
		return
	}
	i := strings.IndexAny(device, "/:")
	if i < 0 || i == len(device)-1 {
		return
	}
	name := device[i+1:]
	hf, _ := s.eng.Plan().(pbx.HintFinder)
	for _, c := range ctxs {
		if hf != nil {
			if _, ok := hf.Hint(c, name); ok {
				continue
			}
		}
		k := key{c, name}
		s.mu.Lock()
		if s.hints[k] == nil && s.dynamicCount() < maxDynamicHints {
			h := newHint(k, device, true)
			h.state = pbx.ExtUnknown // set by the update that follows
			s.hints[k] = h
			s.order = append(s.order, h)
			for _, d := range h.devices {
				s.byDevice[d] = append(s.byDevice[d], h)
			}
		}
		s.mu.Unlock()
	}
}

func (s *Service) dynamicCount() int {
	n := 0
	for _, x := range s.order {
		if x.dynamic {
			n++
		}
	}
	return n
}

// expandExten substitutes ${EXTEN} in a hint made from a pattern hint,
// as Asterisk does when it adds the extension the watcher asked for.
func expandExten(v, exten string) string {
	return strings.ReplaceAll(v, "${EXTEN}", exten)
}

// WatchExtension implements pbx.HintWatcher.
func (s *Service) WatchExtension(context, exten string, fn func(pbx.ExtensionStateChange)) (func(), bool) {
	k := key{context, exten}
	s.mu.Lock()
	h := s.hints[k]
	if h == nil || h.template {
		hf, ok := s.eng.Plan().(pbx.HintFinder)
		var v string
		if ok {
			v, ok = hf.Hint(context, exten)
		}
		if !ok || s.dynamicCount() >= maxDynamicHints {
			s.mu.Unlock()
			return func() {}, false
		}
		h = newHint(k, expandExten(v, exten), true)
		s.mu.Unlock()
		h.state = s.eng.HintState(h.value)
		s.mu.Lock()
		if cur := s.hints[k]; cur != nil {
			h = cur
		} else {
			s.hints[k] = h
			s.order = append(s.order, h)
			for _, d := range h.devices {
				s.byDevice[d] = append(s.byDevice[d], h)
			}
		}
	}
	s.nextID++
	id := s.nextID
	h.watchers[id] = fn
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			delete(h.watchers, id)
			s.mu.Unlock()
		})
	}, true
}

// State returns context/exten's hint state as the table holds it; ok is
// false when the table has no such hint.
func (s *Service) State(context, exten string) (pbx.ExtensionState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hints[key{context, exten}]
	if h == nil {
		return pbx.ExtUnknown, false
	}
	return h.state, true
}
