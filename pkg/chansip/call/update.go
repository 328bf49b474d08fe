package call

import (
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// handleMediaUpdate takes an UPDATE with an SDP offer in a confirmed
// dialog (RFC 3311) as a re-INVITE without its three-way handshake: the
// leg's media follows the offer (new address, hold with sendonly or
// inactive, resume), the 200 carries our answer and refreshes the session
// timer. chan_sip 18 answers such an UPDATE 501; gostrisk takes it so a
// phone that moves or holds with UPDATE keeps its call.
//
// In an early dialog handleUpdate answers chan_sip's 501 (its reason
// phrase) first: without reliable provisional responses (100rel, which we
// do not support) the offer/answer of the INVITE is not complete there. A
// body that is not SDP gets 415; an offer crossing our own re-INVITE or UPDATE gets
// 491 (RFC 3311 5.2).
func (m *Manager) handleMediaUpdate(d *dialog, req *sip.Request, tx sip.ServerTransaction) {
	if ct := req.ContentType(); ct == nil || !strings.HasPrefix(strings.ToLower(ct.Value()), "application/sdp") {
		m.respondUnsupported(req, tx)
		return
	}
	if d.directBusy() {
		m.respond(req, tx, 491, "Request Pending")
		return
	}
	// UPDATE is a target refresh request (RFC 3311 5.2), as a re-INVITE.
	m.takeMidCallOffer(d, req, tx, "UPDATE")
}

// respondUnsupported answers a body we cannot read with 415 and the one
// type we take (RFC 3261 21.4.13).
func (m *Manager) respondUnsupported(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, 415, "Unsupported Media Type", nil)
	res.AppendHeader(sip.NewHeader("Server", m.userAgent()))
	res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	if err := respondStateless(req, tx, res); err != nil {
		m.log.Warning("Unable to send 415 for UPDATE: %v\n", err)
	}
}

// handleRPIDUpdate takes the one UPDATE chan_sip itself handles: the
// connected-line update another Asterisk sends (X-Asterisk-rpid-update),
// in an early dialog as in a confirmed one. A trusted peer's
// Remote-Party-ID or P-Asserted-Identity becomes the connected line of
// the party bridged to this leg, as chan_sip queues a connected-line
// update on its channel; an untrusted one changes nothing. 200 either
// way, 481 when the dialog has no channel.
func (m *Manager) handleRPIDUpdate(d *dialog, req *sip.Request, tx sip.ServerTransaction) {
	ch := d.channel()
	if ch == nil {
		m.respond(req, tx, 481, "Call/Transaction Does Not Exist")
		return
	}
	if name, num, pres, ok := trustedIdentity(req, d.peer); ok {
		if peer := ch.Peer(); peer != nil {
			peer.SetConnected(pbx.CallerID{Name: name, Num: num})
			peer.SetConnectedPresentation(pres)
		}
	}
	m.respond(req, tx, 200, "OK")
}
