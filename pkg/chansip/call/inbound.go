package call

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/sdp"
)

// inCall is the leg a phone or trunk called us on; it is the pbx.Driver
// of the inbound channel.
type inCall struct {
	*dialog
	invite   *sip.Request
	tx       sip.ServerTransaction
	offer    *sdp.Description // nil for a late offer (INVITE without SDP)
	offerRes *sdp.Result
	answerD  sdp.Direction

	final chan struct{} // closed once a final response went out
	// conn is where a 2xx and its retransmissions go once the INVITE
	// transaction is ended (UDP only; nil when tx must carry them).
	conn      sip.Connection
	finalOnce sync.Once
	acked     chan struct{} // closed on the ACK of our 2xx
	ackOnce   sync.Once

	// under dialog.mu
	finalRes  *sip.Response
	ringing   bool
	progress  bool
	answered  bool
	hungup    bool
	cdrDone   bool
	outs      []*outCall // legs Dial placed for this call, newest last
	ackFailed bool
}

// T2 caps the retransmission interval of our 2xx (RFC 3261 17.1.2.2).
const t2 = 4 * time.Second

// HandleInvite takes a new INVITE (no To tag) from a matched peer (nil for
// a guest) and runs it into the dialplan of dpContext. It blocks until the
// INVITE transaction is over; call it from the sipgo request handler.
func (m *Manager) HandleInvite(req *sip.Request, tx sip.ServerTransaction, from *sipconf.Peer, dpContext string) {
	if !m.enter() {
		m.respond(req, tx, 503, "Service Unavailable")
		return
	}
	defer m.wg.Done()
	if m.retransmittedInvite(req, tx) {
		return
	}
	m.respond(req, tx, 100, "Trying")

	c := m.newInCall(req, tx, from)
	tx.OnCancel(func(*sip.Request) { c.cancelled() })
	if rj := m.negotiateUAS(c.dialog, req, false); rj != nil {
		res := c.response(rj.code, rj.reason, nil)
		for _, h := range rj.headers {
			res.AppendHeader(h)
		}
		c.rejectWith(res)
		return
	}

	exten := UserOf(req.Recipient)
	if exten == "" {
		exten = "s"
	}
	if !m.useSlot(from) {
		m.log.Notice("Call from peer '%s' rejected due to usage limit of %d\n", from.Name, from.CallLimit)
		m.log.Notice("Failed to place call for device %s, too many calls\n", c.user)
		c.reject(480, "Temporarily Unavailable (Call limit) ")
		return
	}
	c.mu.Lock()
	c.slot = from != nil
	c.mu.Unlock()

	if err := c.negotiateOffer(); err != nil {
		switch {
		case errors.Is(err, sdp.ErrNoConnection):
			m.log.Warning("Insufficient information in SDP (c=)...\n")
		case errors.Is(err, errPlainOffer):
			m.log.Warning("Matched device setup to use SRTP, but request was not!\n")
		case cryptoError(err):
			m.log.Warning("Can't provide secure audio requested in SDP offer\n")
		default:
			m.log.Notice("No compatible codecs, not accepting this offer!\n")
		}
		m.log.Verbose(3, "Call %s: %v\n", c.callID, err)
		c.reject(488, "Not acceptable here")
		return
	}
	plan := m.d.Engine.Plan()
	pickup := m.isPickupExten(exten)
	replaced, replaces, bad := m.replacesOf(req)
	switch {
	case bad:
		c.reject(400, "Bad Request")
		return
	case replaces && replaced == nil:
		// RFC 3891 3: the dialog to replace does not exist (any more).
		m.log.Notice("Supervised transfer attempted to replace non-existent call id (%s)!\n", replacesCallID(req))
		c.reject(481, "Call Leg Does Not Exist (Replaces)")
		return
	}
	if !pickup && !replaces && (plan == nil || !plan.Exists(dpContext, exten, c.cidNum, 1)) {
		who := c.peerName
		if who == "" {
			who = UserOf(req.From().Address)
		}
		m.log.Notice("Call from '%s' (%s:%s) to extension '%s' rejected because extension not found in context '%s'.\n",
			who, strings.ToUpper(c.transport), c.addr, exten, dpContext)
		c.reject(404, "Not Found")
		if m.d.NoExtension != nil {
			m.d.NoExtension(req)
		}
		return
	}

	leg, err := m.newLeg(comedia(from, m.d.General(), req))
	if err != nil {
		m.noPorts("call "+c.callID, err)
		if c.offer != nil {
			// chan_sip cannot take an offer without an RTP instance.
			c.reject(488, "Not acceptable here")
		} else {
			c.reject(503, "Service Unavailable")
		}
		return
	}
	c.mu.Lock()
	c.leg = leg
	c.mu.Unlock()
	c.direct.symmetric, c.direct.natSeen = comedia(from, m.d.General(), req), behindNAT(req)
	c.watchRTCP(leg) // rtcpevents.go
	if c.offerRes != nil {
		c.applyMedia(c.offerRes, c.offer.Audio)
		if r := c.offerRes.Crypto; r != nil {
			if err := c.answerCrypto(r); err != nil {
				m.log.Warning("Can't provide secure audio requested in SDP offer\n")
				m.log.Verbose(3, "Call %s: %v\n", c.callID, err)
				c.reject(488, "Not acceptable here")
				return
			}
		}
	}

	name, num := callerID(req, from)
	spec := pbx.ChannelSpec{
		Tech: "SIP", Resource: c.resource(), Driver: c, Context: dpContext, Exten: exten,
		CallerID: pbx.CallerID{Name: name, Num: num, DNID: exten},
	}
	if from != nil {
		// No music class: chan_sip leaves CHANNEL(musicclass) empty; its
		// mohinterpret only serves the music heard on hold (MOHInterpret).
		spec.AccountCode, spec.Language = from.AccountCode, from.Language
	}
	ch := m.d.Engine.NewChannel(spec)
	ch.SetState(pbx.StateRing)
	if _, _, pres, ok := trustedIdentity(req, from); ok {
		ch.SetCallerPresentation(pres, pres)
	}
	m.applyDiversion(ch, req)
	if from != nil {
		for _, v := range from.SetVars {
			ch.SetVar(v.Name, v.Value)
		}
	}
	c.mu.Lock()
	c.ch = ch
	c.mu.Unlock()
	m.add(c.dialog)
	if c.isEnded() {
		// CANCEL won the race with the channel's creation.
		ch.SoftHangup(pbx.CauseNormalClearing)
	}
	if replaces {
		// INVITE with Replaces: the new call takes the replaced one's
		// place instead of running the dialplan.
		if !m.goTracked(func() { m.replaceWith(ch, replaced) }) {
			ch.Hangup(pbx.CauseNormalClearing)
		}
	} else if pickup {
		// chan_sip's pickupexten: a group pickup instead of the dialplan.
		if !m.goTracked(func() { m.d.Pickup(ch) }) {
			ch.Hangup(pbx.CauseNormalClearing)
		}
	} else {
		m.d.Engine.Go(m.ctx, ch)
	}
	c.waitTransaction()
}

func (m *Manager) newInCall(req *sip.Request, tx sip.ServerTransaction, from *sipconf.Peer) *inCall {
	d := &dialog{
		m: m, callID: req.CallID().Value(), created: time.Now(), peer: from,
		addr: parseAddrPort(req.Source()), transport: req.Transport(),
		localTag: newTag(), localCSeq: 101, remoteCSeq: req.CSeq().SeqNo, lastMsg: "Rx: INVITE",
		uri: req.Recipient.String(), sess: sdp.NewSession(m.sdpOwner(), m.sdpSession()),
		keyWarn: &sync.Once{},
	}
	if from != nil {
		d.peerName = from.Name
	}
	d.mediaIP, _ = d.mediaAddr()
	if h := req.GetHeader("User-Agent"); h != nil {
		d.remoteUA = h.Value()
	}
	f, t := req.From(), req.To()
	d.remoteURI, d.remoteName = *f.Address.Clone(), f.DisplayName
	d.remoteTag, _ = f.Params.Get("tag")
	d.localURI, d.localName = *t.Address.Clone(), t.DisplayName
	d.routes = recordRouteSet(req.GetHeaders("Record-Route"), false)
	d.target = *f.Address.Clone()
	if ct := req.Contact(); ct != nil {
		d.target = *ct.Address.Clone()
	}
	_, d.cidNum = callerID(req, from)
	d.user = d.cidNum
	if from != nil && from.DefaultUser != "" {
		d.user = from.DefaultUser
	}
	c := &inCall{
		dialog: d, invite: req, tx: tx, conn: udpConnection(req, tx),
		final: make(chan struct{}), acked: make(chan struct{}),
	}
	d.direct.inviteAcked = c.acked
	return c
}

// udpConnection is the socket behind the server transaction of a UDP
// request, nil for reliable transports or a transaction that does not
// expose one (tests' fakes).
func udpConnection(req *sip.Request, tx sip.ServerTransaction) sip.Connection {
	if tx == nil || sip.IsReliable(req.Transport()) {
		return nil
	}
	c, ok := tx.(interface{ Connection() sip.Connection })
	if !ok {
		return nil
	}
	return c.Connection()
}

// RetransmittedInvite answers an INVITE that repeats the one of a call we
// already run, as retransmittedInvite does, and reports whether it did.
// The driver asks before it authenticates a new INVITE: the nonce of a
// call's INVITE is used up by the time a retransmission comes, and would
// get the caller a new challenge instead of our answer.
func (m *Manager) RetransmittedInvite(req *sip.Request, tx sip.ServerTransaction) bool {
	if !m.enter() {
		return false
	}
	defer m.wg.Done()
	return m.retransmittedInvite(req, tx)
}

// retransmittedInvite recognises an INVITE of a call we already run (same
// Call-ID, From tag and CSeq) that arrives after its transaction ended
// (see sendFinal): it gets our final response again, as the transaction
// would have given it, instead of starting a second call.
func (m *Manager) retransmittedInvite(req *sip.Request, tx sip.ServerTransaction) bool {
	d := m.dialogOf(req)
	if d == nil {
		return false
	}
	c, ok := d.inbound()
	if !ok {
		return false
	}
	tag := ""
	if f := req.From(); f != nil {
		tag, _ = f.Params.Get("tag")
	}
	cs := req.CSeq()
	if cs == nil || tag != c.remoteTag || cs.SeqNo != c.invite.CSeq().SeqNo {
		return false
	}
	c.mu.Lock()
	res := c.finalRes
	c.mu.Unlock()
	if res != nil {
		_ = respondStateless(req, tx, res)
	}
	return true
}

// respondStateless writes res on the socket of a UDP request after ending
// its server transaction, which sipgo would otherwise keep for Timer J
// (32 s) with its timers and messages; over reliable transports, or
// without a socket, it answers through the transaction.
func respondStateless(req *sip.Request, tx sip.ServerTransaction, res *sip.Response) error {
	conn := udpConnection(req, tx)
	if conn == nil {
		return tx.Respond(res)
	}
	tx.Terminate()
	return conn.WriteMsg(res)
}

// callerID is chan_sip's: the From header's display name and user, replaced
// by the peer's callerid/fullname where set.
func callerID(req *sip.Request, p *sipconf.Peer) (name, num string) {
	if n, u, _, ok := trustedIdentity(req, p); ok {
		// A trusted peer's asserted identity wins over its callerid=.
		return n, u
	}
	if f := req.From(); f != nil {
		name, num = f.DisplayName, UserOf(f.Address)
	}
	if p != nil {
		if p.CallerIDName != "" {
			name = p.CallerIDName
		}
		if p.CallerIDNum != "" {
			num = p.CallerIDNum
		}
	}
	return name, num
}

// resource names the channel: the peer, or the source address of a guest.
func (c *inCall) resource() string {
	if c.peerName != "" {
		return c.peerName
	}
	return c.addr.Addr().String()
}

// negotiateOffer checks the INVITE's SDP against the peer's codecs; a late
// offer takes the peer's codecs as the joint list.
func (c *inCall) negotiateOffer() error {
	body := c.invite.Body()
	prefs := c.m.prefsFor(c.peer)
	if len(body) == 0 {
		var fs []sdp.Format
		for _, n := range prefs.Codecs {
			if cd, ok := sdp.LookupCodec(n); ok {
				fs = append(fs, cd.Format)
			}
		}
		if len(fs) == 0 {
			return sdp.ErrNoCommonCodec
		}
		c.mu.Lock()
		c.codecs = fs
		if prefs.DTMF {
			te := sdp.TelephoneEvent
			c.dtmf = &te
		}
		c.proto = offerProto(c.peer, false)
		c.mu.Unlock()
		c.answerD = sdp.SendRecv
		if prefs.Encryption {
			// We make the offer, in our 200 OK; the key answers in the ACK.
			return c.offerCrypto()
		}
		return nil
	}
	offer, err := sdp.Parse(body)
	if err != nil {
		return err
	}
	written := unforceAVP(offer, c.peer)
	res, err := sdp.Negotiate(offer, prefs)
	if err != nil {
		if prefs.Encryption && offer.Audio != nil && !offer.Audio.Secure() && cryptoError(err) {
			return fmt.Errorf("%w: %w", errPlainOffer, err)
		}
		return err
	}
	c.offer, c.offerRes = offer, res
	c.answerD = res.Direction
	c.mu.Lock()
	c.proto = written
	c.mu.Unlock()
	var theirs []string
	for _, f := range offer.Audio.Formats {
		if cd, ok := lookupByFormat(f); ok {
			theirs = append(theirs, cd)
		}
	}
	c.mu.Lock()
	c.theirCaps = theirs
	c.codecs = res.Codecs
	c.dtmf = res.DTMF
	c.mu.Unlock()
	return nil
}

func lookupByFormat(f sdp.Format) (string, bool) {
	for _, n := range []string{"ulaw", "alaw", "gsm", "g722", "g729"} {
		if cd, ok := sdp.LookupCodec(n); ok && strings.EqualFold(cd.Format.Encoding, f.Encoding) && cd.Format.ClockRate == f.ClockRate {
			return n, true
		}
	}
	return "", false
}

// response builds a response to the INVITE with our tag, Contact and, when
// body is set, SDP.
func (c *inCall) response(code int, reason string, body []byte) *sip.Response {
	res := sip.NewResponseFromRequest(c.invite, code, reason, nil)
	if to := res.To(); to != nil && code != 100 {
		to.Params.Add("tag", c.localTag)
	}
	res.AppendHeader(sip.NewHeader("Server", c.m.userAgent()))
	res.AppendHeader(sip.NewHeader("Allow", c.m.allow()))
	res.AppendHeader(sip.NewHeader("Supported", c.m.supportedValue(c.peer)))
	if code >= 200 && code < 300 {
		c.addSessionHeaders(res)
	}
	if code < 300 {
		ct := c.contactURI(c.localURI.User)
		res.AppendHeader(&sip.ContactHeader{Address: ct})
	}
	if body != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		res.SetBody(body)
	}
	return res
}

// sendFinal sends a final response once; later calls do nothing.
func (c *inCall) sendFinal(res *sip.Response) bool {
	c.mu.Lock()
	if c.finalRes != nil {
		c.mu.Unlock()
		return false
	}
	c.finalRes = res
	if res.IsSuccess() {
		c.answered = true
	}
	c.mu.Unlock()
	if err := c.sendResponse(res); err != nil {
		c.m.log.Warning("Unable to send %d %s on %s: %v\n", res.StatusCode, res.Reason, c.callID, err)
	}
	c.finalOnce.Do(func() { close(c.final) })
	return true
}

// sendResponse sends a final response. A 2xx over UDP goes out without the
// INVITE transaction, which is ended first: we retransmit the 2xx
// ourselves until the ACK (waitTransaction), and sipgo would keep the
// transaction in its Accepted state for 32 s after that, thousands of them
// under load. Retransmissions of the INVITE are then recognised by
// retransmittedInvite. A failure stays with the transaction, which
// retransmits it until the ACK.
func (c *inCall) sendResponse(res *sip.Response) error {
	if c.conn == nil || !res.IsSuccess() {
		return c.tx.Respond(res)
	}
	c.tx.Terminate()
	return c.conn.WriteMsg(res)
}

// reject ends a call before it has a channel and keeps the dialog listed
// for the linger time, as chan_sip does.
func (c *inCall) reject(code int, reason string) {
	c.rejectWith(c.response(code, reason, nil))
}

// rejectWith ends the call with a final response already built.
func (c *inCall) rejectWith(res *sip.Response) {
	c.sendFinal(res)
	c.markEnded()
	c.release()
	c.m.add(c.dialog)
	c.m.forget(c.dialog, true)
}

// cancelled runs when the INVITE transaction got a CANCEL; sipgo has
// answered it with 200 and the INVITE with 487.
func (c *inCall) cancelled() {
	c.setLast("Rx: CANCEL")
	c.mu.Lock()
	if c.finalRes == nil {
		c.finalRes = c.response(487, "Request Terminated", nil)
	}
	ch := c.ch
	c.mu.Unlock()
	c.finalOnce.Do(func() { close(c.final) })
	if c.markEnded() && ch != nil {
		ch.SoftHangup(pbx.CauseNormalClearing)
	}
}

// waitTransaction keeps the INVITE transaction until it is over: a non-2xx
// is retransmitted by sipgo, a 2xx by us until the ACK (RFC 3261 13.3.1.4).
func (c *inCall) waitTransaction() {
	m := c.m
	select {
	case <-c.final:
	case <-m.ctx.Done():
		return
	}
	c.mu.Lock()
	res := c.finalRes
	c.mu.Unlock()
	if res == nil || !res.IsSuccess() {
		return
	}
	interval := m.d.T1
	retrans := time.NewTimer(interval)
	defer retrans.Stop()
	giveUp := time.NewTimer(64 * m.d.T1)
	defer giveUp.Stop()
	for {
		select {
		case <-c.acked:
			return
		case ack := <-c.tx.Acks():
			c.gotAck(ack)
			return
		case <-retrans.C:
			if c.isEnded() {
				return
			}
			_ = c.sendResponse(res)
			interval = min(2*interval, t2)
			retrans.Reset(interval)
		case <-giveUp.C:
			m.log.Warning("Retransmission timeout reached on transmission %s for seqno %d (Critical Response) -- See https://wiki.asterisk.org/wiki/display/AST/SIP+Retransmissions\n",
				c.callID, c.invite.CSeq().SeqNo)
			m.log.Warning("Hanging up call %s - no reply to our critical packet (see https://wiki.asterisk.org/wiki/display/AST/SIP+Retransmissions).\n", c.callID)
			c.mu.Lock()
			c.ackFailed = true
			ch := c.ch
			c.mu.Unlock()
			if ch != nil {
				ch.SoftHangup(pbx.CauseNoUserResponse)
			}
			return
		case <-m.ctx.Done():
			return
		}
	}
}

// gotAck completes our 2xx; an ACK may carry the answer to a late offer.
func (c *inCall) gotAck(ack *sip.Request) {
	c.setLast("Rx: ACK")
	if ack != nil && len(ack.Body()) > 0 && c.offer == nil {
		c.lateAnswer(ack.Body())
	}
	c.ackOnce.Do(func() { close(c.acked) })
}

// lateAnswer applies the SDP answer an ACK carries to our offer in the 200
// OK. An encryption=yes peer that answers without a key is hung up, as
// chan_sip does when its SRTP offer is refused.
func (c *inCall) lateAnswer(body []byte) {
	m := c.m
	desc, err := sdp.Parse(body)
	if err != nil {
		m.log.Warning("Call %s: unusable SDP in ACK: %v\n", c.callID, err)
		return
	}
	unforceAVP(desc, c.peer)
	prefs := m.prefsFor(c.peer)
	res, err := sdp.Negotiate(desc, prefs)
	if err != nil {
		if cryptoError(err) {
			m.log.Warning("We are requesting SRTP for audio, but they responded without it!\n")
		} else {
			m.log.Warning("Call %s: unusable SDP in ACK: %v\n", c.callID, err)
		}
		if ch := c.channel(); ch != nil {
			ch.SoftHangup(pbx.CauseBearerCapabilityNotAvail)
		}
		return
	}
	c.applyMedia(res, desc.Audio)
	if res.Crypto != nil {
		c.mu.Lock()
		local := c.localCrypto
		c.mu.Unlock()
		if local == nil {
			err = c.answerCrypto(res.Crypto)
		} else {
			err = c.keyLeg(local, res.Crypto)
		}
		if err != nil {
			m.log.Warning("Call %s: %v\n", c.callID, err)
		}
	}
}

// errPlainOffer marks a plain RTP offer from an encryption=yes peer.
var errPlainOffer = errors.New("call: plain RTP offer from a peer that requires SRTP")

// --- pbx.Driver ---

var errInboundCall = errors.New("call: an inbound SIP channel cannot place a call")

// Call is not used on an inbound channel.
func (c *inCall) Call(context.Context, string, time.Duration) error { return errInboundCall }

// answeredOut returns the outbound leg of this call that answered, if any.
func (c *inCall) answeredOut() *outCall {
	c.mu.Lock()
	outs := append([]*outCall(nil), c.outs...)
	c.mu.Unlock()
	for i := len(outs) - 1; i >= 0; i-- {
		if outs[i].isAnswered() {
			return outs[i]
		}
	}
	return nil
}

// earlyOut returns the outbound leg whose early media is relayed to this
// call, if any.
func (c *inCall) earlyOut() *outCall {
	peer := c.peerLeg()
	if peer == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.outs {
		if o.dialog == peer {
			return o
		}
	}
	return nil
}

// Answer sends 200 OK with our SDP answer. When Dial bridges an answered
// SIP leg, the answer carries that leg's codec only, since media is
// relayed without transcoding.
func (c *inCall) Answer() error {
	c.mu.Lock()
	if c.finalRes != nil {
		ok := c.finalRes.IsSuccess()
		c.mu.Unlock()
		if ok {
			return nil
		}
		return wrap("answer", errors.New("call already ended"))
	}
	c.mu.Unlock()
	prefer := ""
	o := c.answeredOut()
	if o != nil {
		prefer = o.formatName()
	}
	formats := c.answerFormats(prefer)
	body, direct := c.directAnswer(o, formats, c.answerD) // directrtpsetup
	if !direct {
		var err error
		if body, err = c.buildSDP(formats, c.answerD); err != nil {
			return wrap("answer", err)
		}
	}
	if !c.sendFinal(c.response(200, "OK", body)) {
		return wrap("answer", errors.New("call already ended"))
	}
	// RFC 4028: the session timer counts from the 2xx.
	c.startSessionTimer()
	return nil
}

// Indicate signals call progress to the caller.
func (c *inCall) Indicate(ind pbx.Indication) error {
	c.mu.Lock()
	final := c.finalRes != nil
	c.mu.Unlock()
	if final {
		return nil
	}
	switch ind {
	case pbx.IndRinging:
		c.mu.Lock()
		again := c.ringing
		c.ringing = true
		c.mu.Unlock()
		if !again {
			return wrap("180", c.tx.Respond(c.response(180, "Ringing", nil)))
		}
	case pbx.IndProgress:
		c.mu.Lock()
		again := c.progress
		c.progress = true
		c.mu.Unlock()
		if !again {
			prefer := ""
			if o := c.earlyOut(); o != nil {
				prefer = o.formatName()
			}
			body, err := c.buildSDP(c.answerFormats(prefer), c.answerD)
			if err != nil {
				return wrap("183", err)
			}
			return wrap("183", c.tx.Respond(c.response(183, "Session Progress", body)))
		}
	case pbx.IndBusy:
		c.sendFinal(c.response(486, "Busy Here", nil))
		c.farEndDone(pbx.CauseUserBusy)
	case pbx.IndCongestion:
		c.sendFinal(c.response(503, "Service Unavailable", nil))
		c.farEndDone(pbx.CauseCongestion)
	}
	return nil
}

// farEndDone ends signalling after a final failure we sent, and asks the
// channel's owner to hang up, as chan_sip soft-hangs-up after 486/503.
func (c *inCall) farEndDone(cause int) {
	c.markEnded()
	if ch := c.channel(); ch != nil {
		ch.SoftHangup(cause)
	}
}

// Hangup ends our side: the mapped final response before an answer, BYE
// after it. It writes the call's CDR and frees the media.
func (c *inCall) Hangup(cause int) error {
	c.mu.Lock()
	if c.hungup {
		c.mu.Unlock()
		return nil
	}
	c.hungup = true
	final := c.finalRes != nil
	c.mu.Unlock()
	switch {
	case !final:
		code, reason, ok := pbx.SIPFromCause(cause)
		if !ok {
			code, reason = 603, "Declined"
		}
		c.sendFinal(c.response(code, reason, nil))
		c.markEnded()
		c.m.forget(c.dialog, true)
	case c.markEnded():
		c.sendBye(cause)
	default:
		c.m.forget(c.dialog, true)
	}
	c.writeCDR()
	c.release()
	return nil
}

// BridgeMedia relays this leg's RTP with another SIP leg's.
func (c *inCall) BridgeMedia(other *pbx.Channel) (func(), error) {
	return c.dialog.bridgeWith(other)
}

// writeCDR emits the call's record once, from the inbound leg.
func (c *inCall) writeCDR() {
	c.mu.Lock()
	if c.cdrDone || c.ch == nil || c.m.d.CDR == nil {
		c.mu.Unlock()
		return
	}
	c.cdrDone = true
	ch := c.ch
	var dst string
	if n := len(c.outs); n > 0 {
		dst = c.outs[n-1].chName()
	}
	c.mu.Unlock()
	c.m.emitCDR(ch, dst)
}

// emitCDR writes the records of a channel that owns its call's CDR: an
// inbound leg, or an outbound one nobody dialed (Originate). dst is the
// last channel it called, if any; its bridged peer and DIALEDPEERNAME
// take precedence.
func (m *Manager) emitCDR(ch *pbx.Channel, dst string) {
	x := ch.CDR()
	cid := ch.CallerID()
	if p := ch.Peer(); p != nil {
		dst = p.Name()
	}
	if v, ok := ch.Var("DIALEDPEERNAME"); ok && v != "" {
		dst = v
	}
	src := x.Src
	if cid.Num != "" {
		src = cid.Num
	}
	// NoCDR: nothing for this channel. ForkCDR's earlier records come
	// first, as Asterisk's CDR chain is written in order.
	if x.Disabled {
		return
	}
	for _, r := range append(append([]pbx.CDR(nil), x.Forks...), x) {
		end := r.End
		if end.IsZero() {
			end = time.Now()
		}
		ama := r.AMAFlags
		if ama == "" {
			ama = "DOCUMENTATION"
		}
		m.d.CDR(&cdr.Record{
			AccountCode: ch.AccountCode(),
			Src:         src,
			Dst:         r.Dst,
			DContext:    r.DContext,
			CLID:        clid(cid),
			Channel:     ch.Name(),
			DstChannel:  dstOf(r, dst),
			LastApp:     r.LastApp,
			LastData:    r.LastData,
			Start:       r.Start,
			Answer:      r.Answer,
			End:         end,
			Disposition: cdr.Disposition(r.Disposition),
			AMAFlags:    ama,
			UniqueID:    ch.UniqueID(),
			UserField:   r.UserField,
		})
	}
}

// clid renders a caller ID the way Asterisk merges it: "name" <num>.
func clid(id pbx.CallerID) string {
	switch {
	case id.Name != "" && id.Num != "":
		return `"` + id.Name + `" <` + id.Num + `>`
	case id.Name != "":
		return `"` + id.Name + `"`
	}
	return id.Num
}

// SIPHeader answers SIP_HEADER(name[,n]) (pkg/funcs.SIPHeaderReader): the
// n-th header called name (1-based, case-insensitive) of the INVITE that
// opened the call, as chan_sip reads its initial request.
func (c *inCall) SIPHeader(name string, n int) (string, bool) {
	if c.invite == nil || n < 1 {
		return "", false
	}
	hs := c.invite.GetHeaders(name)
	if n > len(hs) {
		return "", false
	}
	return hs[n-1].Value(), true
}

// dstOf is a record's dstchannel: the one a transfer recorded, else the
// channel's party now.
func dstOf(r pbx.CDR, dst string) string {
	if r.DstChannel != "" {
		return r.DstChannel
	}
	return dst
}

// SIPHeaderNames lists the header names of the INVITE that opened the
// call in their order (pkg/funcs.SIPHeaderLister, SIP_HEADERS), as the
// parser names them: known headers in their full form.
func (c *inCall) SIPHeaderNames() []string {
	if c.invite == nil {
		return nil
	}
	hs := c.invite.Headers()
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, h.Name())
	}
	return out
}
