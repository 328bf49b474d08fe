package call

import (
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// HandleInDialog takes a request that belongs to an existing dialog (ACK,
// BYE, CANCEL, re-INVITE, INFO, UPDATE). It reports false, without
// answering, when the Call-ID is none of the Manager's dialogs: the
// driver then answers it (481 Call/Transaction Does Not Exist, or its own
// handling for its own dialogs).
//
// A dialog that has ended takes nothing but a BYE (ours and theirs may
// cross, and theirs may be retransmitted); a request older than the last
// one the far end sent is refused (cseq.go). Either way a request captured
// earlier in the call and replayed changes nothing.
func (m *Manager) HandleInDialog(req *sip.Request, tx sip.ServerTransaction) bool {
	d := m.dialogOf(req)
	if d == nil {
		return false
	}
	if d.isEnded() && countsCSeq(req.Method) && req.Method != sip.BYE {
		d.setLast("Rx: " + req.Method.String())
		m.respond(req, tx, 481, "Call/Transaction Does Not Exist")
		return true
	}
	order := 1
	if countsCSeq(req.Method) {
		order = d.cseqOrder(req)
	}
	if order < 0 || order == 0 && req.Method == sip.INVITE {
		m.refuseOutOfOrder(d, req, tx)
		return true
	}
	switch req.Method {
	case sip.ACK:
		m.HandleAck(req)
	case sip.BYE:
		m.HandleBye(req, tx)
	case sip.CANCEL:
		m.HandleCancel(req, tx)
	case sip.INVITE:
		m.handleReInvite(d, req, tx)
	case sip.INFO:
		if order == 0 {
			// A retransmission: answered again, its digit not played twice.
			d.setLast("Rx: INFO")
			m.respond(req, tx, 200, "OK")
			break
		}
		m.handleInfo(d, req, tx)
	case sip.UPDATE:
		m.handleUpdate(d, req, tx)
	case sip.NOTIFY:
		m.handleNotify(d, req, tx)
	case sip.REFER:
		if order == 0 {
			// A retransmission of a REFER already acted on.
			d.setLast("Rx: REFER")
			m.respond(req, tx, 202, "Accepted")
			break
		}
		m.handleRefer(d, req, tx)
	default:
		d.setLast("Rx: " + req.Method.String())
		m.respond(req, tx, 501, "Not Implemented")
	}
	return true
}

// HandleAck takes the ACK of our 2xx to an inbound INVITE.
func (m *Manager) HandleAck(req *sip.Request) {
	d := m.find(req.CallID().Value())
	if d == nil {
		return
	}
	if c, ok := d.inbound(); ok {
		c.gotAck(req)
	}
}

// inbound returns the inbound call behind a dialog, if it is one that has
// a channel.
func (d *dialog) inbound() (*inCall, bool) {
	ch := d.channel()
	if ch == nil {
		return nil, false
	}
	c, ok := ch.Driver().(*inCall)
	if !ok || c.dialog != d {
		return nil, false
	}
	return c, true
}

// HandleBye ends a dialog from the far end: 200 OK, then the channel's
// owner is asked to hang up (Dial sees its peer leave, the dialplan ends).
func (m *Manager) HandleBye(req *sip.Request, tx sip.ServerTransaction) {
	d := m.find(req.CallID().Value())
	if d == nil {
		m.respond(req, tx, 481, "Call/Transaction Does Not Exist")
		return
	}
	d.setLast("Rx: BYE")
	m.respond(req, tx, 200, "OK")
	d.theirByeArrived()
	if !d.markEnded() {
		return // our own BYE crossed theirs
	}
	if ch := d.channel(); ch != nil && !ch.Gone() {
		ch.SoftHangup(pbx.CauseNormalClearing)
		return
	}
	d.release()
	m.forget(d, true)
}

// HandleCancel answers a CANCEL that matched no INVITE transaction (sipgo
// answers the ones that do and reports them to the call): the INVITE is
// already answered or gone. The CANCEL of an INVITE we answered with a
// 2xx gets 200 and changes nothing, as the INVITE's transaction answered
// it before that transaction was ended at the 2xx (see sendResponse);
// anything else gets 481.
func (m *Manager) HandleCancel(req *sip.Request, tx sip.ServerTransaction) {
	d := m.find(req.CallID().Value())
	if d == nil {
		m.respond(req, tx, 481, "Call/Transaction Does Not Exist")
		return
	}
	d.setLast("Rx: CANCEL")
	if c, ok := d.inbound(); ok && c.cancelsAnswered(req) {
		m.respond(req, tx, 200, "OK")
		return
	}
	m.respond(req, tx, 481, "Call/Transaction Does Not Exist")
}

// cancelsAnswered reports whether a CANCEL targets this call's INVITE (same
// top Via branch and CSeq number) after we answered it with a 2xx.
func (c *inCall) cancelsAnswered(req *sip.Request) bool {
	c.mu.Lock()
	answered := c.finalRes != nil && c.finalRes.IsSuccess()
	c.mu.Unlock()
	if !answered {
		return false
	}
	v, iv := req.Via(), c.invite.Via()
	cs := req.CSeq()
	if v == nil || iv == nil || cs == nil || cs.SeqNo != c.invite.CSeq().SeqNo {
		return false
	}
	b, _ := v.Params.Get("branch")
	ib, _ := iv.Params.Get("branch")
	return b != "" && b == ib
}

// handleReInvite answers a target refresh or hold/unhold re-INVITE: the
// leg's media follows the new SDP and our answer keeps the codec in use.
// A change of direction (hold with sendonly or inactive, unhold with
// sendrecv) is passed on to the leg our media is relayed to, by a
// re-INVITE with the same direction, once this one is answered.
func (m *Manager) handleReInvite(d *dialog, req *sip.Request, tx sip.ServerTransaction) {
	d.setLast("Rx: INVITE")
	if d.directBusy() {
		// Glare (RFC 3261 14.2): our own media re-INVITE is pending.
		m.respond(req, tx, 491, "Request Pending")
		return
	}
	m.respond(req, tx, 100, "Trying")
	// The ACK of this 2xx arrives through HandleAck; a lost one costs
	// nothing here because the dialog is already confirmed.
	m.takeMidCallOffer(d, req, tx, "re-INVITE")
}

// takeMidCallOffer answers the offer of a re-INVITE or an UPDATE in a
// confirmed dialog: the Contact refreshes the target, the codecs are
// negotiated, our answer goes in the 200, and the session is refreshed
// (RFC 4028: any such request is a refresh). what names the request in
// the log.
func (m *Manager) takeMidCallOffer(d *dialog, req *sip.Request, tx sip.ServerTransaction, what string) {
	oa, code, reason := m.takeOffer(d, req)
	if oa == nil {
		m.respond(req, tx, code, reason)
		return
	}
	if ct := req.Contact(); ct != nil {
		d.mu.Lock()
		d.target = *ct.Address.Clone()
		d.mu.Unlock()
	}
	if rj := m.negotiateUAS(d, req, true); rj != nil {
		m.respondWith(req, tx, rj)
		return
	}
	if err := m.answerOffer(d, req, tx, oa.body); err != nil {
		m.log.Warning("Unable to answer %s on %s: %v\n", what, d.callID, err)
	}
	d.refreshed()
	m.afterOffer(d, oa)
}

// mohSuggest is the music class the holder suggests for the party it
// holds (sip.conf mohsuggest), "" for none.
func (d *dialog) mohSuggest() string {
	if d.peer != nil {
		return d.peer.MOHSuggest
	}
	if g := d.m.d.General(); g != nil {
		return g.MOHSuggest
	}
	return ""
}

// dropCrypto returns a leg to plain RTP when a re-INVITE from a peer that
// does not require SRTP offers no key any more.
func (d *dialog) dropCrypto() error {
	d.mu.Lock()
	had, leg := d.localCrypto != nil, d.leg
	d.localCrypto, d.remoteCrypto = nil, nil
	d.mu.Unlock()
	if !had || leg == nil {
		return nil
	}
	return leg.SetSRTP(nil)
}

// handleInfo accepts SIP INFO DTMF (dtmfmode=info) and reports the digit.
func (m *Manager) handleInfo(d *dialog, req *sip.Request, tx sip.ServerTransaction) {
	d.setLast("Rx: INFO")
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = strings.ToLower(h.Value())
	}
	switch {
	case strings.HasPrefix(ct, "application/dtmf-relay") || strings.HasPrefix(ct, "application/dtmf") ||
		strings.HasPrefix(ct, "application/vnd.nortelnetworks.digits"):
		if digit, ok := infoDigit(string(req.Body()), ct); ok {
			if ch := d.channel(); ch != nil {
				ch.DTMF(digit, infoDuration(string(req.Body())))
			}
		}
	case strings.HasPrefix(ct, "application/hook-flash"), strings.HasPrefix(ct, "application/media_control+xml"):
		// Accepted as chan_sip does (a flash, a video update request).
	case len(req.Body()) > 0:
		// chan_sip's answer to an INFO body it does not understand; an
		// empty INFO is a keep-alive (200).
		m.log.Warning("Unable to parse INFO message from %s. Content %s\n", d.callID, string(req.Body()))
		m.respond(req, tx, 415, "Unsupported media type")
		return
	}
	m.respond(req, tx, 200, "OK")
}

// infoDigit reads "Signal=5" (dtmf-relay) or a bare digit (dtmf).
func infoDigit(body, ct string) (rune, bool) {
	if !strings.HasPrefix(ct, "application/dtmf") || strings.HasPrefix(ct, "application/dtmf-relay") {
		// dtmf-relay and Nortel's digits: a Signal= line, or d= (Nortel).
		found := ""
		for _, key := range []string{"signal", "d"} {
			for _, line := range strings.Split(body, "\n") {
				k, v, ok := strings.Cut(line, "=")
				if ok && found == "" && strings.EqualFold(strings.TrimSpace(k), key) {
					found = v
				}
			}
		}
		body = found
	}
	body = strings.TrimSpace(body)
	if len(body) == 1 && strings.ContainsRune("0123456789*#ABCD", rune(body[0])) {
		return rune(body[0]), true
	}
	switch body {
	case "10":
		return '*', true
	case "11":
		return '#', true
	}
	return 0, false
}
