package agentpool

import (
	"errors"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// agentFunc is AGENT(AgentId[:item]).
func (m *Module) agentFunc() pbx.Function {
	return pbx.Function{
		Name: "AGENT", Synopsis: "Gets information about an Agent", Syntax: "AGENT(AgentId[:item])",
		Arguments: "AgentId\nitem - The valid items to retrieve are:\n" +
			"    status - (default) The status of the agent (LOGGEDIN | LOGGEDOUT)\n" +
			"    name - The name of the agent\n    mohclass - MusicOnHold class\n" +
			"    channel - The name of the active channel for the Agent (AgentLogin)\n" +
			"    fullchannel - The untruncated name of the active channel for the Agent (AgentLogin)",
		Read: func(_ *pbx.Channel, args string) (string, error) {
			id, item, _ := strings.Cut(args, ":")
			if id == "" {
				return "", errors.New("The AGENT function requires an argument - agentid!")
			}
			if item == "" {
				item = "status"
			}
			m.mu.Lock()
			defer m.mu.Unlock()
			a := m.lookup(id)
			if a == nil {
				return "", errors.New("Agent '" + id + "' not found!")
			}
			switch strings.ToLower(item) {
			case "status":
				if a.logged != nil {
					return "LOGGEDIN", nil
				}
				return "LOGGEDOUT", nil
			case "name":
				return a.cfg.FullName, nil
			case "mohclass":
				return a.cfg.MusicClass, nil
			case "channel":
				if a.logged == nil {
					return "", nil
				}
				name := a.logged.Name()
				// The name without its "-<sequence>" tail.
				if i := strings.LastIndexByte(name, '-'); i >= 0 {
					name = name[:i]
				}
				return name, nil
			case "fullchannel":
				if a.logged == nil {
					return "", nil
				}
				return a.logged.Name(), nil
			}
			return "", nil
		},
	}
}
