package queue

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// connect is the second half of try_calling: the member answered; the
// caller is connected to it and the call's end is logged.
func (m *Module) connect(c *caller, a *attempt, announce, url string, opts map[byte]string, ringTime time.Duration) step {
	q := c.q
	peer := a.ch
	mem := a.mem
	uid := c.ch.UniqueID()
	now := m.now()
	m.mu.Lock()
	m.recalcHoldtimeLocked(q, int(now.Sub(c.start)/time.Second))
	inSL := now.Sub(c.start) <= time.Duration(q.conf().ServiceLevel)*time.Second
	mem.inSL = inSL
	m.releaseLocked(a)
	cfg := q.conf()
	m.mu.Unlock()
	hangPeer := func() {
		peer.Hangup(pbx.CauseNormalClearing)
	}
	// agentDump: the member hung up before the bridge; the caller waits on.
	agentDump := func() step {
		m.log.Warning("Agent on %s hungup on the customer.\n", peer.Name())
		m.qlog(q.name, uid, mem.name, "AGENTDUMP", "")
		m.publish(m.agentEvent("AgentDump", c.ch, peer, "Queue", q.name, "Interface", mem.iface, "MemberName", mem.name))
		hangPeer()
		return stepOn
	}
	if announce != "" || cfg.ReportHoldtime || cfg.MemberDelay > 0 {
		if cfg.MemberDelay > 0 {
			m.log.Notice("Delaying member connect for %d seconds\n", cfg.MemberDelay)
			pbx.SleepOrHangup(peer, time.Duration(cfg.MemberDelay)*time.Second)
		}
		if announce != "" && !peer.HangupRequested() {
			for _, f := range strings.Split(announce, "&") {
				if f = strings.TrimSpace(f); f != "" {
					_, _ = playFile(peer, f)
				}
			}
		}
		if cfg.ReportHoldtime && !peer.HangupRequested() {
			if d, err := playFile(peer, cfg.Sound("queue-reporthold")); d == 0 && err == nil {
				waited := m.now().Sub(c.start)
				mins, secs := int(waited/time.Minute), int(waited/time.Second)%60
				if mins > 0 {
					_, _ = apps.SayNumber(peer, mins, apps.AnyDigit, "")
					_, _ = playFile(peer, cfg.Sound("queue-minutes"))
				}
				if secs > 1 {
					_, _ = apps.SayNumber(peer, secs, apps.AnyDigit, "")
					_, _ = playFile(peer, cfg.Sound("queue-seconds"))
				}
			}
		}
		switch {
		case peer.HangupRequested():
			return agentDump()
		case c.ch.HangupRequested():
			m.log.Notice("Caller was about to talk to agent on %s but the caller hungup.\n", peer.Name())
			m.qlog(q.name, uid, mem.name, "ABANDON", strconv.Itoa(c.pos), strconv.Itoa(c.opos), c.waited(m.now()))
			m.recordAbandoned(c)
			c.handled = -1
			hangPeer()
			return stepHangup
		}
	}
	m.memberSub(c.x, cfg, peer)
	if peer.HangupRequested() {
		return agentDump()
	}
	if c.ringing {
		// ringing stops with the answer
	} else {
		apps.StopHoldMusic(c.ch)
	}
	if s := cfg.Sound("queue-callerannounce"); s != "" {
		if d, err := playFile(c.ch, s); d != 0 || err != nil {
			m.log.Warning("Announcement file '%s' is unavailable, continuing anyway...\n", s)
		}
	}
	m.mu.Lock()
	var vars [][2]string
	if cfg.SetInterfaceVar {
		vars = append(vars, [2]string{"MEMBERINTERFACE", mem.iface}, [2]string{"MEMBERNAME", mem.name},
			[2]string{"MEMBERCALLS", strconv.Itoa(mem.calls)}, [2]string{"MEMBERLASTCALL", unix(mem.lastCall, mem.lastCall.IsZero())},
			[2]string{"MEMBERPENALTY", strconv.Itoa(mem.penalty)}, [2]string{"MEMBERDYNAMIC", b2i(mem.dynamic)},
			[2]string{"MEMBERREALTIME", "0"})
	}
	if cfg.SetQueueEntryVar {
		vars = append(vars, [2]string{"QEHOLDTIME", c.waited(m.now())}, [2]string{"QEORIGINALPOS", strconv.Itoa(c.opos)})
	}
	m.mu.Unlock()
	for _, v := range vars {
		c.ch.SetVar(v[0], v[1])
		peer.SetVar(v[0], v[1])
	}
	m.setQueueVars(q, c.ch)
	m.setQueueVars(q, peer)
	m.leave(c)
	c.handled++
	hold := c.waited(m.now())
	ring := strconv.FormatInt(int64(ringTime/time.Second), 10)
	m.qlog(q.name, uid, mem.name, "CONNECT", hold, peer.UniqueID(), ring)
	m.publish(m.agentEvent("AgentConnect", c.ch, peer, "Queue", q.name, "Interface", mem.iface, "MemberName", mem.name,
		"HoldTime", hold, "RingTime", ring))
	start := m.now()
	m.mu.Lock()
	mem.start = start
	m.mu.Unlock()

	if err := c.ch.Answer(); err != nil {
		m.log.Warning("Unable to answer %s: %v\n", c.ch.Name(), err)
	}
	c.ch.StopGenerator()
	m.startRecording(cfg, c.ch, peer)
	m.runAGI(c.x, c.ch)
	apps.SetFeatureFlags(c.ch, peer, c.x.opts)
	end, err := c.ch.Engine().Bridge(c.ch.Ctx(), c.ch, peer)
	if err != nil {
		m.log.Warning("%v\n", err)
	}
	event, reason := "COMPLETECALLER", "caller"
	switch end {
	case pbx.PeerLeft:
		event, reason = "COMPLETEAGENT", "agent"
	case pbx.PeerInterrupted:
		event, reason = "COMPLETEAGENT", "transfer"
	}
	talk := strconv.FormatInt(int64(m.now().Sub(start)/time.Second), 10)
	holdAt := strconv.FormatInt(int64(start.Sub(c.start)/time.Second), 10)
	m.qlog(q.name, uid, mem.name, event, holdAt, talk, strconv.Itoa(c.opos))
	m.publish(m.agentEvent("AgentComplete", c.ch, peer, "Queue", q.name, "Interface", mem.iface, "MemberName", mem.name,
		"HoldTime", holdAt, "TalkTime", talk, "Reason", reason))
	if end != pbx.PeerInterrupted && !continueMember(c.x, c.ch, peer, end) {
		hangPeer()
	}
	m.updateQueue(q, mem, inSL, start)
	return stepHangup
}

// recalcHoldtimeLocked is recalc_holdtime: an exponential average.
func (m *Module) recalcHoldtimeLocked(q *queue, hold int) {
	if q.completed+q.abandoned == 0 {
		q.holdtime = hold
		return
	}
	q.holdtime = ((q.holdtime << 2) - q.holdtime + hold) >> 2
}

// updateQueue is update_queue: the member's call is over.
func (m *Module) updateQueue(q *queue, mem *member, inSL bool, start time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mem.start != start {
		return
	}
	now := m.now()
	touch := func(x *member) {
		x.lastCall = now
		x.calls++
		x.inSL = false
		x.start = time.Time{}
		x.lastQueue = q
	}
	if m.cfg.General.SharedLastCall {
		for _, other := range m.queues {
			if x := other.member(mem.iface); x != nil {
				touch(x)
			}
		}
	} else {
		touch(mem)
	}
	talk := int(now.Sub(start) / time.Second)
	q.completed++
	if inSL {
		q.completedSL++
	}
	if q.completed == 1 {
		q.talktime = talk
	} else {
		q.talktime = ((q.talktime << 2) - q.talktime + talk) >> 2
	}
	m.signal()
}
