package call

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/sdp"
)

// technology is the "SIP" channel type the engine dials through.
type technology struct{ m *Manager }

// Technology returns the SIP channel technology to register with the
// engine.
func (m *Manager) Technology() pbx.Technology { return technology{m} }

func (technology) Type() string        { return "SIP" }
func (technology) Description() string { return "Session Initiation Protocol (SIP)" }

// Features are chan_sip's columns in `core show channeltypes`.
func (technology) Features() pbx.TechFeatures {
	return pbx.TechFeatures{DeviceState: true, PresenceState: true, Indications: true, Transfer: true}
}

func (t technology) Request(ctx context.Context, data string, requestor *pbx.Channel) (*pbx.Channel, error) {
	return t.m.request(ctx, data, requestor)
}

// outCall is a leg we placed; it is the pbx.Driver of the outbound channel.
type outCall struct {
	*dialog
	invite   *sip.Request
	number   string
	offer    []sdp.Format
	callerIn *inCall // the SIP leg that dialed, when there is one

	cancelOnce sync.Once
	cancelCh   chan struct{} // closed when the core hangs up before the answer

	// under dialog.mu
	answeredF bool
	hungup    bool
	started   bool
	inviteTx  sip.ClientTransaction
	// forksEnded are the To tags of forked 2xx answers hung up (fork.go).
	forksEnded map[string]bool
}

func (o *outCall) isAnswered() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.answeredF
}

func (o *outCall) chName() string {
	if ch := o.channel(); ch != nil {
		return ch.Name()
	}
	return ""
}

// destination is where a dial string leads.
type destination struct {
	peer      *sipconf.Peer
	name      string // channel resource: peer name or host
	uri       sip.Uri
	addr      string // host:port requests are sent to
	number    string
	transport string   // "UDP", "TCP", "TLS"
	routes    []string // the registration's Path: the INVITE's route set
}

// resolve turns "peer", "peer/number" or "number@host[:port]" into a
// destination; the error carries the cause Dial reports.
func (m *Manager) resolve(data string) (*destination, error) {
	unavailable := func(format string, args ...any) error {
		return &pbx.RequestError{Cause: pbx.CauseUnregister, Err: fmt.Errorf(format, args...)}
	}
	if user, host, ok := strings.Cut(data, "@"); ok {
		hostOnly, port := splitHostPort(host)
		if p := m.peerByHost(hostOnly); p != nil {
			return m.peerDestination(p, user)
		}
		if hostOnly == "" {
			return nil, unavailable("empty host in %q", data)
		}
		if port == 0 {
			port = 5060
		}
		return &destination{
			name:   hostOnly,
			uri:    sip.Uri{Scheme: "sip", User: user, Host: hostOnly, Port: portIfNot5060(port)},
			addr:   net.JoinHostPort(hostOnly, strconv.Itoa(port)),
			number: user,
		}, nil
	}
	name, number, _ := strings.Cut(data, "/")
	p := m.d.Peer(name)
	if p == nil || !p.IsPeer() {
		hostOnly, port := splitHostPort(name)
		if a, err := netip.ParseAddr(hostOnly); err == nil {
			if port == 0 {
				port = 5060
			}
			return &destination{
				name:   hostOnly,
				uri:    sip.Uri{Scheme: "sip", User: number, Host: a.String(), Port: portIfNot5060(port)},
				addr:   netip.AddrPortFrom(a, uint16(port)).String(),
				number: number,
			}, nil
		}
		return nil, unavailable("no SIP peer named %q", name)
	}
	return m.peerDestination(p, number)
}

func (m *Manager) peerDestination(p *sipconf.Peer, number string) (*destination, error) {
	user := number
	if user == "" {
		user = p.DefaultUser
	}
	if p.Dynamic {
		if m.d.Contact == nil {
			return nil, &pbx.RequestError{Cause: pbx.CauseUnregister, Err: fmt.Errorf("peer %s is not registered", p.Name)}
		}
		contact, addr, ok := m.d.Contact(p.Name)
		if !ok {
			return nil, &pbx.RequestError{Cause: pbx.CauseUnregister, Err: fmt.Errorf("peer %s is not registered", p.Name)}
		}
		var u sip.Uri
		if err := sip.ParseUri(contact, &u); err != nil {
			u = sip.Uri{Scheme: "sip", Host: addr.Addr().String(), Port: int(addr.Port())}
		}
		if number != "" {
			u.User = number
		}
		if proxy, ok := m.outboundProxy(p); ok {
			addr = proxy
		}
		dst := &destination{peer: p, name: p.Name, uri: u, addr: addr.String(), number: user, transport: transportOf(p, &u)}
		if m.d.Path != nil {
			dst.routes = m.d.Path(p.Name)
			if hop := firstHop(dst.routes); hop != "" {
				dst.addr = hop
			}
		}
		return dst, nil
	}
	host := p.Host
	port := p.Port
	if port == 0 {
		port = 5060
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	if p.Addr.IsValid() {
		addr = p.Addr.String()
	}
	if proxy, ok := m.outboundProxy(p); ok {
		addr = proxy.String()
	}
	return &destination{
		peer: p, name: p.Name, number: user, addr: addr, transport: transportOf(p, nil),
		uri: sip.Uri{Scheme: "sip", User: user, Host: host, Port: portIfNot5060(port)},
	}, nil
}

func (m *Manager) peerByHost(host string) *sipconf.Peer {
	if m.d.Peers == nil || host == "" {
		return nil
	}
	for _, p := range m.d.Peers() {
		if !p.IsPeer() {
			continue
		}
		if strings.EqualFold(p.Host, host) || strings.EqualFold(p.FromDomain, host) {
			return p
		}
	}
	return nil
}

func splitHostPort(s string) (string, int) {
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, _ := strconv.Atoi(p)
		return h, n
	}
	return s, 0
}

func portIfNot5060(p int) int {
	if p == 5060 {
		return 0
	}
	return p
}

// request creates the outbound channel for a dial string.
func (m *Manager) request(ctx context.Context, data string, requestor *pbx.Channel) (*pbx.Channel, error) {
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return nil, &pbx.RequestError{Cause: pbx.CauseRequestedChanUnavail, Err: errClosed}
	}
	dst, err := m.resolve(data)
	if err != nil {
		return nil, err
	}
	var caller *inCall
	if requestor != nil {
		caller, _ = requestor.Driver().(*inCall)
	}
	offer, err := m.offerFor(dst.peer, caller)
	if err != nil {
		return nil, &pbx.RequestError{Cause: pbx.CauseBearerCapabilityNotAvail, Err: err}
	}
	leg, err := m.newLeg(comedia(dst.peer, m.d.General(), nil))
	if err != nil {
		m.noPorts("a call to "+dst.name, err)
		// chan_sip's cause when it cannot set up the dialog's RTP.
		return nil, &pbx.RequestError{Cause: pbx.CauseUnregister, Err: err}
	}
	if dst.transport == "" {
		dst.transport = "UDP"
	}
	d := &dialog{
		m: m, outbound: true, created: time.Now(), peer: dst.peer,
		addr: parseAddrPort(dst.addr), transport: dst.transport, leg: leg,
		localTag: newTag(), localCSeq: 101, lastMsg: "Init: INVITE",
		uri: dst.uri.String(), target: dst.uri, routes: dst.routes,
		proto: offerProto(dst.peer, false), keyWarn: &sync.Once{},
	}
	if caller != nil {
		d.keyWarn = caller.keyWarn
	}
	d.direct.symmetric = comedia(dst.peer, m.d.General(), nil)
	d.watchRTCP(leg) // rtcpevents.go
	d.mediaIP, _ = d.mediaAddr()
	if dst.peer != nil {
		d.peerName = dst.peer.Name
		d.user = dst.peer.DefaultUser
		if dst.peer.Encryption {
			if err := d.offerCrypto(); err != nil {
				_ = leg.Close()
				return nil, &pbx.RequestError{Cause: pbx.CauseFailure, Err: err}
			}
		}
	}
	if pbx.EarlyBridgeAllowed(ctx) {
		offer = m.directSetup(caller, d, offer) // directrtpsetup (directsetup.go)
	}
	o := &outCall{dialog: d, number: dst.number, offer: offer, callerIn: caller, cancelCh: make(chan struct{})}
	spec := pbx.ChannelSpec{Tech: "SIP", Resource: dst.name, Driver: o, Requestor: requestor}
	if p := dst.peer; p != nil {
		spec.CallerID = pbx.CallerID{Name: p.CallerIDName, Num: p.CallerIDNum}
		// No music class, as in chan_sip (see HandleInvite).
		spec.AccountCode, spec.Language = p.AccountCode, p.Language
	}
	ch := m.d.Engine.NewChannel(spec)
	d.ch = ch
	if caller != nil {
		caller.mu.Lock()
		caller.outs = append(caller.outs, o)
		caller.mu.Unlock()
	}
	return ch, nil
}

// offerFor lists the codecs to offer the called peer: its own allowed
// codecs, as chan_sip offers, with those the calling SIP leg negotiated
// first (in the caller's order) so that the call can be relayed without
// translation when the callee takes one of them. A codec the caller does
// not have is offered only when the core can translate it to the caller's
// (the bridge then converts); without a SIP caller, the peer's list.
func (m *Manager) offerFor(p *sipconf.Peer, caller *inCall) ([]sdp.Format, error) {
	prefs := m.prefsFor(p)
	var out []sdp.Format
	if caller != nil {
		caller.mu.Lock()
		have := append([]sdp.Format(nil), caller.codecs...)
		caller.mu.Unlock()
		seen := map[string]bool{}
		for _, f := range have {
			n := codecName(f)
			if allowedCodec(prefs.Codecs, n) && !seen[n] {
				cd, _ := sdp.LookupCodec(n)
				out = append(out, cd.Format)
				seen[n] = true
			}
		}
		var callerFmt *media.Format
		if len(have) > 0 {
			callerFmt = mediaFormat(have[0])
		}
		for _, n := range prefs.Codecs {
			if seen[n] || callerFmt == nil {
				continue
			}
			cd, ok := sdp.LookupCodec(n)
			if !ok {
				continue
			}
			mf := mediaFormat(cd.Format)
			if mf == nil || !translatable(mf, callerFmt) {
				continue
			}
			out = append(out, cd.Format)
			seen[n] = true
		}
		if len(out) == 0 {
			var names []string
			for _, f := range have {
				names = append(names, codecName(f))
			}
			return nil, fmt.Errorf("no codec in common between the caller (%s) and the callee (%s)",
				strings.Join(names, "|"), strings.Join(prefs.Codecs, "|"))
		}
	} else {
		fs, _ := sdp.OfferFormats(prefs.Codecs)
		out = fs
	}
	if len(out) == 0 {
		return nil, errors.New("no audio format to offer")
	}
	if prefs.DTMF {
		out = append(out, sdp.TelephoneEvent)
	}
	return out, nil
}

// translatable reports whether audio can be converted both ways between
// two formats.
func translatable(a, b *media.Format) bool {
	if a == b {
		return true
	}
	tr := pbx.Translator()
	if _, err := tr.Path(a, b); err != nil {
		return false
	}
	_, err := tr.Path(b, a)
	return err == nil
}

func allowedCodec(list []string, name string) bool {
	for _, n := range list {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// --- pbx.Driver ---

// Call sends the INVITE. The transaction runs on a Manager goroutine; its
// outcome arrives as channel reports.
func (o *outCall) Call(ctx context.Context, _ string, _ time.Duration) error {
	m := o.m
	ch := o.channel()
	if p := o.peer; p != nil {
		if m.busy(p) {
			m.log.Notice("Call to peer '%s' rejected due to usage limit of %d\n", p.Name, p.BusyLevel)
			ch.SetHangupCause(pbx.CauseUserBusy)
			return wrap("call", fmt.Errorf("peer %s is busy", p.Name))
		}
		if !m.useSlot(p) {
			m.log.Notice("Call to peer '%s' rejected due to usage limit of %d\n", p.Name, p.CallLimit)
			ch.SetHangupCause(pbx.CauseUserBusy)
			return wrap("call", fmt.Errorf("peer %s reached its call-limit", p.Name))
		}
		o.mu.Lock()
		o.slot = true
		o.mu.Unlock()
	}
	req, err := o.buildInvite()
	if err != nil {
		ch.SetHangupCause(pbx.CauseFailure)
		return wrap("call", err)
	}
	o.mu.Lock()
	o.invite = req
	o.started = true
	o.mu.Unlock()
	m.add(o.dialog)
	if !m.goTracked(func() { o.run(ctx, req) }) {
		ch.SetHangupCause(pbx.CauseRequestedChanUnavail)
		return wrap("call", errClosed)
	}
	return nil
}

// buildInvite composes the INVITE: From is the caller's identity (the
// connected line Dial set, so Set(CALLERID(num)=...) counts) unless the
// peer has fromuser/fromdomain.
func (o *outCall) buildInvite() (*sip.Request, error) {
	m := o.m
	ch := o.channel()
	caller := ch.Connected()
	fromUser := caller.Num
	// Without fromdomain, From names us as the far end reaches us, like
	// Contact (chan_sip's ourip): never a wildcard bind address. Its port
	// stays the UDP socket's on other transports, as before.
	ours := o.signalAddr(o.transport)
	fromHost, fromPort := ours.Addr().String(), portIfNot5060(int(m.d.Local.Port()))
	if strings.EqualFold(o.transport, "UDP") {
		fromPort = portIfNot5060(int(ours.Port()))
	}
	// The identity header names us by fromdomain, else our address.
	idDomain := fromHost
	if p := o.peer; p != nil && p.FromDomain != "" {
		idDomain = p.FromDomain
	}
	pres := ch.ConnectedPresentation()
	fromName := caller.Name
	if pbx.PresentationRestricted(pres) {
		// chan_sip never leaks a restricted identity in From, even when
		// it sends it in Remote-Party-ID or P-Asserted-Identity.
		fromUser, fromName, fromHost, fromPort = anonymousUser, anonymousName, anonymousDomain, 0
	}
	if p := o.peer; p != nil {
		if p.FromUser != "" {
			fromUser = p.FromUser
		}
		if p.FromDomain != "" {
			fromHost, fromPort = p.FromDomain, portIfNot5060(p.FromDomainPort)
		}
	}
	if fromUser == "" {
		fromUser = "asterisk"
	}
	o.mu.Lock()
	o.localURI = sip.Uri{Scheme: "sip", User: fromUser, Host: fromHost, Port: fromPort}
	o.localName = fromName
	o.remoteURI = sip.Uri{Scheme: "sip", User: o.target.User, Host: o.target.Host, Port: o.target.Port}
	o.callID = newCallID(fromHost)
	if fromHost == anonymousDomain {
		o.callID = newCallID(idDomain)
	}
	o.sess = sdp.NewSession(m.sdpOwner(), m.sdpSession())
	o.cidNum = caller.Num
	o.mu.Unlock()

	body, err := o.offerBody(o.offer)
	if err != nil {
		return nil, err
	}
	req := o.newRequest(sip.INVITE)
	req.AppendHeader(&sip.ContactHeader{Address: o.contactURI(fromUser)})
	req.AppendHeader(sip.NewHeader("Allow", o.m.allow()))
	req.AppendHeader(sip.NewHeader("Supported", m.supportedValue(o.peer)))
	m.addUACSessionHeaders(o.dialog, req)
	outboundIdentity(req, o.peer, caller.Name, caller.Num, pres, sipconf.URIHost(idDomain))
	var dialer *pbx.Channel
	if o.callerIn != nil {
		dialer = o.callerIn.channel()
	}
	m.addDiversion(req, caller.RDNIS, dialer, sipconf.URIHost(ours.Addr().String()))
	addSIPHeaders(req, ch)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)
	return req, nil
}

// addSIPHeaders adds the headers SIPAddHeader() stored on the calling
// channel as __SIPADDHEADERnn, which Dial's variable inheritance copied to
// this one. As chan_sip: every variable whose name starts with
// SIPADDHEADER, in the channel's variable order (newest first), a value
// "Name: content" with optional surrounding double quotes; a value with
// no colon is skipped.
func addSIPHeaders(req *sip.Request, ch *pbx.Channel) {
	for _, kv := range ch.Vars() {
		name, value, _ := strings.Cut(strings.TrimLeft(kv, "_"), "=")
		if !strings.HasPrefix(name, "SIPADDHEADER") {
			continue
		}
		value = strings.TrimPrefix(value, `"`)
		hname, content, ok := strings.Cut(value, ":")
		if !ok {
			continue
		}
		content = strings.TrimSuffix(strings.TrimLeft(content, " \t"), `"`)
		req.AppendHeader(sip.NewHeader(hname, content))
	}
}

func (m *Manager) sdpOwner() string {
	if g := m.d.General(); g != nil && g.SDPOwner != "" {
		return g.SDPOwner
	}
	return sdp.DefaultUsername
}

func (m *Manager) sdpSession() string {
	if g := m.d.General(); g != nil && g.SDPSession != "" {
		return g.SDPSession
	}
	return m.userAgent()
}

// run owns the INVITE client transaction until it has a final outcome.
func (o *outCall) run(callCtx context.Context, req *sip.Request) {
	m := o.m
	ch := o.channel()
	tx, err := m.d.Client.TransactionRequest(m.ctx, req)
	if err != nil {
		m.log.Warning("Unable to send INVITE to %s: %v\n", o.addr, err)
		o.markEnded()
		ch.SoftHangup(pbx.CauseFailure)
		return
	}
	var (
		provisional bool
		cancelling  bool
		cancelSent  bool
		authTries   int // challenges answered; chan_sip gives up after 3 (a 401 then a 407 is normal for trunks)
		retries422  int // 422s answered with a larger interval
		giveUp      <-chan time.Time
		giveUpTimer *time.Timer
	)
	defer func() {
		if giveUpTimer != nil {
			giveUpTimer.Stop()
		}
	}()
	sendCancel := func() {
		if cancelSent || !provisional {
			return
		}
		cancelSent = true
		o.setLast("Tx: CANCEL")
		creq := newCancel(req)
		m.goTracked(func() {
			ctx, cancel := context.WithTimeout(m.ctx, 64*m.d.T1)
			defer cancel()
			ctxTx, err := m.d.Client.TransactionRequest(ctx, creq, sipgo.ClientRequestBuild)
			if err != nil {
				m.log.Warning("Unable to send CANCEL on %s: %v\n", o.callID, err)
				return
			}
			defer ctxTx.Terminate()
			select {
			case <-ctxTx.Responses():
			case <-ctxTx.Done():
			case <-ctx.Done():
			}
		})
		giveUpTimer = time.NewTimer(64 * m.d.T1)
		giveUp = giveUpTimer.C
	}
	startCancel := func() {
		if cancelling {
			return
		}
		cancelling = true
		o.markEnded()
		sendCancel()
	}
	cancelCh := o.cancelCh
	callDone := callCtx.Done()
	for {
		select {
		case <-m.ctx.Done():
			tx.Terminate()
			return
		case <-callDone:
			callDone = nil
			startCancel()
			continue
		case <-cancelCh:
			cancelCh = nil
			startCancel()
			continue
		case <-giveUp:
			tx.Terminate()
			m.forget(o.dialog, true)
			return
		case <-tx.Done():
			if !cancelling {
				m.log.Verbose(3, "Timeout on %s on non-critical invite transaction.\n", o.callID)
				o.markEnded()
				ch.SoftHangup(pbx.CauseNoUserResponse)
			}
			m.forget(o.dialog, true)
			return
		case res := <-tx.Responses():
			code := res.StatusCode
			// For HANGUPCAUSE: chan_sip reports every response to the
			// channel's owner (AST_CONTROL_PVT_CAUSE_CODE).
			ch.ReportCauseCode("SIP", code, res.Reason, pbx.CauseFromSIP(code))
			if res.IsProvisional() {
				provisional = true
				o.learnRemote(res)
				if cancelling {
					sendCancel()
					continue
				}
				switch {
				case code == 180 || code == 181 || code == 182:
					ch.Ringing()
				case code == 183:
					if err := o.takeAnswer(res); err != nil {
						m.log.Verbose(3, "Call %s: no early media: %v\n", o.callID, err)
					} else if len(res.Body()) > 0 {
						o.earlyMedia()
					}
					ch.Progress()
				}
				continue
			}
			if res.IsSuccess() {
				o.learnRemote(res)
				o.ack(tx, res)
				if cancelling {
					// Answered while we were cancelling: close it properly.
					o.sendBye(pbx.CauseNormalClearing)
					tx.Terminate()
					return
				}
				if err := o.takeAnswer(res); err != nil {
					if cryptoError(err) {
						// chan_sip hangs up rather than talk in clear to a
						// peer it must encrypt for.
						m.log.Warning("We are requesting SRTP for audio, but they responded without it!\n")
						o.markEnded()
						o.sendBye(pbx.CauseBearerCapabilityNotAvail)
						tx.Terminate()
						ch.SoftHangup(pbx.CauseBearerCapabilityNotAvail)
						return
					}
					m.log.Warning("Call %s: unusable SDP answer: %v\n", o.callID, err)
				}
				o.mu.Lock()
				o.answeredF = true
				o.inviteTx = tx
				o.mu.Unlock()
				if !m.answeredUAC(o.dialog, res) {
					// chan_sip hangs up a session whose interval is
					// below its Min-SE.
					o.markEnded()
					o.sendBye(pbx.CauseNormalClearing)
					tx.Terminate()
					ch.SoftHangup(pbx.CauseNormalClearing)
					return
				}
				ch.Answered()
				return
			}
			m.log.Verbose(3, "Got SIP response %d \"%s\" back from %s\n", code, res.Reason, o.addr)
			if code == 422 && !cancelling && retries422 < maxAuthTries && m.retry422(o.dialog, req, res) {
				retries422++
				if ntx, err := o.resend(req); err == nil {
					tx.Terminate()
					tx = ntx
					provisional = false
					continue
				}
			}
			if (code == 401 || code == 407) && authTries < maxAuthTries && !cancelling {
				authTries++
				if ntx, err := o.authenticate(req, res); err == nil {
					tx.Terminate()
					tx = ntx
					provisional = false
					continue
				} else {
					m.log.Warning("Unable to answer the challenge of %s: %v\n", o.addr, err)
				}
			}
			tx.Terminate()
			o.markEnded()
			m.forget(o.dialog, true)
			if cancelling {
				return
			}
			switch cause := pbx.CauseFromSIP(code); {
			case code == 486 || code == 600:
				ch.Busy()
			case code == 503:
				ch.Congestion()
			default:
				ch.SoftHangup(cause)
			}
			return
		}
	}
}

// learnRemote keeps the far end's tag and Contact from a response.
func (o *outCall) learnRemote(res *sip.Response) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if to := res.To(); to != nil {
		if tag, ok := to.Params.Get("tag"); ok && tag != "" {
			o.remoteTag = tag
		}
	}
	if ct := res.Contact(); ct != nil && res.StatusCode >= 200 {
		o.target = *ct.Address.Clone()
	}
	if res.StatusCode < 300 && res.StatusCode > 100 {
		// The route set of the (early) dialog: the 2xx's replaces a
		// 1xx's (RFC 3261 12.1.2).
		if rr := res.GetHeaders("Record-Route"); len(rr) > 0 || res.StatusCode >= 200 {
			o.routes = recordRouteSet(rr, true)
		}
	}
	if h := res.GetHeader("Server"); h != nil {
		o.remoteUA = h.Value()
	} else if h := res.GetHeader("User-Agent"); h != nil {
		o.remoteUA = h.Value()
	}
}

// takeAnswer applies an SDP answer (183 or 200) to the leg.
func (o *outCall) takeAnswer(res *sip.Response) error {
	body := res.Body()
	if len(body) == 0 {
		return nil
	}
	desc, err := sdp.Parse(body)
	if err != nil {
		return err
	}
	var names []string
	for _, f := range o.offer {
		if n, ok := lookupByFormat(f); ok {
			names = append(names, n)
		}
	}
	o.mu.Lock()
	local := o.localCrypto
	o.mu.Unlock()
	unforceAVP(desc, o.peer)
	r, err := sdp.Negotiate(desc, sdp.Prefs{Codecs: names, DTMF: true, Encryption: local != nil})
	if err != nil {
		return err
	}
	if r.Crypto != nil {
		if local == nil {
			return fmt.Errorf("%w: SRTP answer to a plain RTP offer", sdp.ErrNoCrypto)
		}
		if err := o.keyLeg(local, r.Crypto); err != nil {
			return err
		}
	}
	var theirs []string
	for _, f := range desc.Audio.Formats {
		if n, ok := lookupByFormat(f); ok {
			theirs = append(theirs, n)
		}
	}
	o.mu.Lock()
	o.theirCaps = theirs
	o.mu.Unlock()
	o.applyMedia(r, desc.Audio)
	return nil
}

// earlyMedia relays the callee's early media (183 with SDP) to the SIP
// leg that dialed, before the answer, so the caller hears the far end's
// ringback or announcements.
func (o *outCall) earlyMedia() {
	if o.callerIn == nil {
		return
	}
	if ch := o.callerIn.channel(); ch != nil {
		if ch.GeneratorActive() {
			return // the caller hears music on hold (Dial m), not the callee's early media
		}
		// Media the core opened for an earlier application (a Playback
		// before the Dial) is not in use while Dial waits: the relay takes it.
		ch.CloseMedia()
	}
	if _, err := o.m.link(o.callerIn.dialog, o.dialog); err != nil {
		o.m.log.Verbose(3, "Call %s: early media not relayed: %v\n", o.callID, err)
	}
}

// ack confirms a 2xx; the ACK is resent whenever the 2xx is.
func (o *outCall) ack(tx sip.ClientTransaction, res *sip.Response) {
	ack := o.newRequest(sip.ACK)
	o.mu.Lock()
	o.localCSeq-- // an ACK reuses the INVITE's CSeq number
	inviteCSeq := o.invite.CSeq().SeqNo
	o.mu.Unlock()
	ack.CSeq().SeqNo = inviteCSeq
	o.setLast("Tx: ACK")
	if err := o.m.d.Client.WriteRequest(ack); err != nil {
		o.m.log.Warning("Unable to send ACK on %s: %v\n", o.callID, err)
	}
	// The ACK is not touched once sent: a copy is made only when a 2xx
	// comes again, which is rare, rather than one per call up front.
	tx.OnRetransmission(func(r *sip.Response) {
		switch {
		case !r.IsSuccess():
		case o.isOtherFork(r):
			o.endFork(r, inviteCSeq) // fork.go
		default:
			_ = o.m.d.Client.WriteRequest(ack.Clone())
		}
	})
}

// authenticate resends the INVITE with the peer's credentials.
func (o *outCall) authenticate(req *sip.Request, res *sip.Response) (sip.ClientTransaction, error) {
	if err := setDigest(o.peer, req, res); err != nil { // message.go
		return nil, err
	}
	req.RemoveHeader("Via")
	o.mu.Lock()
	o.localCSeq++
	req.CSeq().SeqNo = o.localCSeq
	o.mu.Unlock()
	if via := o.wildcardVia(); via != nil {
		// A new transaction: a new branch, at the routed address.
		req.PrependHeader(via)
		return o.m.d.Client.TransactionRequest(o.m.ctx, req, sipgo.ClientRequestBuild)
	}
	return o.m.d.Client.TransactionRequest(o.m.ctx, req, sipgo.ClientRequestAddVia)
}

// maxAuthTries is how many challenges an outbound INVITE answers before it
// fails, as chan_sip's MAX_AUTHTRIES.
const maxAuthTries = 3

// newCancel builds the CANCEL of an INVITE (same Via branch, RFC 3261 9.1).
func newCancel(inv *sip.Request) *sip.Request {
	c := sip.NewRequest(sip.CANCEL, *inv.Recipient.Clone())
	c.AppendHeader(sip.HeaderClone(inv.Via()))
	c.AppendHeader(sip.HeaderClone(inv.From()))
	c.AppendHeader(sip.HeaderClone(inv.To()))
	c.AppendHeader(sip.HeaderClone(inv.CallID()))
	c.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	maxfwd := sip.MaxForwardsHeader(70)
	c.AppendHeader(&maxfwd)
	c.SetBody(nil)
	c.SetTransport(inv.Transport())
	c.SetDestination(inv.Destination())
	return c
}

// Answer is not used on an outbound channel: the far end answers.
func (o *outCall) Answer() error { return nil }

// Indicate has nothing to signal towards a called party.
func (o *outCall) Indicate(pbx.Indication) error { return nil }

// Hangup cancels an unanswered call or sends BYE, then frees the media.
func (o *outCall) Hangup(cause int) error {
	o.mu.Lock()
	if o.hungup {
		o.mu.Unlock()
		return nil
	}
	o.hungup = true
	answered, started, itx := o.answeredF, o.started, o.inviteTx
	o.mu.Unlock()
	switch {
	case !started:
	case !answered:
		o.cancelOnce.Do(func() { close(o.cancelCh) })
	case o.markEnded():
		o.sendBye(cause)
	default:
		o.m.forget(o.dialog, true)
	}
	if itx != nil {
		itx.Terminate()
	}
	// A call Originate placed (no requestor, so not Dial's leg) has no
	// inbound leg to write its record: it writes its own.
	// So does a dialed leg a transfer gave a dialplan of its own.
	if ch := o.channel(); started && ch != nil && o.m.d.CDR != nil && (o.callerIn == nil && !ch.Outbound() || ch.OwnsCDR()) {
		o.m.emitCDR(ch, "")
	}
	o.release()
	return nil
}

// BridgeMedia relays this leg's RTP with another SIP leg's.
func (o *outCall) BridgeMedia(other *pbx.Channel) (func(), error) {
	return o.dialog.bridgeWith(other)
}
