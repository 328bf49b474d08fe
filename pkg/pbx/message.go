package pbx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Message is a text message outside of a call, Asterisk's ast_msg
// (main/message.c): a driver receives one (a SIP MESSAGE) and queues it
// into the dialplan, where MESSAGE() and MESSAGE_DATA() read and change
// it and MessageSend hands it to a message technology.
type Message struct {
	mu       sync.Mutex
	to       string
	from     string
	body     string
	context  string
	exten    string
	tech     string
	endpoint string
	vars     []MessageVar
}

// MessageVar is one variable of a message: for a received message, its
// protocol headers (Outbound false); for one to send, what
// MESSAGE_DATA() set (Outbound true: the technology sends it as a
// header).
type MessageVar struct {
	Name, Value string
	Outbound    bool
}

// MessageFields are a new message's fields.
type MessageFields struct {
	To, From, Body string
	// Context and Exten are where the dialplan runs it ("s" when Exten
	// is empty).
	Context, Exten string
	// Tech is the technology it came from ("SIP"), Endpoint the device.
	Tech, Endpoint string
	Vars           []MessageVar
}

// NewMessage builds a message.
func NewMessage(f MessageFields) *Message {
	return &Message{to: f.To, from: f.From, body: f.Body, context: f.Context, exten: f.Exten,
		tech: f.Tech, endpoint: f.Endpoint, vars: append([]MessageVar(nil), f.Vars...)}
}

// Get returns a field MESSAGE() reads: "to", "from" or "body"
// (case-insensitive); ok is false for any other name.
func (m *Message) Get(field string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch strings.ToLower(field) {
	case "to":
		return m.to, true
	case "from":
		return m.from, true
	case "body":
		return m.body, true
	}
	return "", false
}

// Set writes a field MESSAGE() writes: to, from, body; ok is false for
// any other name.
func (m *Message) Set(field, value string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch strings.ToLower(field) {
	case "to":
		m.to = value
	case "from":
		m.from = value
	case "body":
		m.body = value
	default:
		return false
	}
	return true
}

// Var returns a variable by name (case-insensitive, as ast_msg_get_var).
func (m *Message) Var(name string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range m.vars {
		if strings.EqualFold(v.Name, name) {
			return v.Value, true
		}
	}
	return "", false
}

// SetVar sets a variable; an empty value removes it, as
// ast_msg_set_var_outbound does.
func (m *Message) SetVar(name, value string, outbound bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, v := range m.vars {
		if strings.EqualFold(v.Name, name) {
			if value == "" {
				m.vars = append(m.vars[:i], m.vars[i+1:]...)
				return
			}
			m.vars[i] = MessageVar{Name: v.Name, Value: value, Outbound: outbound}
			return
		}
	}
	if value != "" {
		m.vars = append(m.vars, MessageVar{Name: name, Value: value, Outbound: outbound})
	}
}

// MarkAllOutbound sets every variable's Outbound flag
// (MESSAGE(custom_data)=mark_all_outbound / clear_all_outbound).
func (m *Message) MarkAllOutbound(outbound bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.vars {
		m.vars[i].Outbound = outbound
	}
}

// Vars returns a copy of the variables in the order they were set.
func (m *Message) Vars() []MessageVar {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]MessageVar(nil), m.vars...)
}

// Route is where the dialplan runs the message.
func (m *Message) Route() (context, exten string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	exten = m.exten
	if exten == "" {
		exten = "s"
	}
	return m.context, exten
}

// Source is the technology and endpoint the message came from.
func (m *Message) Source() (tech, endpoint string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tech, m.endpoint
}

// MessageTech sends messages for one URI scheme (Asterisk's
// ast_msg_tech): destination is MessageSend's first argument
// ("sip:6001"), from its second ("" when not given).
type MessageTech interface {
	SendMessage(ctx context.Context, msg *Message, destination, from string) error
}

// messaging is the engine's message technologies and the dialplan queue.
type messaging struct {
	mu    sync.RWMutex
	techs map[string]MessageTech // by scheme, as registered ("sip")
	// inFlight bounds the messages being routed at once: each runs a
	// dialplan on a channel of its own; past the bound QueueMessage
	// refuses, so a MESSAGE flood costs a bounded number of goroutines.
	inFlight chan struct{}
	once     sync.Once
}

// maxMessagesInFlight is how many queued messages may run their dialplan
// at the same time.
const maxMessagesInFlight = 64

// RegisterMessageTech registers the technology that sends messages whose
// destination starts with scheme and a colon. The scheme is matched as
// written, as Asterisk's msg_find_by_tech_name does.
func (e *Engine) RegisterMessageTech(scheme string, t MessageTech) error {
	e.messages.mu.Lock()
	defer e.messages.mu.Unlock()
	if e.messages.techs == nil {
		e.messages.techs = map[string]MessageTech{}
	}
	if _, dup := e.messages.techs[scheme]; dup {
		return fmt.Errorf("pbx: message technology %q registered twice", scheme)
	}
	e.messages.techs[scheme] = t
	return nil
}

// MessageTechFor returns the technology registered for scheme.
func (e *Engine) MessageTechFor(scheme string) (MessageTech, bool) {
	e.messages.mu.RLock()
	defer e.messages.mu.RUnlock()
	t, ok := e.messages.techs[scheme]
	return t, ok
}

// MessageHasDestination reports whether the dialplan would take msg: its
// context has its extension (or "s") at priority 1 (main/message.c's
// dialplan handler).
func (e *Engine) MessageHasDestination(msg *Message) bool {
	ctx, exten := msg.Route()
	if ctx == "" {
		return false
	}
	plan := e.Plan()
	return plan != nil && plan.Exists(ctx, exten, "", 1)
}

// ErrMessageQueueFull is returned by QueueMessage past the in-flight
// bound.
var ErrMessageQueueFull = errors.New("too many messages being routed")

// MessageChannelName is the name of the channel a queued message's
// dialplan runs on, as Asterisk names it.
const MessageChannelName = "Message/ast_msg_queue"

type messageKey struct{}

// QueueMessage runs msg through the dialplan at its context and extension
// on a channel of its own (Message/ast_msg_queue) in the background, as
// ast_msg_queue does; MESSAGE() and MESSAGE_DATA() on that channel reach
// msg. The caller checks MessageHasDestination first.
func (e *Engine) QueueMessage(msg *Message) error {
	m := &e.messages
	m.once.Do(func() { m.inFlight = make(chan struct{}, maxMessagesInFlight) })
	select {
	case m.inFlight <- struct{}{}:
	default:
		return ErrMessageQueueFull
	}
	dpContext, exten := msg.Route()
	ch := e.NewChannel(ChannelSpec{Name: MessageChannelName, Tech: "Message", Resource: "ast_msg_queue",
		Context: dpContext, Exten: exten})
	ch.SetState(StateUp)
	ch.SetDatastore(messageKey{}, msg)
	e.Spawn(func() {
		defer func() { <-m.inFlight }()
		e.Run(context.Background(), ch, dpContext, exten, 1)
	})
	return nil
}

// MessageOf returns the message on a channel (a queued message's channel,
// or one MESSAGE()/MESSAGE_DATA() writes created), nil when none.
func MessageOf(ch *Channel) *Message {
	m, _ := ch.Datastore(messageKey{}).(*Message)
	return m
}

// MessageFor returns the message on ch, creating an empty one when there
// is none (writing MESSAGE() or MESSAGE_DATA() on any channel does).
func MessageFor(ch *Channel) *Message {
	var msg *Message
	ch.UpdateDatastore(messageKey{}, func(old any) any {
		if m, ok := old.(*Message); ok {
			msg = m
			return m
		}
		msg = &Message{}
		return msg
	})
	return msg
}

// TextSender is a Driver that can send text to its device inside the call
// (a channel technology's send_text: chan_sip sends a MESSAGE in the
// dialog).
type TextSender interface {
	SendText(text string) error
}

// ErrNoText is SendText's error for a channel whose driver cannot send
// text.
var ErrNoText = errors.New("channel cannot send text")

// SendText sends text to the channel's device (ast_sendtext).
func (c *Channel) SendText(text string) error {
	ts, ok := c.driver.(TextSender)
	if !ok {
		return ErrNoText
	}
	return ts.SendText(text)
}
