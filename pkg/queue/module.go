package queue

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/astdb"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Store is the part of astdb the module keeps dynamic members in.
type Store interface {
	Put(family, key, value string) error
	Get(family, key string) (string, bool)
	Del(family, key string) error
	Entries(family, subtree string) []astdb.Entry
}

// persistFamily is app_queue's pm_family.
const persistFamily = "Queue/PersistentMembers"

// Options are what the module is built with.
type Options struct {
	Log pbx.Logger
	// Store keeps dynamic members across restarts (queues.conf
	// persistentmembers); nil keeps them in memory only.
	Store Store
	// QueueLog is astlogdir/queue_log; nil writes none.
	QueueLog *Log
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Module is app_queue: the queues, their members and waiting callers.
// One mutex guards all of it: a member can belong to several queues
// (shared_lastcall, pending calls), and every operation is short.
type Module struct {
	opts Options
	eng  *pbx.Engine
	log  pbx.Logger
	now  func() time.Time

	mu     sync.Mutex
	cfg    *Config
	queues map[string]*queue // by lower-cased name
	// pending are the interfaces a caller is ringing now, so that two
	// queues do not ring a member at once (app_queue's pending_members).
	pending map[string]bool
	// changed is closed (and replaced) whenever something a waiting
	// caller depends on changes: a member freed, added, unpaused, a
	// caller gone. Callers wait on it instead of polling.
	changed chan struct{}

	// stopWatch ends watchDevices' goroutine, which closes watchDone.
	stopWatch, watchDone chan struct{}
}

// queue is one queue's run-time state.
type queue struct {
	name string
	// cfg is replaced by a reload while callers read it without the lock.
	cfg     atomic.Pointer[Queue]
	members []*member // container order (see memberOrder)
	callers []*caller

	holdtime, talktime                         int
	completed, abandoned, completedSL, abandSL int
	rrpos                                      int
	wrapped                                    bool
}

// conf is the queue's configuration now.
func (q *queue) conf() *Queue { return q.cfg.Load() }

// member is one queue member.
type member struct {
	iface, name, stateIface string
	penalty                 int
	paused                  bool
	reason                  string
	lastPause               time.Time
	ringInUse               bool
	wrapup                  int
	dynamic                 bool
	calls                   int
	lastCall                time.Time
	start                   time.Time // in call since (zero: not in a queue call)
	inSL                    bool
	login                   time.Time
	pos                     int // queuepos, rrmemory's order
	lastQueue               *queue
	published               pbx.DeviceState // the Status of the last QueueMemberStatus
}

// New returns the module; Start applies the configuration.
func New(opts Options, cfg *Config) *Module {
	m := &Module{opts: opts, log: opts.Log, now: opts.Now, queues: map[string]*queue{},
		pending: map[string]bool{}, changed: make(chan struct{})}
	if m.log == nil {
		m.log = nopLog{}
	}
	if m.now == nil {
		m.now = time.Now
	}
	if cfg == nil {
		cfg = &Config{}
	}
	m.cfg = cfg
	return m
}

type nopLog struct{}

func (nopLog) Verbose(int, string, ...any) {}
func (nopLog) Notice(string, ...any)       {}
func (nopLog) Warning(string, ...any)      {}

// signal wakes every waiting caller; m.mu is held.
func (m *Module) signal() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// Changed returns the channel the next change closes.
func (m *Module) changedCh() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.changed
}

// Start builds the queues from the configuration and reads the dynamic
// members back from astdb. The engine must know its technologies by now:
// a static member whose interface does not exist is skipped with a
// warning.
func (m *Module) Start() {
	m.mu.Lock()
	m.applyLocked(m.cfg, true, true, nil)
	for _, q := range m.queues {
		for _, mem := range q.members {
			mem.published = m.status(mem)
		}
	}
	m.mu.Unlock()
	if m.eng != nil {
		m.watchDevices()
	}
	m.qlog("NONE", "NONE", "NONE", "QUEUESTART", "")
	if m.cfg.General.PersistentMembers {
		m.loadPersistent()
	}
}

// Stop ends the device watch and wakes waiting callers so they notice
// the engine stopping.
func (m *Module) Stop() {
	if m.stopWatch != nil {
		close(m.stopWatch)
		<-m.watchDone
		m.stopWatch = nil
	}
	m.mu.Lock()
	m.signal()
	m.mu.Unlock()
}

// Config returns the configuration in use.
func (m *Module) Config() *Config {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cfg
}

// Reload applies a new configuration: parameters, members or both (queue
// reload parameters/members/all). Waiting callers stay; a queue no longer
// in the file is removed once its callers have left, as app_queue marks
// it dead.
//
// With names, as `queue reload ... <queuenames>`, only those queues are
// reloaded (added, changed or removed); the others and [general] stay.
func (m *Module) Reload(cfg *Config, params, members bool, names ...string) {
	m.mu.Lock()
	only := map[string]bool{}
	for _, n := range names {
		only[strings.ToLower(n)] = true
	}
	if params {
		if len(only) == 0 {
			m.cfg = cfg
		} else {
			m.cfg = mergeQueues(m.cfg, cfg, only)
		}
	}
	m.applyLocked(cfg, params, members, only)
	m.signal()
	m.mu.Unlock()
}

// mergeQueues is cur with the queues named in only taken from next.
func mergeQueues(cur, next *Config, only map[string]bool) *Config {
	out := *cur
	out.Queues = nil
	for _, q := range cur.Queues {
		if !only[strings.ToLower(q.Name)] {
			out.Queues = append(out.Queues, q)
		}
	}
	for _, q := range next.Queues {
		if only[strings.ToLower(q.Name)] {
			out.Queues = append(out.Queues, q)
		}
	}
	return &out
}

// applyLocked makes the queues match cfg (only the queues in only, when
// it is not empty); m.mu is held.
func (m *Module) applyLocked(cfg *Config, params, members bool, only map[string]bool) {
	seen := map[string]bool{}
	for _, qc := range cfg.Queues {
		key := strings.ToLower(qc.Name)
		if len(only) > 0 && !only[key] {
			continue
		}
		seen[key] = true
		q := m.queues[key]
		if q == nil {
			if !params {
				continue
			}
			q = &queue{name: qc.Name}
			q.cfg.Store(qc)
			m.queues[key] = q
		} else if params {
			if q.conf().Strategy != Linear && qc.Strategy == Linear {
				m.log.Warning("Changing to the linear strategy currently requires asterisk to be restarted.\n")
				cp := *qc
				cp.Strategy = q.conf().Strategy
				qc = &cp
			}
			q.cfg.Store(qc)
		}
		if members {
			m.reloadMembersLocked(q, qc)
		}
	}
	if params {
		for key, q := range m.queues {
			if !seen[key] && len(q.callers) == 0 && (len(only) == 0 || only[key]) {
				delete(m.queues, key)
			}
		}
	}
}

// reloadMembersLocked replaces the static members with the file's,
// keeping the statistics and positions of those that stay.
func (m *Module) reloadMembersLocked(q *queue, qc *Queue) {
	old := map[string]*member{}
	for _, mem := range q.members {
		if !mem.dynamic {
			old[strings.ToLower(mem.iface)] = mem
		}
	}
	keep := map[string]bool{}
	for _, sm := range qc.Members {
		if m.eng != nil && m.eng.DeviceState(sm.StateInterface) == pbx.DeviceInvalid && !m.techKnown(sm.Interface) {
			m.log.Warning("%s:%d: member interface '%s' of queue '%s' does not exist; skipped\n", sm.File, sm.Line, sm.Interface, q.name)
			continue
		}
		key := strings.ToLower(sm.Interface)
		keep[key] = true
		if cur := old[key]; cur != nil {
			cur.name, cur.stateIface, cur.penalty, cur.ringInUse, cur.wrapup = sm.Name, sm.StateInterface, sm.Penalty, sm.RingInUse, sm.WrapupTime
			continue
		}
		if existing := q.member(sm.Interface); existing != nil {
			continue // a dynamic member of that interface stays
		}
		mem := &member{iface: sm.Interface, name: sm.Name, stateIface: sm.StateInterface, penalty: sm.Penalty,
			ringInUse: sm.RingInUse, wrapup: sm.WrapupTime, login: m.now()}
		mem.published = m.status(mem)
		q.addMember(mem)
	}
	for key, mem := range old {
		if !keep[key] {
			q.removeMember(mem)
		}
	}
	for _, mem := range q.members {
		if mem.dynamic {
			mem.ringInUse = qc.RingInUse
		}
	}
}

// techKnown reports whether the interface's technology exists and, for a
// driver that knows its devices, the device too.
func (m *Module) techKnown(iface string) bool {
	tech, res, ok := strings.Cut(iface, "/")
	if !ok {
		return false
	}
	if strings.EqualFold(tech, "Custom:") {
		return true
	}
	t, ok := m.eng.Technology(tech)
	if !ok {
		return false
	}
	if ds, ok := t.(pbx.DeviceStater); ok {
		return ds.DeviceState(res) != pbx.DeviceInvalid
	}
	return true
}

// member finds a member by interface, case-insensitively.
func (q *queue) member(iface string) *member {
	for _, mem := range q.members {
		if strings.EqualFold(mem.iface, iface) {
			return mem
		}
	}
	return nil
}

// addMember appends a member with the next queue position
// (member_add_to_queue).
func (q *queue) addMember(mem *member) {
	mem.pos = len(q.members)
	q.members = append(q.members, mem)
}

// removeMember takes a member out and moves the positions of those after
// it down (queue_member_follower_removal).
func (q *queue) removeMember(mem *member) {
	for i, x := range q.members {
		if x == mem {
			q.members = append(q.members[:i:i], q.members[i+1:]...)
			break
		}
	}
	for _, x := range q.members {
		if x.pos > mem.pos {
			x.pos--
		}
	}
	if q.rrpos > mem.pos {
		q.rrpos--
	}
}

// memberHash is app_queue's member_hash_fn: the first five characters from
// the interface's '/' on, six bits each.
func memberHash(iface string) int {
	s := iface
	if i := strings.IndexByte(iface, '/'); i >= 0 {
		s = iface[i:]
	}
	h := 0
	for i := 0; i < 5 && i < len(s); i++ {
		c := int(s[i])
		switch {
		case c < 32:
			c = 0
		case c > 96:
			c -= 64
		default:
			c -= 32
		}
		h += c << (i * 6)
	}
	return h
}

// memberOrder is the order app_queue walks a queue's members in (queue
// show, ringall's legs): a list in addition order for linear and
// rrordered, otherwise a 37-bucket hash table walked bucket by bucket,
// each bucket in addition order.
func (q *queue) memberOrder() []*member {
	out := append([]*member(nil), q.members...)
	if q.conf().Strategy == Linear || q.conf().Strategy == RROrdered {
		return out
	}
	sort.SliceStable(out, func(i, j int) bool {
		return memberHash(out[i].iface)%37 < memberHash(out[j].iface)%37
	})
	return out
}

// status is the member's device state now (its state_interface's).
func (m *Module) status(mem *member) pbx.DeviceState {
	if m.eng == nil {
		return pbx.DeviceUnknown
	}
	return m.eng.DeviceState(mem.stateIface)
}

// wrapupOf is get_wrapuptime: the member's own, else the queue's.
func wrapupOf(q *queue, mem *member) int {
	if mem.wrapup > 0 {
		return mem.wrapup
	}
	return q.conf().WrapupTime
}

// inWrapup reports whether the member's wrap-up after its last call runs.
func (m *Module) inWrapup(q *queue, mem *member) bool {
	wq := q
	if mem.lastQueue != nil {
		wq = mem.lastQueue
	}
	w := wrapupOf(wq, mem)
	return w > 0 && !mem.lastCall.IsZero() && m.now().Sub(mem.lastCall) < time.Duration(w)*time.Second
}

// available is is_member_available, reading the device state now.
func (m *Module) available(q *queue, mem *member) bool {
	ok := false
	switch m.status(mem) {
	case pbx.DeviceInvalid, pbx.DeviceUnavailable:
	case pbx.DeviceInUse, pbx.DeviceBusy, pbx.DeviceRinging, pbx.DeviceRingInUse, pbx.DeviceOnHold:
		ok = mem.ringInUse && !mem.paused
	default:
		ok = !mem.paused
	}
	if ok && m.inWrapup(q, mem) {
		ok = false
	}
	return ok
}

// numAvailable is num_available_members: how many callers may ring at
// once (ringall uses one for all).
func (m *Module) numAvailable(q *queue) int {
	n := 0
	for _, mem := range q.members {
		if m.available(q, mem) {
			n++
			if !q.conf().Autofill || q.conf().Strategy == RingAll {
				break
			}
		}
	}
	return n
}

// emptyLocked is get_member_status: true when no member counts as there
// under the conditions.
func (m *Module) emptyLocked(q *queue, c *caller, cond Empty) bool {
	for _, mem := range q.members {
		pen := mem.penalty
		if c != nil {
			if c.raisePen != noPenalty && pen < c.raisePen {
				pen = c.raisePen
			}
			if (c.maxPen != noPenalty && pen > c.maxPen) || (c.minPen != noPenalty && pen < c.minPen) {
				if cond&EmptyPenalty != 0 {
					continue
				}
			}
		}
		st := m.status(mem)
		skip := false
		switch st {
		case pbx.DeviceInvalid:
			skip = cond&EmptyInvalid != 0
		case pbx.DeviceUnavailable:
			skip = cond&EmptyUnavailable != 0
		case pbx.DeviceInUse:
			skip = cond&EmptyInUse != 0
		case pbx.DeviceRinging:
			skip = cond&EmptyRinging != 0
		case pbx.DeviceUnknown:
			skip = cond&EmptyUnknown != 0
		}
		if skip {
			continue
		}
		if mem.paused && cond&EmptyPaused != 0 {
			continue
		}
		if cond&EmptyWrapup != 0 && m.inWrapup(q, mem) {
			continue
		}
		return false
	}
	return true
}

// --- dynamic members ---

// Result codes of member changes (app_queue's RES_*).
type Result int

// The outcomes of AddMember, RemoveMember, SetPaused and SetPenalty.
const (
	ResOK Result = iota
	ResExists
	ResNoSuchQueue
	ResNotDynamic
	ResOutOfMemory
	ResNotCaller // ChangePriority: the channel is not waiting in the queue
)

// AddMember adds a dynamic member (AddQueueMember, queue add member).
func (m *Module) AddMember(queueName, iface, name string, penalty int, paused bool, stateIface, reason string, wrapup int) Result {
	m.mu.Lock()
	q := m.queues[strings.ToLower(queueName)]
	if q == nil {
		m.mu.Unlock()
		return ResNoSuchQueue
	}
	if q.member(iface) != nil {
		m.mu.Unlock()
		return ResExists
	}
	if name == "" {
		name = iface
	}
	if stateIface == "" {
		stateIface = iface
	}
	now := m.now()
	mem := &member{iface: iface, name: name, stateIface: stateIface, penalty: penalty, paused: paused,
		reason: reason, ringInUse: q.conf().RingInUse, wrapup: wrapup, dynamic: true, login: now}
	if paused {
		mem.lastPause = now
	}
	mem.published = m.status(mem)
	q.addMember(mem)
	ev := m.memberEvent("QueueMemberAdded", q, mem)
	m.dumpLocked(q)
	m.signal()
	m.mu.Unlock()
	m.publish(ev)
	return ResOK
}

// RemoveMember removes a dynamic member.
func (m *Module) RemoveMember(queueName, iface string) (Result, string) {
	m.mu.Lock()
	q := m.queues[strings.ToLower(queueName)]
	if q == nil {
		m.mu.Unlock()
		return ResNoSuchQueue, ""
	}
	mem := q.member(iface)
	if mem == nil {
		m.mu.Unlock()
		return ResExists, ""
	}
	if !mem.dynamic {
		m.mu.Unlock()
		return ResNotDynamic, mem.name
	}
	ev := m.memberEvent("QueueMemberRemoved", q, mem)
	q.removeMember(mem)
	m.dumpLocked(q)
	m.signal()
	m.mu.Unlock()
	m.publish(ev)
	return ResOK, mem.name
}

// SetPaused pauses or unpauses iface in one queue, or in every queue
// that has it when queueName is "". It returns the queues changed.
func (m *Module) SetPaused(queueName, iface, reason string, paused bool) []string {
	m.mu.Lock()
	var names []string
	var evs []pbx.BusEvent
	for _, q := range m.sortedLocked() {
		if queueName != "" && !strings.EqualFold(q.name, queueName) {
			continue
		}
		mem := q.member(iface)
		if mem == nil {
			continue
		}
		mem.paused = paused
		mem.reason = ""
		if paused {
			mem.reason = reason
		}
		mem.lastPause = m.now()
		if mem.dynamic {
			m.dumpLocked(q)
		}
		event := "UNPAUSE"
		if paused {
			event = "PAUSE"
		}
		m.qlog(q.name, "NONE", mem.name, event, reason)
		ev := m.memberEvent("QueueMemberPause", q, mem)
		evs = append(evs, ev)
		names = append(names, q.name)
	}
	if len(names) > 0 && queueName == "" {
		event := "UNPAUSEALL"
		if paused {
			event = "PAUSEALL"
		}
		m.qlog("NONE", "NONE", iface, event, "")
	}
	m.signal()
	m.mu.Unlock()
	for _, ev := range evs {
		m.publish(ev)
	}
	return names
}

// SetPenalty changes iface's penalty in one queue or all (""); it
// returns how many members changed.
func (m *Module) SetPenalty(queueName, iface string, penalty int) int {
	m.mu.Lock()
	n := 0
	var evs []pbx.BusEvent
	for _, q := range m.sortedLocked() {
		if queueName != "" && !strings.EqualFold(q.name, queueName) {
			continue
		}
		if mem := q.member(iface); mem != nil {
			mem.penalty = penalty
			if mem.dynamic {
				m.dumpLocked(q)
			}
			m.qlog(q.name, "NONE", iface, "PENALTY", strconv.Itoa(penalty))
			evs = append(evs, m.memberEvent("QueueMemberPenalty", q, mem))
			n++
		}
	}
	m.signal()
	m.mu.Unlock()
	for _, ev := range evs {
		m.publish(ev)
	}
	return n
}

// sortedLocked returns the queues sorted by name.
func (m *Module) sortedLocked() []*queue {
	out := make([]*queue, 0, len(m.queues))
	for _, q := range m.queues {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// dumpLocked writes a queue's dynamic members to astdb in app_queue's
// format: interface;penalty;paused;name;state_interface;reason;wrapuptime
// joined by '|'; the key is deleted when none is left.
func (m *Module) dumpLocked(q *queue) {
	if m.opts.Store == nil || !m.cfg.General.PersistentMembers {
		return
	}
	var parts []string
	for _, mem := range q.memberOrder() {
		if !mem.dynamic {
			continue
		}
		paused := "0"
		if mem.paused {
			paused = "1"
		}
		parts = append(parts, strings.Join([]string{mem.iface, strconv.Itoa(mem.penalty), paused, mem.name,
			mem.stateIface, mem.reason, strconv.Itoa(mem.wrapup)}, ";"))
	}
	if len(parts) == 0 {
		_ = m.opts.Store.Del(persistFamily, q.name)
		return
	}
	if err := m.opts.Store.Put(persistFamily, q.name, strings.Join(parts, "|")); err != nil {
		m.log.Warning("failed to create persistent dynamic entry!\n")
	}
}

// loadPersistent is reload_queue_members: the dynamic members astdb
// kept, added back; rows of queues that no longer exist are deleted.
func (m *Module) loadPersistent() {
	if m.opts.Store == nil {
		return
	}
	entries := m.opts.Store.Entries(persistFamily, "")
	for _, e := range entries {
		qname := strings.TrimPrefix(e.Key, "/"+persistFamily+"/")
		m.mu.Lock()
		q := m.queues[strings.ToLower(qname)]
		m.mu.Unlock()
		if q == nil {
			m.log.Warning("Error loading persistent queue: '%s': it does not exist\n", qname)
			_ = m.opts.Store.Del(persistFamily, qname)
			continue
		}
		for _, row := range strings.FieldsFunc(e.Value, func(r rune) bool { return r == '|' || r == ',' }) {
			f := strings.Split(row, ";")
			if len(f) < 2 {
				m.log.Warning("Error parsing persistent member string for '%s' (penalty)\n", qname)
				break
			}
			if len(f) < 3 {
				m.log.Warning("Error parsing persistent member string for '%s' (paused)\n", qname)
				break
			}
			penalty, _ := strconv.Atoi(f[1])
			paused, err := strconv.Atoi(f[2])
			if err != nil || paused < 0 || paused > 1 {
				m.log.Warning("Error converting paused: %s: Expected 0 or 1.\n", f[2])
				break
			}
			get := func(i int) string {
				if i < len(f) {
					return f[i]
				}
				return ""
			}
			wrap, _ := strconv.Atoi(get(6))
			m.AddMember(qname, f[0], get(3), penalty, paused == 1, get(4), get(5), wrap)
		}
	}
	if len(entries) > 0 {
		m.log.Notice("Queue members successfully reloaded from database.\n")
	}
}

// qlog writes a queue_log line.
func (m *Module) qlog(queue, callid, agent, event string, data ...string) {
	m.opts.QueueLog.Write(queue, callid, agent, event, data...)
}
