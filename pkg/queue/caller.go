package queue

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// noPenalty is INT_MAX: no QUEUE_MAX_PENALTY (or min, raise) set.
const noPenalty = math.MaxInt

// recheck is app_queue's RECHECK: how long a waiting caller waits before
// looking at its turn again when nothing woke it.
const recheck = time.Second

// Outcome is the QUEUESTATUS a Queue() call ends with.
type Outcome string

// The QUEUESTATUS values.
const (
	OutUnknown      Outcome = "UNKNOWN"
	OutTimeout      Outcome = "TIMEOUT"
	OutJoinEmpty    Outcome = "JOINEMPTY"
	OutLeaveEmpty   Outcome = "LEAVEEMPTY"
	OutJoinUnavail  Outcome = "JOINUNAVAIL"
	OutLeaveUnavail Outcome = "LEAVEUNAVAIL"
	OutFull         Outcome = "FULL"
	OutContinue     Outcome = "CONTINUE"
)

// caller is one channel waiting in a queue (app_queue's queue_ent).
type caller struct {
	ch       *pbx.Channel
	q        *queue
	pos      int
	opos     int
	prio     int
	start    time.Time
	expire   time.Time // zero: none
	pending  bool      // ringing members now
	maxPen   int
	minPen   int
	raisePen int
	moh      string
	announce string
	context  string

	digits      string
	validDigits bool

	lastPosSaid  int
	lastPos      time.Time
	lastPeriodic time.Time
	periodicIdx  int
	linpos       int
	linwrapped   bool
	rules        []RuleStep
	ruleIdx      int
	handled      int

	ringing         bool // option r: ringing instead of music
	ringWhenRinging bool // option R

	x *extras // the options and arguments that act around a member's call
}

// expired reports whether the caller's Queue() timeout passed.
func (c *caller) expired(now time.Time) bool {
	return !c.expire.IsZero() && !now.Before(c.expire)
}

func (c *caller) waited(now time.Time) string {
	return strconv.FormatInt(int64(now.Sub(c.start)/time.Second), 10)
}

// penaltyVar reads QUEUE_MAX_PENALTY and its siblings.
func penaltyVar(ch *pbx.Channel, name string, log pbx.Logger) int {
	v, ok := ch.Var(name)
	if !ok {
		return noPenalty
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		log.Warning("${%s}: Invalid value (%s), channel %s.\n", name, v, ch.Name())
		return noPenalty
	}
	return n
}

// join is join_queue: it places c by priority (and the asked position)
// or says why not.
func (m *Module) join(name string, c *caller, position int) (Outcome, bool) {
	m.mu.Lock()
	q := m.queues[strings.ToLower(name)]
	if q == nil {
		m.mu.Unlock()
		return OutUnknown, false
	}
	if q.conf().JoinEmpty != 0 && m.emptyLocked(q, c, q.conf().JoinEmpty) {
		m.mu.Unlock()
		return OutJoinEmpty, false
	}
	if q.conf().MaxLen > 0 && len(q.callers) >= q.conf().MaxLen {
		m.mu.Unlock()
		return OutFull, false
	}
	at := len(q.callers)
	for i, cur := range q.callers {
		if c.prio > cur.prio || (c.prio >= cur.prio && position > 0 && position <= i+1) {
			at = i
			break
		}
	}
	if position > 0 && at+1 > position && at < len(q.callers) {
		m.log.Notice("Asked to be inserted at position %d but forced into position %d due to higher priority callers\n", position, at+1)
	}
	q.callers = append(q.callers, nil)
	copy(q.callers[at+1:], q.callers[at:])
	q.callers[at] = c
	for i, cur := range q.callers {
		cur.pos = i + 1
	}
	c.q = q
	c.opos = c.pos
	c.moh = q.conf().MusicClass
	c.announce = q.conf().Announce
	c.context = q.conf().Context
	ev := m.callerEvent("QueueCallerJoin", c.ch, "Queue", q.name, "Position", strconv.Itoa(c.pos), "Count", strconv.Itoa(len(q.callers)))
	m.mu.Unlock()
	m.publish(ev)
	return "", true
}

// leave is leave_queue: c is taken out, those behind move up.
func (m *Module) leave(c *caller) {
	m.mu.Lock()
	q := c.q
	idx := -1
	for i, cur := range q.callers {
		if cur == c {
			idx = i
		}
	}
	if idx < 0 {
		m.mu.Unlock()
		return
	}
	q.callers = append(q.callers[:idx:idx], q.callers[idx+1:]...)
	for i, cur := range q.callers {
		cur.pos = i + 1
	}
	ev := m.callerEvent("QueueCallerLeave", c.ch, "Queue", q.name, "Position", strconv.Itoa(c.pos), "Count", strconv.Itoa(len(q.callers)))
	m.signal()
	m.mu.Unlock()
	c.ch.SetVar("QUEUEPOSITION", strconv.Itoa(c.pos))
	m.publish(ev)
}

// isOurTurn is is_our_turn: c is within the first n callers not already
// ringing, n being the members available (one without autofill).
func (m *Module) isOurTurn(c *caller) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := c.q
	avl := m.numAvailable(q)
	idx := 0
	found := false
	for _, cur := range q.callers {
		if idx >= avl {
			break
		}
		if cur == c {
			found = true
			break
		}
		if !cur.pending {
			idx++
		}
	}
	return found && idx < avl && (q.conf().Autofill || c.pos == 1)
}

// recordAbandoned is record_abandoned.
func (m *Module) recordAbandoned(c *caller) {
	c.ch.SetVar("ABANDONED", "TRUE")
	m.setQueueVars(c.q, c.ch)
	now := m.now()
	m.mu.Lock()
	q := c.q
	if now.Sub(c.start) <= time.Duration(q.conf().ServiceLevel)*time.Second {
		q.abandSL++
	}
	q.abandoned++
	ev := m.callerEvent("QueueCallerAbandon", c.ch, "Queue", q.name, "Position", strconv.Itoa(c.pos),
		"OriginalPosition", strconv.Itoa(c.opos), "HoldTime", c.waited(now))
	m.mu.Unlock()
	m.publish(ev)
}

// setQueueVars is set_queue_variables (setqueuevar=yes).
func (m *Module) setQueueVars(q *queue, ch *pbx.Channel) {
	m.mu.Lock()
	if !q.conf().SetQueueVar {
		m.mu.Unlock()
		return
	}
	sl := 0.0
	if q.completed > 0 {
		sl = 100 * float64(q.completedSL) / float64(q.completed)
	}
	vars := [][2]string{
		{"QUEUENAME", q.name}, {"QUEUEMAX", strconv.Itoa(q.conf().MaxLen)}, {"QUEUESTRATEGY", q.conf().Strategy.String()},
		{"QUEUECALLS", strconv.Itoa(len(q.callers))}, {"QUEUEHOLDTIME", strconv.Itoa(q.holdtime)},
		{"QUEUETALKTIME", strconv.Itoa(q.talktime)}, {"QUEUECOMPLETED", strconv.Itoa(q.completed)},
		{"QUEUEABANDONED", strconv.Itoa(q.abandoned)}, {"QUEUESRVLEVEL", strconv.Itoa(q.conf().ServiceLevel)},
		{"QUEUESRVLEVELPERF", strconv.FormatFloat(sl, 'f', 1, 64)},
	}
	m.mu.Unlock()
	for _, v := range vars {
		ch.SetVar(v[0], v[1])
	}
}

// --- what the caller hears ---

// startWaiting gives the caller music (or ringing with option r).
func (m *Module) startWaiting(c *caller) {
	if c.ringing {
		_ = c.ch.Indicate(pbx.IndRinging)
		return
	}
	if c.ch.State() != pbx.StateUp {
		// Early media, as chan_sip sends 183 for audio before an answer.
		_ = c.ch.Indicate(pbx.IndProgress)
	}
	apps.StartHoldMusic(c.ch, c.moh)
}

// pauseWaiting stops the music for a prompt, keeping the media open.
func (m *Module) pauseWaiting(c *caller) {
	if !c.ringing {
		c.ch.StopGenerator()
	}
}

// playFile is play_file: a prompt that does not exist is skipped; a key
// stops it and is returned.
func playFile(ch *pbx.Channel, name string) (rune, error) {
	if name == "" || !apps.SoundExists(ch, name) {
		return 0, nil
	}
	d, err := apps.StreamAndWait(ch, name, apps.AnyDigit)
	if err != nil && apps.IsMissingPrompt(err) {
		return 0, nil
	}
	return d, err
}

// validExit is valid_exit: the digits so far name an extension of the
// queue's context; when it exists the caller leaves there.
func (m *Module) validExit(c *caller, d rune) bool {
	if len(c.digits) >= 78 {
		c.digits = ""
		return false
	}
	c.digits += string(d)
	if c.context == "" {
		return false
	}
	eng := c.ch.Engine()
	if !eng.CanMatch(c.ch, c.context, c.digits) {
		c.digits = ""
		return false
	}
	if eng.Exists(c.ch, c.context, c.digits, 1) {
		c.validDigits = true
		return true
	}
	return false
}

// step is what a waiting step ends with: go on, the caller left with a
// digit (validDigits set), or the caller hung up.
type step int

const (
	stepOn step = iota
	stepDigit
	stepHangup
)

// digitResult turns a key pressed during a prompt or a wait into a step.
func (m *Module) digitResult(c *caller, d rune, err error) step {
	if err != nil {
		if errors.Is(err, pbx.ErrHangup) || c.ch.HangupRequested() {
			return stepHangup
		}
		return stepOn
	}
	if d != 0 && m.validExit(c, d) {
		return stepDigit
	}
	return stepOn
}

// waitDigit waits up to d for a key, returning early (0) when the queue
// changes (wake) so the caller can look at its turn again.
func (m *Module) waitDigit(ch *pbx.Channel, d time.Duration, wake bool) (rune, error) {
	var changed <-chan struct{}
	if wake {
		changed = m.changedCh()
	}
	dl := make(chan time.Time)
	stop := make(chan struct{})
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-changed:
		case <-stop:
		}
		close(dl)
	}()
	defer close(stop)
	for {
		fr, err := ch.ReadDigitsUntil(dl)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			return 0, nil
		case errors.Is(err, pbx.ErrNoMedia):
			select {
			case <-dl:
				return 0, nil
			case <-ch.Done():
				return 0, pbx.ErrHangup
			}
		case err != nil:
			return 0, err
		}
		if fr.Kind == media.DTMFEnd {
			return fr.Digit, nil
		}
	}
}

// sayPosition is say_position.
func (m *Module) sayPosition(c *caller) step {
	now := m.now()
	m.mu.Lock()
	cfg := c.q.conf()
	holdtime := c.q.holdtime
	pos := c.pos
	m.mu.Unlock()
	if now.Sub(c.lastPos) < time.Duration(cfg.MinAnnounceFrequency)*time.Second {
		return stepOn
	}
	if c.lastPosSaid == pos && now.Sub(c.lastPos) < time.Duration(cfg.AnnounceFrequency)*time.Second {
		return stepOn
	}
	if cfg.AnnouncePositionOnlyUp && c.lastPosSaid <= pos {
		return stepOn
	}
	m.pauseWaiting(c)
	var d rune
	var err error
	sayThanks := false
	res := func() step { return m.digitResult(c, d, err) }
	out := stepOn
	done, skipHold := false, false
	if cfg.AnnouncePosition == PositionYes || cfg.AnnouncePosition == PositionMoreThan ||
		(cfg.AnnouncePosition == PositionLimit && pos <= cfg.AnnouncePositionLimit) {
		sayThanks = true
		switch {
		case pos == 1:
			d, err = playFile(c.ch, cfg.Sound("queue-youarenext"))
			skipHold = true
		case cfg.AnnouncePosition == PositionMoreThan && pos > cfg.AnnouncePositionLimit:
			if d, err = playFile(c.ch, cfg.Sound("queue-quantity1")); d == 0 && err == nil {
				if d, err = apps.SayNumber(c.ch, cfg.AnnouncePositionLimit, apps.AnyDigit, ""); d == 0 && err == nil {
					d, err = playFile(c.ch, cfg.Sound("queue-quantity2"))
				}
			}
		default:
			if d, err = playFile(c.ch, cfg.Sound("queue-thereare")); d == 0 && err == nil {
				if d, err = apps.SayNumber(c.ch, pos, apps.AnyDigit, ""); d == 0 && err == nil {
					d, err = playFile(c.ch, cfg.Sound("queue-callswaiting"))
				}
			}
		}
		if d != 0 || err != nil {
			out, done = res(), true
		}
	}
	if !done && !skipHold {
		waited := int(now.Sub(c.start) / time.Second)
		mins := abs((holdtime + 30 - waited) / 60)
		secs := 0
		if cfg.AnnounceRoundSeconds > 0 {
			secs = (abs(holdtime+30-waited) - 60*mins) / cfg.AnnounceRoundSeconds * cfg.AnnounceRoundSeconds
		}
		m.log.Verbose(3, "Hold time for %s is %d minute(s) %d seconds\n", c.q.name, mins, secs)
		if mins+secs > 0 && cfg.AnnounceHoldtime != HoldtimeNo &&
			(cfg.AnnounceHoldtime != HoldtimeOnce || c.lastPos.IsZero()) {
			sayThanks = true
			seq := []func() (rune, error){func() (rune, error) { return playFile(c.ch, cfg.Sound("queue-holdtime")) }}
			if mins >= 1 {
				seq = append(seq, func() (rune, error) { return apps.SayNumber(c.ch, mins, apps.AnyDigit, "") })
				unit := "queue-minutes"
				if mins == 1 {
					unit = "queue-minute"
				}
				seq = append(seq, func() (rune, error) { return playFile(c.ch, cfg.Sound(unit)) })
			}
			if secs >= 1 {
				seq = append(seq, func() (rune, error) { return apps.SayNumber(c.ch, secs, apps.AnyDigit, "") },
					func() (rune, error) { return playFile(c.ch, cfg.Sound("queue-seconds")) })
			}
			for _, f := range seq {
				if d, err = f(); d != 0 || err != nil {
					out, done = res(), true
					break
				}
			}
		}
	}
	if !done {
		if cfg.AnnouncePosition != PositionNo {
			m.log.Verbose(3, "Told %s in %s their queue position (which was %d)\n", c.ch.Name(), c.q.name, pos)
		}
		if sayThanks {
			d, err = playFile(c.ch, cfg.Sound("queue-thankyou"))
			out = res()
		}
	}
	c.lastPos = now
	c.lastPosSaid = pos
	if out == stepOn {
		m.startWaiting(c)
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// sayPeriodic is say_periodic_announcement.
func (m *Module) sayPeriodic(c *caller) step {
	now := m.now()
	cfg := c.q.conf()
	if now.Sub(c.lastPeriodic) < time.Duration(cfg.PeriodicAnnounceFrequency)*time.Second {
		return stepOn
	}
	m.pauseWaiting(c)
	m.log.Verbose(3, "Playing periodic announcement\n")
	n := len(cfg.PeriodicAnnounce)
	if cfg.RandomPeriodicAnnounce && n > 0 {
		c.periodicIdx = int(now.UnixNano() % int64(n))
	} else if c.periodicIdx >= n || cfg.PeriodicAnnounce[c.periodicIdx] == "" {
		c.periodicIdx = 0
	}
	out := stepOn
	if n > 0 {
		d, err := playFile(c.ch, cfg.PeriodicAnnounce[c.periodicIdx])
		out = m.digitResult(c, d, err)
	}
	if out == stepOn {
		m.startWaiting(c)
	}
	if cfg.RelativePeriodicAnnounce {
		c.lastPeriodic = m.now()
	} else {
		c.lastPeriodic = now
	}
	if !cfg.RandomPeriodicAnnounce {
		c.periodicIdx++
	}
	return out
}

// ruleValue is a penalty after a queuerules.conf step: value, or cur +
// value when relative; never below 0 nor, unless ceiling is noPenalty,
// above ceiling (the new maximum penalty).
func ruleValue(cur, value int, relative bool, ceiling int) int {
	if relative {
		value += cur
	}
	value = max(value, 0)
	if ceiling != noPenalty && value > ceiling {
		value = ceiling
	}
	return value
}

// updateRules is update_qe_rule for every step whose time has come.
func (m *Module) updateRules(c *caller, inclusive bool) {
	for c.ruleIdx < len(c.rules) {
		st := c.rules[c.ruleIdx]
		el := m.now().Sub(c.start)
		if inclusive && el < time.Duration(st.Time)*time.Second || !inclusive && el <= time.Duration(st.Time)*time.Second {
			return
		}
		maxPen := noPenalty
		if c.maxPen != noPenalty {
			maxPen = ruleValue(c.maxPen, st.MaxValue, st.MaxRelative, noPenalty)
			c.maxPen = maxPen
			c.ch.SetVar("QUEUE_MAX_PENALTY", strconv.Itoa(maxPen))
		}
		if c.minPen != noPenalty {
			c.minPen = ruleValue(c.minPen, st.MinValue, st.MinRelative, maxPen)
			c.ch.SetVar("QUEUE_MIN_PENALTY", strconv.Itoa(c.minPen))
		}
		if c.raisePen != noPenalty {
			c.raisePen = ruleValue(c.raisePen, st.RaiseValue, st.RaiseRelative, maxPen)
			c.ch.SetVar("QUEUE_RAISE_PENALTY", strconv.Itoa(c.raisePen))
		}
		c.ruleIdx++
	}
}
