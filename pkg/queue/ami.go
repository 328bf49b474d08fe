package queue

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/manager"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Registrar is where the actions go: the manager's *Module.
type Registrar interface {
	RegisterAction(manager.Action) error
}

// RegisterAMI adds app_queue's manager actions, with app_queue's
// privileges and answers. reload serves QueueReload (nil refuses it).
func (m *Module) RegisterAMI(reg Registrar, reload ReloadFunc) error {
	for _, a := range []manager.Action{
		{Name: "Queues", Synopsis: "Queues.", Handler: m.amiQueues},
		{Name: "QueueStatus", Synopsis: "Show queue status.", Handler: m.amiStatus},
		{Name: "QueueSummary", Synopsis: "Show queue summary.", Handler: m.amiSummary},
		{Name: "QueueAdd", Synopsis: "Add interface to queue.", Perm: manager.PermAgent, Handler: m.amiAdd},
		{Name: "QueueRemove", Synopsis: "Remove interface from queue.", Perm: manager.PermAgent, Handler: m.amiRemove},
		{Name: "QueuePause", Synopsis: "Makes a queue member temporarily unavailable.", Perm: manager.PermAgent, Handler: m.amiPause},
		{Name: "QueueLog", Synopsis: "Adds custom entry in queue_log.", Perm: manager.PermAgent, Handler: m.amiLog},
		{Name: "QueuePenalty", Synopsis: "Set the penalty for a queue member.", Perm: manager.PermAgent, Handler: m.amiPenalty},
		{Name: "QueueMemberRingInUse", Synopsis: "Set the ringinuse value for a queue member.", Perm: manager.PermAgent, Handler: m.amiRingInUse},
		{Name: "QueueRule", Synopsis: "Queue Rules.", Handler: m.amiRule},
		{Name: "QueueReload", Synopsis: "Reload a queue, queues, or any sub-section of a queue or queues.", Handler: func(r *manager.Request) error {
			return amiReload(r, reload)
		}},
		{Name: "QueueReset", Synopsis: "Reset queue statistics.", Handler: m.amiReset},
	} {
		if err := reg.RegisterAction(a); err != nil {
			return fmt.Errorf("app_queue: %w", err)
		}
	}
	return nil
}

// amiQueues is the old "Queues" action: `queue show`'s text with CRLF
// line ends and no Response line, ended by two empty lines, as app_queue
// writes it.
func (m *Module) amiQueues(r *manager.Request) error {
	text := strings.ReplaceAll(m.Show(""), "\n", "\r\n")
	r.Raw([]byte(text + "\r\n\r\n"))
	return nil
}

// amiStatus is QueueStatus: per queue a QueueParams, its members
// (QueueMember, filtered by Member) and its callers (QueueEntry).
func (m *Module) amiStatus(r *manager.Request) error {
	qname, filter := r.Get("Queue"), r.Get("Member")
	r.ListStart("Queue status will follow")
	m.mu.Lock()
	now := m.now()
	type item struct {
		event  string
		fields []manager.Header
	}
	var items []item
	for _, q := range m.sortedLocked() {
		if qname != "" && !strings.EqualFold(q.name, qname) {
			continue
		}
		c := q.conf()
		sl, sl2 := 0.0, 0.0
		if q.completed > 0 {
			sl = 100 * float64(q.completedSL) / float64(q.completed)
		}
		if q.completed+q.abandoned > 0 {
			sl2 = 100 * float64(q.abandSL+q.completedSL) / float64(q.abandoned+q.completed)
		}
		items = append(items, item{"QueueParams", []manager.Header{
			{Key: "Queue", Value: q.name},
			{Key: "Max", Value: strconv.Itoa(c.MaxLen)},
			{Key: "Strategy", Value: c.Strategy.String()},
			{Key: "Calls", Value: strconv.Itoa(len(q.callers))},
			{Key: "Holdtime", Value: strconv.Itoa(q.holdtime)},
			{Key: "TalkTime", Value: strconv.Itoa(q.talktime)},
			{Key: "Completed", Value: strconv.Itoa(q.completed)},
			{Key: "Abandoned", Value: strconv.Itoa(q.abandoned)},
			{Key: "ServiceLevel", Value: strconv.Itoa(c.ServiceLevel)},
			{Key: "ServicelevelPerf", Value: strconv.FormatFloat(sl, 'f', 1, 64)},
			{Key: "ServicelevelPerf2", Value: strconv.FormatFloat(sl2, 'f', 1, 64)},
			{Key: "Weight", Value: strconv.Itoa(c.Weight)},
		}})
		for _, mem := range q.memberOrder() {
			if filter != "" && filter != mem.iface && filter != mem.name {
				continue
			}
			membership := "static"
			if mem.dynamic {
				membership = "dynamic"
			}
			items = append(items, item{"QueueMember", []manager.Header{
				{Key: "Queue", Value: q.name},
				{Key: "Name", Value: mem.name},
				{Key: "Location", Value: mem.iface},
				{Key: "StateInterface", Value: mem.stateIface},
				{Key: "Membership", Value: membership},
				{Key: "Penalty", Value: strconv.Itoa(mem.penalty)},
				{Key: "CallsTaken", Value: strconv.Itoa(mem.calls)},
				{Key: "LastCall", Value: unix(mem.lastCall, mem.lastCall.IsZero())},
				{Key: "LastPause", Value: unix(mem.lastPause, mem.lastPause.IsZero())},
				{Key: "LoginTime", Value: unix(mem.login, mem.login.IsZero())},
				{Key: "InCall", Value: b2i(!mem.start.IsZero())},
				{Key: "Status", Value: strconv.Itoa(int(m.status(mem)))},
				{Key: "Paused", Value: b2i(mem.paused)},
				{Key: "PausedReason", Value: mem.reason},
				{Key: "Wrapuptime", Value: strconv.Itoa(mem.wrapup)},
			}})
		}
		for _, c := range q.callers {
			cid, col := c.ch.CallerID(), c.ch.Connected()
			items = append(items, item{"QueueEntry", []manager.Header{
				{Key: "Queue", Value: q.name},
				{Key: "Position", Value: strconv.Itoa(c.pos)},
				{Key: "Channel", Value: c.ch.Name()},
				{Key: "Uniqueid", Value: c.ch.UniqueID()},
				{Key: "CallerIDNum", Value: orUnknown(cid.Num)},
				{Key: "CallerIDName", Value: orUnknown(cid.Name)},
				{Key: "ConnectedLineNum", Value: orUnknown(col.Num)},
				{Key: "ConnectedLineName", Value: orUnknown(col.Name)},
				{Key: "Wait", Value: strconv.FormatInt(secsSince(now, c.start), 10)},
				{Key: "Priority", Value: strconv.Itoa(c.prio)},
			}})
		}
	}
	m.mu.Unlock()
	// app_queue writes the ActionID after the fields in these three.
	for _, it := range items {
		r.ListItemIDLast(it.event, it.fields...)
	}
	r.ListComplete("QueueStatusComplete", len(items))
	return nil
}

// orUnknown is app_queue's S_OR(..., "unknown") for caller ids.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// amiSummary is QueueSummary: members logged in and available, callers,
// the averages and the longest wait, per queue.
func (m *Module) amiSummary(r *manager.Request) error {
	qname := r.Get("Queue")
	r.ListStart("Queue summary will follow")
	m.mu.Lock()
	now := m.now()
	var items [][]manager.Header
	for _, q := range m.sortedLocked() {
		if qname != "" && !strings.EqualFold(q.name, qname) {
			continue
		}
		loggedIn, avail := 0, 0
		for _, mem := range q.members {
			switch st := m.status(mem); st {
			case pbx.DeviceUnavailable, pbx.DeviceInvalid:
			default:
				loggedIn++
				if (st == pbx.DeviceNotInUse || st == pbx.DeviceUnknown) && !mem.paused && !m.inWrapup(q, mem) {
					avail++
				}
			}
		}
		var longest int64
		for _, c := range q.callers {
			if w := secsSince(now, c.start); w > longest {
				longest = w
			}
		}
		items = append(items, []manager.Header{
			{Key: "Queue", Value: q.name},
			{Key: "LoggedIn", Value: strconv.Itoa(loggedIn)},
			{Key: "Available", Value: strconv.Itoa(avail)},
			{Key: "Callers", Value: strconv.Itoa(len(q.callers))},
			{Key: "HoldTime", Value: strconv.Itoa(q.holdtime)},
			{Key: "TalkTime", Value: strconv.Itoa(q.talktime)},
			{Key: "LongestHoldTime", Value: strconv.FormatInt(longest, 10)},
		})
	}
	m.mu.Unlock()
	for _, it := range items {
		r.ListItemIDLast("QueueSummary", it...)
	}
	r.ListComplete("QueueSummaryComplete", len(items))
	return nil
}

// penaltyOf reads a Penalty header as app_queue does: empty, not a
// number or negative is 0.
func penaltyOf(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func (m *Module) amiAdd(r *manager.Request) error {
	qname, iface := r.Get("Queue"), r.Get("Interface")
	if qname == "" {
		r.Error("'Queue' not specified.")
		return nil
	}
	if iface == "" {
		r.Error("'Interface' not specified.")
		return nil
	}
	paused := confparse.True(r.Get("Paused"))
	wrapup, _ := strconv.Atoi(r.Get("Wrapuptime"))
	name := r.Get("MemberName")
	switch m.AddMember(qname, iface, name, penaltyOf(r.Get("Penalty")), paused, r.Get("StateInterface"), r.Get("Reason"), max(wrapup, 0)) {
	case ResOK:
		if name == "" {
			name = iface
		}
		data := ""
		if paused {
			data = "PAUSED"
		}
		m.qlog(qname, "MANAGER", name, "ADDMEMBER", data)
		r.Success("Added interface to queue")
	case ResExists:
		r.Error("Unable to add interface: Already there")
	case ResNoSuchQueue:
		r.Error("Unable to add interface to queue: No such queue")
	default:
		r.Error("Out of memory")
	}
	return nil
}

func (m *Module) amiRemove(r *manager.Request) error {
	qname, iface := r.Get("Queue"), r.Get("Interface")
	if qname == "" || iface == "" {
		r.Error("Need 'Queue' and 'Interface' parameters.")
		return nil
	}
	res, name := m.RemoveMember(qname, iface)
	switch res {
	case ResOK:
		m.qlog(qname, "MANAGER", name, "REMOVEMEMBER", "")
		r.Success("Removed interface from queue")
	case ResExists:
		r.Error("Unable to remove interface: Not there")
	case ResNoSuchQueue:
		r.Error("Unable to remove interface from queue: No such queue")
	case ResNotDynamic:
		r.Error("Member not dynamic")
	default:
		r.Error("Out of memory")
	}
	return nil
}

func (m *Module) amiPause(r *manager.Request) error {
	iface, pausedS := r.Get("Interface"), r.Get("Paused")
	if iface == "" || pausedS == "" {
		r.Error("Need 'Interface' and 'Paused' parameters.")
		return nil
	}
	paused := confparse.True(pausedS)
	if len(m.SetPaused(r.Get("Queue"), iface, r.Get("Reason"), paused)) == 0 {
		r.Error("Interface not found")
		return nil
	}
	if paused {
		r.Success("Interface paused successfully")
	} else {
		r.Success("Interface unpaused successfully")
	}
	return nil
}

func (m *Module) amiLog(r *manager.Request) error {
	qname, event := r.Get("Queue"), r.Get("Event")
	if qname == "" || event == "" {
		r.Error("Need 'Queue' and 'Event' parameters.")
		return nil
	}
	callid := r.Get("Uniqueid")
	if callid == "" {
		callid = "NONE"
	}
	m.qlog(qname, callid, r.Get("Interface"), event, r.Get("Message"))
	r.Success("Event added successfully")
	return nil
}

func (m *Module) amiPenalty(r *manager.Request) error {
	iface, pen := r.Get("Interface"), r.Get("Penalty")
	if iface == "" || pen == "" {
		r.Error("Need 'Interface' and 'Penalty' parameters.")
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(pen))
	if err != nil || n < 0 || m.SetPenalty(r.Get("Queue"), iface, n) == 0 {
		r.Error("Invalid interface, queuename or penalty")
		return nil
	}
	r.Success("Interface penalty set successfully")
	return nil
}

func (m *Module) amiRingInUse(r *manager.Request) error {
	iface, v := r.Get("Interface"), r.Get("RingInUse")
	if iface == "" || v == "" {
		r.Error("Need 'Interface' and 'RingInUse' parameters.")
		return nil
	}
	on := "0"
	if confparse.True(v) {
		on = "1"
	}
	if err := m.fnMemberWrite(nil, r.Get("Queue")+",ringinuse,"+iface, on); err != nil {
		r.Error("Invalid interface, queuename, or ringinuse value")
		return nil
	}
	r.Success("Interface ringinuse set successfully")
	return nil
}

// amiRule is QueueRule: the rules of queuerules.conf as `queue show
// rules` prints them, in the answer's body after Response: Success.
func (m *Module) amiRule(r *manager.Request) error {
	// One "RuleList:" line per rule, then a "Rule:" line per step
	// (time, max and min penalty changes), all in one message.
	var b strings.Builder
	b.WriteString("Response: Success\r\n")
	if id := r.ActionID(); id != "" {
		b.WriteString("ActionID: " + id + "\r\n")
	}
	for _, rl := range m.Config().Rules {
		if name := r.Get("Rule"); name != "" && !strings.EqualFold(rl.Name, name) {
			continue
		}
		b.WriteString("RuleList: " + rl.Name + "\r\n")
		for _, s := range rl.Steps {
			fmt.Fprintf(&b, "Rule: %d,%s,%s\r\n", s.Time, relValue(s.MaxRelative, s.MaxValue),
				relValue(s.MinRelative, s.MinValue))
		}
	}
	b.WriteString("\r\n")
	r.Raw([]byte(b.String()))
	return nil
}

// relValue writes a rule step's value as queuerules.conf has it: a
// relative change with its sign.
func relValue(rel bool, v int) string {
	if rel && v >= 0 {
		return "+" + strconv.Itoa(v)
	}
	return strconv.Itoa(v)
}

func amiReload(r *manager.Request, reload ReloadFunc) error {
	yes := func(k string) bool { return strings.EqualFold(r.Get(k), "yes") }
	params, members, rules := yes("Parameters"), yes("Members"), yes("Rules")
	if !params && !members && !rules {
		params, members, rules = true, true, true
	}
	var names []string
	if q := strings.TrimSpace(r.Get("Queue")); q != "" {
		names = []string{q}
	}
	if reload == nil || reload(params, members, rules, names) != nil {
		r.Error("Error encountered while reloading queue")
		return nil
	}
	r.Success("Queue reloaded successfully")
	return nil
}

func (m *Module) amiReset(r *manager.Request) error {
	var names []string
	if q := r.Get("Queue"); q != "" {
		names = []string{q}
	}
	m.ResetStats(names)
	r.Success("Queue stats reset successfully")
	return nil
}
