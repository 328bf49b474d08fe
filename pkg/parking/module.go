package parking

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Options configure a Module.
type Options struct {
	Log pbx.Logger
	// Music returns the music on hold a parked channel hears (nil, or a
	// nil generator: silence). class is the lot's parkedmusicclass.
	Music func(ch *pbx.Channel, class string) pbx.Generator
}

// Module is res_parking at run time: the configuration in use and the
// calls parked in each lot.
type Module struct {
	opts Options
	log  pbx.Logger
	cfg  atomic.Pointer[Config]

	// engine is the one Register was given (the Park action finds
	// channels there).
	engine atomic.Pointer[pbx.Engine]

	mu     sync.Mutex
	lots   map[string]*lotState // by lot name
	dyn    map[string]*Lot      // parkeddynamic's lots, by name
	closed bool
}

// lotState is what is parked in one lot.
type lotState struct {
	parked map[int]*parkedCall
	next   int // findslot=next: where the search starts
}

// parkedCall is one parked channel. The Park application of the channel
// owns it; a retriever claims it (claimed closes), bridges it and closes
// done when the bridge is over.
type parkedCall struct {
	ch      *pbx.Channel
	lot     string
	space   int
	parker  string // dial string of the parker ("SIP/6001")
	start   time.Time
	limit   time.Duration
	claimed chan struct{}
	ready   chan struct{} // Park stopped the music: the retriever may bridge
	done    chan struct{}
	retr    *pbx.Channel
}

// New returns the module with its first configuration.
func New(opts Options, cfg *Config) *Module {
	m := &Module{opts: opts, log: opts.Log, lots: map[string]*lotState{}}
	if m.log == nil {
		m.log = nopLogger{}
	}
	if cfg == nil {
		cfg, _ = Load(nil, nil)
	}
	m.cfg.Store(cfg)
	return m
}

type nopLogger struct{}

func (nopLogger) Verbose(int, string, ...any) {}
func (nopLogger) Notice(string, ...any)       {}
func (nopLogger) Warning(string, ...any)      {}

// Config returns the configuration in use.
func (m *Module) Config() *Config { return m.cfg.Load() }

// SetConfig swaps in a reloaded configuration; calls parked stay where
// they are until retrieved or timed out.
func (m *Module) SetConfig(cfg *Config) {
	if cfg != nil {
		m.cfg.Store(cfg)
	}
}

// errFull and errNoLot are why a call could not be parked.
type parkError string

func (e parkError) Error() string { return string(e) }

const (
	errFull  parkError = "parking lot full"
	errNoLot parkError = "no such parking lot"
)

// park gives ch a space in lot: the preferred one when free (PARKINGEXTEN),
// else by the lot's findslot.
func (m *Module) park(ch *pbx.Channel, lot *Lot, preferred int, parker string, limit time.Duration) (*parkedCall, error) {
	pc, err := m.takeSpace(ch, lot, preferred, parker, limit)
	if err == nil {
		m.spaceChanged(pc)
	}
	return pc, err
}

func (m *Module) takeSpace(ch *pbx.Channel, lot *Lot, preferred int, parker string, limit time.Duration) (*parkedCall, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.lots[lot.Name]
	if st == nil {
		st = &lotState{parked: map[int]*parkedCall{}}
		m.lots[lot.Name] = st
	}
	space := -1
	if preferred > 0 {
		if preferred >= lot.Start && preferred <= lot.Stop && st.parked[preferred] == nil {
			space = preferred
		}
	} else {
		first := lot.Start
		if lot.FindNext && st.next >= lot.Start && st.next <= lot.Stop {
			first = st.next
		}
		n := lot.Stop - lot.Start + 1
		for i := 0; i < n; i++ {
			s := lot.Start + (first-lot.Start+i)%n
			if st.parked[s] == nil {
				space = s
				break
			}
		}
	}
	if space < 0 {
		return nil, errFull
	}
	if lot.FindNext {
		st.next = space + 1
	}
	pc := &parkedCall{ch: ch, lot: lot.Name, space: space, parker: parker, start: time.Now(), limit: limit,
		claimed: make(chan struct{}), ready: make(chan struct{}), done: make(chan struct{})}
	st.parked[space] = pc
	return pc, nil
}

// leave frees a parked call's space; it reports false when a retriever
// (or the timeout) already took it.
func (m *Module) leave(pc *parkedCall) bool {
	if !m.freeSpace(pc) {
		return false
	}
	m.spaceChanged(pc)
	return true
}

func (m *Module) freeSpace(pc *parkedCall) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.lots[pc.lot]
	if st == nil || st.parked[pc.space] != pc {
		return false
	}
	delete(st.parked, pc.space)
	m.dropIfUnused(pc.lot)
	return true
}

// claim takes the call parked at space (any, the longest parked, when
// space < 0) out of the lot for a retriever.
func (m *Module) claim(lot string, space int, retriever *pbx.Channel) *parkedCall {
	pc := m.claimSpace(lot, space, retriever)
	if pc != nil {
		m.spaceChanged(pc)
	}
	return pc
}

func (m *Module) claimSpace(lot string, space int, retriever *pbx.Channel) *parkedCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.lots[lot]
	if st == nil {
		return nil
	}
	var pc *parkedCall
	if space >= 0 {
		pc = st.parked[space]
	} else {
		for _, c := range st.parked {
			if pc == nil || c.start.Before(pc.start) {
				pc = c
			}
		}
	}
	if pc == nil || pc.ch.HangupRequested() {
		return nil
	}
	delete(st.parked, pc.space)
	m.dropIfUnused(pc.lot)
	pc.retr = retriever
	close(pc.claimed)
	return pc
}

// Parked lists a lot's calls by space, for the CLI and tests.
func (m *Module) Parked(lot string) []ParkedInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.lots[lot]
	if st == nil {
		return nil
	}
	var out []ParkedInfo
	for _, pc := range st.parked {
		out = append(out, ParkedInfo{Space: pc.space, Channel: pc.ch.Name(), Parker: pc.parker})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Space < out[j].Space })
	return out
}

// ParkedInfo is one parked call as `parking show <lot>` prints it.
type ParkedInfo struct {
	Space   int
	Channel string
	Parker  string // the parker's dial string
}

// dialString is a channel's device: its name without the "-0000001a"
// suffix, what Asterisk dials to call a parker back.
func dialString(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.ParseUint(name[i+1:], 16, 64); err == nil {
			return name[:i]
		}
	}
	return name
}

// flatten is res_parking's flatten_dial_string: slashes become
// underscores, so that a dial string can be an extension.
func flatten(s string) string { return strings.ReplaceAll(s, "/", "_") }

// NextSpace is where a call parked in lot now would go, with the lot's
// parking extension and context: the DTMF parkcall feature announces it
// to the parker and sends the call there with PARKINGEXTEN set. ok is
// false when the lot is unknown, has no parkext or is full.
func (m *Module) NextSpace(lotName string) (space int, context, exten string, ok bool) {
	if lotName == "" {
		lotName = DefaultLot
	}
	lot := m.lookup(lotName)
	if lot == nil || lot.ParkExt == "" {
		return 0, "", "", false
	}
	if space = m.nextFree(lot); space == 0 {
		return 0, "", "", false
	}
	return space, lot.Context, lot.ParkExt, true
}
