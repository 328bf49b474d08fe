package queue

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// ReloadFunc reloads queues.conf and queuerules.conf from disk for `queue
// reload`: params, members and rules say what to apply.
type ReloadFunc func(params, members, rules bool, names []string) error

// RegisterCLI adds app_queue's commands, in its order.
func (m *Module) RegisterCLI(reg *cli.Registry, reload ReloadFunc) error {
	queueNames := func(a *cli.Args, pos int, word string) []string {
		var out []string
		m.mu.Lock()
		for _, q := range m.sortedLocked() {
			if strings.HasPrefix(strings.ToLower(q.name), strings.ToLower(word)) {
				out = append(out, q.name)
			}
		}
		m.mu.Unlock()
		return out
	}
	err := reg.Register(
		&cli.Command{
			Words:   []string{"queue", "show"},
			Summary: "Show status of a specified queue",
			Usage:   "Usage: queue show\n       Provides summary information on a specified queue.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 2 && len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				name := ""
				if len(a.Argv) == 3 {
					name = a.Argv[2]
				}
				a.Printf("%s", m.Show(name))
				return nil
			},
			Complete: func(a *cli.Args, pos int, word string) []string {
				if pos != 2 {
					return nil
				}
				return queueNames(a, pos, word)
			},
		},
		&cli.Command{
			Words:   []string{"queue", "show", "rules"},
			Summary: "Show the rules defined in queuerules.conf",
			Usage: "Usage: queue show rules [rulename]\n" +
				"\tShow the list of rules associated with rulename. If no\n" +
				"\trulename is specified, list all rules defined in queuerules.conf\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 && len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				name := ""
				if len(a.Argv) == 4 {
					name = a.Argv[3]
				}
				a.Printf("%s", ShowRules(m.Config(), name))
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"queue", "add", "member"},
			Summary: "Add a channel to a specified queue",
			Usage: "Usage: queue add member <dial string> to <queue> [penalty <penalty> [as <membername> [state_interface <interface>]]]\n" +
				"       Add a dial string (Such as a channel,e.g. SIP/6001) to a queue with optionally:  a penalty, membername and a state_interface\n",
			Handler: m.cliAdd,
		},
		&cli.Command{
			Words:   []string{"queue", "remove", "member"},
			Summary: "Removes a channel from a specified queue",
			Usage:   "Usage: queue remove member <channel> from <queue>\n       Remove a specific channel from a queue.\n",
			Handler: m.cliRemove,
		},
		&cli.Command{
			Words:   []string{"queue", "{pause|unpause}", "member"},
			Summary: "Pause or unpause a queue member",
			Usage: "Usage: queue {pause|unpause} member <member> [queue <queue> [reason <reason>]]\n" +
				"\tPause or unpause a queue member. Not specifying a particular queue\n" +
				"\twill pause or unpause a member across all queues to which the member\n" +
				"\tbelongs.\n",
			Handler: m.cliPause,
		},
		&cli.Command{
			Words:   []string{"queue", "set", "penalty"},
			Summary: "Set penalty for a channel of a specified queue",
			Usage: "Usage: queue set penalty <penalty> on <interface> [in <queue>]\n" +
				"\tSet a member's penalty in the queue specified. If no queue is specified\n" +
				"\tthen that interface's penalty is set in all queues to which that interface is a member\n",
			Handler: m.cliPenalty,
		},
		&cli.Command{
			Words:   []string{"queue", "set", "ringinuse"},
			Summary: "Set ringinuse for a channel of a specified queue",
			Usage: "Usage: queue set ringinuse <yes/no> on <interface> [in <queue>]\n" +
				"\tSet a member's ringinuse in the queue specified. If no queue is specified\n" +
				"\tthen that interface's penalty is set in all queues to which that interface is a member.\n",
			Handler: m.cliRingInUse,
		},
		&cli.Command{
			Words:   []string{"queue", "reload", "{parameters|members|rules|all}"},
			Summary: "Reload queues, members, queue rules, or parameters",
			Usage: "Usage: queue reload {parameters|members|rules|all} [<queuenames>]\n" +
				"Reload queues. If <queuenames> are specified, only reload information pertaining\n" +
				"to <queuenames>. One of 'parameters,' 'members,' 'rules,' or 'all' must be\n" +
				"specified in order to know what information to reload. Below is an explanation\n" +
				"of each of these qualifiers.\n" +
				"\n" +
				"\t'members' - reload queue members from queues.conf\n" +
				"\t'parameters' - reload all queue options except for queue members\n" +
				"\t'rules' - reload the queuerules.conf file\n" +
				"\t'all' - reload queue rules, parameters, and members\n" +
				"\n" +
				"Note: the 'rules' qualifier here cannot actually be applied to a specific queue.\n" +
				"Use of the 'rules' qualifier causes queuerules.conf to be reloaded. Even if only\n" +
				"one queue is specified when using this command, reloading queue rules may cause\n" +
				"other queues to be affected\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) < 3 {
					return cli.ErrShowUsage
				}
				w := strings.ToLower(a.Argv[2])
				params, members, rules := w == "parameters" || w == "all", w == "members" || w == "all", w == "rules" || w == "all"
				if err := reload(params, members, rules, a.Argv[3:]); err != nil {
					a.Printf("%v\n", err)
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"queue", "reset", "stats"},
			Summary: "Reset statistics for a queue",
			Usage: "Usage: queue reset stats [<queuenames>]\n\nIssuing this command will reset statistics for\n" +
				"<queuenames>, or for all queues if no queue is\nspecified.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) < 3 {
					return cli.ErrShowUsage
				}
				m.ResetStats(a.Argv[3:])
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"queue", "priority", "caller"},
			Summary: "Change priority caller on queue",
			Usage: "Usage: queue priority caller <channel> on <queue> to <priority> [immediate]\n" +
				"       Change the priority of a channel on a queue, optionally applying the change in relation to existing callers.\n",
			Handler: m.cliPriority,
		},
	)
	if err != nil {
		return fmt.Errorf("app_queue: %w", err)
	}
	return nil
}

func (m *Module) cliAdd(a *cli.Args) error {
	n := len(a.Argv)
	switch {
	case n != 6 && n != 8 && n != 10 && n != 12, a.Argv[4] != "to",
		n >= 8 && a.Argv[6] != "penalty", n >= 10 && a.Argv[8] != "as", n == 12 && a.Argv[10] != "state_interface":
		return cli.ErrShowUsage
	}
	qname, iface := a.Argv[5], a.Argv[3]
	penalty := 0
	if n >= 8 {
		p, ok := scanInt(a.Argv[7])
		switch {
		case !ok:
			a.Printf("Penalty must be an integer >= 0\n")
		case p < 0:
			a.Printf("Penalty must be >= 0\n")
		default:
			penalty = p
		}
	}
	name, state := "", ""
	if n >= 10 {
		name = a.Argv[9]
	}
	if n >= 12 {
		state = a.Argv[11]
	}
	switch m.AddMember(qname, iface, name, penalty, false, state, "", 0) {
	case ResOK:
		m.qlog(qname, "CLI", m.agentName(iface, name), "ADDMEMBER", "")
		a.Printf("Added interface '%s' to queue '%s'\n", iface, qname)
	case ResExists:
		a.Printf("Unable to add interface '%s' to queue '%s': Already there\n", iface, qname)
	case ResNoSuchQueue:
		a.Printf("Unable to add interface to queue '%s': No such queue\n", qname)
	case ResNotDynamic:
		a.Printf("Member not dynamic\n")
	}
	return nil
}

func (m *Module) cliRemove(a *cli.Args) error {
	if len(a.Argv) != 6 || a.Argv[4] != "from" {
		return cli.ErrShowUsage
	}
	qname, iface := a.Argv[5], a.Argv[3]
	res, name := m.RemoveMember(qname, iface)
	switch res {
	case ResOK:
		m.qlog(qname, "CLI", m.agentName(iface, name), "REMOVEMEMBER", "")
		a.Printf("Removed interface %s from queue '%s'\n", iface, qname)
	case ResExists:
		a.Printf("Unable to remove interface '%s' from queue '%s': Not there\n", iface, qname)
	case ResNoSuchQueue:
		a.Printf("Unable to remove interface from queue '%s': No such queue\n", qname)
	case ResNotDynamic:
		a.Printf("Unable to remove interface '%s' from queue '%s': Member is not dynamic\n", iface, qname)
	}
	return nil
}

func (m *Module) cliPause(a *cli.Args) error {
	n := len(a.Argv)
	if n < 4 || n == 5 || n == 7 || n > 8 || n >= 5 && a.Argv[4] != "queue" || n == 8 && a.Argv[6] != "reason" {
		return cli.ErrShowUsage
	}
	iface := a.Argv[3]
	qname, reason := "", ""
	if n >= 6 {
		qname = a.Argv[5]
	}
	if n == 8 {
		reason = a.Argv[7]
	}
	pause := strings.EqualFold(a.Argv[1], "pause")
	un := "un"
	if pause {
		un = ""
	}
	var b strings.Builder
	if len(m.SetPaused(qname, iface, reason, pause)) > 0 {
		fmt.Fprintf(&b, "%spaused interface '%s'", un, iface)
	} else {
		fmt.Fprintf(&b, "Unable to %spause interface '%s'", un, iface)
	}
	if qname != "" {
		fmt.Fprintf(&b, " in queue '%s'", qname)
	}
	if reason != "" {
		fmt.Fprintf(&b, " for reason '%s'", reason)
	}
	a.Printf("%s\n", b.String())
	return nil
}

func (m *Module) cliPriority(a *cli.Args) error {
	n := len(a.Argv)
	if n < 8 || a.Argv[4] != "on" || a.Argv[6] != "to" {
		return cli.ErrShowUsage
	}
	prio, ok := scanInt(a.Argv[7])
	if !ok {
		if e, ok := m.log.(interface{ Error(string, ...any) }); ok {
			e.Error("<priority> parameter must be an integer.\n")
		}
		return cli.ErrShowUsage
	}
	immediate := false
	if n == 9 {
		if a.Argv[8] != "immediate" {
			return cli.ErrShowUsage
		}
		immediate = true
	}
	caller, qname := a.Argv[3], a.Argv[5]
	switch m.ChangePriority(qname, caller, prio, immediate) {
	case ResNoSuchQueue:
		a.Printf("Unable change priority caller %s on queue '%s': No such queue\n", caller, qname)
	case ResNotCaller:
		a.Printf("Unable to change priority caller '%s' on queue '%s': Not there\n", caller, qname)
	}
	return nil
}

// scanInt reads a leading integer as sscanf's %d does ("5x" is 5).
func scanInt(s string) (int, bool) {
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	digits := end
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == digits {
		return 0, false
	}
	n, err := strconv.Atoi(s[:end])
	return n, err == nil
}

// cliQueueArg prints a queue name as Asterisk's %s of a NULL pointer does.
func cliQueueArg(s string) string {
	if s == "" {
		return "(null)"
	}
	return s
}

func (m *Module) cliPenalty(a *cli.Args) error {
	n := len(a.Argv)
	if n != 6 && n != 8 || a.Argv[4] != "on" || n > 6 && a.Argv[6] != "in" {
		return cli.ErrShowUsage
	}
	qname := ""
	if n == 8 {
		qname = a.Argv[7]
	}
	iface := a.Argv[5]
	if m.SetPenalty(qname, iface, atoi(a.Argv[3])) > 0 {
		a.Printf("Set penalty on interface '%s' from queue '%s'\n", iface, cliQueueArg(qname))
	} else {
		a.Printf("Failed to set penalty on interface '%s' from queue '%s'\n", iface, cliQueueArg(qname))
	}
	return nil
}

func (m *Module) cliRingInUse(a *cli.Args) error {
	n := len(a.Argv)
	if n != 6 && n != 8 || a.Argv[4] != "on" || n > 6 && a.Argv[6] != "in" {
		return cli.ErrShowUsage
	}
	var on bool
	switch {
	case confparse.True(a.Argv[3]):
		on = true
	case confparse.False(a.Argv[3]):
	default:
		return cli.ErrShowUsage
	}
	qname := ""
	if n == 8 {
		qname = a.Argv[7]
	}
	iface := a.Argv[5]
	v := "0"
	if on {
		v = "1"
	}
	if err := m.fnMemberWrite(nil, qname+",ringinuse,"+iface, v); err == nil {
		a.Printf("Set ringinuse on interface '%s' from queue '%s'\n", iface, cliQueueArg(qname))
	} else {
		a.Printf("Failed to set ringinuse on interface '%s' from queue '%s'\n", iface, cliQueueArg(qname))
	}
	return nil
}

// ResetStats clears the statistics of the named queues (all when none).
func (m *Module) ResetStats(names []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.queues {
		match := len(names) == 0
		for _, n := range names {
			if strings.EqualFold(n, q.name) {
				match = true
			}
		}
		if !match {
			continue
		}
		q.holdtime, q.talktime, q.completed, q.abandoned, q.completedSL, q.abandSL = 0, 0, 0, 0, 0, 0
		for _, mem := range q.members {
			mem.calls, mem.lastCall, mem.lastQueue = 0, time.Time{}, nil
		}
	}
}

// ShowRules is `queue show rules`.
func ShowRules(cfg *Config, name string) string {
	var b strings.Builder
	byTo := func(rel bool) string {
		if rel {
			return "by"
		}
		return "to"
	}
	for _, r := range cfg.Rules {
		if name != "" && !strings.EqualFold(r.Name, name) {
			continue
		}
		fmt.Fprintf(&b, "Rule: %s\n", r.Name)
		for _, s := range r.Steps {
			fmt.Fprintf(&b, "\tAfter %d seconds, adjust QUEUE_MAX_PENALTY %s %d, adjust QUEUE_MIN_PENALTY %s %d and adjust QUEUE_RAISE_PENALTY %s %d\n",
				s.Time, byTo(s.MaxRelative), s.MaxValue, byTo(s.MinRelative), s.MinValue, byTo(s.RaiseRelative), s.RaiseValue)
		}
	}
	return b.String()
}

// Show is `queue show [name]`, byte for byte as print_queue writes it
// (without the terminal colours, which Asterisk leaves out when the
// console is not a colour terminal).
func (m *Module) Show(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var b strings.Builder
	if name != "" {
		q := m.lookupLocked(name)
		if q == nil {
			return fmt.Sprintf("No such queue: %s.\n", name)
		}
		m.printQueueLocked(&b, q, now)
		return b.String()
	}
	for _, q := range m.sortedLocked() {
		m.printQueueLocked(&b, q, now)
	}
	return b.String()
}

func secsSince(now, t time.Time) int64 { return int64(now.Sub(t) / time.Second) }

func (m *Module) printQueueLocked(b *strings.Builder, q *queue, now time.Time) {
	maxlen := "unlimited"
	if q.conf().MaxLen > 0 {
		maxlen = strconv.Itoa(q.conf().MaxLen)
	}
	sl, sl2 := 0.0, 0.0
	if q.completed > 0 {
		sl = 100 * float64(q.completedSL) / float64(q.completed)
	}
	if q.completed+q.abandoned > 0 {
		sl2 = 100 * float64(q.abandSL+q.completedSL) / float64(q.abandoned+q.completed)
	}
	fmt.Fprintf(b, "%s has %d calls (max %s) in '%s' strategy (%ds holdtime, %ds talktime), W:%d, C:%d, A:%d, SL:%2.1f%%, SL2:%2.1f%% within %ds\n",
		q.name, len(q.callers), maxlen, q.conf().Strategy, q.holdtime, q.talktime, q.conf().Weight, q.completed, q.abandoned, sl, sl2, q.conf().ServiceLevel)
	if len(q.members) == 0 {
		b.WriteString("   No Members\n")
	} else {
		b.WriteString("   Members: \n")
		for _, mem := range q.memberOrder() {
			fmt.Fprintf(b, "      %s", mem.name)
			if !strings.EqualFold(mem.name, mem.iface) {
				fmt.Fprintf(b, " (%s", mem.iface)
				if mem.stateIface != "" && mem.stateIface != mem.iface {
					fmt.Fprintf(b, " from %s", mem.stateIface)
				}
				b.WriteString(")")
			}
			if mem.penalty != 0 {
				fmt.Fprintf(b, " with penalty %d", mem.penalty)
			}
			ri := "disabled"
			if mem.ringInUse {
				ri = "enabled"
			}
			fmt.Fprintf(b, " (ringinuse %s)", ri)
			if mem.dynamic {
				b.WriteString(" (dynamic)")
			}
			if !mem.start.IsZero() {
				b.WriteString(" (in call)")
			}
			if mem.paused {
				sep := ""
				if mem.reason != "" {
					sep = ":"
				}
				fmt.Fprintf(b, " (paused%s%s was %d secs ago)", sep, mem.reason, secsSince(now, mem.lastPause))
			}
			fmt.Fprintf(b, " (%s)", m.status(mem).Text())
			if mem.calls > 0 {
				fmt.Fprintf(b, " has taken %d calls (last was %d secs ago)", mem.calls, secsSince(now, mem.lastCall))
			} else {
				b.WriteString(" has taken no calls yet")
			}
			fmt.Fprintf(b, " (login was %d secs ago)\n", secsSince(now, mem.login))
		}
	}
	if len(q.callers) == 0 {
		b.WriteString("   No Callers\n")
	} else {
		b.WriteString("   Callers: \n")
		for i, c := range q.callers {
			w := secsSince(now, c.start)
			fmt.Fprintf(b, "      %d. %s (wait: %d:%02d, prio: %d)\n", i+1, c.ch.Name(), w/60, w%60, c.prio)
		}
	}
	b.WriteString("\n")
}
