package agentpool

import (
	"fmt"
	"strconv"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/manager"
)

// Registrar is where the actions go: the manager's *Module.
type Registrar interface {
	RegisterAction(manager.Action) error
	RegisterEventClass(event string, p manager.Perm)
}

// RegisterAMI adds the Agents and AgentLogoff actions and puts the
// AgentLogin/AgentLogoff events in the agent class.
func (m *Module) RegisterAMI(reg Registrar) error {
	for _, a := range []manager.Action{
		{Name: "Agents", Synopsis: "Lists agents and their status.", Perm: manager.PermAgent, Handler: m.amiAgents},
		{Name: "AgentLogoff", Synopsis: "Sets an agent as no longer logged in.", Perm: manager.PermAgent, Handler: m.amiLogoff},
	} {
		if err := reg.RegisterAction(a); err != nil {
			return fmt.Errorf("app_agent_pool: %w", err)
		}
	}
	reg.RegisterEventClass("AgentLogin", manager.PermAgent)
	reg.RegisterEventClass("AgentLogoff", manager.PermAgent)
	return nil
}

// amiAgents is Agents: one Agents event per agent, the logged-in agent's
// channel snapshot block after its status, the ActionID last.
func (m *Module) amiAgents(r *manager.Request) error {
	agents := m.snapshot()
	r.ListStart("Agents will follow")
	for _, s := range agents {
		fields := []manager.Header{{Key: "Agent", Value: s.id}, {Key: "Name", Value: s.name}}
		switch {
		case s.logged == nil:
			fields = append(fields, manager.Header{Key: "Status", Value: "AGENT_LOGGEDOFF"})
		default:
			if s.talking != "" {
				fields = append(fields,
					manager.Header{Key: "Status", Value: "AGENT_ONCALL"},
					manager.Header{Key: "TalkingToChan", Value: s.talking},
					manager.Header{Key: "CallStarted", Value: strconv.FormatInt(s.callStart, 10)})
			} else {
				fields = append(fields, manager.Header{Key: "Status", Value: "AGENT_IDLE"})
			}
			fields = append(fields, manager.Header{Key: "LoggedInTime", Value: strconv.FormatInt(s.loginStart, 10)})
			fields = append(fields, r.ChannelHeaders(s.logged)...)
		}
		r.ListItemIDLast("Agents", fields...)
	}
	r.ListComplete("AgentsComplete", len(agents))
	return nil
}

// amiLogoff is AgentLogoff (Soft: true keeps the current call).
func (m *Module) amiLogoff(r *manager.Request) error {
	id := r.Get("Agent")
	if id == "" {
		r.Error("No agent specified")
		return nil
	}
	if m.Logoff(id, confparse.True(r.Get("Soft"))) {
		r.Success("Agent logged out")
	} else {
		r.Error("No such agent")
	}
	return nil
}
