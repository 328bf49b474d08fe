package pbx

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Logger is what the engine logs through; pkg/logger's *Logger satisfies
// it. Verbose prepends Asterisk's prefix for the level ("    -- " at 3,
// "  == " at 2), so messages here carry only the text.
type Logger interface {
	Verbose(level int, format string, args ...any)
	Notice(format string, args ...any)
	Warning(format string, args ...any)
}

// Priority is one dialplan step, as pbx/dialplan returns it.
type Priority struct {
	Context, Exten, CID string
	Number              int
	Label, App, Data    string
	File                string
	Line                int
}

// Plan is an immutable dialplan snapshot. Exists and Find take the dialed
// extension and match patterns; callerID selects `exten/cid` entries.
type Plan interface {
	Find(context, exten, callerID string, priority int) (*Priority, bool)
	FindLabel(context, exten, callerID, label string) (int, bool)
	Exists(context, exten, callerID string, priority int) bool
	HasContext(name string) bool
	AutoFallthrough() bool
}

// Technology is a channel driver type (SIP).
type Technology interface {
	Type() string
	Description() string
	// Request creates an outbound channel (state Down, created with
	// Engine.NewChannel) for data such as "6000" or "trunk-ovh/0612...".
	// A *RequestError says why none could be made.
	Request(ctx context.Context, data string, requestor *Channel) (*Channel, error)
}

// TechFeatures are the yes/no columns of `core show channeltypes`; a
// Technology may implement Features() to report them.
type TechFeatures struct {
	DeviceState, PresenceState, Indications, Transfer bool
}

// RequestError is a failed Request with the hangup cause that decides
// DIALSTATUS (busy, congestion, unavailable).
type RequestError struct {
	Cause int
	Err   error
}

func (e *RequestError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("request failed: %s", CauseText(e.Cause))
	}
	return e.Err.Error()
}

func (e *RequestError) Unwrap() error { return e.Err }

// Action is what the executor does after an application.
type Action int

// The actions an application can ask for.
const (
	ActContinue   Action = iota // next priority
	ActGoto                     // jump to Result's location
	ActHangup                   // end the dialplan (Asterisk's -1)
	ActExitNested               // leave the innermost Macro
	ActSubReturn                // the Return of a subroutine RunSub runs
)

// Result is an application's outcome.
type Result struct {
	Action         Action
	Context, Exten string
	Priority       int
}

// Continue, HangupResult and ExitNested are the results without a target.
var (
	Continue     = Result{Action: ActContinue}
	HangupResult = Result{Action: ActHangup}
	ExitNested   = Result{Action: ActExitNested}
	SubReturn    = Result{Action: ActSubReturn}
)

// GotoResult jumps to a dialplan location.
func GotoResult(context, exten string, priority int) Result {
	return Result{Action: ActGoto, Context: context, Exten: exten, Priority: priority}
}

// App is a dialplan application.
type App struct {
	Name, Synopsis, Description, Syntax, Arguments, SeeAlso string
	Exec                                                    func(ch *Channel, data string) (Result, error)
}

// Function is a dialplan function; Write is nil for read-only ones.
type Function struct {
	Name, Synopsis, Description, Syntax, Arguments, SeeAlso string
	Read                                                    func(ch *Channel, args string) (string, error)
	Write                                                   func(ch *Channel, args, value string) error
}

// Config is what an Engine is built from.
type Config struct {
	Logger Logger
	// Plan returns the current dialplan snapshot; nil means an empty one.
	Plan func() Plan
	// Substitute expands ${...}/$[...]; pbx/expr.Substitute in production
	// (wrap it: func(s string, env pbx.Env) string { return expr.Substitute(s, env) }).
	Substitute func(s string, env Env) string
}

// Engine holds the registries and runs dialplans.
type Engine struct {
	log   Logger
	plan  func() Plan
	subst func(string, Env) string

	mu    sync.RWMutex
	techs []Technology // registration order
	apps  map[string]*App
	funcs map[string]*Function

	chMu  sync.RWMutex
	chans map[*Channel]struct{}
	// byDevice indexes the live channels by device (lower-cased name
	// without its "-sequence"), so a device's state reads its own
	// channels, not all of them: it is asked on every channel event.
	byDevice map[string][]*Channel

	globals   globals
	custom    customStates    // Custom: device states (devstate.go)
	devProv   deviceProviders // devices of modules ("park:701@parkedcalls"; devprovider.go)
	bus       Bus
	bridger   atomic.Pointer[Bridger]
	mailbox   atomic.Pointer[MailboxProvider]            // mailbox.go
	mailboxAt atomic.Pointer[map[string]MailboxProvider] // mailbox.go: by context
	hintWatch hintWatcherSlot                            // hints.go
	messages  messaging                                  // message.go

	missing missingUses

	chanSeq   atomic.Uint32
	uniqueSeq atomic.Uint32
	active    atomic.Int64
	processed atomic.Int64
	wg        sync.WaitGroup
}

// New returns an engine with the built-in functions registered.
func New(cfg Config) *Engine {
	e := &Engine{
		log:      cfg.Logger,
		plan:     cfg.Plan,
		subst:    cfg.Substitute,
		apps:     map[string]*App{},
		funcs:    map[string]*Function{},
		chans:    map[*Channel]struct{}{},
		byDevice: map[string][]*Channel{},
	}
	if e.log == nil {
		e.log = nopLogger{}
	}
	registerBuiltinFunctions(e)
	return e
}

type nopLogger struct{}

func (nopLogger) Verbose(int, string, ...any) {}
func (nopLogger) Notice(string, ...any)       {}
func (nopLogger) Warning(string, ...any)      {}

// Log returns the engine's logger, for applications.
func (e *Engine) Log() Logger { return e.log }

// Plan returns the current dialplan snapshot (nil when none).
func (e *Engine) Plan() Plan {
	if e.plan == nil {
		return nil
	}
	return e.plan()
}

// RegisterTechnology adds a channel technology; its type must be unique.
func (e *Engine) RegisterTechnology(t Technology) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, old := range e.techs {
		if strings.EqualFold(old.Type(), t.Type()) {
			return fmt.Errorf("pbx: technology %q registered twice", t.Type())
		}
	}
	e.techs = append(e.techs, t)
	return nil
}

// Technology returns a technology by type, case-insensitively.
func (e *Engine) Technology(typ string) (Technology, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, t := range e.techs {
		if strings.EqualFold(t.Type(), typ) {
			return t, true
		}
	}
	return nil, false
}

// Technologies returns the technologies, most recently registered first
// (the order `core show channeltypes` prints).
func (e *Engine) Technologies() []Technology {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Technology, 0, len(e.techs))
	for i := len(e.techs) - 1; i >= 0; i-- {
		out = append(out, e.techs[i])
	}
	return out
}

// RegisterApp adds an application; names are case-insensitive and unique.
func (e *Engine) RegisterApp(a *App) error {
	if a.Name == "" || a.Exec == nil {
		return errors.New("pbx: application needs a name and Exec")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	k := strings.ToLower(a.Name)
	if _, dup := e.apps[k]; dup {
		return fmt.Errorf("pbx: application %q registered twice", a.Name)
	}
	e.apps[k] = a
	return nil
}

// UnregisterApp removes an application (Asterisk's
// ast_unregister_application), as a module that modules.conf does not load
// must not provide its applications. It reports whether one was removed.
func (e *Engine) UnregisterApp(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := strings.ToLower(name)
	_, ok := e.apps[k]
	delete(e.apps, k)
	return ok
}

// App returns an application by name, case-insensitively.
func (e *Engine) App(name string) (*App, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a, ok := e.apps[strings.ToLower(name)]
	return a, ok
}

// Apps returns the applications sorted by name, case-insensitively.
func (e *Engine) Apps() []*App {
	e.mu.RLock()
	out := make([]*App, 0, len(e.apps))
	for _, a := range e.apps {
		out = append(out, a)
	}
	e.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// RegisterFunction adds a dialplan function; names are case-insensitive
// and unique.
func (e *Engine) RegisterFunction(f Function) error {
	if f.Name == "" || f.Read == nil && f.Write == nil {
		return errors.New("pbx: function needs a name and Read or Write")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	k := strings.ToUpper(f.Name)
	if _, dup := e.funcs[k]; dup {
		return fmt.Errorf("pbx: function %q registered twice", f.Name)
	}
	e.funcs[k] = &f
	return nil
}

// UnregisterFunction removes a dialplan function (Asterisk's
// ast_custom_function_unregister); it reports whether one was removed.
func (e *Engine) UnregisterFunction(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := strings.ToUpper(name)
	_, ok := e.funcs[k]
	delete(e.funcs, k)
	return ok
}

// Function returns a dialplan function by name.
func (e *Engine) Function(name string) (*Function, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	f, ok := e.funcs[strings.ToUpper(name)]
	return f, ok
}

// Functions returns the functions sorted by name.
func (e *Engine) Functions() []*Function {
	e.mu.RLock()
	out := make([]*Function, 0, len(e.funcs))
	for _, f := range e.funcs {
		out = append(out, f)
	}
	e.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return strings.ToUpper(out[i].Name) < strings.ToUpper(out[j].Name) })
	return out
}

// ReadFunction evaluates NAME(args) for a channel.
func (e *Engine) ReadFunction(ch *Channel, name, args string) (string, error) {
	f, ok := e.Function(name)
	if !ok {
		e.missingFunction(ch, name)
		return "", notRegisteredError{name}
	}
	if f.Read == nil {
		return "", fmt.Errorf("function %s cannot be read", f.Name)
	}
	return f.Read(ch, args)
}

// WriteFunction assigns NAME(args)=value for a channel, as Set() does.
func (e *Engine) WriteFunction(ch *Channel, name, args, value string) error {
	f, ok := e.Function(name)
	if !ok {
		e.missingFunction(ch, name)
		return fmt.Errorf("function %s not registered", name)
	}
	if f.Write == nil {
		return fmt.Errorf("function %s cannot be written to", f.Name)
	}
	return f.Write(ch, args, value)
}

// ChannelSpec describes a channel to create.
type ChannelSpec struct {
	// Name, when set, is the whole channel name (Message/ast_msg_queue);
	// otherwise it is built from Tech and Resource.
	Name     string
	Tech     string // "SIP"
	Resource string // peer name: the channel is named Tech/Resource-<seq>
	Driver   Driver
	Context  string
	Exten    string
	CallerID CallerID
	// Requestor links an outbound channel to the call that asked for it
	// (LinkedID, language, account code).
	Requestor   *Channel
	AccountCode string
	Language    string
	// MusicClass is the music on hold class the channel hears when held
	// (chan_sip's mohinterpret); "" lets music on hold pick "default".
	MusicClass string
}

// channelName is "Tech/Resource-" and the sequence number as 8 hex digits
// (more when it no longer fits), as Asterisk names channels.
func channelName(tech, resource string, seq uint32) string {
	h := strconv.FormatUint(uint64(seq), 16)
	var b strings.Builder
	b.Grow(len(tech) + len(resource) + 10)
	b.WriteString(tech)
	b.WriteByte('/')
	b.WriteString(resource)
	b.WriteByte('-')
	for i := len(h); i < 8; i++ {
		b.WriteByte('0')
	}
	b.WriteString(h)
	return b.String()
}

// NewChannel creates a channel in state Down and lists it.
func (e *Engine) NewChannel(s ChannelSpec) *Channel {
	now := time.Now()
	seq := e.chanSeq.Add(1) - 1
	// Built by hand: a channel is made for every call leg, and fmt is a
	// measurable share of that at a thousand calls a second.
	uid := strconv.FormatInt(now.Unix(), 10) + "." + strconv.FormatUint(uint64(e.uniqueSeq.Add(1)-1), 10)
	c := &Channel{
		eng:         e,
		tech:        s.Tech,
		driver:      s.Driver,
		name:        s.Name,
		uniqueID:    uid,
		linkedID:    uid,
		context:     s.Context,
		exten:       s.Exten,
		priority:    1,
		caller:      s.CallerID,
		created:     now,
		accountCode: s.AccountCode,
		language:    s.Language,
		musicClass:  s.MusicClass,
		done:        make(chan struct{}),
	}
	if c.name == "" {
		c.name = channelName(s.Tech, s.Resource, seq)
	}
	c.media.init()
	if c.language == "" {
		c.language = "en"
	}
	if r := s.Requestor; r != nil {
		c.outbound = true
		c.linkedID = r.LinkedID()
		if s.AccountCode == "" {
			c.accountCode = r.AccountCode()
		}
		if s.Language == "" {
			c.language = r.Language()
		}
	}
	c.cdr = CDR{Start: now, Src: s.CallerID.Num, Dst: s.Exten, DContext: s.Context}
	dev := strings.ToLower(DeviceOfChannel(c.name))
	e.chMu.Lock()
	e.chans[c] = struct{}{}
	e.byDevice[dev] = append(e.byDevice[dev], c)
	e.chMu.Unlock()
	e.bus.Publish(BusEvent{Type: BusNewchannel, Channel: c, State: StateDown})
	return c
}

func (e *Engine) removeChannel(c *Channel) {
	dev := strings.ToLower(DeviceOfChannel(c.Name()))
	e.chMu.Lock()
	delete(e.chans, c)
	list := e.byDevice[dev]
	for i, o := range list {
		if o == c {
			list[i] = list[len(list)-1]
			list = list[:len(list)-1]
			break
		}
	}
	if len(list) == 0 {
		delete(e.byDevice, dev)
	} else {
		e.byDevice[dev] = list
	}
	e.chMu.Unlock()
	e.bus.Publish(BusEvent{Type: BusHangup, Channel: c, Cause: c.HangupCause()})
}

// Channels returns the live channels sorted by name.
func (e *Engine) Channels() []*Channel {
	e.chMu.RLock()
	out := make([]*Channel, 0, len(e.chans))
	for c := range e.chans {
		out = append(out, c)
	}
	e.chMu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// FindChannel returns the channel with this exact name, or else the only
// one whose name starts with it (case-insensitively, as Asterisk does).
func (e *Engine) FindChannel(name string) (*Channel, bool) {
	var prefix []*Channel
	for _, c := range e.Channels() {
		n := c.Name()
		if strings.EqualFold(n, name) {
			return c, true
		}
		if len(n) >= len(name) && strings.EqualFold(n[:len(name)], name) {
			prefix = append(prefix, c)
		}
	}
	if len(prefix) > 0 {
		return prefix[0], true
	}
	return nil, false
}

// ActiveCalls returns the number of channels running a dialplan.
func (e *Engine) ActiveCalls() int { return int(e.active.Load()) }

// CallsProcessed returns how many dialplans were started.
func (e *Engine) CallsProcessed() int { return int(e.processed.Load()) }

// Request asks a technology for an outbound channel: tech is "SIP", data
// what followed the slash in the dial string.
func (e *Engine) Request(ctx context.Context, tech, data string, requestor *Channel) (*Channel, error) {
	t, ok := e.Technology(tech)
	if !ok {
		return nil, &RequestError{Cause: CauseChanNotImplemented, Err: fmt.Errorf("no channel type '%s'", tech)}
	}
	ch, err := t.Request(ctx, data, requestor)
	if err != nil {
		return nil, fmt.Errorf("request %s/%s: %w", tech, data, err)
	}
	return ch, nil
}

// Wait blocks until every dialplan goroutine started with Go has ended.
func (e *Engine) Wait() { e.wg.Wait() }

// Spawn runs f in a goroutine the engine tracks (see Wait), for work that
// outlives the application that starts it (Originate's calls). f must
// end when the channels it handles hang up or their context ends.
func (e *Engine) Spawn(f func()) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		f()
	}()
}

// Go runs the dialplan for an inbound channel in a new goroutine the engine
// tracks (see Wait); drivers use it instead of starting Run themselves.
func (e *Engine) Go(ctx context.Context, ch *Channel) {
	context, exten, prio := ch.Location()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.Run(ctx, ch, context, exten, prio)
	}()
}
