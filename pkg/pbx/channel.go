package pbx

import (
	"context"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// Driver is the technology behind one channel. Its methods are called by
// the goroutine that owns the channel and must not block on the far end:
// Call starts ringing and returns, the outcome arrives later through the
// channel's report methods. The ctx given to Call is the caller's dialplan
// run: it ends with the engine, not when the call is answered.
type Driver interface {
	Call(ctx context.Context, dest string, timeout time.Duration) error
	Answer() error
	Indicate(ind Indication) error
	Hangup(cause int) error
}

// MediaBridger is implemented by drivers that relay media themselves; Dial
// calls it on the caller's driver once both legs are answered.
type MediaBridger interface {
	BridgeMedia(other *Channel) (unbridge func(), err error)
}

// CallerID is the identity of a party.
type CallerID struct {
	Name, Num, ANI, DNID, RDNIS string
}

// CDR holds the call detail fields Asterisk keeps per channel.
type CDR struct {
	// AMAFlags is the amaflags column ("" writes DOCUMENTATION, the
	// default); SetAMAFlags changes it.
	AMAFlags string
	// Disabled is set by NoCDR: no record is written for the channel
	// unless ResetCDR(e) enables it again.
	Disabled bool
	// Forks are the records ForkCDR split off before this one, oldest
	// first; they are written before it. A fork whose End is set was
	// finalised (ForkCDR e); the others end with the channel.
	Forks []CDR

	Start, Answer, End time.Time
	LastApp, LastData  string
	Src, Dst, DContext string
	// DstChannel is the party of a record a transfer ended (cdrsplit.go);
	// "" lets the driver name the channel's bridged or dialed party.
	DstChannel string
	// partyNext: a transfer started this record, whose party is the
	// first channel it is bridged with next (cdrsplit.go).
	partyNext bool
	// appLocked: SetCDRApp fixed LastApp/LastData for this record.
	appLocked   bool
	Disposition string // ANSWERED, NO ANSWER, BUSY, FAILED
	// UserField and Vars are what CDR(userfield) and CDR(name) set; Vars
	// is replaced, never changed in place, so a copy may be read freely.
	UserField string
	Vars      []CDRVar
}

// CDRVar is one custom CDR variable (Set(CDR(name)=value)).
type CDRVar struct{ Name, Value string }

// Channel is one leg of a call, independent of its technology. Every
// accessor is safe for concurrent use; the CLI reads channels while calls
// run.
type Channel struct {
	eng    *Engine
	tech   string
	driver Driver

	mu          sync.RWMutex
	name        string
	uniqueID    string
	linkedID    string
	state       State
	caller      CallerID
	connected   CallerID
	context     string
	exten       string
	priority    int
	app, data   string
	vars        varList
	created     time.Time
	answered    time.Time
	cause       int
	accountCode string
	language    string
	musicClass  string
	toneZone    string
	peer        *Channel
	bridgeID    string
	cdr         CDR
	outbound    bool
	stack       []Frame
	runCtx      context.Context

	// hangup bookkeeping: done closes on the first hangup request (far end
	// or soft), remoteGone records that the driver already knows, gone that
	// the channel is destroyed.
	done       chan struct{}
	doneOnce   sync.Once
	remoteGone bool
	gone       bool

	evMu     sync.Mutex
	events   []Event
	watchers []chan struct{}

	media    chanMedia
	redirect redirect // asyncgoto.go

	stores map[any]any // modules' per-channel state (datastore.go)
}

// finish stamps the end (unless a ForkCDR e already did) and the
// disposition of a record when its channel hangs up with cause.
func (r *CDR) finish(end time.Time, cause int) {
	if r.End.IsZero() {
		r.End = end
	}
	if r.Disposition != "" {
		return
	}
	switch {
	case !r.Answer.IsZero():
		r.Disposition = "ANSWERED"
	case cause == CauseUserBusy:
		r.Disposition = "BUSY"
	case cause == CauseNormalClearing, cause == CauseNoAnswer, cause == CauseNoUserResponse:
		r.Disposition = "NO ANSWER"
	default:
		r.Disposition = "FAILED"
	}
}

// Frame is one Gosub return address with the arguments it shadowed.
type Frame struct {
	Context, Exten string
	Priority       int
	Saved          map[string]*string // ARGn and LOCAL() values to restore; nil = unset
	Nested         bool               // frame pushed by Macro or a nested run
	Sub            bool               // pushed by RunSub: its Return ends that run
}

// maxQueuedEvents bounds a channel's event queue when nobody consumes it
// (an inbound channel's DTMF while an application that ignores it runs).
const maxQueuedEvents = 64

// Engine returns the engine the channel belongs to.
func (c *Channel) Engine() *Engine { return c.eng }

// Tech returns the technology type ("SIP").
func (c *Channel) Tech() string { return c.tech }

// Driver returns the driver behind the channel.
func (c *Channel) Driver() Driver { return c.driver }

// Name returns the channel name, e.g. SIP/6001-00000006.
func (c *Channel) Name() string { c.mu.RLock(); defer c.mu.RUnlock(); return c.name }

// UniqueID returns the Asterisk-shaped unique id "<epoch>.<seq>".
func (c *Channel) UniqueID() string { return c.uniqueID }

// LinkedID returns the unique id of the oldest channel of the call.
func (c *Channel) LinkedID() string { c.mu.RLock(); defer c.mu.RUnlock(); return c.linkedID }

// State returns the channel state.
func (c *Channel) State() State { c.mu.RLock(); defer c.mu.RUnlock(); return c.state }

// SetState changes the channel state; Up stamps the answer time once.
func (c *Channel) SetState(s State) {
	c.mu.Lock()
	changed := c.state != s
	c.state = s
	if s == StateUp && c.answered.IsZero() {
		c.answered = time.Now()
		c.cdr.Answer = c.answered
	}
	c.mu.Unlock()
	if changed {
		c.publishState(s)
	}
}

// publishState tells the bus about a new state.
func (c *Channel) publishState(s State) {
	if c.eng != nil {
		c.eng.bus.Publish(BusEvent{Type: BusNewstate, Channel: c, State: s})
	}
}

// CallerID returns the channel's caller identity.
func (c *Channel) CallerID() CallerID { c.mu.RLock(); defer c.mu.RUnlock(); return c.caller }

// SetCallerID replaces the channel's caller identity.
func (c *Channel) SetCallerID(id CallerID) {
	c.mu.Lock()
	old := c.caller
	c.caller = id
	c.mu.Unlock()
	c.callerChanged(old, id)
}

// UpdateCallerID changes the caller identity under the channel lock.
func (c *Channel) UpdateCallerID(f func(id *CallerID)) {
	c.mu.Lock()
	old := c.caller
	f(&c.caller)
	id := c.caller
	c.mu.Unlock()
	c.callerChanged(old, id)
}

// Connected returns the connected-line identity: for an outbound channel
// the party that placed the call, which the driver presents to the far end
// (chan_sip puts it in From).
func (c *Channel) Connected() CallerID { c.mu.RLock(); defer c.mu.RUnlock(); return c.connected }

// SetConnected replaces the connected-line identity.
func (c *Channel) SetConnected(id CallerID) {
	c.mu.Lock()
	old := c.connected
	c.connected = id
	c.mu.Unlock()
	c.connectedChanged(old, id)
}

// Location returns the dialplan position.
func (c *Channel) Location() (context, exten string, priority int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.context, c.exten, c.priority
}

// SetLocation moves the channel in the dialplan. An application that jumps
// should return a Goto Result instead, so the executor does not step past
// the target.
func (c *Channel) SetLocation(context, exten string, priority int) {
	c.mu.Lock()
	c.context, c.exten, c.priority = context, exten, priority
	c.mu.Unlock()
}

// Application returns the application running and its data.
func (c *Channel) Application() (app, data string) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.app, c.data
}

// SetApplication records the running application for the CLI and the CDR.
func (c *Channel) SetApplication(app, data string) {
	c.mu.Lock()
	c.app, c.data = app, data
	if !c.cdr.appLocked {
		c.cdr.LastApp, c.cdr.LastData = app, data
	}
	c.mu.Unlock()
}

// SetCDRApp sets the running record's lastapp and lastdata and keeps them
// until the record ends, whatever runs next (Asterisk's AST_CDR_LOCK_APP,
// which res_parking's parked call sets to Park and <lot>:<space>).
func (c *Channel) SetCDRApp(app, data string) {
	c.mu.Lock()
	c.cdr.LastApp, c.cdr.LastData = app, data
	c.cdr.appLocked = true
	c.mu.Unlock()
}

// Created returns the creation time.
func (c *Channel) Created() time.Time { return c.created }

// AnsweredAt returns the answer time, zero when unanswered.
func (c *Channel) AnsweredAt() time.Time { c.mu.RLock(); defer c.mu.RUnlock(); return c.answered }

// HangupCause returns the recorded hangup cause (0 while none).
func (c *Channel) HangupCause() int { c.mu.RLock(); defer c.mu.RUnlock(); return c.cause }

// SetHangupCause records the cause the channel will hang up with.
func (c *Channel) SetHangupCause(cause int) { c.mu.Lock(); c.cause = cause; c.mu.Unlock() }

// AccountCode returns the account code.
func (c *Channel) AccountCode() string { c.mu.RLock(); defer c.mu.RUnlock(); return c.accountCode }

// SetAccountCode sets the account code.
func (c *Channel) SetAccountCode(s string) {
	c.mu.Lock()
	old := c.accountCode
	c.accountCode = s
	c.mu.Unlock()
	c.accountCodeChanged(old, s)
}

// Language returns the channel language.
func (c *Channel) Language() string { c.mu.RLock(); defer c.mu.RUnlock(); return c.language }

// SetLanguage sets the channel language.
func (c *Channel) SetLanguage(s string) { c.mu.Lock(); c.language = s; c.mu.Unlock() }

// MusicClass returns the channel's music on hold class (CHANNEL(musicclass)).
func (c *Channel) MusicClass() string { c.mu.RLock(); defer c.mu.RUnlock(); return c.musicClass }

// SetMusicClass sets the channel's music on hold class.
func (c *Channel) SetMusicClass(s string) { c.mu.Lock(); c.musicClass = s; c.mu.Unlock() }

// Ctx returns the context of the dialplan run that owns the channel (or
// of the run that dialed it), cancelled when the engine shuts the call
// down; context.Background when none is set.
func (c *Channel) Ctx() context.Context {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.runCtx == nil {
		return context.Background()
	}
	return c.runCtx
}

// SetCtx sets the context Ctx returns.
func (c *Channel) SetCtx(ctx context.Context) { c.mu.Lock(); c.runCtx = ctx; c.mu.Unlock() }

// Outbound reports whether the channel was created by a Request (Dial).
func (c *Channel) Outbound() bool { return c.outbound }

// Peer returns the bridged channel, or nil.
func (c *Channel) Peer() *Channel { c.mu.RLock(); defer c.mu.RUnlock(); return c.peer }

// BridgeID returns the id of the bridge the channel is in, or "".
func (c *Channel) BridgeID() string { c.mu.RLock(); defer c.mu.RUnlock(); return c.bridgeID }

func (c *Channel) setBridge(peer *Channel, id string) {
	c.mu.Lock()
	c.peer, c.bridgeID = peer, id
	if peer != nil && c.cdr.partyNext {
		c.cdr.DstChannel, c.cdr.partyNext = peer.Name(), false
	}
	c.mu.Unlock()
}

// CDR returns a copy of the channel's call detail fields.
func (c *Channel) CDR() CDR { c.mu.RLock(); defer c.mu.RUnlock(); return c.cdr }

// UpdateCDR changes the call detail fields under the channel lock.
func (c *Channel) UpdateCDR(f func(cdr *CDR)) { c.mu.Lock(); f(&c.cdr); c.mu.Unlock() }

// PushFrame pushes a Gosub return address.
func (c *Channel) PushFrame(f Frame) { c.mu.Lock(); c.stack = append(c.stack, f); c.mu.Unlock() }

// PopFrame pops the latest Gosub return address.
func (c *Channel) PopFrame() (Frame, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.stack) == 0 {
		return Frame{}, false
	}
	f := c.stack[len(c.stack)-1]
	c.stack = c.stack[:len(c.stack)-1]
	return f, true
}

// StackDepth returns the number of Gosub frames.
func (c *Channel) StackDepth() int { c.mu.RLock(); defer c.mu.RUnlock(); return len(c.stack) }

// Done is closed once a hangup of the channel was requested, from either
// side.
func (c *Channel) Done() <-chan struct{} { return c.done }

// HangupRequested reports whether Done is closed.
func (c *Channel) HangupRequested() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// --- driver reports ---

// Ringing reports that the far end is ringing (SIP 180).
func (c *Channel) Ringing() {
	c.mu.Lock()
	changed := c.state != StateUp && c.state != StateRinging
	if changed {
		c.state = StateRinging
	}
	c.mu.Unlock()
	if changed {
		c.publishState(StateRinging)
	}
	c.post(Event{Kind: EventRinging})
}

// Progress reports early media (SIP 183).
func (c *Channel) Progress() { c.post(Event{Kind: EventProgress}) }

// Answered reports that the far end answered (SIP 200 to an INVITE).
func (c *Channel) Answered() {
	c.SetState(StateUp)
	c.post(Event{Kind: EventAnswer})
}

// Busy reports that the far end is busy (SIP 486).
func (c *Channel) Busy() {
	c.mu.Lock()
	c.state = StateBusy
	if c.cause == 0 {
		c.cause = CauseUserBusy
	}
	c.mu.Unlock()
	c.post(Event{Kind: EventBusy, Cause: CauseUserBusy})
}

// Congestion reports that the far end cannot take the call (SIP 503 and
// other failures).
func (c *Channel) Congestion() {
	c.mu.Lock()
	if c.cause == 0 {
		c.cause = CauseCongestion
	}
	c.mu.Unlock()
	c.post(Event{Kind: EventCongestion, Cause: CauseCongestion})
}

// DTMF reports a digit that arrived in signalling (SIP INFO) rather than
// in the media: Read returns it as a DTMF end frame, and it is queued as
// an event for whoever watches the channel without reading it.
func (c *Channel) DTMF(digit rune, duration time.Duration) {
	c.InjectFrame(media.Frame{Kind: media.DTMFEnd, Digit: digit, Duration: duration})
	c.post(Event{Kind: EventDTMF, Digit: digit})
}

// Held reports that the far end put the call on hold, suggesting a music
// class for the other party (sip.conf mohsuggest; "" for the default).
func (c *Channel) Held(class string) {
	c.SetDatastore(holdKey{}, true)
	c.post(Event{Kind: EventHold, Class: class})
	if c.eng != nil {
		c.eng.bus.Publish(BusEvent{Type: BusHold, Channel: c, MusicClass: class})
	}
}

// Unheld reports that the far end took the call off hold.
func (c *Channel) Unheld() {
	c.SetDatastore(holdKey{}, nil)
	c.post(Event{Kind: EventUnhold})
	if c.eng != nil {
		c.eng.bus.Publish(BusEvent{Type: BusUnhold, Channel: c})
	}
}

// HungUp reports that the far end ended the call; the driver has already
// released its side, so the core will not call Driver.Hangup.
func (c *Channel) HungUp(cause int) {
	c.mu.Lock()
	if c.cause == 0 {
		c.cause = cause
	}
	c.remoteGone = true
	c.mu.Unlock()
	c.doneOnce.Do(func() {
		close(c.done)
		c.publishRequest(BusHangupRequest, cause)
	})
	c.post(Event{Kind: EventHangup, Cause: cause})
}

// publishRequest tells the bus about the first hangup request.
func (c *Channel) publishRequest(t BusEventType, cause int) {
	if c.eng != nil && c.eng.bus.Wants(t) {
		c.eng.bus.Publish(BusEvent{Type: t, Channel: c, Cause: cause})
	}
}

// SoftHangup asks the channel's owner to hang it up (`channel request
// hangup`, engine shutdown); the owner notices Done and calls Hangup.
func (c *Channel) SoftHangup(cause int) {
	c.mu.Lock()
	if c.cause == 0 {
		c.cause = cause
	}
	c.mu.Unlock()
	c.doneOnce.Do(func() {
		close(c.done)
		c.publishRequest(BusSoftHangupRequest, cause)
	})
	c.post(Event{Kind: EventHangup, Cause: cause})
}

// Hangup destroys the channel: it tells the driver (unless the far end hung
// up first), stamps the CDR and removes the channel from the engine. Only
// the channel's owner calls it; later calls do nothing.
func (c *Channel) Hangup(cause int) {
	c.mu.Lock()
	if c.gone {
		c.mu.Unlock()
		return
	}
	c.gone = true
	if c.cause == 0 {
		c.cause = cause
	}
	if c.cause == 0 {
		c.cause = CauseNormalClearing
	}
	tell := !c.remoteGone
	cause = c.cause
	c.cdr.End = time.Now()
	c.cdr.finish(c.cdr.End, cause)
	for i := range c.cdr.Forks {
		c.cdr.Forks[i].finish(c.cdr.End, cause)
	}
	c.state = StateDown
	c.mu.Unlock()
	c.doneOnce.Do(func() { close(c.done) })
	c.CloseMedia()
	if tell && c.driver != nil {
		if err := c.driver.Hangup(cause); err != nil && c.eng != nil {
			c.eng.log.Warning("Hangup of %s failed: %v\n", c.Name(), err)
		}
	}
	if c.eng != nil {
		c.eng.removeChannel(c)
	}
}

// Gone reports whether Hangup completed.
func (c *Channel) Gone() bool { c.mu.RLock(); defer c.mu.RUnlock(); return c.gone }

// --- event queue ---

func (c *Channel) post(ev Event) {
	c.evMu.Lock()
	if len(c.events) >= maxQueuedEvents {
		c.events = c.events[1:]
	}
	c.events = append(c.events, ev)
	ws := c.watchers
	c.evMu.Unlock()
	for _, w := range ws {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// Watch makes every event on the channel wake w (a channel of capacity 1
// shared by all the channels one goroutine waits on); the events themselves
// are read with TakeEvents. The returned function stops the watch.
func (c *Channel) Watch(w chan struct{}) (stop func()) {
	c.evMu.Lock()
	c.watchers = append(c.watchers, w)
	pending := len(c.events) > 0
	c.evMu.Unlock()
	if pending {
		select {
		case w <- struct{}{}:
		default:
		}
	}
	return func() {
		c.evMu.Lock()
		defer c.evMu.Unlock()
		for i, x := range c.watchers {
			if x == w {
				c.watchers = append(c.watchers[:i:i], c.watchers[i+1:]...)
				return
			}
		}
	}
}

// TakeEvents returns and clears the queued events.
func (c *Channel) TakeEvents() []Event {
	c.evMu.Lock()
	defer c.evMu.Unlock()
	evs := c.events
	c.events = nil
	return evs
}

// --- actions the core takes on the far end ---

// Answer answers the channel if it is not up yet.
func (c *Channel) Answer() error {
	if c.State() == StateUp {
		return nil
	}
	if c.driver != nil {
		if err := c.driver.Answer(); err != nil {
			return err
		}
	}
	c.SetState(StateUp)
	return nil
}

// Indicate asks the driver to signal a condition; ringing and busy also
// move an unanswered channel's state as Asterisk does.
func (c *Channel) Indicate(ind Indication) error {
	c.mu.Lock()
	if c.state != StateUp {
		switch ind {
		case IndRinging:
			c.state = StateRinging
		case IndBusy:
			c.state = StateBusy
		}
	}
	c.mu.Unlock()
	if c.driver == nil {
		return nil
	}
	return c.driver.Indicate(ind)
}
