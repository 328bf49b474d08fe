package agentpool

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// DeviceProvider is the prefix of the agents' devices (Agent:<id>).
const DeviceProvider = "Agent"

// Register adds AgentLogin, AgentRequest, AGENT() and the Agent device
// state provider to the engine.
func (m *Module) Register(eng *pbx.Engine) error {
	m.eng.Store(eng)
	eng.RegisterDeviceProvider(DeviceProvider, m.DeviceState)
	for _, a := range []*pbx.App{
		{
			Name: "AgentLogin", Synopsis: "Login an agent.", Syntax: "AgentLogin(AgentId[,options])",
			Description: "Login an agent to the system.  Any agent authentication is assumed to already be done by dialplan.  " +
				"While logged in, the agent can receive calls and will hear the sound file specified by the config option custom_beep " +
				"when a new call comes in for the agent.  Login failures will continue in the dialplan with AGENT_STATUS set.\n\n" +
				"AGENT_STATUS enumeration values:\nINVALID - The specified agent is invalid.\nALREADY_LOGGED_IN - The agent is already logged in.\n\n" +
				"The Agent:AgentId device state is available to monitor the status of the agent.",
			Arguments: "AgentId\noptions - s: silent login - do not announce the login ok segment after agent logged on.",
			SeeAlso:   "Authenticate(), Queue(), AddQueueMember(), RemoveQueueMember(), PauseQueueMember(), UnpauseQueueMember(), AGENT(), CHANNEL(), CONNECTEDLINE(), agents.conf, queues.conf",
			Exec:      m.loginExec,
		},
		{
			Name: "AgentRequest", Synopsis: "Request an agent to connect with the channel.", Syntax: "AgentRequest(AgentId)",
			Description: "Request an agent to connect with the channel.  Failure to find, alert the agent, or acknowledge the call " +
				"will continue in the dialplan with AGENT_STATUS set.\n\nAGENT_STATUS enumeration values:\n" +
				"INVALID - The specified agent is invalid.\nNOT_LOGGED_IN - The agent is not available.\n" +
				"BUSY - The agent is on another call.\nNOT_CONNECTED - The agent did not connect with the call.  " +
				"The agent most likely did not acknowledge the call.\nERROR - Alerting the agent failed.",
			Arguments: "AgentId",
			SeeAlso:   "AgentLogin()",
			Exec:      m.requestExec,
		},
	} {
		if err := eng.RegisterApp(a); err != nil {
			return fmt.Errorf("agentpool: %w", err)
		}
	}
	if err := eng.RegisterFunction(m.agentFunc()); err != nil {
		return fmt.Errorf("agentpool: %w", err)
	}
	return nil
}

// DeviceState is the state of Agent:<id>: INVALID for an unknown agent.
func (m *Module) DeviceState(id string) pbx.DeviceState {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a := m.lookup(id); a != nil {
		return a.devstate
	}
	return pbx.DeviceInvalid
}

func (m *Module) loginExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	if ch.State() != pbx.StateUp {
		if err := ch.Answer(); err != nil {
			return pbx.HangupResult, nil
		}
	}
	args := pbx.SplitArgs(data, ',')
	id := strings.TrimSpace(args[0])
	if id == "" {
		m.opts.Log.Warning("AgentLogin requires an AgentId\n")
		return pbx.HangupResult, nil
	}
	silent := false
	if len(args) > 1 {
		_, silent = pbx.ParseAppOptions(strings.TrimSpace(args[1]))['s']
	}
	m.mu.Lock()
	a := m.lookup(id)
	if a == nil {
		m.mu.Unlock()
		m.opts.Log.Verbose(3, "Agent '%s' does not exist.\n", id)
		ch.SetVar("AGENT_STATUS", "INVALID")
		return pbx.Continue, nil
	}
	if a.logged != nil {
		m.mu.Unlock()
		m.opts.Log.Verbose(3, "Agent '%s' already logged in.\n", id)
		ch.SetVar("AGENT_STATUS", "ALREADY_LOGGED_IN")
		return pbx.Continue, nil
	}
	now := time.Now()
	a.logged = ch
	a.lastDisconnect, a.loginStart = now, now
	a.deferredLogoff = false
	if c := m.Config().Lookup(id); c != nil {
		a.cfg = c
	}
	a.loginOverrides(ch)
	// A wake left from an earlier login must not end this one.
	select {
	case <-a.wake:
	default:
	}
	m.mu.Unlock()

	if !silent {
		_, _ = apps.StreamAndWait(ch, "agent-loginok", "")
	}
	format := "unknown"
	if f := ch.NativeFormat(); f != nil {
		format = f.Name
	}
	m.opts.Log.Verbose(2, "Agent '%s' logged in (format %s/%s)\n", id, format, format)
	m.publish(ch, "AgentLogin", pbx.EventField{Key: "Agent", Value: id})
	m.run(a, ch)
	return pbx.HangupResult, nil
}

// loginOverrides reads AGENTACKCALL, AGENTACCEPTDTMF, AGENTAUTOLOGOFF and
// AGENTWRAPUPTIME from the agent's channel. m.mu is held.
func (a *agent) loginOverrides(ch *pbx.Channel) {
	a.ackCall, a.acceptDTMF, a.autoLogoff, a.wrapUp = nil, "", nil, nil
	if v, _ := ch.Var("AGENTACKCALL"); v != "" {
		b := confparse.True(v)
		a.ackCall = &b
	}
	if v, _ := ch.Var("AGENTACCEPTDTMF"); v != "" {
		a.acceptDTMF = v
	}
	if v, _ := ch.Var("AGENTAUTOLOGOFF"); v != "" {
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 31); err == nil {
			x := int(n)
			a.autoLogoff = &x
		}
	}
	if v, _ := ch.Var("AGENTWRAPUPTIME"); v != "" {
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 31); err == nil {
			x := int(n)
			a.wrapUp = &x
		}
	}
}

// run is the agent's time in the holding bridge, call after call, until
// it logs out (hang-up, logoff, acknowledgement timeout, agent removed).
func (m *Module) run(a *agent, ch *pbx.Channel) {
	m.mu.Lock()
	a.state, a.probationStart = probation, time.Now()
	m.mu.Unlock()
	for m.hold(a, ch) { // each turn: one call, then holding again
	}
	ch.StopGenerator()
	m.logout(a)
}

// hold keeps the agent in holding until something happens; false ends
// the login.
func (m *Module) hold(a *agent, ch *pbx.Channel) bool {
	m.mu.Lock()
	class := a.cfg.MusicClass
	m.mu.Unlock()
	if m.opts.Music != nil {
		if g := m.opts.Music(ch, class); g != nil {
			ch.StartGenerator(g)
		}
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ch.Done():
			return false
		case <-a.wake:
			if m.leaving(a) {
				return false
			}
		case <-tick.C:
			if m.beat(a) {
				return false
			}
		case r := <-a.req:
			ch.StopGenerator()
			return m.serve(a, ch, r)
		}
	}
}

// leaving reports whether the agent must log out now that it is in
// holding: a soft logoff, or it is no longer configured.
func (m *Module) leaving(a *agent) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a.deferredLogoff || a.state == loggingOut {
		a.state = loggingOut
		return true
	}
	return m.Config().Lookup(a.id) == nil
}

// beat is the holding bridge's heartbeat: the end of the login's
// probation and of the wrap-up time; true when the agent must leave.
func (m *Module) beat(a *agent) bool {
	if m.leaving(a) {
		return true
	}
	m.mu.Lock()
	changed := false
	switch a.state {
	case probation:
		if time.Since(a.probationStart) >= loginWait {
			a.setReady()
			changed = true
		}
	case wrapUp:
		if time.Since(a.lastDisconnect) > time.Duration(a.wrapUpMs())*time.Millisecond {
			a.setReady()
			changed = true
		}
	}
	m.mu.Unlock()
	if changed {
		m.devChanged(a.id)
	}
	return false
}

// alertResult is what alerting the agent gave.
type alertResult int

const (
	alertConnect alertResult = iota
	alertAbort               // the caller went away: back to holding
	alertLogout              // the agent hung up or did not acknowledge in time
)

// serve alerts the agent of r's caller, connects them and waits for the
// end of their bridge; false ends the login.
func (m *Module) serve(a *agent, ch *pbx.Channel, r *request) bool {
	switch m.alert(a, ch, r) {
	case alertAbort:
		m.mu.Lock()
		a.setReady()
		m.mu.Unlock()
		m.devChanged(a.id)
		return !ch.HangupRequested()
	case alertLogout:
		r.answer <- false
		m.mu.Lock()
		a.state = loggingOut
		m.mu.Unlock()
		return false
	}
	m.mu.Lock()
	a.state, a.callStart = onCall, time.Now()
	m.mu.Unlock()
	r.answer <- true
	select {
	case <-r.done:
	case <-ch.Done():
		<-r.done
	}
	m.mu.Lock()
	a.lastDisconnect = time.Now()
	if c := m.Config().Lookup(a.id); c != nil {
		a.cfg = c
	}
	wrap := a.wrapUpMs()
	if wrap > 0 {
		a.state = wrapUp
	} else {
		a.setReady()
	}
	m.mu.Unlock()
	if wrap == 0 {
		m.devChanged(a.id)
	}
	if ch.HangupRequested() {
		return false
	}
	select {
	case <-ch.Interrupted():
		// Taken elsewhere from the bridge (a transfer): no longer ours.
		return false
	default:
	}
	return !m.leaving(a)
}

// alert plays custom_beep to the agent and, with ackcall, waits for
// acceptdtmf (autologoff seconds at most).
func (m *Module) alert(a *agent, ch *pbx.Channel, r *request) alertResult {
	m.mu.Lock()
	beep, ack, accept, autoLogoff := a.cfg.Beep, a.ack(), a.accept(), a.autoLogoffSecs()
	m.mu.Unlock()
	if !ack {
		accept = ""
	}
	breakKeys := "0123456789*#ABCD"
	if accept != "" {
		breakKeys = accept[:1]
	}
	digit, err := apps.StreamAndWait(ch, beep, breakKeys)
	if err != nil && ch.HangupRequested() {
		return alertLogout
	}
	if callerGone(r) {
		return alertAbort
	}
	if accept == "" {
		return alertConnect
	}
	m.mu.Lock()
	a.state = waitAck
	m.mu.Unlock()
	var deadline time.Time
	if autoLogoff > 0 {
		deadline = time.Now().Add(time.Duration(autoLogoff) * time.Second)
	}
	typed := ""
	if digit > 0 {
		typed = string(digit)
	}
	var lastKey time.Time
	for {
		if typed == accept {
			return alertConnect
		}
		if !strings.HasPrefix(accept, typed) {
			typed = ""
		}
		if typed != "" && !lastKey.IsZero() && time.Since(lastKey) > digitTimeout {
			typed = ""
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			return alertLogout
		}
		// Short waits so that a caller who gives up is noticed.
		d, err := ch.WaitDigit(200 * time.Millisecond)
		if err != nil {
			if ch.HangupRequested() {
				return alertLogout
			}
			return alertAbort
		}
		if callerGone(r) {
			return alertAbort
		}
		if d > 0 {
			typed += string(d)
			lastKey = time.Now()
			if !strings.HasPrefix(accept, typed) {
				typed = string(d)
			}
		}
	}
}

func callerGone(r *request) bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// logout ends the agent's login, as agent_logout.
func (m *Module) logout(a *agent) {
	m.mu.Lock()
	ch := a.logged
	secs := int64(time.Since(a.loginStart) / time.Second)
	a.logged = nil
	a.state = loggedOut
	a.devstate = pbx.DeviceUnavailable
	a.deferredLogoff = false
	if m.Config().Lookup(a.id) == nil {
		delete(m.agents, a.id)
	}
	// A request that raced the logout is refused.
	select {
	case r := <-a.req:
		r.answer <- false
	default:
	}
	m.mu.Unlock()
	m.devChanged(a.id)
	if ch != nil {
		m.publish(ch, "AgentLogoff", pbx.EventField{Key: "Agent", Value: a.id}, pbx.EventField{Key: "Logintime", Value: strconv.FormatInt(secs, 10)})
	}
	m.opts.Log.Verbose(2, "Agent '%s' logged out.  Logged in for %d seconds.\n", a.id, secs)
}

// Logoff is agent_logoff_request: soft waits for the agent's call to
// end, otherwise its channel is hung up. False when the agent does not
// exist.
func (m *Module) Logoff(id string, soft bool) bool {
	m.mu.Lock()
	a := m.lookup(id)
	if a == nil {
		m.mu.Unlock()
		return false
	}
	ch := a.logged
	if ch != nil && soft {
		a.deferredLogoff = true
	}
	m.mu.Unlock()
	if ch != nil {
		if soft {
			nudge(a)
		} else {
			ch.SoftHangup(pbx.CauseNormalClearing)
		}
	}
	return true
}

func (m *Module) requestExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	id := strings.TrimSpace(pbx.SplitArgs(data, ',')[0])
	if id == "" {
		m.opts.Log.Warning("AgentRequest requires an AgentId\n")
		return pbx.HangupResult, nil
	}
	m.mu.Lock()
	a := m.lookup(id)
	if a == nil {
		m.mu.Unlock()
		m.opts.Log.Verbose(3, "Agent '%s' does not exist.\n", id)
		ch.SetVar("AGENT_STATUS", "INVALID")
		return pbx.Continue, nil
	}
	switch a.state {
	case loggedOut, loggingOut:
		m.mu.Unlock()
		m.opts.Log.Verbose(3, "Agent '%s' not logged in.\n", id)
		ch.SetVar("AGENT_STATUS", "NOT_LOGGED_IN")
		return pbx.Continue, nil
	case ready:
	default:
		m.mu.Unlock()
		m.opts.Log.Verbose(3, "Agent '%s' is busy.\n", id)
		ch.SetVar("AGENT_STATUS", "BUSY")
		return pbx.Continue, nil
	}
	r := &request{caller: ch, answer: make(chan bool, 1), done: make(chan struct{})}
	select {
	case a.req <- r: // a ready agent's slot is empty: only a ready agent is sent one
	default:
		m.mu.Unlock()
		m.opts.Log.Verbose(3, "Agent '%s': Failed to alert the agent.\n", id)
		ch.SetVar("AGENT_STATUS", "ERROR")
		return pbx.Continue, nil
	}
	agentCh := a.logged
	a.state, a.devstate = callPresent, pbx.DeviceInUse
	recordCalls := a.cfg.RecordCalls
	m.mu.Unlock()
	m.devChanged(id)
	defer close(r.done)

	ch.SetVar("AGENT_STATUS", "NOT_CONNECTED")
	_ = ch.Indicate(pbx.IndRinging)
	safety := time.NewTimer(callerSafety)
	defer safety.Stop()
	select {
	case ok := <-r.answer:
		if !ok {
			return pbx.Continue, nil
		}
	case <-ch.Done():
		return pbx.HangupResult, nil
	case <-safety.C:
		m.opts.Log.Warning("Agent '%s' process did not respond.  Safety timeout.\n", id)
		ch.SetVar("AGENT_STATUS", "ERROR")
		return pbx.Continue, nil
	}
	if ch.State() != pbx.StateUp {
		if err := ch.Answer(); err != nil {
			return pbx.HangupResult, nil
		}
	}
	// Connected: AGENT_STATUS is cleared, as the agent's bridge does.
	ch.SetVar("AGENT_STATUS", "")
	if recordCalls {
		m.record(agentCh, ch)
	}
	end, err := ch.Engine().Bridge(ch.Ctx(), ch, agentCh)
	if err != nil {
		m.opts.Log.Warning("%v\n", err)
	}
	if end == pbx.CallerInterrupted {
		return pbx.Continue, nil
	}
	return pbx.HangupResult, nil
}

// record is recordagentcalls: the automixmon feature started on the
// agent's side, a MixMonitor of both parties named as features.conf's
// one-touch recording names it.
func (m *Module) record(agentCh, caller *pbx.Channel) {
	name := fmt.Sprintf("auto-%d-%s-%s.wav", time.Now().Unix(), agentCh.CallerID().Num, caller.CallerID().Num)
	if v, _ := agentCh.Var("TOUCH_MIXMONITOR"); v != "" {
		name = fmt.Sprintf("auto-%d-%s.wav", time.Now().Unix(), v)
	}
	if _, err := agentCh.Engine().ExecApp(agentCh, "MixMonitor", name+",b"); err != nil {
		m.opts.Log.Warning("Agent '%s': cannot record the call: %v\n", agentCh.Name(), err)
	}
}

// publish sends one of the module's manager events about ch.
func (m *Module) publish(ch *pbx.Channel, typ string, fields ...pbx.EventField) {
	bus := ch.Engine().Bus()
	if !bus.Wants(pbx.BusEventType(typ)) {
		return
	}
	bus.Publish(pbx.BusEvent{Type: pbx.BusEventType(typ), Channel: ch, Fields: fields})
}
