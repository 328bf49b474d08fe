package agentpool

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// RegisterCLI adds app_agent_pool's commands, in its order.
func (m *Module) RegisterCLI(reg *cli.Registry) error {
	show := func(online bool) func(a *cli.Args) error {
		return func(a *cli.Args) error {
			if len(a.Argv) != 3 {
				return cli.ErrShowUsage
			}
			a.Printf("%s", m.ShowAgents(online))
			return nil
		}
	}
	for _, c := range []*cli.Command{
		{
			Words: []string{"agent", "show", "online"}, Summary: "Show status of online agents",
			Usage:   "Usage: agent show online\n       Provides summary information for logged in agents.\n",
			Handler: show(true),
		},
		{
			Words: []string{"agent", "show", "all"}, Summary: "Show status of all agents",
			Usage:   "Usage: agent show all\n       Provides summary information for all agents.\n",
			Handler: show(false),
		},
		{
			Words: []string{"agent", "show"}, Summary: "Show information about an agent",
			Usage: "Usage: agent show <agent-id>\n       Show information about the <agent-id> agent\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				a.Printf("%s", m.ShowAgent(a.Argv[2]))
				return nil
			},
			Complete: func(_ *cli.Args, pos int, word string) []string {
				if pos != 2 {
					return nil
				}
				return m.complete(word, false)
			},
		},
		{
			Words: []string{"agent", "logoff"}, Summary: "Sets an agent offline",
			Usage: "Usage: agent logoff <agent-id> [soft]\n       Sets an agent as no longer logged in.\n" +
				"       If 'soft' is specified, do not hangup existing calls.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) < 3 || len(a.Argv) > 4 || (len(a.Argv) == 4 && !strings.EqualFold(a.Argv[3], "soft")) {
					return cli.ErrShowUsage
				}
				if m.Logoff(a.Argv[2], len(a.Argv) == 4) {
					a.Printf("Logging out %s\n", a.Argv[2])
				}
				return nil
			},
			Complete: func(_ *cli.Args, pos int, word string) []string {
				switch pos {
				case 2:
					return m.complete(word, true)
				case 3:
					if strings.HasPrefix("soft", strings.ToLower(word)) {
						return []string{"soft"}
					}
				}
				return nil
			},
		},
	} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("agentpool: %w", err)
		}
	}
	return nil
}

// complete lists the agent ids starting with word (logged-in ones only
// for logoff).
func (m *Module) complete(word string, loggedOnly bool) []string {
	var out []string
	for _, s := range m.snapshot() {
		if strings.HasPrefix(s.id, word) && (!loggedOnly || s.channel != "") {
			out = append(out, s.id)
		}
	}
	return out
}

// agentSnap is one agent copied out of the lock.
type agentSnap struct {
	id, name, beep, moh string
	record              bool
	devstate            pbx.DeviceState
	logged              *pbx.Channel
	channel, talking    string
	loginStart          int64
	callStart           int64
}

// snapshot copies every configured agent (and the logged-in ones no
// longer configured), sorted by id.
func (m *Module) snapshot() []agentSnap {
	cfg := m.Config()
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := cfg.IDs()
	for id, a := range m.agents {
		if cfg.Lookup(id) == nil && a.logged != nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	out := make([]agentSnap, 0, len(ids))
	for _, id := range ids {
		a := m.lookup(id)
		if a == nil {
			continue
		}
		s := agentSnap{id: id, name: a.cfg.FullName, beep: a.cfg.Beep, moh: a.cfg.MusicClass,
			record: a.cfg.RecordCalls, devstate: a.devstate, logged: a.logged}
		if a.logged != nil {
			s.channel = a.logged.Name()
			s.loginStart = a.loginStart.Unix()
			if p := a.logged.Peer(); p != nil {
				s.talking = p.Name()
				s.callStart = a.callStart.Unix()
			}
		}
		out = append(out, s)
	}
	return out
}

// ShowAgents is `agent show all` (online: `agent show online`).
func (m *Module) ShowAgents(online bool) string {
	const format = "%-8s %-20s %-11s %-30s %s\n"
	var b strings.Builder
	fmt.Fprintf(&b, format, "Agent-ID", "Name", "State", "Channel", "Talking with")
	total, logged, talking := 0, 0, 0
	for _, s := range m.snapshot() {
		total++
		if s.channel != "" {
			logged++
			if s.talking != "" {
				talking++
			}
		} else if online {
			continue
		}
		fmt.Fprintf(&b, format, s.id, s.name, s.devstate.Text(), s.channel, s.talking)
	}
	fmt.Fprintf(&b, "\nDefined agents: %d, Logged in: %d, Talking: %d\n", total, logged, talking)
	return b.String()
}

// ShowAgent is `agent show <id>`.
func (m *Module) ShowAgent(id string) string {
	for _, s := range m.snapshot() {
		if s.id != id {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Id: %s\n", s.id)
		fmt.Fprintf(&b, "Name: %s\n", s.name)
		fmt.Fprintf(&b, "Beep: %s\n", s.beep)
		fmt.Fprintf(&b, "MOH: %s\n", s.moh)
		fmt.Fprintf(&b, "RecordCalls: %s\n", map[bool]string{true: "Yes", false: "No"}[s.record])
		fmt.Fprintf(&b, "State: %s\n", s.devstate.Text())
		if s.channel != "" {
			fmt.Fprintf(&b, "LoggedInChannel: %s\n", s.channel)
			fmt.Fprintf(&b, "LoggedInTime: %d\n", s.loginStart)
			if s.talking != "" {
				fmt.Fprintf(&b, "TalkingWith: %s\n", s.talking)
				fmt.Fprintf(&b, "CallStarted: %d\n", s.callStart)
			}
		}
		return b.String()
	}
	return fmt.Sprintf("Agent '%s' not found\n", id)
}
