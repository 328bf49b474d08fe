package manager

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/security"
)

// Banner is the first line a client reads: Asterisk 18.26.4's manager
// protocol version.
const Banner = "Asterisk Call Manager/7.0.3"

// Logger is what the manager logs through (pkg/logger's *Logger).
type Logger interface {
	Verbose(level int, format string, args ...any)
	Notice(format string, args ...any)
	Warning(format string, args ...any)
}

// nopLog is the logger of a manager built without one (tests).
type nopLog struct{}

func (nopLog) Verbose(int, string, ...any) {}
func (nopLog) Notice(string, ...any)       {}
func (nopLog) Warning(string, ...any)      {}

// SecurityReporter receives the manager's security events (pkg/security's
// *Log); nil reports none.
type SecurityReporter interface {
	Report(ev *security.Event)
}

// DB is the Asterisk database the DB* actions read and write.
type DB interface {
	Get(family, key string) (string, bool)
	Put(family, key, value string) error
	Del(family, key string) error
	DelTree(family, subtree string) (int, error)
}

// Options configure a Module.
type Options struct {
	Engine   *pbx.Engine
	Log      Logger
	Security SecurityReporter
	// CLI runs the Command action's command lines.
	CLI *cli.Registry
	DB  DB
	// Reload reloads a module by name ("" for all), as the Reload action
	// asks.
	Reload func(module string) error
	// Version is Asterisk's version string ("18.26.4-gostrisk...").
	Version string
	// Started and Reloaded are the daemon's start and last reload times
	// (CoreStatus, FullyBooted).
	Started  time.Time
	Reloaded func() time.Time
	// Settings are CoreSettings' values the core knows.
	Settings CoreSettings
	// FailedLoginDelay is how long a failed Login waits before its answer
	// (Asterisk sleeps a second to slow down password guessing).
	FailedLoginDelay time.Duration
}

// CoreSettings are the values the CoreSettings action prints that belong
// to the core.
type CoreSettings struct {
	SystemName                               string
	MaxCalls, MaxFileHandles                 int
	MaxLoadAvg                               float64
	RealTimeEnabled, CDREnabled, HTTPEnabled bool
}

// Action is one manager action.
type Action struct {
	Name     string
	Perm     Perm // the write class needed; 0: any logged-in user
	Synopsis string
	// Handler answers the request. Returning errClose (Logoff, a failed
	// Login) ends the session after the answer.
	Handler func(r *Request) error
}

// sendBuffer is the send buffer asked for a session's socket (Linux
// doubles it).
const sendBuffer = 256 << 10

// errClose asks the session to end after the answer.
var errClose = errors.New("manager: close session")

// Module is the Asterisk Manager Interface: the TCP listener, the
// sessions, the actions and the events.
type Module struct {
	opts Options
	cfg  atomic.Pointer[Config]

	actMu   sync.RWMutex
	actions map[string]*Action // by lower-case name
	classes map[string]Perm    // module events' classes by name

	mu       sync.Mutex
	ln       net.Listener
	sessions map[*session]struct{}
	unauth   atomic.Int32
	fd       atomic.Int32 // a session number, shown as FileDes

	baseCtx atomic.Pointer[context.Context]

	pumpMu   sync.Mutex
	sub      *pbx.Subscription // nil while disabled
	pumpStop context.CancelFunc
	pumpDone chan struct{}

	cancel context.CancelFunc
	wg     sync.WaitGroup
	booted atomic.Bool
}

// New creates the manager with its first configuration; Start opens the
// listener.
func New(opts Options, cfg *Config) *Module {
	if cfg == nil {
		cfg = defaultConfig()
	}
	if opts.FailedLoginDelay == 0 {
		opts.FailedLoginDelay = time.Second
	}
	if opts.Log == nil {
		opts.Log = nopLog{}
	}
	m := &Module{opts: opts, actions: map[string]*Action{}, classes: map[string]Perm{},
		sessions: map[*session]struct{}{}}
	m.cfg.Store(cfg)
	m.registerCoreActions()
	return m
}

// Config returns the configuration in use.
func (m *Module) Config() *Config { return m.cfg.Load() }

// RegisterAction adds an action; modules (queues, conferences, voicemail)
// add theirs this way. A name already taken is an error.
func (m *Module) RegisterAction(a Action) error {
	if a.Name == "" || a.Handler == nil {
		return fmt.Errorf("manager: action without name or handler")
	}
	key := strings.ToLower(a.Name)
	m.actMu.Lock()
	defer m.actMu.Unlock()
	if _, dup := m.actions[key]; dup {
		return fmt.Errorf("manager: action %s already registered", a.Name)
	}
	m.actions[key] = &a
	return nil
}

// UnregisterAction removes an action (a module being unloaded).
func (m *Module) UnregisterAction(name string) {
	m.actMu.Lock()
	delete(m.actions, strings.ToLower(name))
	m.actMu.Unlock()
}

// RegisterEventClass sets the class of a module's events (by the bus
// event's Type), which decides who receives them; events nobody
// registered are in the "call" class, as most module events are.
func (m *Module) RegisterEventClass(event string, p Perm) {
	m.actMu.Lock()
	m.classes[event] = p
	m.actMu.Unlock()
}

func (m *Module) action(name string) *Action {
	m.actMu.RLock()
	defer m.actMu.RUnlock()
	return m.actions[strings.ToLower(name)]
}

// Actions returns the actions sorted by name.
func (m *Module) Actions() []*Action {
	m.actMu.RLock()
	out := make([]*Action, 0, len(m.actions))
	for _, a := range m.actions {
		out = append(out, a)
	}
	m.actMu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// Start opens the listener when the configuration enables the manager and
// starts delivering the engine's events. It returns the bind error, so a
// port in use is a start-up error.
func (m *Module) Start(ctx context.Context) error {
	ctx, m.cancel = context.WithCancel(ctx)
	m.baseCtx.Store(&ctx)
	cfg := m.Config()
	if cfg.Enabled {
		m.startPump()
	}
	return m.listen(ctx, cfg)
}

// startPump subscribes to the engine bus. Only an enabled manager
// subscribes: without a subscriber the engine builds no events at all.
func (m *Module) startPump() {
	m.pumpMu.Lock()
	defer m.pumpMu.Unlock()
	if m.opts.Engine == nil || m.sub != nil {
		return
	}
	sub := m.opts.Engine.Bus().Subscribe()
	ctx, cancel := context.WithCancel(m.ctx())
	done := make(chan struct{})
	m.sub, m.pumpStop, m.pumpDone = sub, cancel, done
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(done)
		defer sub.Close()
		m.pump(ctx, sub)
	}()
}

// stopPump ends the subscription (the manager was disabled).
func (m *Module) stopPump() {
	m.pumpMu.Lock()
	defer m.pumpMu.Unlock()
	if m.sub == nil {
		return
	}
	m.pumpStop()
	<-m.pumpDone
	m.sub = nil
}

// listen binds the configured address when enabled; the accept loop runs
// until ctx ends or the listener is replaced.
func (m *Module) listen(ctx context.Context, cfg *Config) error {
	if !cfg.Enabled {
		return nil
	}
	addr := net.JoinHostPort(cfg.BindAddr, strconv.Itoa(cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("manager: unable to bind %s: %w", addr, err)
	}
	m.mu.Lock()
	m.ln = ln
	m.mu.Unlock()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.accept(ctx, ln)
	}()
	return nil
}

// ctx is the context calls the manager places run under: they end with
// the module.
func (m *Module) ctx() context.Context {
	if p := m.baseCtx.Load(); p != nil {
		return *p
	}
	return context.Background()
}

// Addr is the listener's address (nil when not listening).
func (m *Module) Addr() net.Addr {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ln == nil {
		return nil
	}
	return m.ln.Addr()
}

// SetConfig swaps in a reloaded configuration: users and settings apply
// to new logins; a changed address, port or enabled rebinds the listener.
// Sessions in progress stay. It returns the bind error of a new listener.
func (m *Module) SetConfig(ctx context.Context, cfg *Config) error {
	if cfg == nil {
		return nil
	}
	old := m.cfg.Swap(cfg)
	if cfg.Enabled {
		m.startPump()
	} else {
		m.stopPump()
	}
	if old.Enabled == cfg.Enabled && old.Port == cfg.Port && old.BindAddr == cfg.BindAddr {
		return nil
	}
	m.mu.Lock()
	ln := m.ln
	m.ln = nil
	m.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return m.listen(ctx, cfg)
}

// Close stops the listener, ends every session and waits for the
// goroutines.
func (m *Module) Close() {
	if m.cancel != nil {
		m.cancel()
	}
	m.mu.Lock()
	if m.ln != nil {
		m.ln.Close()
		m.ln = nil
	}
	for s := range m.sessions {
		s.close()
	}
	m.mu.Unlock()
	m.stopPump()
	m.wg.Wait()
}

// accept runs the accept loop, retrying temporary failures (EMFILE) with
// a growing pause as net/http does.
func (m *Module) accept(ctx context.Context, ln net.Listener) {
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > time.Second {
				delay = time.Second
			}
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
			continue
		}
		delay = 0
		cfg := m.Config()
		// authlimit bounds the sessions not logged in yet: more are
		// closed at once, as manager.c does.
		if int(m.unauth.Add(1)) > cfg.AuthLimit {
			m.unauth.Add(-1)
			c.Close()
			continue
		}
		// A fixed send buffer instead of the kernel's autotuning (up to
		// 4 MB a socket): what a stuck client costs the kernel stays
		// bounded, and a client that stops reading is found once this
		// and its queue are full rather than megabytes later.
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetWriteBuffer(sendBuffer)
		}
		s := newSession(m, c)
		m.mu.Lock()
		m.sessions[s] = struct{}{}
		m.mu.Unlock()
		m.wg.Add(2)
		go func() {
			defer m.wg.Done()
			s.writer()
		}()
		go func() {
			defer m.wg.Done()
			s.serve(ctx, cfg)
			m.mu.Lock()
			delete(m.sessions, s)
			m.mu.Unlock()
		}()
	}
}

// Sessions returns the open sessions, oldest first.
func (m *Module) sessionList() []*session {
	m.mu.Lock()
	out := make([]*session, 0, len(m.sessions))
	for s := range m.sessions {
		out = append(out, s)
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// loggedIn reports whether another session is logged in as user.
func (m *Module) loggedIn(user string, except *session) bool {
	for _, o := range m.sessionList() {
		if o != except && strings.EqualFold(o.username(), user) {
			return true
		}
	}
	return false
}

// Booted sends FullyBooted to the sessions logged in already and to
// every later login, as Asterisk does once its modules are loaded.
func (m *Module) Booted() {
	if m.booted.Swap(true) {
		return
	}
	m.dispatch(PermSystem, "FullyBooted", m.fullyBooted())
}
