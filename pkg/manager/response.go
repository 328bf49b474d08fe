package manager

import (
	"bytes"
	"strconv"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// msgBuf builds one outgoing message in the manager's wire format.
type msgBuf struct{ bytes.Buffer }

// line appends "Key: value\r\n". A value is written on one line: a CR or
// LF in it (a channel variable, a user's UserEvent header) would start a
// header of its own, so it is replaced by a space.
func (b *msgBuf) line(key, value string) {
	b.oneLine(key)
	b.WriteString(": ")
	b.oneLine(value)
	b.WriteString("\r\n")
}

func (b *msgBuf) oneLine(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b.WriteByte(c)
	}
}

func (b *msgBuf) lineInt(key string, n int) { b.line(key, strconv.Itoa(n)) }

// end closes the message with its empty line and returns its bytes.
func (b *msgBuf) end() []byte {
	b.WriteString("\r\n")
	return append([]byte(nil), b.Bytes()...)
}

// Request is one action being answered; handlers write their response
// through it.
type Request struct {
	*Message
	Name string // the action as the client wrote it
	s    *session
}

// ActionID returns the request's ActionID ("" when none).
func (r *Request) ActionID() string { return r.Get("ActionID") }

// Module returns the manager the request came to.
func (r *Request) Module() *Module { return r.s.m }

// Username is the logged-in user's name.
func (r *Request) Username() string { return r.s.username() }

// head starts a response: "Response: <kind>" and the ActionID.
func (r *Request) head(kind string) *msgBuf {
	b := &msgBuf{}
	b.line("Response", kind)
	if id := r.ActionID(); id != "" {
		b.line("ActionID", id)
	}
	return b
}

// Success answers "Response: Success", with Message: msg when not empty
// and the given headers after it.
func (r *Request) Success(msg string, fields ...Header) {
	b := r.head("Success")
	if msg != "" {
		b.line("Message", msg)
	}
	for _, f := range fields {
		b.line(f.Key, f.Value)
	}
	r.s.send(b.end())
}

// Error answers "Response: Error" with Message: msg.
func (r *Request) Error(msg string) {
	b := r.head("Error")
	b.line("Message", msg)
	r.s.send(b.end())
}

// ListStart answers the start of an event list (astman_send_listack):
// Success, EventList: start and msg.
func (r *Request) ListStart(msg string) {
	b := r.head("Success")
	b.line("EventList", "start")
	b.line("Message", msg)
	r.s.send(b.end())
}

// ListItem sends one event of a list, with the request's ActionID after
// the Event line as Asterisk writes them.
func (r *Request) ListItem(event string, fields ...Header) {
	b := &msgBuf{}
	b.line("Event", event)
	if id := r.ActionID(); id != "" {
		b.line("ActionID", id)
	}
	for _, f := range fields {
		b.line(f.Key, f.Value)
	}
	r.s.send(b.end())
}

// ListItemIDLast is ListItem with the ActionID after the fields, where
// Asterisk writes it for some lists (Status, DBGetResponse).
func (r *Request) ListItemIDLast(event string, fields ...Header) {
	b := &msgBuf{}
	b.line("Event", event)
	for _, f := range fields {
		b.line(f.Key, f.Value)
	}
	if id := r.ActionID(); id != "" {
		b.line("ActionID", id)
	}
	r.s.send(b.end())
}

// ListComplete ends a list: the completion event with EventList:
// Complete, ListItems: n and any extra headers.
func (r *Request) ListComplete(event string, n int, extra ...Header) {
	b := &msgBuf{}
	b.line("Event", event)
	if id := r.ActionID(); id != "" {
		b.line("ActionID", id)
	}
	b.line("EventList", "Complete")
	b.lineInt("ListItems", n)
	for _, f := range extra {
		b.line(f.Key, f.Value)
	}
	r.s.send(b.end())
}

// Raw sends pre-built bytes (a whole message, empty line included).
func (r *Request) Raw(p []byte) { r.s.send(p) }

// ChannelHeaders is a channel's snapshot block (Channel, ChannelState,
// ... Linkedid, and the manager's channelvars) as headers, for module
// actions whose list items carry it.
func (r *Request) ChannelHeaders(ch *pbx.Channel) []Header {
	b := &msgBuf{}
	snapshot(b, "", ch, ch.State(), r.s.m.Config())
	return bodyHeaders(b)
}
