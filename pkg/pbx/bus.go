package pbx

import (
	"sync"
	"sync/atomic"
	"time"
)

// BusEventType names an engine-wide event with the name Asterisk's
// manager gives it, so the AMI module can pass the name through.
type BusEventType string

// The events the core publishes.
const (
	BusNewchannel  BusEventType = "Newchannel"
	BusNewstate    BusEventType = "Newstate"
	BusHangup      BusEventType = "Hangup"
	BusDialBegin   BusEventType = "DialBegin"
	BusDialEnd     BusEventType = "DialEnd"
	BusBridgeEnter BusEventType = "BridgeEnter"
	BusBridgeLeave BusEventType = "BridgeLeave"
	BusDTMFBegin   BusEventType = "DTMFBegin"
	BusDTMFEnd     BusEventType = "DTMFEnd"
	BusHold        BusEventType = "Hold"
	BusUnhold      BusEventType = "Unhold"
	BusVarSet      BusEventType = "VarSet"
	BusNewexten    BusEventType = "Newexten"
	// BusHangupRequest: the far end asked to end the call (Cause set);
	// BusSoftHangupRequest: something in the PBX did (AMI Hangup, a
	// shutdown). Published once, by the first request.
	BusHangupRequest     BusEventType = "HangupRequest"
	BusSoftHangupRequest BusEventType = "SoftHangupRequest"
	// BusUserEvent is published by the UserEvent application: EventName
	// and Fields carry what the manager prints after "UserEvent:".
	BusUserEvent BusEventType = "UserEvent"
	// BusMessageWaiting: a mailbox's counts changed (Value: box@context);
	// see MailboxProvider.
	BusMessageWaiting BusEventType = "MessageWaiting"
	// BusDeviceStateChange: a device's state changed (Value: the device,
	// State is not used; read Engine.DeviceState). Published by whoever
	// changes it (channels, registrations, Custom: devices).
	BusDeviceStateChange BusEventType = "DeviceStateChange"
	// BusLocalBridge: a Local pair's ;2 starts its dialplan (Channel: ;1,
	// Peer: ;2, Fields: Context, Exten, LocalOptimization).
	BusLocalBridge BusEventType = "LocalBridge"
	// BusNewCallerid, BusNewConnectedLine, BusNewAccountCode: a live
	// channel's caller name/number, connected line or account code
	// changed (see idevents.go); Fields carry the event's own lines.
	BusNewCallerid      BusEventType = "NewCallerid"
	BusNewConnectedLine BusEventType = "NewConnectedLine"
	BusNewAccountCode   BusEventType = "NewAccountCode"
)

// A module event (QueueCallerJoin, ConfbridgeJoin, ParkedCall, ...) is
// published with Type set to the manager's event name, Channel set when
// the event concerns a channel (the manager prints its snapshot block),
// and Fields holding the event's own "Key: value" lines in Asterisk's
// order, so the manager passes it through without knowing the module.

// EventField is one "Key: value" line of a UserEvent.
type EventField struct {
	Key, Value string
	// Channel, when set, stands for that channel's snapshot block with
	// Key as its prefix (AttendedTransfer's OrigTransferer, Transferee...)
	// at this place among the fields; Value is unused then.
	Channel *Channel
}

// BusEvent is one engine-wide event. Channel is the channel it concerns;
// fields that may change later (the state) are copied in, the rest is
// read from the channel by the subscriber.
type BusEvent struct {
	Type    BusEventType
	Time    time.Time
	Channel *Channel
	// Peer is the other channel: the dialed one for DialBegin/DialEnd.
	Peer       *Channel
	State      State
	BridgeID   string
	BridgeType string // "basic", "holding", ...
	Cause      int    // Hangup
	Digit      rune   // DTMF
	Duration   time.Duration
	Direction  string // DTMF: "Received" or "Sent"
	DialString string // DialBegin
	DialStatus string // DialEnd
	Variable   string // VarSet
	Value      string
	MusicClass string       // Hold: the class the holder suggests
	App, Data  string       // Newexten
	EventName  string       // UserEvent
	Fields     []EventField // UserEvent, in the order given
	// ChannelPrefix names a module event's channel snapshot block
	// ("Parkee" for res_parking's ParkeeChannel, ...); empty: Channel.
	ChannelPrefix string
}

// Bus delivers the engine's events to subscribers (CDR, the manager,
// queues). Publishing never blocks: each subscriber has its own queue,
// bounded so a subscriber that stopped reading cannot take the memory;
// past the bound the oldest events are dropped and counted.
//
// A subscriber names the event types it reads (SubscribeTo), and a
// publisher asks Wants before building an event: a call makes dozens of
// VarSet and Newexten events that only the manager reads, and building
// them for the device state module alone cost a call's worth of CPU.
type Bus struct {
	mu   sync.Mutex
	subs atomic.Pointer[busSubscribers]
}

// busSubscribers is the subscriber list with the union of their wants,
// rebuilt on every Subscribe and Close (rare) and read lock-free.
type busSubscribers struct {
	list []*Subscription
	all  bool                  // someone reads every type
	want map[BusEventType]bool // the types someone reads, when not all
}

// subscriberQueueMax bounds one subscriber's queue.
const subscriberQueueMax = 1 << 16

// Subscription is one consumer's queue of events.
type Subscription struct {
	bus     *Bus
	types   map[BusEventType]bool // nil: every type
	mu      sync.Mutex
	queue   []BusEvent
	wake    chan struct{}
	dropped atomic.Uint64
}

// Bus returns the engine's event bus.
func (e *Engine) Bus() *Bus { return &e.bus }

// Subscribe adds a subscriber of every event type (the manager); it
// receives every event published after.
func (b *Bus) Subscribe() *Subscription { return b.SubscribeTo() }

// SubscribeTo adds a subscriber of the given event types only; none
// given means every type.
func (b *Bus) SubscribeTo(types ...BusEventType) *Subscription {
	s := &Subscription{bus: b, wake: make(chan struct{}, 1)}
	if len(types) > 0 {
		s.types = make(map[BusEventType]bool, len(types))
		for _, t := range types {
			s.types[t] = true
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var list []*Subscription
	if cur := b.subs.Load(); cur != nil {
		list = append(list, cur.list...)
	}
	b.store(append(list, s))
	return s
}

// store publishes a new subscriber list with its wants; b.mu held.
func (b *Bus) store(list []*Subscription) {
	next := &busSubscribers{list: list, want: map[BusEventType]bool{}}
	for _, s := range list {
		if s.types == nil {
			next.all = true
		}
		for t := range s.types {
			next.want[t] = true
		}
	}
	b.subs.Store(next)
}

// Active reports whether anyone listens at all.
func (b *Bus) Active() bool {
	cur := b.subs.Load()
	return cur != nil && len(cur.list) > 0
}

// Wants reports whether a subscriber reads events of type t, so a
// publisher can skip building an event nobody reads.
func (b *Bus) Wants(t BusEventType) bool {
	cur := b.subs.Load()
	return cur != nil && (cur.all || cur.want[t])
}

// Publish hands ev to every subscriber of its type.
func (b *Bus) Publish(ev BusEvent) {
	cur := b.subs.Load()
	if cur == nil || !(cur.all || cur.want[ev.Type]) {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	for _, s := range cur.list {
		if s.types == nil || s.types[ev.Type] {
			s.push(ev)
		}
	}
}

func (s *Subscription) push(ev BusEvent) {
	s.mu.Lock()
	if len(s.queue) >= subscriberQueueMax {
		// Drop the oldest quarter at once: dropping one at a time would
		// reallocate the whole queue on every push.
		n := subscriberQueueMax / 4
		s.queue = s.queue[:copy(s.queue, s.queue[n:])]
		s.dropped.Add(uint64(n))
	}
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Ready is signalled when events are waiting; read them with Take.
func (s *Subscription) Ready() <-chan struct{} { return s.wake }

// Take returns the waiting events, oldest first, and empties the queue.
func (s *Subscription) Take() []BusEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	s.queue = nil
	return q
}

// Dropped counts the events lost because the queue was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close removes the subscriber.
func (s *Subscription) Close() {
	b := s.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.subs.Load()
	if cur == nil {
		return
	}
	var list []*Subscription
	for _, x := range cur.list {
		if x != s {
			list = append(list, x)
		}
	}
	b.store(list)
}
