// Package agentpool is Asterisk's app_agent_pool: agents.conf, the
// AgentLogin and AgentRequest applications, the AGENT() function, the
// Agent:<id> device state, the agent CLI commands and the Agents and
// AgentLogoff manager actions.
//
// A logged-in agent's channel stays in AgentLogin, on its own dialplan
// goroutine, hearing its music class (Asterisk's agent holding bridge).
// AgentRequest hands the agent a request; the agent's goroutine alerts it
// (custom_beep, then the acceptdtmf keys when ackcall is set) and tells
// the caller to connect. The caller's goroutine then bridges the two, as
// ParkedCall does with a parked call, while the agent's goroutine waits
// for the end of that bridge and goes back to holding (wrap-up time) or
// logs the agent out when its channel hung up.
package agentpool
