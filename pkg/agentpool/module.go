package agentpool

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Options configure a Module.
type Options struct {
	Log pbx.Logger
	// Music is the music on hold of a class (nil, or a nil generator:
	// silence), what a waiting agent hears.
	Music func(ch *pbx.Channel, class string) pbx.Generator
}

// The agent states of app_agent_pool.
type state int

const (
	loggedOut   state = iota
	probation         // logged in, not offered calls yet (LOGIN_WAIT_TIMEOUT_TIME)
	ready             // waiting for a call
	callPresent       // a caller asked for the agent, the agent is being alerted
	waitAck           // alerted, waiting for acceptdtmf
	onCall            // bridged with a caller
	wrapUp            // after a call, for wrapuptime
	loggingOut        // leaving at the next chance
)

// These are app_agent_pool's fixed times; tests shorten them.
var (
	// loginWait is how long a new login waits before taking calls.
	loginWait = 5 * time.Second
	// heartbeat is the holding bridge's interval hook.
	heartbeat = time.Second
	// callerSafety is how long a caller waits for the agent's process.
	callerSafety = 2 * time.Minute
	// digitTimeout is the wait between two keys of acceptdtmf
	// (features.conf's featuredigittimeout default).
	digitTimeout = time.Second
)

// request is one AgentRequest handed to the logged-in agent's goroutine.
type request struct {
	caller *pbx.Channel
	// answer gets true when the agent takes the call (buffered: the agent
	// never waits on it).
	answer chan bool
	// done is closed by the caller when it is finished with the request:
	// it gave up, or the bridge with the agent ended.
	done chan struct{}
}

// agent is one agent's run-time state, guarded by Module.mu.
type agent struct {
	id       string
	cfg      *Agent // the settings in force since the login or the last call
	logged   *pbx.Channel
	state    state
	devstate pbx.DeviceState

	loginStart, callStart time.Time
	probationStart        time.Time
	lastDisconnect        time.Time
	deferredLogoff        bool

	// Overrides read from the agent's channel at login (AGENTACKCALL...).
	ackCall    *bool
	acceptDTMF string
	autoLogoff *int
	wrapUp     *int

	// req carries the one request a ready agent can have; wake nudges the
	// holding loop (a soft logoff).
	req  chan *request
	wake chan struct{}
}

// Module is app_agent_pool at run time.
type Module struct {
	opts Options
	cfg  atomic.Pointer[Config]
	eng  atomic.Pointer[pbx.Engine]

	mu     sync.Mutex
	agents map[string]*agent
}

// New returns the module with its first configuration.
func New(opts Options, cfg *Config) *Module {
	m := &Module{opts: opts, agents: map[string]*agent{}}
	if cfg == nil {
		cfg, _ = Load(nil)
	}
	m.cfg.Store(cfg)
	return m
}

// Config returns the configuration in force.
func (m *Module) Config() *Config { return m.cfg.Load() }

// SetConfig installs a reloaded agents.conf. Logged-in agents take their
// new settings after their current call; an agent no longer configured is
// logged out when it is back in holding.
func (m *Module) SetConfig(c *Config) {
	if c == nil {
		c, _ = Load(nil)
	}
	m.cfg.Store(c)
	m.mu.Lock()
	var wake []*agent
	for id, a := range m.agents {
		if c.Lookup(id) == nil {
			if a.logged == nil {
				delete(m.agents, id)
				continue
			}
			wake = append(wake, a)
		}
	}
	m.mu.Unlock()
	for _, a := range wake {
		nudge(a)
	}
	// Agents added or removed change their Agent: devices.
	if e := m.eng.Load(); e != nil {
		for _, id := range c.IDs() {
			e.PublishDeviceState(DeviceProvider + ":" + id)
		}
	}
}

// lookup returns the agent's state, made on first use, or nil when the
// id is not configured (a removed agent still logged in is found).
// m.mu is held.
func (m *Module) lookup(id string) *agent {
	a := m.agents[id]
	cfg := m.Config().Lookup(id)
	if a == nil {
		if cfg == nil {
			return nil
		}
		a = &agent{id: id, cfg: cfg, devstate: pbx.DeviceUnavailable,
			req: make(chan *request, 1), wake: make(chan struct{}, 1)}
		m.agents[id] = a
	}
	if cfg == nil && a.logged == nil {
		return nil
	}
	return a
}

func nudge(a *agent) {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// devChanged announces the agent's device state.
func (m *Module) devChanged(id string) {
	if e := m.eng.Load(); e != nil {
		e.PublishDeviceState(DeviceProvider + ":" + id)
	}
}

// setReady makes the agent available (NOT_INUSE). m.mu is held.
func (a *agent) setReady() {
	a.state = ready
	a.devstate = pbx.DeviceNotInUse
}

// effective settings: the login's overrides, else the configuration.
func (a *agent) ack() bool {
	if a.ackCall != nil {
		return *a.ackCall
	}
	return a.cfg.AckCall
}

func (a *agent) accept() string {
	if a.acceptDTMF != "" {
		return a.acceptDTMF
	}
	return a.cfg.AcceptDTMF
}

func (a *agent) autoLogoffSecs() int {
	if a.autoLogoff != nil {
		return *a.autoLogoff
	}
	return a.cfg.AutoLogoff
}

func (a *agent) wrapUpMs() int {
	if a.wrapUp != nil {
		return *a.wrapUp
	}
	return a.cfg.WrapUpTime
}
