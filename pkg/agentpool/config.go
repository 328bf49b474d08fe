package agentpool

import (
	"sort"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Agent is one [agent-id] section of agents.conf with app_agent_pool's
// defaults for the options it does not set.
type Agent struct {
	ID         string
	FullName   string // fullname
	AckCall    bool   // ackcall: the agent must press AcceptDTMF to take a call
	AcceptDTMF string // acceptdtmf, "#" by default
	// AutoLogoff is the seconds an agent has to acknowledge a call before
	// being logged off (0: forever).
	AutoLogoff int
	// WrapUpTime is the milliseconds after a call before the next one.
	WrapUpTime  int
	MusicClass  string // musiconhold, "default"
	RecordCalls bool   // recordagentcalls
	Beep        string // custom_beep, "beep"
	Goodbye     string // goodbye (Asterisk 18 ignores it; kept for agent show)
	File        string
	Line        int
}

// Config is agents.conf.
type Config struct {
	Agents map[string]*Agent // by id (case-sensitive, as the ao2 key)
	// Missing: there was no agents.conf.
	Missing bool
}

// Lookup returns the agent id, or nil.
func (c *Config) Lookup(id string) *Agent {
	if c == nil {
		return nil
	}
	return c.Agents[id]
}

// IDs returns the agent ids in app_agent_pool's order (its container is
// sorted by strcmp of the ids).
func (c *Config) IDs() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, len(c.Agents))
	for id := range c.Agents {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func defaults(id string) Agent {
	return Agent{ID: id, AcceptDTMF: "#", MusicClass: "default", Beep: "beep"}
}

// Load reads agents.conf as app_agent_pool's config framework does:
// [general] is reserved (its options are warned about), every other
// non-template section is an agent; templates give their options to the
// sections built on them (confparse already merged them). A missing file
// defines no agent.
func Load(cfg *confparse.Config) (*Config, confparse.Diagnostics) {
	c := &Config{Agents: map[string]*Agent{}}
	if cfg == nil {
		c.Missing = true
		return c, nil
	}
	var diags confparse.Diagnostics
	warn := diags.Warnf
	for _, cat := range cfg.Browse() {
		if strings.EqualFold(cat.Name, "general") {
			for _, v := range cat.Vars {
				warn(v.File, v.Line, "Could not find option suitable for category 'general' named '%s' in agents.conf", v.Name)
			}
			continue
		}
		a := defaults(cat.Name)
		a.File, a.Line = cat.File, cat.Line
		for _, v := range cat.Vars {
			switch strings.ToLower(v.Name) {
			case "fullname":
				a.FullName = v.Value
			case "ackcall":
				a.AckCall = confparse.True(v.Value)
			case "acceptdtmf":
				a.AcceptDTMF = v.Value
			case "autologoff":
				a.AutoLogoff = uintOption(&diags, v, a.AutoLogoff)
			case "wrapuptime":
				a.WrapUpTime = uintOption(&diags, v, a.WrapUpTime)
			case "musiconhold":
				a.MusicClass = v.Value
			case "recordagentcalls":
				a.RecordCalls = confparse.True(v.Value)
			case "custom_beep":
				a.Beep = v.Value
			case "goodbye":
				a.Goodbye = v.Value
			default:
				warn(v.File, v.Line, "Could not find option suitable for category '%s' named '%s' in agents.conf", cat.Name, v.Name)
			}
		}
		// A later section of the same name replaces the earlier one.
		c.Agents[a.ID] = &a
	}
	return c, diags
}

// uintOption reads an OPT_UINT_T value; a bad one keeps old with a warning.
func uintOption(d *confparse.Diagnostics, v *confparse.Variable, old int) int {
	n, err := strconv.ParseUint(strings.TrimSpace(v.Value), 10, 31)
	if err != nil {
		d.Warnf(v.File, v.Line, "Error parsing %s=%s in agents.conf: not an unsigned number", v.Name, v.Value)
		return old
	}
	return int(n)
}
