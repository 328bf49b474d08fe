package core

import (
	"github.com/gostrisk/gostrisk/pkg/agentpool"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// newAgentPool creates app_agent_pool when modules.conf loads it; its
// applications and AGENT() are registered with the others
// (registerDialplan).
func (d *Daemon) newAgentPool(snap *Snapshot, log pbx.Logger) {
	if snap.Agents == nil {
		return
	}
	d.agentpool = agentpool.New(agentpool.Options{Log: log, Music: d.parkedMusic}, snap.Agents)
}

// registerAgentPool adds AgentLogin, AgentRequest, AGENT() and the Agent:
// devices to eng when the module is loaded.
func (d *Daemon) registerAgentPool(eng *pbx.Engine) error {
	if d.agentpool == nil {
		return nil
	}
	return d.agentpool.Register(eng)
}

// startAgentPool adds app_agent_pool's CLI and its reload.
func (d *Daemon) startAgentPool() error {
	m := d.agentpool
	if m == nil {
		return nil
	}
	if err := m.RegisterCLI(d.reg); err != nil {
		return err
	}
	d.modules = append(d.modules, module{
		info:   moduleInfo("app_agent_pool.so"),
		reload: func(s *Snapshot) error { m.SetConfig(s.Agents); return nil },
	})
	return nil
}
