package call

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/rtp"
	"github.com/gostrisk/gostrisk/pkg/sdp"
)

// dialog is what both legs share: identity, media and the state `sip show
// channels` prints.
type dialog struct {
	m         *Manager
	callID    string
	outbound  bool
	created   time.Time
	peer      *sipconf.Peer // nil for a guest
	peerName  string        // "" for a guest
	user      string        // User/ANR column
	addr      netip.AddrPort
	transport string

	// route is our address towards addr as routing picks it (looked up
	// once, when a wildcard bind needs it); mediaIP is the address our
	// last SDP carried, for `sip show channel`.
	route   netip.Addr
	mediaIP netip.Addr

	mu sync.Mutex
	// dtmfSet is the mode SIPDtmfMode chose for this dialog, which
	// replaces the peer's dtmfmode when dtmfSetOK.
	dtmfSet   sipconf.DTMFMode
	dtmfSetOK bool
	ch        *pbx.Channel
	leg       *rtp.Leg
	link      *mediaLink // relay to the other leg (early media or bridged)
	stream    *sipStream // the core terminates the leg's media (chanmedia.go)
	qos       qosTotals  // the closed sessions' figures, for CHANNEL(rtpqos) (rtpqos.go)
	sess      *sdp.Session
	lastMsg   string
	codecs    []sdp.Format // negotiated; codecs[0] is the one in use
	dtmf      *sdp.Format
	theirCaps []string
	onHold    bool          // the far end holds us (sendonly, inactive, c=0.0.0.0)
	theirDir  sdp.Direction // direction of the far end's last SDP
	ended     bool          // signalling over (BYE, CANCEL, final failure)
	released  bool          // media and call-limit slot given back
	slot      bool
	remoteUA  string
	uri       string
	cidNum    string

	// media security: our key (sent in our a=crypto), the far end's, the
	// m= profile of our bodies ("" = from the key) and ICE credentials.
	localCrypto, remoteCrypto *sdp.Crypto
	proto                     string
	iceUfrag, icePwd          string
	keyWarn                   *sync.Once // shared by the legs of one call

	// in-dialog request state
	localURI, remoteURI   sip.Uri
	localName, remoteName string
	localTag, remoteTag   string
	localCSeq             uint32
	remoteCSeq            uint32   // highest CSeq of the far end's requests, 0 before any (cseq.go)
	target                sip.Uri  // the far end's Contact
	routes                []string // route set from Record-Route (route.go)

	st      sessionTimer // RFC 4028 (timers.go)
	direct  directState  // directmedia re-INVITEs (direct.go)
	xfer    *referState  // a REFER accepted on this dialog (refer.go)
	xferOut *referOut    // a REFER we sent, until its final NOTIFY (xfer_out.go)
}

func (d *dialog) setLast(s string) {
	d.mu.Lock()
	d.lastMsg = s
	d.mu.Unlock()
}

func (d *dialog) channel() *pbx.Channel {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ch
}

func (d *dialog) isEnded() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ended
}

// markEnded records the end of signalling; it reports whether this call
// did it.
func (d *dialog) markEnded() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ended {
		return false
	}
	d.ended = true
	return true
}

// formatName is the codec in use as sip.conf names it, "" when none.
func (d *dialog) formatName() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.released || len(d.codecs) == 0 {
		return ""
	}
	return codecName(d.codecs[0])
}

func codecName(f sdp.Format) string {
	for _, n := range []string{"ulaw", "alaw", "gsm", "g722", "g729"} {
		if c, ok := sdp.LookupCodec(n); ok && strings.EqualFold(c.Format.Encoding, f.Encoding) && c.Format.ClockRate == f.ClockRate {
			return n
		}
	}
	return strings.ToLower(f.Encoding)
}

// release closes the media and frees the call-limit slot, once.
func (d *dialog) release() {
	d.mu.Lock()
	if d.released {
		d.mu.Unlock()
		return
	}
	d.released = true
	k, leg, slot, st := d.link, d.leg, d.slot, d.stream
	d.slot = false
	d.mu.Unlock()
	d.stopSessionTimer()
	if k != nil {
		k.close()
	}
	if st != nil {
		_ = st.Close()
	}
	if leg != nil {
		_ = leg.Close()
	}
	if slot {
		d.m.freeSlot(d.peer)
	}
}

// newLeg opens the RTP port pair of a leg with the rtp.conf settings;
// symmetric makes it send to wherever the peer's RTP comes from.
func (m *Manager) newLeg(symmetric bool) (*rtp.Leg, error) {
	if m.d.RTP == nil {
		return nil, fmt.Errorf("call: no RTP allocator")
	}
	opts := rtp.LegOptions{
		Strict:    m.d.RTPConfig.Strict,
		Probation: m.d.RTPConfig.Probation,
		Comedia:   symmetric,
		// rtcpinterval = 0 turns RTCP off, as in res_rtp_asterisk.
		RTCPInterval: m.d.RTPConfig.RTCPInterval,
		OnLearning: func(remote netip.AddrPort) {
			m.log.Verbose(4, "%s\n", rtp.LearningMessage(remote))
		},
	}
	return rtp.NewLeg(m.d.RTP, m.d.MediaIP, opts)
}

// applyMedia points the leg at the far end's media and records the
// negotiated formats; theirs is the far end's stream (its direction tells
// whether it holds us).
func (d *dialog) applyMedia(res *sdp.Result, theirs *sdp.Media) {
	d.mu.Lock()
	d.codecs = append([]sdp.Format(nil), res.Codecs...)
	d.dtmf = res.DTMF
	if theirs != nil {
		d.onHold = theirs.OnHold()
		d.theirDir = theirs.Direction
		if theirs.Addr.IsValid() && theirs.Addr.IsUnspecified() && theirs.Direction == sdp.SendRecv {
			d.theirDir = sdp.SendOnly
		}
	}
	leg := d.leg
	d.mu.Unlock()
	if leg == nil {
		return
	}
	var pts []rtp.PayloadType
	for _, f := range res.Formats() {
		pts = append(pts, rtp.PayloadType{Encoding: f.Name(), PT: f.PT})
	}
	leg.SetPayloadTypes(pts)
	if res.Remote.IsValid() {
		leg.SetRemote(res.Remote)
	}
}

// buildSDP renders our side's next SDP body with the given formats: the
// external address for a far end outside the local networks, our SRTP key
// and ICE candidates when the leg uses them.
func (d *dialog) buildSDP(formats []sdp.Format, dir sdp.Direction) ([]byte, error) {
	d.mu.Lock()
	leg, sess, key, proto := d.leg, d.sess, d.localCrypto, d.proto
	d.mu.Unlock()
	if leg == nil || sess == nil {
		return nil, fmt.Errorf("call: %s has no media", d.callID)
	}
	adv, local := d.mediaAddr()
	d.mu.Lock()
	d.mediaIP = adv
	d.mu.Unlock()
	st := sdp.Stream{
		Addr:      adv,
		Port:      leg.Port(),
		Formats:   formats,
		Direction: dir,
		Crypto:    key,
		Proto:     proto,
	}
	if d.m.iceWanted(d.peer) {
		st.ICE = d.iceFor(local, leg.Port())
	}
	if key != nil {
		d.warnClearKeys()
	}
	return sess.Build(st)
}

// currentFormats is what the leg uses now, for a re-INVITE we send.
func (d *dialog) currentFormats() []sdp.Format {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := append([]sdp.Format(nil), d.codecs...)
	if d.dtmf != nil {
		out = append(out, *d.dtmf)
	}
	return out
}

// answerFormats is what we answer with: the negotiated codecs, the one
// the other leg uses first, then telephone-event.
func (d *dialog) answerFormats(prefer string) []sdp.Format {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []sdp.Format
	for _, f := range d.codecs {
		if prefer != "" && codecName(f) == prefer {
			out = append([]sdp.Format{f}, out...)
			continue
		}
		if prefer == "" {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		out = append(out, d.codecs...)
	}
	if prefer != "" && len(out) > 0 {
		// Relay without transcoding: keep the answer to the codec the
		// other leg settled on.
		out = out[:1]
		d.codecs = append([]sdp.Format(nil), out...)
	}
	if d.dtmf != nil {
		out = append(out, *d.dtmf)
	}
	return out
}

// prefsFor is the negotiation preference of a peer (a guest gets
// [general]'s).
func (m *Manager) prefsFor(p *sipconf.Peer) sdp.Prefs {
	var codecs []string
	dtmf := true
	enc := false
	if p != nil {
		codecs = p.Codecs
		dtmf = p.DTMFMode == sipconf.DTMFRFC2833 || p.DTMFMode == sipconf.DTMFAuto
		enc = p.Encryption
	} else if g := m.d.General(); g != nil {
		codecs = g.Codecs
		dtmf = g.DTMFMode == sipconf.DTMFRFC2833 || g.DTMFMode == sipconf.DTMFAuto
	} else {
		codecs = sipconf.DefaultCodecs
	}
	var known []string
	for _, c := range codecs {
		if _, ok := sdp.LookupCodec(c); ok {
			known = append(known, c)
		}
	}
	return sdp.Prefs{Codecs: known, DTMF: dtmf, Encryption: enc}
}

// newRequest builds an in-dialog request to the far end.
func (d *dialog) newRequest(method sip.RequestMethod) *sip.Request {
	via := d.wildcardVia()
	d.mu.Lock()
	defer d.mu.Unlock()
	req := sip.NewRequest(method, *d.target.Clone())
	if via != nil {
		req.AppendHeader(via)
	}
	from := &sip.FromHeader{DisplayName: d.localName, Address: *d.localURI.Clone()}
	from.Params.Add("tag", d.localTag)
	to := &sip.ToHeader{DisplayName: d.remoteName, Address: *d.remoteURI.Clone()}
	if d.remoteTag != "" {
		to.Params.Add("tag", d.remoteTag)
	}
	callID := sip.CallIDHeader(d.callID)
	d.localCSeq++
	cseq := &sip.CSeqHeader{SeqNo: d.localCSeq, MethodName: method}
	maxfwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(cseq)
	req.AppendHeader(&maxfwd)
	req.AppendHeader(sip.NewHeader("User-Agent", d.m.userAgent()))
	req.SetBody(nil)
	req.SetTransport(d.transport)
	if d.addr.IsValid() {
		req.SetDestination(d.addr.String())
	}
	d.routeRequest(req)
	return req
}

// wildcardVia is the Via of a request we send in the dialog when SIP is
// bound to a wildcard address, nil otherwise (the client's own Via, which
// names the bound address, is right then). sipgo would write the
// wildcard itself; the far end gets the address routing picks towards it.
func (d *dialog) wildcardVia() *sip.ViaHeader {
	local := d.m.d.Local
	if !local.Addr().IsUnspecified() {
		return nil
	}
	via := &sip.ViaHeader{
		ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: strings.ToUpper(d.transport),
		Host: d.sourceIP(local.Addr()).String(), Port: int(local.Port()), Params: sip.NewParams(),
	}
	if via.Transport == "" {
		via.Transport = "UDP"
	}
	via.Params.Add("branch", sip.GenerateBranchN(16))
	return via
}

// sendBye ends a confirmed dialog from our side. The transaction runs on
// a Manager goroutine; a dialog ended by an answered BYE is dropped from
// the list at once, as chan_sip destroys it.
func (d *dialog) sendBye(cause int) {
	if d.deferredBye(cause) {
		return
	}
	d.sendByeNow(cause)
}

// sendByeNow sends the BYE without waiting for the far end's own.
func (d *dialog) sendByeNow(cause int) {
	req := d.newRequest(sip.BYE)
	if cause != 0 && pbx.CauseName(cause) != "" {
		req.AppendHeader(sip.NewHeader("X-Asterisk-HangupCause", pbx.CauseText(cause)))
		req.AppendHeader(sip.NewHeader("X-Asterisk-HangupCauseCode", strconv.Itoa(cause)))
	}
	d.setLast("Tx: BYE")
	m := d.m
	ok := m.goTracked(func() {
		ctx, cancel := context.WithTimeout(m.ctx, 64*m.d.T1)
		defer cancel()
		answered := false
		tx, err := m.d.Client.TransactionRequest(ctx, req)
		if err != nil {
			m.log.Warning("Unable to send BYE on %s: %v\n", d.callID, err)
		} else {
			defer tx.Terminate()
		wait:
			for {
				select {
				case res := <-tx.Responses():
					if res.IsProvisional() {
						continue
					}
					answered = true
					break wait
				case <-tx.Done():
					break wait
				case <-ctx.Done():
					break wait
				}
			}
		}
		m.forget(d, !answered)
	})
	if !ok {
		m.forget(d, false)
	}
}

// respond answers an in-dialog request.
func (m *Manager) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string) {
	if tx == nil {
		return
	}
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	res.AppendHeader(sip.NewHeader("Server", m.userAgent()))
	send := tx.Respond
	if req.Method != sip.INVITE {
		// A BYE's or INFO's transaction would be kept 32 s for Timer J; a
		// retransmission of the request is answered again instead, the
		// same way while the dialog is listed.
		send = func(res *sip.Response) error { return respondStateless(req, tx, res) }
	}
	if err := send(res); err != nil {
		m.log.Warning("Unable to send %d %s for %s: %v\n", code, reason, req.Method, err)
	}
}

// legOf returns the dialog behind a SIP channel.
func legOf(ch *pbx.Channel) (*dialog, bool) {
	switch x := ch.Driver().(type) {
	case *inCall:
		return x.dialog, true
	case *outCall:
		return x.dialog, true
	}
	return nil, false
}

// bridgeWith relays RTP between this leg and another SIP leg until the
// returned function is called. A relay set up for early media between the
// same legs is taken over.
func (d *dialog) bridgeWith(other *pbx.Channel) (func(), error) {
	od, ok := legOf(other)
	if !ok {
		return nil, fmt.Errorf("call: cannot relay media to %s: not a SIP channel", other.Name())
	}
	k, err := d.m.link(d, od)
	if err != nil {
		return nil, err
	}
	d.m.startDirect(d, od, k)
	return k.close, nil
}
