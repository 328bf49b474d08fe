package chansip

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// maxMessageBody bounds the body of a MESSAGE we route: chan_sip's
// largest SIP packet (SIP_MAX_PACKET_SIZE). A larger one over UDP is
// refused with 413 instead of being queued into the dialplan.
const maxMessageBody = 20480

// startMessages routes MESSAGE requests and registers chan_sip's "sip"
// message technology (MessageSend(sip:...)), once the call manager runs.
func (d *Driver) startMessages() error {
	if d.opts.Engine == nil {
		return nil
	}
	if err := d.opts.Engine.RegisterMessageTech("sip", sipMessageTech{d}); err != nil {
		return err
	}
	d.serve(sip.MESSAGE, d.handleMessage)
	return nil
}

// handleMessage is chan_sip's receive_message (RFC 3428). Inside a call
// the text goes to the bridged party (202 Accepted); outside, with
// accept_outofcall_message, the sender is authenticated like an INVITE
// when auth_message_requests says so, and the message is routed into
// the dialplan at the Request-URI's extension of outofcall_message_context
// (the peer's, else [general]'s, else the sender's context).
func (d *Driver) handleMessage(req *sip.Request, tx sip.ServerTransaction) {
	if d.rejectMalformed(req, tx) {
		return
	}
	stx := stateless(req, tx)
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = h.Value()
	}
	calls := d.callManager()
	if !strings.HasPrefix(ct, "text/plain") {
		d.respond(req, stx, 415, "Unsupported Media Type", nil)
		return
	}
	if len(req.Body()) > maxMessageBody {
		d.respond(req, stx, 413, "Request Entity Too Large", nil)
		return
	}
	// chan_sip reads the body as lines joined by LF and drops the
	// trailing ones.
	body := strings.TrimRight(strings.ReplaceAll(string(req.Body()), "\r\n", "\n"), "\n")
	if to := req.To(); to != nil && to.Params.Has("tag") && calls != nil {
		if ch := calls.ChannelOf(req.CallID().Value()); ch != nil {
			d.log.Debug(1, "SIP Text message received: '%s'", body)
			if peer := ch.Peer(); peer != nil {
				if err := peer.SendText(body); err != nil && !errors.Is(err, pbx.ErrNoText) {
					d.log.Debug(1, "MESSAGE on %s not passed to %s: %v", ch.Name(), peer.Name(), err)
				}
			} else {
				ch.QueueText(body) // for ReceiveText; dropped when none waits
			}
			d.respond(req, stx, 202, "Accepted", nil)
			return
		}
	}
	cfg := d.cfg.Load()
	g := &cfg.General
	if !g.AcceptOutOfCallMessage {
		d.log.Debug(1, "MESSAGE outside of a call administratively disabled.")
		d.respond(req, stx, 405, "Method Not Allowed", nil)
		return
	}
	src, err := parseHostPort(req.Source())
	if err != nil {
		return
	}
	peer, dpContext, ok := d.messageSender(cfg, req, stx, src)
	if !ok {
		return
	}
	if peer != nil && peer.OutOfCallMessageContext != "" {
		dpContext = peer.OutOfCallMessageContext
	} else if g.OutOfCallMessageContext != "" {
		dpContext = g.OutOfCallMessageContext
	}
	switch strings.ToLower(req.Recipient.Scheme) {
	case "sip", "sips", "tel":
	default:
		d.respond(req, stx, 416, "Unsupported URI Scheme", nil)
		return
	}
	msg := d.incomingMessage(req, peer, src, dpContext, body)
	e := d.opts.Engine
	if !e.MessageHasDestination(msg) {
		d.respond(req, stx, 404, "Not Found", nil)
		return
	}
	if err := e.QueueMessage(msg); err != nil {
		d.log.Warning("MESSAGE from %s not routed: %v", src, err)
		d.respond(req, stx, 500, "Internal Server Error", nil)
		return
	}
	d.respond(req, stx, 202, "Accepted", nil)
}

// messageSender identifies the sender of an out-of-call MESSAGE and the
// context it is routed in. With auth_message_requests it is chan_sip's
// check_user, as for an INVITE: a peer named by the From user or found by
// address, challenged unless insecure=invite (ok false: a challenge or a
// refusal was sent); a guest with allowguest. Without it, a peer at the
// source address gives its name, and its context when it has no secret.
func (d *Driver) messageSender(cfg *sipconf.Config, req *sip.Request, tx sip.ServerTransaction, src netip.AddrPort) (*sipconf.Peer, string, bool) {
	g := &cfg.General
	if !g.AuthMessageRequests {
		p := d.peerAtAddr(cfg, src)
		if p != nil && p.Secret == "" && p.MD5Secret == "" {
			return p, p.Context, true
		}
		return p, g.Context, true
	}
	fromHeader := ""
	if h := req.GetHeader("From"); h != nil {
		fromHeader = h.Value()
	}
	r := &regRequest{req: req, tx: tx, src: src, transport: transportName(req.Transport()), toHeader: fromHeader}
	peer := d.matchCaller(cfg, req, src)
	if peer != nil && (!g.ACL.Allows(src.Addr()) || !peer.ACL.Allows(src.Addr())) {
		d.log.Notice("Failed to authenticate device %s for MESSAGE, code = %d", fromHeader, authACLFailed.code())
		d.respond(req, tx, 403, "Forbidden", nil)
		return nil, "", false
	}
	if peer == nil {
		if g.AllowGuest {
			return nil, g.Context, true
		}
		d.log.Notice("Failed to authenticate device %s for MESSAGE, code = %d", fromHeader, authSecretFailed.code())
		d.inviteReject(cfg, r)
		return nil, "", false
	}
	if !peer.Insecure.Invite {
		r.name = peer.Name
		switch res := d.checkAuth(cfg, peer, r); res {
		case authOK:
		case authChallengeSent:
			return nil, "", false
		default:
			d.log.Notice("Failed to authenticate device %s for MESSAGE, code = %d", fromHeader, res.code())
			d.respond(req, tx, 403, "Forbidden", nil)
			return nil, "", false
		}
	}
	return peer, peer.Context, true
}

// peerAtAddr is the peer whose static or registered address is src
// (chan_sip's sip_find_peer by address).
func (d *Driver) peerAtAddr(cfg *sipconf.Config, src netip.AddrPort) *sipconf.Peer {
	for _, p := range d.peersByAddr(cfg) {
		if a, ok := d.staticAddr(p); ok && a.Addr() == src.Addr() && (p.Insecure.Port || a.Port() == src.Port()) {
			return p
		}
	}
	for _, p := range cfg.Peers {
		if r := d.regs.get(p.Name); r != nil && r.Addr == src {
			return p
		}
	}
	return nil
}

// incomingMessage builds the message the dialplan sees, with the fields
// and variables chan_sip gives it: to is the Request-URI, from
// `"name" <uri>` (or `<uri>`), SIP_RECVADDR, SIP_PEERNAME, SIP_FULLCONTACT
// and then every header by its full name.
func (d *Driver) incomingMessage(req *sip.Request, peer *sipconf.Peer, src netip.AddrPort, dpContext, body string) *pbx.Message {
	from := ""
	if f := req.From(); f != nil {
		from = "<" + f.Address.String() + ">"
		if f.DisplayName != "" {
			from = `"` + strings.ReplaceAll(f.DisplayName, `"`, `\"`) + `" ` + from
		}
	}
	exten := call.UserOf(req.Recipient)
	if dec, err := url.PathUnescape(exten); err == nil && dec != exten {
		if plan := d.opts.Engine.Plan(); plan != nil && !plan.Exists(dpContext, exten, "", 1) && plan.Exists(dpContext, dec, "", 1) {
			exten = dec
		}
	}
	vars := []pbx.MessageVar{{Name: "SIP_RECVADDR", Value: src.String()}}
	endpoint := ""
	if peer != nil {
		endpoint = peer.Name
		vars = append(vars, pbx.MessageVar{Name: "SIP_PEERNAME", Value: peer.Name})
	}
	contact := ""
	if c := req.Contact(); c != nil {
		contact = c.Address.String()
	}
	vars = append(vars, pbx.MessageVar{Name: "SIP_FULLCONTACT", Value: contact})
	for _, h := range req.Headers() {
		vars = append(vars, pbx.MessageVar{Name: h.Name(), Value: h.Value()})
	}
	return pbx.NewMessage(pbx.MessageFields{
		To: req.Recipient.String(), From: from, Body: body, Context: dpContext, Exten: exten,
		Tech: "SIP", Endpoint: endpoint, Vars: vars,
	})
}

// sipMessageTech is chan_sip's "sip" message technology.
type sipMessageTech struct{ d *Driver }

// SendMessage is sip_msg_send: destination is "sip:peer", "sip:user@peer"
// or "sip:user@host"; from, when given, is a peer name (its caller id),
// a caller id with a URI (`"Bob" <sip:bob@example.com>`), or a name.
func (t sipMessageTech) SendMessage(_ context.Context, msg *pbx.Message, destination, from string) error {
	calls := t.d.callManager()
	if calls == nil {
		return errors.New("chan_sip is not running")
	}
	to := strings.TrimSpace(destination)
	if i := strings.IndexByte(to, '<'); i >= 0 {
		if j := strings.IndexByte(to[i:], '>'); j > 0 {
			to = to[i+1 : i+j]
		}
	}
	for _, scheme := range []string{"sip:", "sips:"} {
		if len(to) >= len(scheme) && strings.EqualFold(to[:len(scheme)], scheme) {
			to = to[len(scheme):]
			break
		}
	}
	to, _, _ = strings.Cut(to, ";")
	if _, host, hasAt := strings.Cut(to, "@"); to == "" || hasAt && host == "" {
		t.d.log.Warning("MESSAGE(to) is invalid for SIP - '%s'", destination)
		return errors.New("invalid destination")
	}
	out := call.OutMessage{To: to}
	// Only MessageSend's from argument counts: chan_sip never reads
	// MESSAGE(from) when it sends.
	t.d.messageFrom(&out, from)
	body, _ := msg.Get("body")
	out.Body = body
	for _, v := range msg.Vars() {
		if v.Outbound {
			out.Headers = append(out.Headers, [2]string{v.Name, v.Value})
		}
	}
	if err := calls.SendMessage(out); err != nil {
		t.d.log.Warning("MESSAGE to '%s' not sent: %v", destination, err)
		return err
	}
	return nil
}

// messageFrom fills the From parts of out from MessageSend's from, as
// sip_msg_send reads it.
func (d *Driver) messageFrom(out *call.OutMessage, from string) {
	from = strings.TrimSpace(from)
	if from == "" {
		return
	}
	if p := d.cfg.Load().Peer(from); p != nil {
		out.FromName = firstNonEmpty(p.CallerIDName, p.Name)
		out.FromUser = firstNonEmpty(p.CallerIDNum, p.Name)
		return
	}
	lt := strings.IndexByte(from, '<')
	if lt < 0 {
		out.FromName = strings.Trim(from, `"`)
		return
	}
	name := strings.TrimSpace(from[:lt])
	loc := from[lt+1:]
	if gt := strings.IndexByte(loc, '>'); gt >= 0 {
		loc = loc[:gt]
	}
	out.FromName = strings.Trim(name, `"`)
	if !strings.Contains(loc, ":") {
		out.FromUser = loc
		return
	}
	var u sip.Uri
	if err := sip.ParseUri(loc, &u); err == nil {
		out.FromUser = u.User
		out.FromDomain = u.Host
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
