package queue

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Strategy is a queue's ring strategy, in app_queue's order.
type Strategy int

// The ring strategies.
const (
	RingAll Strategy = iota
	LeastRecent
	FewestCalls
	Random
	RRMemory
	Linear
	WRandom
	RROrdered
)

var strategyNames = [...]string{"ringall", "leastrecent", "fewestcalls", "random", "rrmemory", "linear", "wrandom", "rrordered"}

// String is the name `queue show` prints.
func (s Strategy) String() string {
	if s >= 0 && int(s) < len(strategyNames) {
		return strategyNames[s]
	}
	return "<unknown>"
}

// ParseStrategy reads a strategy name ("roundrobin" is rrmemory's old name).
func ParseStrategy(s string) (Strategy, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "roundrobin" {
		return RRMemory, true
	}
	for i, n := range strategyNames {
		if n == s {
			return Strategy(i), true
		}
	}
	return RingAll, false
}

// Empty is a set of joinempty/leavewhenempty conditions: the member
// states that count as "nobody there".
type Empty uint16

// The conditions of joinempty and leavewhenempty.
const (
	EmptyPenalty Empty = 1 << iota
	EmptyPaused
	EmptyInUse
	EmptyRinging
	EmptyUnavailable
	EmptyInvalid
	EmptyUnknown
	EmptyWrapup
)

// parseEmpty reads a joinempty/leavewhenempty value as app_queue does:
// a list of conditions, or loose/strict, or a yes/no whose meaning is
// reversed between the two options.
func parseEmpty(value string, join bool) (Empty, []string) {
	var e Empty
	var bad []string
	for _, opt := range strings.Split(value, ",") {
		opt = strings.TrimSpace(opt)
		switch strings.ToLower(opt) {
		case "paused":
			e |= EmptyPaused
		case "penalty":
			e |= EmptyPenalty
		case "inuse":
			e |= EmptyInUse
		case "ringing":
			e |= EmptyRinging
		case "invalid":
			e |= EmptyInvalid
		case "wrapup":
			e |= EmptyWrapup
		case "unavailable":
			e |= EmptyUnavailable
		case "unknown":
			e |= EmptyUnknown
		case "loose":
			e = EmptyPenalty | EmptyInvalid
		case "strict":
			e = EmptyPenalty | EmptyInvalid | EmptyPaused | EmptyUnavailable
		default:
			switch {
			case confparse.False(opt) && join, confparse.True(opt) && !join:
				e = EmptyPenalty | EmptyInvalid | EmptyPaused
			case confparse.False(opt) && !join, confparse.True(opt) && join:
				e = 0
			default:
				bad = append(bad, opt)
			}
		}
	}
	return e, bad
}

// Position announcement modes (announce-position).
const (
	PositionNo = iota
	PositionYes
	PositionLimit
	PositionMoreThan
)

// Hold time announcement modes (announce-holdtime).
const (
	HoldtimeNo = iota
	HoldtimeAlways
	HoldtimeOnce
)

// Autopause modes.
const (
	AutopauseOff = iota
	AutopauseOn
	AutopauseAll
)

// StaticMember is one `member =>` line.
type StaticMember struct {
	Interface, Name, StateInterface string
	Penalty                         int
	RingInUse                       bool
	WrapupTime                      int
	File                            string
	Line                            int
}

// Queue is one queue's settings.
type Queue struct {
	Name     string
	File     string
	Line     int
	Strategy Strategy

	Timeout, Retry, WrapupTime, MaxLen, Weight, ServiceLevel int
	JoinEmpty, LeaveWhenEmpty                                Empty
	RingInUse                                                bool
	MusicClass, Announce, Context                            string
	AnnounceFrequency, MinAnnounceFrequency                  int
	AnnounceHoldtime                                         int
	AnnouncePosition, AnnouncePositionLimit                  int
	AnnounceToFirstUser, AnnouncePositionOnlyUp              bool
	AnnounceRoundSeconds                                     int
	PeriodicAnnounce                                         []string
	PeriodicAnnounceFrequency, PeriodicAnnounceStartDelay    int
	RandomPeriodicAnnounce, RelativePeriodicAnnounce         bool
	SetInterfaceVar, SetQueueVar, SetQueueEntryVar           bool
	MemberDelay                                              int
	TimeoutRestart, ReportHoldtime                           bool
	Autopause, AutopauseDelay                                int
	AutopauseBusy, AutopauseUnavail                          bool
	PenaltyMembersLimit                                      int
	DefaultRule, MemberMacro, MemberGosub, MonitorFormat     string
	// MonitorType is the queue's monitor-type ("" leaves [general]'s).
	MonitorType                                          string
	TimeoutPriorityConf, Autofill, LogRestrictedCallerID bool
	// Sounds are the prompt overrides (queue-youarenext, ...) by option name.
	Sounds  map[string]string
	Members []StaticMember
}

// MixMonitor reports whether the queue records with MixMonitor (its
// monitor-type, else [general]'s) rather than Monitor.
func (q *Queue) MixMonitor(g General) bool {
	t := q.MonitorType
	if t == "" {
		t = g.MonitorType
	}
	return strings.EqualFold(t, "mixmonitor")
}

// Sound returns the prompt for a sound option, its default when unset.
func (q *Queue) Sound(name string) string {
	if s, ok := q.Sounds[name]; ok {
		return s
	}
	return defaultSounds[name]
}

var defaultSounds = map[string]string{
	"queue-youarenext":     "queue-youarenext",
	"queue-thereare":       "queue-thereare",
	"queue-callswaiting":   "queue-callswaiting",
	"queue-quantity1":      "queue-quantity1",
	"queue-quantity2":      "queue-quantity2",
	"queue-holdtime":       "queue-holdtime",
	"queue-minutes":        "queue-minutes",
	"queue-minute":         "queue-minute",
	"queue-seconds":        "queue-seconds",
	"queue-thankyou":       "queue-thankyou",
	"queue-callerannounce": "",
	"queue-reporthold":     "queue-reporthold",
}

// General is queues.conf's [general].
type General struct {
	PersistentMembers      bool
	Autofill               bool
	MonitorType            string
	SharedLastCall         bool
	UpdateCDR              bool
	LogMemberNameAsAgent   bool
	NegativePenaltyInvalid bool
	ForceLongestWaiting    bool
}

// RuleStep is one penaltychange line of queuerules.conf.
type RuleStep struct {
	Time                                    int
	MaxValue, MinValue, RaiseValue          int
	MaxRelative, MinRelative, RaiseRelative bool
	HasMin, HasRaise                        bool
}

// Rule is one [rule] of queuerules.conf, steps sorted by time.
type Rule struct {
	Name  string
	Steps []RuleStep
}

// Config is queues.conf and queuerules.conf.
type Config struct {
	General General
	Queues  []*Queue
	Rules   []*Rule
}

// Queue returns a queue by name, case-insensitively.
func (c *Config) Queue(name string) *Queue {
	for _, q := range c.Queues {
		if strings.EqualFold(q.Name, name) {
			return q
		}
	}
	return nil
}

// Rule returns a rule by name, case-insensitively.
func (c *Config) Rule(name string) *Rule {
	for _, r := range c.Rules {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

// newQueue has init_queue's defaults.
func newQueue(name string, g General) *Queue {
	return &Queue{
		Name: name, Retry: 5, Timeout: 15, MinAnnounceFrequency: 15,
		AnnounceHoldtime: HoldtimeAlways, AnnouncePositionLimit: 10, AnnouncePosition: PositionYes,
		RingInUse: true, Autofill: g.Autofill, PeriodicAnnounce: []string{"queue-periodic-announce"},
		PeriodicAnnounceStartDelay: -1, LogRestrictedCallerID: true, Sounds: map[string]string{},
	}
}

// Load reads queues.conf and queuerules.conf (either may be nil: no file).
// Unknown options and bad values are warnings with file:line, as app_queue
// skips them.
func Load(queues, rules *confparse.Config) (*Config, confparse.Diagnostics) {
	c := &Config{General: General{Autofill: true, SharedLastCall: true}}
	var diags confparse.Diagnostics
	warn := diags.Warnf
	if rules != nil {
		c.Rules = loadRules(rules, warn)
	}
	if queues == nil {
		return c, diags
	}
	cats := queues.Browse()
	for _, cat := range cats {
		if !strings.EqualFold(cat.Name, "general") {
			continue
		}
		for _, v := range cat.Vars {
			switch strings.ToLower(v.Name) {
			case "persistentmembers":
				c.General.PersistentMembers = confparse.True(v.Value)
			case "autofill":
				c.General.Autofill = confparse.True(v.Value)
			case "monitor-type":
				c.General.MonitorType = v.Value
			case "shared_lastcall":
				c.General.SharedLastCall = confparse.True(v.Value)
			case "updatecdr":
				c.General.UpdateCDR = confparse.True(v.Value)
			case "log_membername_as_agent":
				c.General.LogMemberNameAsAgent = confparse.True(v.Value)
			case "negative_penalty_invalid":
				c.General.NegativePenaltyInvalid = confparse.True(v.Value)
			case "force_longest_waiting_caller":
				c.General.ForceLongestWaiting = confparse.True(v.Value)
			case "keepstats", "autopause", "shared_lastcall ":
				// keepstats: statistics survive a reload here anyway.
			default:
				warn(v.File, v.Line, "Unknown option '%s' in [general] of queues.conf", v.Name)
			}
		}
	}
	for _, cat := range cats {
		if strings.EqualFold(cat.Name, "general") {
			continue
		}
		if c.Queue(cat.Name) != nil {
			warn(cat.File, cat.Line, "Queue '%s' already defined! Skipping!", cat.Name)
			continue
		}
		q := newQueue(cat.Name, c.General)
		q.File, q.Line = cat.File, cat.Line
		if v := cat.Var("strategy"); v != nil {
			s, ok := ParseStrategy(v.Value)
			if !ok {
				warn(v.File, v.Line, "'%s' isn't a valid strategy for queue '%s', using ringall instead", v.Value, q.Name)
			}
			q.Strategy = s
		}
		for _, v := range cat.Vars {
			if strings.EqualFold(v.Name, "member") {
				continue
			}
			setParam(q, v, warn)
		}
		for _, v := range cat.All("member") {
			m, ok := parseMember(q, v.Value)
			if !ok {
				warn(v.File, v.Line, "Empty queue member definition. Moving on!")
				continue
			}
			m.File, m.Line = v.File, v.Line
			dup := false
			for i := range q.Members {
				if strings.EqualFold(q.Members[i].Interface, m.Interface) {
					q.Members[i] = m // a later line replaces the member, as a reload does
					dup = true
				}
			}
			if !dup {
				q.Members = append(q.Members, m)
			}
		}
		if q.DefaultRule != "" && c.Rule(q.DefaultRule) == nil {
			v := cat.Var("defaultrule")
			warn(v.File, v.Line, "Queue '%s': defaultrule '%s' is not in queuerules.conf", q.Name, q.DefaultRule)
		}
		c.Queues = append(c.Queues, q)
	}
	return c, diags
}

// parseMember reads "interface[,penalty[,name[,state_interface[,ringinuse[,wrapuptime]]]]]".
func parseMember(q *Queue, data string) (StaticMember, bool) {
	args := strings.Split(data, ",")
	for i := range args {
		args[i] = strings.TrimSpace(args[i])
	}
	at := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	m := StaticMember{Interface: at(0), RingInUse: q.RingInUse}
	if m.Interface == "" {
		return m, false
	}
	m.Penalty = max(atoi(at(1)), 0)
	m.Name = at(2)
	if m.Name == "" {
		m.Name = m.Interface
	}
	m.StateInterface = at(3)
	if m.StateInterface == "" {
		m.StateInterface = m.Interface
	}
	if s := at(4); s != "" {
		switch {
		case confparse.True(s):
			m.RingInUse = true
		case confparse.False(s):
			m.RingInUse = false
		}
	}
	m.WrapupTime = max(atoi(at(5)), 0)
	return m, true
}

// atoi is C's atoi: leading digits, 0 when none.
func atoi(s string) int {
	s = strings.TrimSpace(s)
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}

var soundOptions = map[string]bool{
	"queue-youarenext": true, "queue-thereare": true, "queue-callswaiting": true, "queue-quantity1": true,
	"queue-quantity2": true, "queue-holdtime": true, "queue-minutes": true, "queue-minute": true,
	"queue-seconds": true, "queue-thankyou": true, "queue-callerannounce": true, "queue-reporthold": true,
}

// setParam is queue_set_param for one line.
func setParam(q *Queue, v *confparse.Variable, warn func(string, int, string, ...any)) {
	val := strings.TrimSpace(v.Value)
	name := strings.ToLower(v.Name)
	if soundOptions[name] {
		q.Sounds[name] = val
		return
	}
	switch name {
	case "musicclass", "music", "musiconhold":
		q.MusicClass = val
	case "announce":
		q.Announce = val
	case "context":
		q.Context = val
	case "timeout":
		q.Timeout = atoi(val)
		if q.Timeout < 0 {
			q.Timeout = 15
		}
	case "ringinuse":
		q.RingInUse = confparse.True(val)
	case "setinterfacevar":
		q.SetInterfaceVar = confparse.True(val)
	case "setqueuevar":
		q.SetQueueVar = confparse.True(val)
	case "setqueueentryvar":
		q.SetQueueEntryVar = confparse.True(val)
	case "monitor-format":
		q.MonitorFormat = val
	case "monitor-type":
		q.MonitorType = val
	case "membermacro":
		q.MemberMacro = val
	case "membergosub":
		q.MemberGosub = val
	case "announce-frequency":
		q.AnnounceFrequency = atoi(val)
	case "announce-to-first-user":
		q.AnnounceToFirstUser = confparse.True(val)
	case "min-announce-frequency":
		q.MinAnnounceFrequency = atoi(val)
	case "announce-round-seconds":
		q.AnnounceRoundSeconds = atoi(val)
		switch q.AnnounceRoundSeconds {
		case 0, 5, 10, 15, 20, 30:
		default:
			warn(v.File, v.Line, "'%s' isn't a valid value for %s using 0 instead for queue '%s'", val, v.Name, q.Name)
			q.AnnounceRoundSeconds = 0
		}
	case "announce-holdtime":
		switch {
		case strings.EqualFold(val, "once"):
			q.AnnounceHoldtime = HoldtimeOnce
		case confparse.True(val):
			q.AnnounceHoldtime = HoldtimeAlways
		default:
			q.AnnounceHoldtime = HoldtimeNo
		}
	case "announce-position":
		switch {
		case strings.EqualFold(val, "limit"):
			q.AnnouncePosition = PositionLimit
		case strings.EqualFold(val, "more"):
			q.AnnouncePosition = PositionMoreThan
		case confparse.True(val):
			q.AnnouncePosition = PositionYes
		default:
			q.AnnouncePosition = PositionNo
		}
	case "announce-position-only-up":
		q.AnnouncePositionOnlyUp = confparse.True(val)
	case "announce-position-limit":
		q.AnnouncePositionLimit = atoi(val)
	case "periodic-announce":
		var list []string
		for _, s := range strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == '|' }) {
			list = append(list, strings.TrimSpace(s))
			if len(list) == 10 { // MAX_PERIODIC_ANNOUNCEMENTS
				break
			}
		}
		if !strings.ContainsRune(val, ',') {
			list = []string{val}
		}
		q.PeriodicAnnounce = list
	case "periodic-announce-startdelay":
		q.PeriodicAnnounceStartDelay = atoi(val)
	case "periodic-announce-frequency":
		q.PeriodicAnnounceFrequency = atoi(val)
	case "relative-periodic-announce":
		q.RelativePeriodicAnnounce = confparse.True(val)
	case "random-periodic-announce":
		q.RandomPeriodicAnnounce = confparse.True(val)
	case "retry":
		q.Retry = atoi(val)
		if q.Retry <= 0 {
			q.Retry = 5
		}
	case "wrapuptime":
		q.WrapupTime = atoi(val)
	case "penaltymemberslimit":
		q.PenaltyMembersLimit = max(atoi(val), 0)
	case "autofill":
		q.Autofill = confparse.True(val)
	case "autopause":
		switch {
		case strings.EqualFold(val, "all"):
			q.Autopause = AutopauseAll
		case confparse.True(val):
			q.Autopause = AutopauseOn
		default:
			q.Autopause = AutopauseOff
		}
	case "autopausedelay":
		q.AutopauseDelay = atoi(val)
	case "autopausebusy":
		q.AutopauseBusy = confparse.True(val)
	case "autopauseunavail":
		q.AutopauseUnavail = confparse.True(val)
	case "maxlen":
		q.MaxLen = max(atoi(val), 0)
	case "servicelevel":
		q.ServiceLevel = atoi(val)
	case "strategy":
		// read before the other options (Load)
	case "joinempty", "leavewhenempty":
		e, bad := parseEmpty(val, name == "joinempty")
		for _, b := range bad {
			warn(v.File, v.Line, "Unknown option %s for '%s'", b, name)
		}
		if name == "joinempty" {
			q.JoinEmpty = e
		} else {
			q.LeaveWhenEmpty = e
		}
	case "reportholdtime":
		q.ReportHoldtime = confparse.True(val)
	case "memberdelay":
		q.MemberDelay = atoi(val)
	case "weight":
		q.Weight = atoi(val)
	case "timeoutrestart":
		q.TimeoutRestart = confparse.True(val)
	case "defaultrule":
		q.DefaultRule = val
	case "timeoutpriority":
		q.TimeoutPriorityConf = strings.EqualFold(val, "conf")
	case "log-restricted-caller-id":
		q.LogRestrictedCallerID = confparse.True(val)
	default:
		warn(v.File, v.Line, "Unknown keyword in queue '%s': %s at line %d of queues.conf", q.Name, v.Name, v.Line)
	}
}

// loadRules reads queuerules.conf's penaltychange lines.
func loadRules(cfg *confparse.Config, warn func(string, int, string, ...any)) []*Rule {
	var out []*Rule
	for _, cat := range cfg.Browse() {
		if strings.EqualFold(cat.Name, "general") {
			continue
		}
		r := &Rule{Name: cat.Name}
		for _, v := range cat.Vars {
			if !strings.EqualFold(v.Name, "penaltychange") {
				warn(v.File, v.Line, "Don't know how to handle rule type '%s' on line %d", v.Name, v.Line)
				continue
			}
			step, ok := parseRuleStep(v.Value)
			if !ok {
				warn(v.File, v.Line, "Improperly formatted penaltychange rule at line %d. Ignoring.", v.Line)
				continue
			}
			i := len(r.Steps)
			for i > 0 && r.Steps[i-1].Time > step.Time {
				i--
			}
			r.Steps = append(r.Steps[:i], append([]RuleStep{step}, r.Steps[i:]...)...)
		}
		out = append(out, r)
	}
	return out
}

// parseRuleStep reads "time,maxpenalty[,minpenalty[,raisepenalty]]" as
// insert_penaltychange does: a leading + or - (or an empty value, or an
// absent min/raise) makes a value a change relative to the caller's.
func parseRuleStep(s string) (RuleStep, bool) {
	parts := strings.SplitN(s, ",", 4)
	if len(parts) < 2 {
		return RuleStep{}, false
	}
	var st RuleStep
	st.Time = atoi(parts[0])
	if st.Time < 0 {
		return RuleStep{}, false
	}
	rel := func(p string) bool { return p == "" || p[0] == '+' || p[0] == '-' }
	maxs := parts[1]
	st.MaxRelative, st.MaxValue = rel(maxs), atoi(maxs)
	st.MinRelative = true
	if len(parts) > 2 && parts[2] != "" {
		st.MinRelative, st.MinValue = rel(parts[2]), atoi(parts[2])
		st.HasMin = true
	}
	st.RaiseRelative = true
	if len(parts) > 3 && parts[3] != "" {
		st.RaiseRelative, st.RaiseValue = rel(parts[3]), atoi(parts[3])
		st.HasRaise = true
	}
	return st, true
}
