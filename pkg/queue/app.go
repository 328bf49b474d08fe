package queue

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// queueExec is the Queue application (queue_exec).
func (m *Module) queueExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := m.log
	if strings.TrimSpace(data) == "" {
		log.Warning("Queue requires an argument: queuename[,options[,URL[,announceoverride[,timeout[,agi[,macro[,gosub[,rule[,position]]]]]]]]]\n")
		return pbx.HangupResult, nil
	}
	args := pbx.SplitArgs(data, ',')
	arg := func(i int) string {
		if i < len(args) {
			return strings.TrimSpace(args[i])
		}
		return ""
	}
	name := arg(0)
	opts := pbx.ParseAppOptions(arg(1))
	c := &caller{ch: ch, start: m.now(), prio: 0}
	c.x = &extras{opts: opts, agi: arg(5), macro: arg(6), gosub: arg(7)}
	ch.UnsetVar("ABANDONED")
	if s := arg(4); s != "" {
		c.expire = c.start.Add(time.Duration(atoi(s)) * time.Second)
	}
	if v, ok := ch.Var("QUEUE_PRIO"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			log.Warning("${QUEUE_PRIO}: Invalid value (%s), channel %s.\n", v, ch.Name())
		}
		c.prio = n
	}
	c.maxPen = penaltyVar(ch, "QUEUE_MAX_PENALTY", log)
	c.minPen = penaltyVar(ch, "QUEUE_MIN_PENALTY", log)
	c.raisePen = penaltyVar(ch, "QUEUE_RAISE_PENALTY", log)
	_, c.ringing = opts['r']
	if _, ok := opts['R']; ok && !c.ringing {
		c.ringWhenRinging = true
	}
	_, qcontinue := opts['c']
	position := 0
	if s := arg(9); s != "" {
		position = atoi(s)
		if position < 0 {
			log.Warning("Invalid position '%s' given for call to queue '%s'. Assuming no preference for position\n", s, name)
			position = 0
		}
	}
	c.lastPeriodic = c.start
	if reason, ok := m.join(name, c, position); !ok {
		log.Warning("Unable to join queue '%s'\n", name)
		ch.SetVar("QUEUESTATUS", string(reason))
		return pbx.Continue, nil
	}
	q := c.q
	if q.conf().PeriodicAnnounceStartDelay >= 0 {
		c.lastPeriodic = c.lastPeriodic.Add(time.Duration(q.conf().PeriodicAnnounceStartDelay-q.conf().PeriodicAnnounceFrequency) * time.Second)
	}
	cid := ""
	if id := ch.CallerID(); q.conf().LogRestrictedCallerID || !restricted(ch) {
		cid = id.Num
	}
	m.qlog(name, ch.UniqueID(), "NONE", "ENTERQUEUE", arg(2), cid, strconv.Itoa(c.opos))
	c.x.beforeCalling(ch) // a hang-up in it is seen by the waiting loop
	if class, ok := opts['m']; ok && class != "" {
		c.moh = class
	}
	rule := arg(8)
	if rule == "" {
		rule = q.conf().DefaultRule
	}
	if r := m.Config().Rule(rule); r != nil {
		c.rules = r.Steps
	}

	res, reason := m.serve(c, opts, arg(3), arg(2))
	stop := func() {
		if c.ringing {
			// ringing stops with the next indication or the answer
		} else {
			apps.StopHoldMusic(ch)
		}
	}
	result := pbx.Continue
	switch res {
	case stepHangup:
		if c.handled == 0 {
			m.recordAbandoned(c)
			m.qlog(name, ch.UniqueID(), "NONE", "ABANDON", strconv.Itoa(c.pos), strconv.Itoa(c.opos), c.waited(m.now()))
			result = pbx.HangupResult
		} else if reason == OutLeaveEmpty {
			stop()
		} else if qcontinue && !ch.HangupRequested() {
			reason = OutContinue
		} else {
			result = pbx.HangupResult
		}
	case stepDigit:
		m.qlog(name, ch.UniqueID(), "NONE", "EXITWITHKEY", c.digits, strconv.Itoa(c.pos), strconv.Itoa(c.opos), c.waited(m.now()))
		stop()
		result = pbx.GotoResult(c.context, c.digits, 1)
	default:
		stop()
	}
	m.setQueueVars(q, ch)
	m.leave(c)
	if reason != "" {
		ch.SetVar("QUEUESTATUS", string(reason))
	}
	return result, nil
}

// restricted reports whether the caller's number presentation is
// restricted (CALLERPRES prohibited).
func restricted(ch *pbx.Channel) bool {
	v, _ := ch.Var("CALLERPRES")
	return strings.HasPrefix(strings.ToLower(v), "prohib")
}

// serve is queue_exec's waiting loop: it returns how the caller left and
// the QUEUESTATUS to set ("" for none: the call was answered).
func (m *Module) serve(c *caller, opts map[byte]string, announceOverride, url string) (step, Outcome) {
	name := c.q.name
	uid := c.ch.UniqueID()
	tries := 0
	noOption := false
	exitTimeout := func() (step, Outcome) {
		m.recordAbandoned(c)
		m.qlog(name, uid, "NONE", "EXITWITHTIMEOUT", strconv.Itoa(c.pos), strconv.Itoa(c.opos), c.waited(m.now()))
		return stepOn, OutTimeout
	}
checkTurns:
	m.startWaiting(c)
	if st, reason, timedOut := m.waitTurn(c); st != stepOn || reason != "" {
		return st, reason
	} else if timedOut {
		// wait_our_turn leaves on the timeout; the loop below logs it.
		return exitTimeout()
	}
	announce := c.q.conf().AnnounceToFirstUser
	for {
		if c.expired(m.now()) {
			return exitTimeout()
		}
		if announce && c.q.conf().AnnounceFrequency > 0 {
			if st := m.sayPosition(c); st != stepOn {
				return st, ""
			}
		}
		announce = true
		if c.q.conf().PeriodicAnnounceFrequency > 0 {
			if st := m.sayPeriodic(c); st != stepOn {
				return st, ""
			}
		}
		if c.expired(m.now()) {
			return exitTimeout()
		}
		m.updateRules(c, false)
		st := m.tryCalling(c, opts, announceOverride, url, &tries, &noOption)
		if st != stepOn {
			return st, ""
		}
		if c.handled > 0 {
			return stepHangup, ""
		}
		if lw := c.q.conf().LeaveWhenEmpty; lw != 0 {
			m.mu.Lock()
			empty := m.emptyLocked(c.q, c, lw)
			m.mu.Unlock()
			if empty {
				m.recordAbandoned(c)
				m.qlog(name, uid, "NONE", "EXITEMPTY", strconv.Itoa(c.pos), strconv.Itoa(c.opos), c.waited(m.now()))
				return stepOn, OutLeaveEmpty
			}
		}
		m.mu.Lock()
		nmembers := len(c.q.members)
		m.mu.Unlock()
		if noOption && tries >= nmembers {
			m.log.Verbose(3, "Exiting on time-out cycle\n")
			m.qlog(name, uid, "NONE", "EXITWITHTIMEOUT", strconv.Itoa(c.pos), strconv.Itoa(c.opos), c.waited(m.now()))
			m.recordAbandoned(c)
			return stepOn, OutTimeout
		}
		if c.expired(m.now()) {
			return exitTimeout()
		}
		// Nobody answered: wait 'retry' seconds, a key may leave.
		d, err := m.waitDigit(c.ch, time.Duration(c.q.conf().Retry)*time.Second, false)
		if st := m.digitResult(c, d, err); st != stepOn {
			return st, ""
		}
		if !m.isOurTurn(c) {
			goto checkTurns
		}
	}
}

// waitTurn is wait_our_turn: callers behind the first ones hear music
// and announcements until their turn comes.
func (m *Module) waitTurn(c *caller) (st step, reason Outcome, timedOut bool) {
	for {
		if m.isOurTurn(c) {
			return stepOn, "", false
		}
		if c.expired(m.now()) {
			return stepOn, "", true
		}
		if lw := c.q.conf().LeaveWhenEmpty; lw != 0 {
			m.mu.Lock()
			empty := m.emptyLocked(c.q, c, lw)
			m.mu.Unlock()
			if empty {
				m.recordAbandoned(c)
				m.qlog(c.q.name, c.ch.UniqueID(), "NONE", "EXITEMPTY", strconv.Itoa(c.pos), strconv.Itoa(c.opos), c.waited(m.now()))
				c.handled = -1
				return stepOn, OutLeaveEmpty, false
			}
		}
		if c.q.conf().AnnounceFrequency > 0 {
			if st := m.sayPosition(c); st != stepOn {
				return st, "", false
			}
		}
		if c.expired(m.now()) {
			return stepOn, "", true
		}
		if c.q.conf().PeriodicAnnounceFrequency > 0 {
			if st := m.sayPeriodic(c); st != stepOn {
				return st, "", false
			}
		}
		m.updateRules(c, true)
		if c.expired(m.now()) {
			return stepOn, "", true
		}
		wait := recheck
		if !c.expire.IsZero() {
			wait = min(wait, max(c.expire.Sub(m.now()), 0))
		}
		d, err := m.waitDigit(c.ch, wait, true)
		if st := m.digitResult(c, d, err); st != stepOn {
			return st, "", false
		}
	}
}

// attempt is one member rung for a caller (app_queue's callattempt).
type attempt struct {
	mem        *member
	iface      string
	metric     int
	ch         *pbx.Channel
	stillGoing bool
	pending    bool // holds the member in m.pending
	started    time.Time
	watchedCh  *pbx.Channel // the channel Watch was registered on
}

// metric is calc_metric; false when the member's penalty is outside the
// caller's limits.
func (m *Module) metric(q *queue, mem *member, pos int, c *caller, a *attempt) bool {
	usePenalty := 1
	if len(q.members) <= q.conf().PenaltyMembersLimit {
		usePenalty = 0
	}
	pen := mem.penalty
	if usePenalty == 1 {
		if c.raisePen != noPenalty && pen < c.raisePen {
			pen = c.raisePen
		}
		if (c.maxPen != noPenalty && pen > c.maxPen) || (c.minPen != noPenalty && pen < c.minPen) {
			return false
		}
	}
	base := pen * 1000000 * usePenalty
	switch q.conf().Strategy {
	case RingAll:
		a.metric = base
	case Linear:
		if pos < c.linpos {
			a.metric = 1000 + pos
		} else {
			if pos > c.linpos {
				c.linwrapped = true
			}
			a.metric = pos
		}
		a.metric += base
	case RRMemory, RROrdered:
		if mem.pos < q.rrpos {
			a.metric = 1000 + mem.pos
		} else {
			if mem.pos > q.rrpos {
				q.wrapped = true
			}
			a.metric = mem.pos
		}
		a.metric += base
	case Random:
		a.metric = rand.IntN(1000) + base
	case WRandom:
		a.metric = rand.IntN((1 + pen) * 1000)
	case FewestCalls:
		a.metric = mem.calls + base
	case LeastRecent:
		if mem.lastCall.IsZero() {
			a.metric = 0
		} else {
			a.metric = 1000000 - int(m.now().Sub(mem.lastCall)/time.Second)
		}
		a.metric += base
	}
	return true
}

// findBest is find_best: the attempt not yet rung with the lowest metric.
func findBest(atts []*attempt) *attempt {
	var best *attempt
	for _, a := range atts {
		if a.stillGoing && a.ch == nil && (best == nil || a.metric < best.metric) {
			best = a
		}
	}
	return best
}

// canRing is can_ring_entry; it takes the member into m.pending when it
// may be rung. m.mu is held.
func (m *Module) canRingLocked(q *queue, a *attempt) bool {
	mem := a.mem
	if mem.paused {
		return false
	}
	st := m.status(mem)
	avail := st == pbx.DeviceNotInUse || st == pbx.DeviceUnknown
	if !mem.ringInUse && !avail {
		return false
	}
	if m.inWrapup(q, mem) {
		return false
	}
	if !mem.ringInUse {
		key := strings.ToLower(mem.iface)
		if m.pending[key] {
			return false
		}
		m.pending[key] = true
		a.pending = true
	}
	return true
}

// release lets go of an attempt's hold on its member; m.mu is held.
func (m *Module) releaseLocked(a *attempt) {
	if a.pending {
		delete(m.pending, strings.ToLower(a.mem.iface))
		a.pending = false
	}
}

// ringEntry is ring_entry: request the member's channel and call it.
func (m *Module) ringEntry(c *caller, a *attempt, busies *int, timeout time.Duration) bool {
	m.mu.Lock()
	ok := m.canRingLocked(c.q, a)
	m.mu.Unlock()
	if !ok {
		a.stillGoing = false
		*busies++
		return false
	}
	eng := c.ch.Engine()
	tech, loc, _ := strings.Cut(a.iface, "/")
	out, err := eng.Request(c.ch.Ctx(), tech, loc, c.ch)
	if err != nil {
		m.mu.Lock()
		c.q.rrpos++
		c.linpos++
		m.releaseLocked(a)
		m.mu.Unlock()
		a.stillGoing = false
		*busies++
		return false
	}
	dc, dx, _ := c.ch.Location()
	apps.PrepareOutbound(c.ch, out, dc, dx)
	out.SetApplication("AppQueue", "(Outgoing Line)")
	number := loc
	if number == "" {
		number = a.iface
	}
	out.SetVar("DIALEDPEERNUMBER", number)
	if !c.x.beforeMember(out) {
		out.Hangup(pbx.CauseNormalClearing)
		m.mu.Lock()
		m.releaseLocked(a)
		m.mu.Unlock()
		a.stillGoing = false
		*busies++
		return false
	}
	if err := out.Driver().Call(c.ch.Ctx(), loc, timeout); err != nil {
		m.log.Verbose(3, "Couldn't call %s\n", a.iface)
		out.Hangup(pbx.CauseNormalClearing)
		m.mu.Lock()
		m.releaseLocked(a)
		m.mu.Unlock()
		a.stillGoing = false
		*busies++
		return false
	}
	a.ch = out
	a.started = m.now()
	m.publish(m.agentEvent("AgentCalled", c.ch, out, "Queue", c.q.name, "Interface", a.iface, "MemberName", a.mem.name))
	eng.Bus().Publish(pbx.BusEvent{Type: pbx.BusDialBegin, Channel: c.ch, Peer: out, DialString: a.iface})
	m.log.Verbose(3, "Called %s\n", a.iface)
	return true
}

// ringOne is ring_one: ring the best member (all the best, for ringall)
// until one could be called.
func (m *Module) ringOne(c *caller, atts []*attempt, busies *int, timeout time.Duration) bool {
	for {
		best := findBest(atts)
		if best == nil {
			return false
		}
		ret := false
		if c.q.conf().Strategy == RingAll {
			for _, a := range atts {
				if a.stillGoing && a.ch == nil && a.metric <= best.metric {
					ret = m.ringEntry(c, a, busies, timeout) || ret
				}
			}
		} else {
			ret = m.ringEntry(c, best, busies, timeout)
		}
		if c.expired(m.now()) {
			return false
		}
		if ret {
			return true
		}
	}
}

// storeNext is store_next_rr / store_next_lin; m.mu is held.
func (m *Module) storeNextLocked(c *caller, atts []*attempt) {
	q := c.q
	switch q.conf().Strategy {
	case RRMemory, RROrdered:
		advance(&q.rrpos, &q.wrapped, atts)
	case Linear:
		advance(&c.linpos, &c.linwrapped, atts)
	}
}

// advance moves a round-robin position (the queue's, or a caller's for
// linear): past the best member just tried, back to the start after a
// wrap, else one on.
func advance(pos *int, wrapped *bool, atts []*attempt) {
	if best := findBest(atts); best != nil {
		*pos = best.metric % 1000
	} else if *wrapped {
		*pos = 0
	} else {
		*pos++
	}
	*wrapped = false
}

// tryCalling is try_calling: ring members for the queue's timeout and
// connect the caller to the one who answers.
func (m *Module) tryCalling(c *caller, opts map[byte]string, announceOverride, url string, tries *int, noOption *bool) step {
	now := m.now()
	if c.expired(now) {
		return stepOn
	}
	q := c.q
	if _, ok := opts['n']; ok {
		m.mu.Lock()
		if q.conf().Strategy == RRMemory || q.conf().Strategy == Linear || q.conf().Strategy == RROrdered {
			*tries++
		} else {
			*tries = len(q.members)
		}
		m.mu.Unlock()
		*noOption = true
	}
	m.mu.Lock()
	announce := c.announce
	if announceOverride != "" {
		announce = announceOverride
	}
	var atts []*attempt
	for i, mem := range q.memberOrder() {
		a := &attempt{mem: mem, iface: mem.iface, stillGoing: true}
		if m.metric(q, mem, i, c, a) {
			atts = append(atts, a)
		}
	}
	// app_queue prepends each attempt to its list, and find_best keeps
	// the first of equal metrics: ties go to the member walked last.
	slices.Reverse(atts)
	var to time.Duration = -1
	if !q.conf().TimeoutPriorityConf {
		if !c.expire.IsZero() && (q.conf().Timeout == 0 || c.expire.Sub(now) <= time.Duration(q.conf().Timeout)*time.Second) {
			to = c.expire.Sub(now)
		} else if q.conf().Timeout > 0 {
			to = time.Duration(q.conf().Timeout) * time.Second
		}
	} else if c.expired(now) {
		to = 0
	} else if q.conf().Timeout > 0 {
		to = time.Duration(q.conf().Timeout) * time.Second
	}
	c.pending = true
	m.mu.Unlock()

	busies := 0
	ringTimeout := max(to, 0)
	m.ringOne(c, atts, &busies, ringTimeout)
	winner, st, ringTime := m.waitForAnswer(c, atts, to, busies)

	m.mu.Lock()
	m.storeNextLocked(c, atts)
	c.pending = false
	for _, a := range atts {
		if a != winner {
			m.releaseLocked(a)
		}
	}
	m.signal()
	m.mu.Unlock()
	for _, a := range atts {
		if a != winner && a.ch != nil {
			a.ch.Hangup(c.x.cancelCause(c.ch, winner != nil))
			a.ch = nil
		}
	}
	if winner == nil {
		return st
	}
	return m.connect(c, winner, announce, url, opts, ringTime)
}

// waitForAnswer is wait_for_answer: it follows the rung legs until one
// answers, the time runs out, every member failed, or the caller leaves
// (hangs up, or a key of the queue's context). The duration returned is
// the ringing time of the winner.
func (m *Module) waitForAnswer(c *caller, atts []*attempt, to time.Duration, prebusies int) (*attempt, step, time.Duration) {
	q := c.q
	orig := to
	start := m.now()
	wake := make(chan struct{}, 1)
	var stops []func()
	watch := func() {
		for _, a := range atts {
			if a.ch != nil && !a.watched() {
				stops = append(stops, a.ch.Watch(wake))
				a.markWatched()
			}
		}
	}
	defer func() {
		for _, s := range stops {
			s()
		}
	}()
	watch()
	var expire <-chan time.Time
	var timer *time.Timer
	if to >= 0 {
		timer = time.NewTimer(to)
		defer timer.Stop()
		expire = timer.C
	}
	digits, stopDigits := apps.ReadDigits(c.ch)
	defer stopDigits()
	busies := prebusies
	numLines := len(atts)
	cancelAll := func() {
		ms := strconv.FormatInt(int64(m.now().Sub(start)/time.Millisecond), 10)
		for _, a := range atts {
			if a.ch != nil {
				m.qlog(q.name, c.ch.UniqueID(), a.mem.name, "RINGCANCELED", ms)
				c.ch.Engine().Bus().Publish(pbx.BusEvent{Type: pbx.BusDialEnd, Channel: c.ch, Peer: a.ch, DialString: a.iface, DialStatus: "CANCEL"})
			}
		}
	}
	rna := func(a *attempt, ms int64, autopause bool) {
		m.log.Verbose(3, "Nobody picked up in %d ms\n", ms)
		if c.ringWhenRinging {
			m.startWaiting(c)
		}
		m.publish(m.agentEvent("AgentRingNoAnswer", c.ch, a.ch, "Queue", q.name, "Interface", a.iface,
			"MemberName", a.mem.name, "RingTime", strconv.FormatInt(ms, 10)))
		m.qlog(q.name, c.ch.UniqueID(), a.mem.name, "RINGNOANSWER", strconv.FormatInt(ms, 10))
		if autopause && q.conf().Autopause != AutopauseOff {
			m.autopause(q, a.mem)
		}
	}
	finish := func(a *attempt, status string) {
		c.ch.Engine().Bus().Publish(pbx.BusEvent{Type: pbx.BusDialEnd, Channel: c.ch, Peer: a.ch, DialString: a.iface, DialStatus: status})
		a.ch.Hangup(a.ch.HangupCause())
		a.ch = nil
		a.stillGoing = false
		m.mu.Lock()
		m.releaseLocked(a)
		m.signal()
		m.mu.Unlock()
	}
	for {
		ringing := 0
		for _, a := range atts {
			if a.ch != nil {
				ringing++
			}
		}
		if ringing == 0 {
			if numLines == busies {
				m.log.Verbose(3, "Everyone is busy at this time\n")
			} else {
				m.log.Verbose(3, "No one is answering queue %s (%d/%d)\n", q.name, numLines, busies)
			}
			return nil, stepOn, 0
		}
		select {
		case <-c.ch.Done():
			cancelAll()
			return nil, stepHangup, 0
		case <-c.ch.Ctx().Done():
			cancelAll()
			return nil, stepHangup, 0
		case d, ok := <-digits:
			if !ok {
				digits = nil
				continue
			}
			if m.validExit(c, d) {
				m.log.Verbose(3, "User pressed digit: %c\n", d)
				cancelAll()
				return nil, stepDigit, 0
			}
		case <-expire:
			for _, a := range atts {
				if a.ch != nil {
					rna(a, orig.Milliseconds(), true)
					c.ch.Engine().Bus().Publish(pbx.BusEvent{Type: pbx.BusDialEnd, Channel: c.ch, Peer: a.ch, DialString: a.iface, DialStatus: "NOANSWER"})
				}
			}
			return nil, stepOn, 0
		case <-wake:
		}
		for _, a := range atts {
			if a.ch == nil {
				continue
			}
			for _, ev := range a.ch.TakeEvents() {
				if a.ch == nil {
					break
				}
				elapsed := int64(m.now().Sub(a.started) / time.Millisecond)
				switch ev.Kind {
				case pbx.EventRinging:
					m.log.Verbose(3, "%s is ringing\n", a.ch.Name())
					if c.ringWhenRinging {
						c.ch.StopGenerator()
						_ = c.ch.Indicate(pbx.IndRinging)
					}
				case pbx.EventAnswer:
					m.log.Verbose(3, "%s answered %s\n", a.ch.Name(), c.ch.Name())
					c.ch.Engine().Bus().Publish(pbx.BusEvent{Type: pbx.BusDialEnd, Channel: c.ch, Peer: a.ch, DialString: a.iface, DialStatus: "ANSWER"})
					return a, stepOn, m.now().Sub(start)
				case pbx.EventBusy:
					m.log.Verbose(3, "%s is busy\n", a.ch.Name())
					rna(a, elapsed, q.conf().AutopauseBusy)
					finish(a, "BUSY")
					busies++
				case pbx.EventCongestion:
					m.log.Verbose(3, "%s is circuit-busy\n", a.ch.Name())
					rna(a, elapsed, q.conf().AutopauseUnavail)
					finish(a, "CONGESTION")
					busies++
				case pbx.EventHangup:
					rna(a, elapsed, true)
					finish(a, "NOANSWER")
					busies++
				}
				if a.ch == nil && q.conf().Strategy != RingAll {
					if q.conf().TimeoutRestart && timer != nil {
						timer.Reset(orig)
					}
					m.ringOne(c, atts, &busies, max(orig, 0))
					watch()
				}
			}
		}
	}
}

// watched marks an attempt's channel as watched (its Watch registered).
func (a *attempt) watched() bool { return a.watchedCh == a.ch }
func (a *attempt) markWatched()  { a.watchedCh = a.ch }

// autopause pauses a member who did not answer (autopause=yes/all).
func (m *Module) autopause(q *queue, mem *member) {
	m.mu.Lock()
	delay := q.conf().AutopauseDelay
	if delay > 0 && !mem.lastCall.IsZero() && m.now().Sub(mem.lastCall) < time.Duration(delay)*time.Second {
		m.mu.Unlock()
		return
	}
	all := q.conf().Autopause == AutopauseAll
	m.mu.Unlock()
	if all {
		if len(m.SetPaused("", mem.iface, "Auto-Pause", true)) > 0 {
			m.log.Verbose(3, "Auto-Pausing Queue Member %s in all queues since they failed to answer on queue %s.\n", mem.iface, q.name)
		}
		return
	}
	if len(m.SetPaused(q.name, mem.iface, "Auto-Pause", true)) > 0 {
		m.log.Verbose(3, "Auto-Pausing Queue Member %s in queue %s since they failed to answer.\n", mem.iface, q.name)
	}
}
