package call

import (
	"context"
	"errors"
	"fmt"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"net"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
)

// textContentType is the Content-Type of the MESSAGEs we send unless
// the message sets its own (chan_sip's add_text).
const textContentType = "text/plain;charset=UTF-8"

// OutMessage is an out-of-dialog MESSAGE to send (RFC 3428), as
// MessageSend hands one to chan_sip (sip_msg_send).
type OutMessage struct {
	// To is MessageSend's destination without its "sip:" scheme: a peer
	// ("6001"), a user at a peer or host ("6001@trunk", "bob@10.0.0.5").
	To string
	// FromName, FromUser and FromDomain make the From header; empty
	// ones take the peer's fromuser/fromdomain, then "asterisk" and our
	// address.
	FromName, FromUser, FromDomain string
	// Headers are the message's outbound variables, sent as headers in
	// order; a Content-Type among them replaces ours.
	Headers [][2]string
	Body    string
}

// blockedMessageHeaders are the headers a message variable may not set
// (chan_sip's block_msg_header): the ones that make the request.
var blockedMessageHeaders = map[string]bool{
	"to": true, "from": true, "via": true, "route": true, "contact": true, "call-id": true,
	"cseq": true, "allow": true, "content-length": true, "request-uri": true,
}

// SendMessage sends msg and returns once the request is on its way, as
// chan_sip's MessageSend returns after transmitting: the transaction (and
// the answers to a challenge, with the peer's secret) continues in the
// background. An error means the destination cannot be reached at all.
func (m *Manager) SendMessage(msg OutMessage) error {
	if m.closing() {
		return errClosed
	}
	user, host, ok := strings.Cut(msg.To, "@")
	if !ok {
		user, host = "", msg.To
	}
	if host == "" {
		return fmt.Errorf("MESSAGE(to) is invalid for SIP - '%s'", msg.To)
	}
	// The host part names a peer (create_addr looks peers up first),
	// else an address or a host name.
	data := user + "@" + host
	if p := m.d.Peer(host); p != nil && p.IsPeer() {
		data = host
		if user != "" {
			data = host + "/" + user
		}
	}
	dst, err := m.resolve(data)
	if err != nil {
		return err
	}
	if !parseAddrPort(dst.addr).IsValid() {
		// A host name: chan_sip's create_addr fails when it does not
		// resolve, and MessageSend reports FAILURE at once.
		host, _ := splitHostPort(dst.addr)
		ctx, cancel := context.WithTimeout(m.ctx, 3*time.Second)
		_, err := net.DefaultResolver.LookupNetIP(ctx, m.lookupNetwork(), host)
		cancel()
		if err != nil {
			return fmt.Errorf("cannot resolve %s: %w", host, err)
		}
	}
	if dst.transport == "" {
		dst.transport = "UDP"
	}
	d := &dialog{m: m, addr: parseAddrPort(dst.addr), transport: dst.transport, peer: dst.peer, target: dst.uri}
	req := m.buildMessage(d, dst, msg)
	if !m.goTracked(func() { m.runMessage(d, req) }) {
		return errClosed
	}
	return nil
}

// closing reports whether Close has begun.
func (m *Manager) closing() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

func (m *Manager) buildMessage(d *dialog, dst *destination, msg OutMessage) *sip.Request {
	ours := d.signalAddr(d.transport)
	fromUser, fromHost, fromPort := msg.FromUser, ours.Addr().String(), portIfNot5060(int(ours.Port()))
	if p := dst.peer; p != nil {
		if fromUser == "" {
			fromUser = p.FromUser
		}
		if p.FromDomain != "" {
			fromHost, fromPort = p.FromDomain, portIfNot5060(p.FromDomainPort)
		}
	}
	if msg.FromDomain != "" {
		fromHost, fromPort = msg.FromDomain, 0
	}
	if fromUser == "" {
		fromUser = "asterisk"
	}
	req := sip.NewRequest(sip.MESSAGE, dst.uri)
	if via := d.wildcardVia(); via != nil {
		req.AppendHeader(via)
	}
	from := &sip.FromHeader{DisplayName: msg.FromName, Address: sip.Uri{Scheme: "sip", User: fromUser, Host: fromHost, Port: fromPort}, Params: sip.NewParams()}
	from.Params.Add("tag", newTag())
	to := &sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: dst.uri.User, Host: dst.uri.Host, Port: dst.uri.Port}, Params: sip.NewParams()}
	callID := sip.CallIDHeader(newCallID(fromHost))
	maxfwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&sip.ContactHeader{Address: d.contactURI(fromUser)})
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 102, MethodName: sip.MESSAGE})
	req.AppendHeader(&maxfwd)
	req.AppendHeader(sip.NewHeader("User-Agent", m.userAgent()))
	contentType := textContentType
	for _, h := range msg.Headers {
		switch {
		case strings.EqualFold(h[0], "Content-Type"):
			contentType = h[1]
		case strings.EqualFold(h[0], "Max-Forwards"):
			// chan_sip takes the value less one (loop prevention).
			var n int
			if _, err := fmt.Sscanf(h[1], "%d", &n); err == nil && n > 1 {
				mf := sip.MaxForwardsHeader(n - 1)
				req.ReplaceHeader(&mf)
			}
		case blockedMessageHeaders[strings.ToLower(h[0])]:
		default:
			req.AppendHeader(sip.NewHeader(h[0], h[1]))
		}
	}
	req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	req.SetBody([]byte(msg.Body))
	req.SetTransport(d.transport)
	if d.addr.IsValid() {
		req.SetDestination(d.addr.String())
	}
	ApplyRoutes(req, dst.routes, dst.uri) // the peer's Path, if any
	return req
}

// runMessage owns a MESSAGE client transaction until its final answer,
// answering up to maxAuthTries challenges with the peer's credentials.
func (m *Manager) runMessage(d *dialog, req *sip.Request) {
	ctx, cancel := context.WithTimeout(m.ctx, 64*m.d.T1+time.Second)
	defer cancel()
	opt := sipgo.ClientRequestAddVia
	if req.Via() != nil {
		opt = sipgo.ClientRequestBuild
	}
	for tries := 0; ; tries++ {
		tx, err := m.d.Client.TransactionRequest(ctx, req, opt)
		if err != nil {
			m.log.Warning("Unable to send MESSAGE to %s: %v\n", req.Recipient.String(), err)
			return
		}
		res, err := finalResponse(ctx, tx)
		tx.Terminate()
		if err != nil {
			m.log.Verbose(3, "MESSAGE to %s: %v\n", req.Recipient.String(), err)
			return
		}
		if (res.StatusCode == 401 || res.StatusCode == 407) && tries < maxAuthTries {
			if err := answerChallenge(d, req, res); err != nil {
				m.log.Notice("Failed to authenticate on MESSAGE to '%s': %v\n", req.Recipient.String(), err)
				return
			}
			via := d.wildcardVia()
			req.RemoveHeader("Via")
			opt = sipgo.ClientRequestAddVia
			if via != nil {
				req.PrependHeader(via)
				opt = sipgo.ClientRequestBuild
			}
			continue
		}
		if !res.IsSuccess() {
			m.log.Verbose(3, "MESSAGE to %s answered %d %s\n", req.Recipient.String(), res.StatusCode, res.Reason)
		}
		return
	}
}

// finalResponse waits for a client transaction's final response.
func finalResponse(ctx context.Context, tx sip.ClientTransaction) (*sip.Response, error) {
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return nil, err
			}
			return nil, errors.New("transaction ended without an answer")
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// answerChallenge adds the digest answer to a 401/407 to req with the
// peer's credentials and raises its CSeq.
func answerChallenge(d *dialog, req *sip.Request, res *sip.Response) error {
	if err := setDigest(d.peer, req, res); err != nil {
		return err
	}
	req.CSeq().SeqNo++
	return nil
}

// setDigest puts in req the answer to res's challenge (401 or 407) with
// p's credentials, as chan_sip answers for a peer: authuser, else
// defaultuser, else the peer's name; remotesecret before secret.
func setDigest(p *sipconf.Peer, req *sip.Request, res *sip.Response) error {
	if p == nil || (p.Secret == "" && p.RemoteSecret == "") {
		return errors.New("no credentials for this destination")
	}
	user := p.AuthUser
	if user == "" {
		user = p.DefaultUser
	}
	if user == "" {
		user = p.Name
	}
	secret := p.Secret
	if p.RemoteSecret != "" {
		secret = p.RemoteSecret
	}
	hdrName, authName := "WWW-Authenticate", "Authorization"
	if res.StatusCode == 407 {
		hdrName, authName = "Proxy-Authenticate", "Proxy-Authorization"
	}
	h := res.GetHeader(hdrName)
	if h == nil {
		return fmt.Errorf("%d without %s", res.StatusCode, hdrName)
	}
	value, err := digest.Answer(h.Value(), string(req.Method), req.Recipient.String(), user, secret, 1)
	if err != nil {
		return err
	}
	req.RemoveHeader(authName)
	req.AppendHeader(sip.NewHeader(authName, value))
	return nil
}

// SendText sends text in the dialog as a MESSAGE (chan_sip's
// sip_sendtext), for a text written to this leg's channel: a MESSAGE the
// bridged party sent during the call.
func (d *dialog) SendText(text string) error {
	if d.isEnded() {
		return errors.New("dialog ended")
	}
	req := d.newRequest(sip.MESSAGE)
	req.AppendHeader(sip.NewHeader("Content-Type", textContentType))
	req.SetBody([]byte(text))
	d.setLast("Tx: MESSAGE")
	return d.sendTracked(req)
}
