package manager

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/security"
)

// eventClass is the class of each engine event, as Asterisk files them.
var eventClass = map[pbx.BusEventType]Perm{
	pbx.BusNewchannel: PermCall, pbx.BusNewstate: PermCall, pbx.BusHangup: PermCall,
	pbx.BusDialBegin: PermCall, pbx.BusDialEnd: PermCall,
	pbx.BusBridgeEnter: PermCall, pbx.BusBridgeLeave: PermCall,
	pbx.BusDTMFBegin: PermDTMF, pbx.BusDTMFEnd: PermDTMF,
	pbx.BusHold: PermCall, pbx.BusUnhold: PermCall,
	pbx.BusVarSet: PermDialplan, pbx.BusNewexten: PermDialplan,
	pbx.BusUserEvent: PermUser, pbx.BusHangupRequest: PermCall, pbx.BusSoftHangupRequest: PermCall, pbx.BusMessageWaiting: PermCall,
	pbx.BusDeviceStateChange: PermCall, pbx.BusLocalBridge: PermCall,
}

// moduleClass is the class of module events the manager knows by name
// (the queue ones are "agent" in Asterisk); others are "call" unless a
// module registered theirs.
var moduleClass = map[string]Perm{
	"QueueCallerJoin": PermAgent, "QueueCallerLeave": PermAgent, "QueueCallerAbandon": PermAgent,
	"QueueMemberAdded": PermAgent, "QueueMemberRemoved": PermAgent, "QueueMemberPause": PermAgent,
	"QueueMemberStatus": PermAgent, "QueueMemberPenalty": PermAgent, "QueueMemberRinginuse": PermAgent,
	"AgentCalled": PermAgent, "AgentConnect": PermAgent, "AgentComplete": PermAgent,
	"AgentDump": PermAgent, "AgentRingNoAnswer": PermAgent,
	"AGIExecStart": PermAGI, "AGIExecEnd": PermAGI, "AsyncAGIStart": PermAGI, "AsyncAGIExec": PermAGI, "AsyncAGIEnd": PermAGI,
	"Cdr": PermCDR, "PeerStatus": PermSystem, "Registry": PermSystem, "Reload": PermSystem,
	"RTCPSent": PermReporting, "RTCPReceived": PermReporting,
}

// pump turns the engine's events into manager events for the sessions.
// It is the bus's one subscriber for the manager, so an event is
// formatted once whatever the number of clients.
func (m *Module) pump(ctx context.Context, sub *pbx.Subscription) {
	bridges := map[string]int{} // members per bridge, for BridgeCreate/Destroy
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Ready():
		}
		for _, ev := range sub.Take() {
			m.translate(ev, bridges)
		}
	}
}

// translate dispatches the manager events one bus event gives.
func (m *Module) translate(ev pbx.BusEvent, bridges map[string]int) {
	if !m.hasSessions() {
		// Nobody to tell: keep only the bridges' membership, so a client
		// that connects mid-call gets a coherent BridgeLeave/Destroy.
		switch ev.Type {
		case pbx.BusBridgeEnter:
			bridges[ev.BridgeID]++
		case pbx.BusBridgeLeave:
			if bridges[ev.BridgeID]--; bridges[ev.BridgeID] <= 0 {
				delete(bridges, ev.BridgeID)
			}
		}
		return
	}
	cfg := m.Config()
	name := string(ev.Type)
	p, known := eventClass[ev.Type]
	if !known {
		m.actMu.RLock()
		p, known = m.classes[name]
		m.actMu.RUnlock()
		if !known {
			if p, known = moduleClass[name]; !known {
				p = PermCall
			}
		}
	}
	b := &msgBuf{}
	switch ev.Type {
	case pbx.BusNewchannel, pbx.BusNewstate:
		snapshot(b, "", ev.Channel, ev.State, cfg)
	case pbx.BusHangup:
		snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
		b.lineInt("Cause", ev.Cause)
		b.line("Cause-txt", pbx.CauseText(ev.Cause))
	case pbx.BusHangupRequest, pbx.BusSoftHangupRequest:
		snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
		b.lineInt("Cause", ev.Cause)
	case pbx.BusLocalBridge:
		// Both halves' snapshots, then the event's own lines.
		snapshot(b, "LocalOne", ev.Channel, ev.Channel.State(), cfg)
		snapshot(b, "LocalTwo", ev.Peer, ev.Peer.State(), cfg)
		for _, f := range ev.Fields {
			b.line(f.Key, f.Value)
		}
	case pbx.BusDialBegin, pbx.BusDialEnd:
		if ev.Channel != nil {
			snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
		}
		if ev.Peer != nil {
			snapshot(b, "Dest", ev.Peer, ev.Peer.State(), cfg)
		}
		if ev.Type == pbx.BusDialBegin {
			b.line("DialString", ev.DialString)
		} else {
			b.line("DialStatus", ev.DialStatus)
		}
	case pbx.BusBridgeEnter:
		n := bridges[ev.BridgeID]
		if n == 0 {
			cb := &msgBuf{}
			bridgeBlock(cb, ev, 0)
			m.dispatch(PermCall, "BridgeCreate", cb.Bytes())
		}
		n++
		bridges[ev.BridgeID] = n
		bridgeBlock(b, ev, n)
		snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
	case pbx.BusBridgeLeave:
		n := bridges[ev.BridgeID] - 1
		bridgeBlock(b, ev, max(n, 0))
		snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
		m.dispatch(p, name, b.Bytes())
		if n <= 0 {
			delete(bridges, ev.BridgeID)
			db := &msgBuf{}
			bridgeBlock(db, ev, 0)
			m.dispatch(PermCall, "BridgeDestroy", db.Bytes())
		} else {
			bridges[ev.BridgeID] = n
		}
		return
	case pbx.BusDTMFBegin, pbx.BusDTMFEnd:
		snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
		b.line("Digit", string(ev.Digit))
		if ev.Type == pbx.BusDTMFEnd {
			b.lineInt("DurationMs", int(ev.Duration/time.Millisecond))
		}
		b.line("Direction", ev.Direction)
	case pbx.BusHold:
		snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
		if ev.MusicClass != "" {
			b.line("MusicClass", ev.MusicClass)
		}
	case pbx.BusUnhold:
		snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
	case pbx.BusVarSet:
		snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
		b.line("Variable", ev.Variable)
		b.line("Value", ev.Value)
	case pbx.BusNewexten:
		snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
		_, exten, _ := ev.Channel.Location()
		b.line("Extension", exten)
		b.line("Application", ev.App)
		b.line("AppData", ev.Data)
	case pbx.BusUserEvent:
		if ev.Channel != nil {
			snapshot(b, "", ev.Channel, ev.Channel.State(), cfg)
		}
		b.line("UserEvent", ev.EventName)
		for _, f := range ev.Fields {
			b.line(f.Key, f.Value)
		}
	case pbx.BusMessageWaiting:
		b.line("Mailbox", ev.Value)
		c, _ := m.opts.Engine.MailboxCounts(ev.Value)
		waiting := 0
		if c.New+c.UrgentNew > 0 {
			waiting = 1
		}
		b.lineInt("Waiting", waiting)
		b.lineInt("New", c.New+c.UrgentNew)
		b.lineInt("Old", c.Old+c.UrgentOld)
	case pbx.BusDeviceStateChange:
		b.line("Device", ev.Value)
		b.line("State", m.opts.Engine.DeviceState(ev.Value).String())
	default:
		// a module's event: its snapshot block and its own lines
		if ev.Channel != nil {
			snapshot(b, ev.ChannelPrefix, ev.Channel, ev.Channel.State(), cfg)
		}
		for _, f := range ev.Fields {
			if f.Channel != nil {
				snapshot(b, f.Key, f.Channel, f.Channel.State(), cfg)
				continue
			}
			b.line(f.Key, f.Value)
		}
	}
	m.dispatch(p, name, b.Bytes())
}

// dispatch sends event name of class p with body (its lines after the
// Privilege line) to every session that wants it.
func (m *Module) dispatch(p Perm, name string, body []byte) {
	cfg := m.Config()
	b := &msgBuf{}
	b.line("Event", name)
	b.line("Privilege", p.String())
	if cfg.TimestampEvents {
		now := time.Now()
		b.line("Timestamp", fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000))
	}
	b.Write(body)
	text := b.end()
	for _, s := range m.sessionList() {
		s.deliver(p, text)
	}
}

func (m *Module) hasSessions() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions) > 0
}

// unknownIfEmpty is Asterisk's S_COR(..., "<unknown>") for caller ids.
func unknownIfEmpty(s string) string {
	if s == "" {
		return "<unknown>"
	}
	return s
}

// snapshot writes a channel's snapshot block (Asterisk's
// ast_manager_build_channel_state_string_prefix), each key prefixed.
func snapshot(b *msgBuf, prefix string, ch *pbx.Channel, st pbx.State, cfg *Config) {
	if ch == nil {
		return
	}
	cid, con := ch.CallerID(), ch.Connected()
	ctx, exten, prio := ch.Location()
	b.line(prefix+"Channel", ch.Name())
	b.line(prefix+"ChannelState", strconv.Itoa(int(st)))
	b.line(prefix+"ChannelStateDesc", st.String())
	b.line(prefix+"CallerIDNum", unknownIfEmpty(cid.Num))
	b.line(prefix+"CallerIDName", unknownIfEmpty(cid.Name))
	b.line(prefix+"ConnectedLineNum", unknownIfEmpty(con.Num))
	b.line(prefix+"ConnectedLineName", unknownIfEmpty(con.Name))
	b.line(prefix+"Language", ch.Language())
	b.line(prefix+"AccountCode", ch.AccountCode())
	b.line(prefix+"Context", ctx)
	b.line(prefix+"Exten", exten)
	b.lineInt(prefix+"Priority", prio)
	b.line(prefix+"Uniqueid", ch.UniqueID())
	b.line(prefix+"Linkedid", ch.LinkedID())
	if cfg != nil {
		for _, v := range cfg.ChannelVars {
			val, _ := ch.Var(v)
			b.line(prefix+"ChanVariable", v+"="+val)
		}
	}
}

// bridgeBlock writes a bridge's snapshot lines.
func bridgeBlock(b *msgBuf, ev pbx.BusEvent, members int) {
	typ := ev.BridgeType
	if typ == "" {
		typ = "basic"
	}
	b.line("BridgeUniqueid", ev.BridgeID)
	b.line("BridgeType", typ)
	b.line("BridgeTechnology", "simple_bridge")
	b.line("BridgeCreator", "<unknown>")
	b.line("BridgeName", "<unknown>")
	b.lineInt("BridgeNumChannels", members)
	b.line("BridgeVideoSourceMode", "none")
}

// fullyBooted is FullyBooted's body.
func (m *Module) fullyBooted() []byte {
	b := &msgBuf{}
	b.line("Status", "Fully Booted")
	now := time.Now()
	started := m.opts.Started
	if started.IsZero() {
		started = now
	}
	reloaded := started
	if m.opts.Reloaded != nil {
		reloaded = m.opts.Reloaded()
	}
	b.lineInt("Uptime", int(now.Sub(started)/time.Second))
	b.lineInt("LastReload", int(now.Sub(reloaded)/time.Second))
	return b.Bytes()
}

// sendFullyBooted gives a session that just logged in its FullyBooted.
func (s *session) sendFullyBooted() {
	if !s.m.booted.Load() {
		return
	}
	b := &msgBuf{}
	b.line("Event", "FullyBooted")
	b.line("Privilege", PermSystem.String())
	b.Write(s.m.fullyBooted())
	s.deliver(PermSystem, b.end())
}

// SecurityEvent sends a security event (chan_sip's, the manager's own) to
// the sessions reading the security class, with the fields Asterisk's
// manager gives it: the event's name and its res_security_log fields.
func (m *Module) SecurityEvent(ev *security.Event) {
	if !m.hasSessions() {
		return
	}
	fields := ev.Fields()
	if fields == nil {
		return
	}
	b := &msgBuf{}
	for _, f := range fields {
		b.line(f.Name, f.Value)
	}
	m.dispatch(PermSecurity, ev.Type.String(), b.Bytes())
}
