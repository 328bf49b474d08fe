package queue

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Register adds app_queue's applications and functions to eng (called
// from the daemon's one registration path, so "gostrisk check" knows them).
func (m *Module) Register(eng *pbx.Engine) error {
	m.eng = eng
	return eng.RegisterModule("app_queue", m.apps(), m.functions())
}

func (m *Module) apps() []*pbx.App {
	return []*pbx.App{
		{Name: "Queue", Synopsis: "Queue a call for a call queue.",
			Syntax:      "Queue(queuename,[options,[URL,[announceoverride,[timeout,[AGI,[macro,[gosub,[rule,[position]]]]]]]]])",
			Description: "In addition to transferring the call, a call may be parked and then picked up by another user.\nThis application will return to the dialplan if the queue does not exist, or any of the join options cause the caller to not enter the queue.\nThis application does not automatically answer and should be preceeded by an application such as Answer(), Progress(), or Ringing().\nThis application sets the following channel variables upon completion:\nQUEUESTATUS - The status of the call as a text string: TIMEOUT, FULL, JOINEMPTY, LEAVEEMPTY, JOINUNAVAIL, LEAVEUNAVAIL, CONTINUE, WITHDRAW.\nABANDONED - If the call was not answered by an agent this variable will be TRUE.\n\nIn gostrisk the options b(), B(), C, c, F(), h/H, k/K, t/T, m(class), n, r and R are implemented, and the AGI, macro and gosub arguments (membermacro/membergosub) run; w/W/x/X are handed to the bridge's automon/automixmon features, which the bridge does not run yet; i is what always happens (forwards are not followed), d and I change nothing.",
			SeeAlso:     "Queue, QueueLog, AddQueueMember, RemoveQueueMember, PauseQueueMember, UnpauseQueueMember, QUEUE_VARIABLES(), QUEUE_MEMBER(), QUEUE_MEMBER_COUNT(), QUEUE_EXISTS(), QUEUE_GET_CHANNEL(), QUEUE_WAITING_COUNT(), QUEUE_MEMBER_LIST(), QUEUE_MEMBER_PENALTY()",
			Exec:        m.queueExec},
		{Name: "AddQueueMember", Synopsis: "Dynamically adds queue members.",
			Syntax: "AddQueueMember(queuename,[interface,[penalty,[options,[membername,[stateinterface,[wrapuptime]]]]]])",
			Exec:   m.addExec},
		{Name: "RemoveQueueMember", Synopsis: "Dynamically removes queue members.",
			Syntax: "RemoveQueueMember(queuename,[interface])", Exec: m.removeExec},
		{Name: "PauseQueueMember", Synopsis: "Pauses a queue member.",
			Syntax: "PauseQueueMember([queuename],interface,[options,[reason]])",
			Exec:   func(ch *pbx.Channel, data string) (pbx.Result, error) { return m.pauseExec(ch, data, true) }},
		{Name: "UnpauseQueueMember", Synopsis: "Unpauses a queue member.",
			Syntax: "UnpauseQueueMember([queuename],interface,[options,[reason]])",
			Exec:   func(ch *pbx.Channel, data string) (pbx.Result, error) { return m.pauseExec(ch, data, false) }},
		{Name: "QueueLog", Synopsis: "Writes to the queue_log file.",
			Syntax: "QueueLog(queuename,uniqueid,agent,event,[additionalinfo])", Exec: m.queueLogExec},
		{Name: "QueueUpdate", Synopsis: "Writes to the queue_log file for outbound calls and updates Realtime Data.",
			Syntax: "QueueUpdate([queuename],uniqueid,agent,status,talktime,[params])", Exec: m.queueUpdateExec},
	}
}

func argsOf(data string) func(int) string {
	args := pbx.SplitArgs(data, ',')
	return func(i int) string {
		if i < len(args) {
			return strings.TrimSpace(args[i])
		}
		return ""
	}
}

// deviceOf is the channel's device: its name without the "-sequence".
func deviceOf(ch *pbx.Channel) string {
	n := ch.Name()
	if i := strings.LastIndexByte(n, '-'); i >= 0 {
		return n[:i]
	}
	return n
}

func (m *Module) agentName(iface, name string) string {
	if name == "" || !m.Config().General.LogMemberNameAsAgent {
		return iface
	}
	return name
}

func (m *Module) addExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	if strings.TrimSpace(data) == "" {
		m.log.Warning("AddQueueMember requires an argument (queuename[,interface[,penalty[,options[,membername[,stateinterface][,wrapuptime]]]]])\n")
		return pbx.HangupResult, nil
	}
	a := argsOf(data)
	qname, iface := a(0), a(1)
	if iface == "" {
		iface = deviceOf(ch)
	}
	penalty := 0
	if s := a(2); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			m.log.Warning("Penalty '%s' is invalid, must be an integer >= 0\n", s)
			n = 0
		}
		penalty = n
	}
	wrap := max(atoi(a(6)), 0)
	switch m.AddMember(qname, iface, a(4), penalty, false, a(5), "", wrap) {
	case ResOK:
		m.qlog(qname, ch.UniqueID(), m.agentName(iface, a(4)), "ADDMEMBER", "")
		m.log.Notice("Added interface '%s' to queue '%s'\n", iface, qname)
		ch.SetVar("AQMSTATUS", "ADDED")
	case ResExists:
		m.log.Warning("Unable to add interface '%s' to queue '%s': Already there\n", iface, qname)
		ch.SetVar("AQMSTATUS", "MEMBERALREADY")
	case ResNoSuchQueue:
		m.log.Warning("Unable to add interface to queue '%s': No such queue\n", qname)
		ch.SetVar("AQMSTATUS", "NOSUCHQUEUE")
	}
	return pbx.Continue, nil
}

func (m *Module) removeExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	if strings.TrimSpace(data) == "" {
		m.log.Warning("RemoveQueueMember requires an argument (queuename[,interface])\n")
		return pbx.HangupResult, nil
	}
	a := argsOf(data)
	qname, iface := a(0), a(1)
	if iface == "" {
		iface = deviceOf(ch)
	}
	res, name := m.RemoveMember(qname, iface)
	switch res {
	case ResOK:
		m.qlog(qname, ch.UniqueID(), m.agentName(iface, name), "REMOVEMEMBER", "")
		m.log.Notice("Removed interface '%s' from queue '%s'\n", iface, qname)
		ch.SetVar("RQMSTATUS", "REMOVED")
	case ResExists:
		ch.SetVar("RQMSTATUS", "NOTINQUEUE")
	case ResNoSuchQueue:
		m.log.Warning("Unable to remove interface from queue '%s': No such queue\n", qname)
		ch.SetVar("RQMSTATUS", "NOSUCHQUEUE")
	case ResNotDynamic:
		m.log.Warning("Unable to remove interface from queue '%s': '%s' is not a dynamic member\n", qname, iface)
		ch.SetVar("RQMSTATUS", "NOTDYNAMIC")
	}
	return pbx.Continue, nil
}

func (m *Module) pauseExec(ch *pbx.Channel, data string, pause bool) (pbx.Result, error) {
	app, v, done, verb := "PauseQueueMember", "PQMSTATUS", "PAUSED", "pause"
	if !pause {
		app, v, done, verb = "UnpauseQueueMember", "UPQMSTATUS", "UNPAUSED", "unpause"
	}
	if strings.TrimSpace(data) == "" {
		m.log.Warning("%s requires an argument ([queuename],interface[,options][,reason])\n", app)
		return pbx.HangupResult, nil
	}
	a := argsOf(data)
	if a(1) == "" {
		m.log.Warning("Missing interface argument to %s ([queuename],interface[,options[,reason]])\n", app)
		return pbx.HangupResult, nil
	}
	if len(m.SetPaused(a(0), a(1), a(3), pause)) == 0 {
		m.log.Warning("Attempt to %s interface %s, not found\n", verb, a(1))
		ch.SetVar(v, "NOTFOUND")
		return pbx.Continue, nil
	}
	ch.SetVar(v, done)
	return pbx.Continue, nil
}

func (m *Module) queueLogExec(_ *pbx.Channel, data string) (pbx.Result, error) {
	a := argsOf(data)
	if strings.TrimSpace(data) == "" {
		m.log.Warning("QueueLog requires arguments (queuename,uniqueid,membername,event[,additionalinfo]\n")
		return pbx.HangupResult, nil
	}
	if a(0) == "" || a(1) == "" || a(2) == "" || a(3) == "" {
		m.log.Warning("QueueLog requires arguments (queuename,uniqueid,membername,event[,additionalinfo])\n")
		return pbx.HangupResult, nil
	}
	m.qlog(a(0), a(1), a(2), a(3), a(4))
	return pbx.Continue, nil
}

func (m *Module) queueUpdateExec(_ *pbx.Channel, data string) (pbx.Result, error) {
	if strings.TrimSpace(data) == "" {
		m.log.Warning("QueueUpdate requires arguments (queuename,uniqueid,agent,status,talktime,params[totaltime,callednumber])\n")
		return pbx.HangupResult, nil
	}
	a := argsOf(data)
	if a(0) == "" || a(1) == "" || a(2) == "" || a(3) == "" {
		m.log.Warning("Missing argument to QueueUpdate (queuename,uniqueid,agent,status,talktime,params[totaltime|callednumber])\n")
		return pbx.HangupResult, nil
	}
	talk := atoi(a(4))
	m.mu.Lock()
	q := m.queues[strings.ToLower(a(0))]
	if q == nil {
		m.mu.Unlock()
		m.log.Warning("QueueUpdate could not find requested queue '%s'\n", a(0))
		return pbx.Continue, nil
	}
	var logs int
	for _, mem := range q.memberOrder() {
		if !strings.EqualFold(mem.name, a(2)) {
			continue
		}
		mem.lastCall = m.now()
		if strings.EqualFold(a(3), "ANSWER") {
			q.talktime = ((q.talktime << 2) - q.talktime + talk) >> 2
			mem.calls++
			mem.lastQueue = q
			q.completed++
			if talk <= q.conf().ServiceLevel {
				q.completedSL++
			}
		} else {
			q.abandoned++
		}
		logs++
	}
	m.mu.Unlock()
	for i := 0; i < logs; i++ {
		m.qlog(a(0), a(1), a(2), "OUTCALL", a(3), a(4), a(5))
	}
	return pbx.Continue, nil
}

// --- functions ---

func (m *Module) functions() []pbx.Function {
	return []pbx.Function{
		{Name: "QUEUE_VARIABLES", Synopsis: "Return Queue information in variables.", Syntax: "QUEUE_VARIABLES(queuename)", Read: m.fnVariables},
		{Name: "QUEUE_MEMBER", Synopsis: "Provides a count of queue members based on the provided criteria, or updates a queue member's settings.",
			Syntax: "QUEUE_MEMBER([queuename],option,[interface])", Read: m.fnMember, Write: m.fnMemberWrite},
		{Name: "QUEUE_MEMBER_COUNT", Synopsis: "Count number of members answering a queue.", Syntax: "QUEUE_MEMBER_COUNT(queuename)",
			Read: func(ch *pbx.Channel, args string) (string, error) { return m.fnMember(ch, args+",logged") }},
		{Name: "QUEUE_EXISTS", Synopsis: "Check if a named queue exists on this server", Syntax: "QUEUE_EXISTS([queuename])", Read: m.fnExists},
		{Name: "QUEUE_GET_CHANNEL", Synopsis: "Return caller at the specified position in a queue.", Syntax: "QUEUE_GET_CHANNEL(queuename,[position])", Read: m.fnGetChannel},
		{Name: "QUEUE_WAITING_COUNT", Synopsis: "Count number of calls currently waiting in a queue.", Syntax: "QUEUE_WAITING_COUNT([queuename])", Read: m.fnWaiting},
		{Name: "QUEUE_MEMBER_LIST", Synopsis: "Returns a list of interfaces on a queue.", Syntax: "QUEUE_MEMBER_LIST(queuename)", Read: m.fnMemberList},
		{Name: "QUEUE_MEMBER_PENALTY", Synopsis: "Gets or sets queue members penalty.", Syntax: "QUEUE_MEMBER_PENALTY(queuename,interface)",
			Read: m.fnPenalty, Write: m.fnPenaltyWrite},
	}
}

// lookup returns a queue under m.mu (held by the caller on success).
func (m *Module) lookupLocked(name string) *queue {
	return m.queues[strings.ToLower(strings.TrimSpace(name))]
}

func (m *Module) fnVariables(ch *pbx.Channel, args string) (string, error) {
	if strings.TrimSpace(args) == "" {
		return "", pbx.ErrorLevel(errors.New("QUEUE_VARIABLES requires an argument: queuename"))
	}
	m.mu.Lock()
	q := m.lookupLocked(args)
	m.mu.Unlock()
	if q == nil {
		return "", fmt.Errorf("queue %s was not found", strings.TrimSpace(args))
	}
	if ch != nil {
		sl := 0.0
		m.mu.Lock()
		if q.completed > 0 {
			sl = 100 * float64(q.completedSL) / float64(q.completed)
		}
		vars := [][2]string{{"QUEUEMAX", strconv.Itoa(q.conf().MaxLen)}, {"QUEUESTRATEGY", q.conf().Strategy.String()},
			{"QUEUECALLS", strconv.Itoa(len(q.callers))}, {"QUEUEHOLDTIME", strconv.Itoa(q.holdtime)},
			{"QUEUETALKTIME", strconv.Itoa(q.talktime)}, {"QUEUECOMPLETED", strconv.Itoa(q.completed)},
			{"QUEUEABANDONED", strconv.Itoa(q.abandoned)}, {"QUEUESRVLEVEL", strconv.Itoa(q.conf().ServiceLevel)},
			{"QUEUESRVLEVELPERF", strconv.FormatFloat(sl, 'f', 1, 64)}}
		m.mu.Unlock()
		for _, v := range vars {
			ch.SetVar(v[0], v[1])
		}
	}
	return "", nil
}

func (m *Module) fnMember(_ *pbx.Channel, args string) (string, error) {
	a := argsOf(args)
	if a(0) == "" || a(1) == "" {
		return "", pbx.ErrorLevel(errors.New("Missing required argument. QUEUE_MEMBER(<queuename>,<option>[,<interface>])"))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.lookupLocked(a(0))
	if q == nil {
		return "0", fmt.Errorf("queue %s was not found", a(0))
	}
	count := 0
	switch strings.ToLower(a(1)) {
	case "logged":
		for _, mem := range q.members {
			if st := m.status(mem); st != pbx.DeviceUnavailable && st != pbx.DeviceInvalid {
				count++
			}
		}
	case "free":
		for _, mem := range q.members {
			if m.status(mem) == pbx.DeviceNotInUse && !mem.paused {
				count++
			}
		}
	case "ready":
		for _, mem := range q.members {
			if m.status(mem) == pbx.DeviceNotInUse && !mem.paused && !m.inWrapup(q, mem) {
				count++
			}
		}
	case "count":
		count = len(q.members)
	case "penalty", "paused", "ringinuse", "ignorebusy":
		if mem := q.member(a(2)); mem != nil {
			switch strings.ToLower(a(1)) {
			case "penalty":
				count = mem.penalty
			case "paused":
				count = boolInt(mem.paused)
			default:
				count = boolInt(mem.ringInUse)
			}
		}
	default:
		return "0", pbx.ErrorLevel(fmt.Errorf("QUEUE_MEMBER: Invalid option '%s' provided.", a(1)))
	}
	return strconv.Itoa(count), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (m *Module) fnMemberWrite(_ *pbx.Channel, args, value string) error {
	a := argsOf(args)
	if a(1) == "" || a(2) == "" {
		return pbx.ErrorLevel(errors.New("Missing argument. QUEUE_MEMBER(<queuename>,<option>,<interface>)"))
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	switch strings.ToLower(a(1)) {
	case "penalty":
		if err != nil || n < 0 {
			return pbx.ErrorLevel(fmt.Errorf("Invalid penalty (%s)", value))
		}
		if m.SetPenalty(a(0), a(2), n) == 0 {
			return pbx.ErrorLevel(fmt.Errorf("Invalid interface, queue or penalty"))
		}
	case "paused":
		if len(m.SetPaused(a(0), a(2), "", n != 0 && err == nil)) == 0 {
			return pbx.ErrorLevel(fmt.Errorf("Invalid interface, queue or penalty"))
		}
	case "ringinuse", "ignorebusy":
		if !m.SetRingInUse(a(0), a(2), n != 0 && err == nil) {
			return pbx.ErrorLevel(fmt.Errorf("Invalid interface, queue, or ringinuse value"))
		}
	default:
		return pbx.ErrorLevel(fmt.Errorf("Invalid option, only penalty , paused or ringinuse/ignorebusy are valid"))
	}
	return nil
}

func (m *Module) fnExists(_ *pbx.Channel, args string) (string, error) {
	if strings.TrimSpace(args) == "" {
		return "", pbx.ErrorLevel(errors.New("QUEUE_EXISTS requires an argument: queuename"))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lookupLocked(args) != nil {
		return "1", nil
	}
	return "0", nil
}

func (m *Module) fnGetChannel(_ *pbx.Channel, args string) (string, error) {
	a := argsOf(args)
	if a(0) == "" {
		return "", pbx.ErrorLevel(errors.New("QUEUE_GET_CHANNEL requires an argument: queuename"))
	}
	pos := 1
	if s := a(1); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return "", pbx.ErrorLevel(fmt.Errorf("<position> parameter must be an integer greater than zero."))
		}
		pos = n
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.lookupLocked(a(0))
	if q == nil {
		return "", fmt.Errorf("queue %s was not found", a(0))
	}
	if pos <= len(q.callers) {
		return q.callers[pos-1].ch.Name(), nil
	}
	return "", nil
}

func (m *Module) fnWaiting(_ *pbx.Channel, args string) (string, error) {
	if strings.TrimSpace(args) == "" {
		return "", pbx.ErrorLevel(errors.New("QUEUE_WAITING_COUNT requires an argument: queuename"))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.lookupLocked(args)
	if q == nil {
		return "0", fmt.Errorf("queue %s was not found", strings.TrimSpace(args))
	}
	return strconv.Itoa(len(q.callers)), nil
}

func (m *Module) fnMemberList(_ *pbx.Channel, args string) (string, error) {
	if strings.TrimSpace(args) == "" {
		return "", pbx.ErrorLevel(errors.New("QUEUE_MEMBER_LIST requires an argument: queuename"))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.lookupLocked(args)
	if q == nil {
		return "", fmt.Errorf("queue %s was not found", strings.TrimSpace(args))
	}
	var out []string
	for _, mem := range q.memberOrder() {
		out = append(out, mem.iface)
	}
	return strings.Join(out, ","), nil
}

func (m *Module) fnPenalty(_ *pbx.Channel, args string) (string, error) {
	a := argsOf(args)
	if a(0) == "" || a(1) == "" {
		return "", pbx.ErrorLevel(errors.New("Missing argument. QUEUE_MEMBER_PENALTY(<queuename>,<interface>)"))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.lookupLocked(a(0))
	if q == nil {
		return "", pbx.ErrorLevel(fmt.Errorf("Invalid queue %s or interface %s", a(0), a(1)))
	}
	mem := q.member(a(1))
	if mem == nil {
		return "", pbx.ErrorLevel(fmt.Errorf("Invalid queue %s or interface %s", a(0), a(1)))
	}
	return strconv.Itoa(mem.penalty), nil
}

func (m *Module) fnPenaltyWrite(_ *pbx.Channel, args, value string) error {
	a := argsOf(args)
	if a(0) == "" || a(1) == "" {
		return pbx.ErrorLevel(errors.New("Missing argument. QUEUE_MEMBER_PENALTY(<queuename>,<interface>)"))
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < 0 {
		return pbx.ErrorLevel(fmt.Errorf("Invalid penalty (%s)", value))
	}
	if m.SetPenalty(a(0), a(1), n) == 0 {
		return pbx.ErrorLevel(fmt.Errorf("Invalid interface, queue or penalty"))
	}
	return nil
}
