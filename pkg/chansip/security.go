package chansip

import (
	"hash/maphash"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/security"
)

// SecurityReporter takes the driver's security events (in the daemon,
// res_security_log's writer: the SECURITY log level). Enabled lets the
// driver skip building events nobody reads, which matters on the REGISTER
// fast path.
type SecurityReporter interface {
	Enabled() bool
	Report(*security.Event)
}

// The events chan_sip reports, and with what, are chan_sip's
// (channels/sip/security_events.c): after each REGISTER and each new
// INVITE it reports the outcome of the authentication, named by its
// check_auth result:
//
//	success              SuccessfulAuth, UsingPassword 1 when the peer has a secret
//	challenge sent       ChallengeSent with our nonce
//	wrong password       InvalidPassword with our nonce and the answer's nonce and response
//	digest user mismatch ChallengeResponseFailed: Response is the digest user,
//	                     ExpectedResponse the peer's username= option
//	no such peer         InvalidAccountID (REGISTER); with alwaysauthreject chan_sip
//	                     authenticates against a peer that never matches, so the
//	                     events are those of a wrong password (ChallengeSent, then
//	                     InvalidPassword); an unknown INVITE caller is refused as
//	                     a wrong password (InvalidPassword) either way
//	peer not dynamic     FailedACL "peer_not_dynamic"
//	ACL denied           FailedACL "device_must_match_acl"
//	transport refused    InvalidTransport
//
// and a call to an extension that does not exist is FailedACL
// "no_extension_match". AccountID is chan_sip's dialog "exten": the To
// user of a REGISTER, the Request-URI user of an INVITE (its host when
// it has no user: hence the reference's AccountID="127.0.0.5"), except
// for ChallengeSent and ChallengeResponseFailed of an INVITE, which name
// the From URI. LocalAddress is our address for the dialog, RemoteAddress
// the caller's (its source address; with NAT handling off, chan_sip uses
// the source IP with the Via port, and so do we). fail2ban's stock filter
// matches FailedACL, InvalidAccountID, ChallengeResponseFailed and
// InvalidPassword.
//
// Where gostrisk differs: chan_sip reports SuccessfulAuth and
// ChallengeResponseFailed of an INVITE only when a peer registered at (or
// configured with) the caller's exact address exists; gostrisk reports
// them for the peer the INVITE authenticated as. chan_sip takes the Via's
// maddr as the RemoteAddress when there is one, which would let a caller
// have fail2ban ban an address of its choosing; gostrisk never does.

// secState is what the reports keep between requests: our address
// towards each remote one, when bound to a wildcard (finding it costs a
// socket).
type secState struct {
	mu    sync.Mutex
	local map[netip.Addr]netip.Addr
}

// sessionSeed keys session ids: like the addresses chan_sip prints, they
// differ from one run to the next.
var sessionSeed = maphash.MakeSeed()

// maxRouteCache bounds secState.local: callers from more addresses than
// this start it afresh, so a scan from many addresses cannot grow it.
const maxRouteCache = 1024

// secEnabled says whether security events are wanted at all.
func (d *Driver) secEnabled() bool {
	return d.opts.Security != nil && d.opts.Security.Enabled()
}

// sessionID is a dialog's SessionID. chan_sip prints its dialog
// structure's address ("0x7f7290000ed0"), the same for every event of a
// dialog; the registrar keeps no dialog, so the id is derived from the
// Call-ID, in the same shape (a 16-byte aligned user-space address).
func sessionID(req *sip.Request) string {
	var callID string
	if h := req.CallID(); h != nil {
		callID = h.Value()
	}
	v := 0x7f0000000000 | maphash.String(sessionSeed, callID)&0x00fffffffff0
	return "0x" + strconv.FormatUint(v, 16)
}

func secTransport(name string) security.Transport {
	switch name {
	case "UDP":
		return security.UDP
	case "TCP":
		return security.TCP
	case "TLS":
		return security.TLS
	case "WS":
		return security.WS
	case "WSS":
		return security.WSS
	}
	return security.TransportNone
}

// secRemote is chan_sip's idea of where the request came from (the
// dialog's address): the source, or with NAT handling off for it, the
// source IP with the port the top Via names.
func secRemote(cfg *sipconf.Config, r *regRequest) netip.AddrPort {
	if forceRport(natFor(cfg, r.req), r.req, r.src) {
		return r.src
	}
	port := uint16(sipconf.StandardSIPPort)
	if via := r.req.Via(); via != nil && via.Port > 0 && via.Port <= 65535 {
		port = uint16(via.Port)
	}
	return netip.AddrPortFrom(r.src.Addr(), port)
}

// secLocal is our address for a dialog with src over transport, as
// chan_sip's ast_sip_ouraddrfor works it out: externaddr (with its port
// for UDP and TCP, else the listener's) for a caller outside localnet,
// else the listener's address, or where bound to a wildcard, the one the
// kernel routes from towards src.
func (d *Driver) secLocal(cfg *sipconf.Config, transport string, src netip.AddrPort) netip.AddrPort {
	listen, ok := d.ListenAddr(transport)
	if !ok {
		listen = d.LocalAddr()
	}
	if a, p, ok := d.externFor(&cfg.General, src.Addr()); ok {
		if p == 0 || transport == "TLS" {
			p = listen.Port()
		}
		return netip.AddrPortFrom(a, p)
	}
	if !listen.Addr().IsUnspecified() {
		return listen
	}
	d.sec.mu.Lock()
	a, ok := d.sec.local[src.Addr()]
	d.sec.mu.Unlock()
	if !ok {
		a = routedAddr(listen, src).Addr()
		d.sec.mu.Lock()
		if d.sec.local == nil || len(d.sec.local) >= maxRouteCache {
			d.sec.local = make(map[netip.Addr]netip.Addr)
		}
		d.sec.local[src.Addr()] = a
		d.sec.mu.Unlock()
	}
	return netip.AddrPortFrom(a, listen.Port())
}

// secEvent is an event about request r with the fields every chan_sip
// event has.
func (d *Driver) secEvent(cfg *sipconf.Config, typ security.Type, r *regRequest, account string) *security.Event {
	tr := secTransport(r.transport)
	return &security.Event{
		Type: typ, Time: d.now(), Service: "SIP", AccountID: account, SessionID: sessionID(r.req),
		Local:  security.Addr{AddrPort: d.secLocal(cfg, r.transport, r.src), Transport: tr},
		Remote: security.Addr{AddrPort: secRemote(cfg, r), Transport: tr},
	}
}

// invalidPassword is InvalidPassword for r. ours is the nonce chan_sip
// would hold for the dialog ("" when it never challenged it).
func (d *Driver) invalidPassword(cfg *sipconf.Config, r *regRequest, account, ours string) {
	ev := d.secEvent(cfg, security.InvalidPassword, r, account)
	ev.WithChallenge, ev.Challenge = true, ours
	if c := credentials(r.req); c != nil {
		ev.ReceivedChallenge, ev.ReceivedHash = c.Nonce, c.Response
	}
	d.opts.Security.Report(ev)
}

func (d *Driver) challengeSent(cfg *sipconf.Config, r *regRequest, account string) {
	ev := d.secEvent(cfg, security.ChallengeSent, r, account)
	ev.Challenge = r.challenge
	d.opts.Security.Report(ev)
}

func (d *Driver) successfulAuth(cfg *sipconf.Config, r *regRequest, p *sipconf.Peer, account string) {
	ev := d.secEvent(cfg, security.SuccessfulAuth, r, account)
	ev.UsingPassword = p.Secret != "" || p.MD5Secret != ""
	d.opts.Security.Report(ev)
}

func (d *Driver) challengeResponseFailed(cfg *sipconf.Config, r *regRequest, p *sipconf.Peer, account string) {
	ev := d.secEvent(cfg, security.ChallengeResponseFailed, r, account)
	if c := credentials(r.req); c != nil {
		ev.Challenge, ev.Response = c.Nonce, c.Username
	}
	ev.ExpectedResponse = p.DefaultUser
	d.opts.Security.Report(ev)
}

func (d *Driver) failedACL(cfg *sipconf.Config, r *regRequest, account, acl string) {
	ev := d.secEvent(cfg, security.FailedACL, r, account)
	ev.ACLName = acl
	d.opts.Security.Report(ev)
}

// ourNonce is the nonce of r's answer, which the registrar takes as the
// one it gave the dialog (a nonce it had not given would have been
// challenged again, not failed).
func ourNonce(r *regRequest) string {
	if c := credentials(r.req); c != nil {
		return c.Nonce
	}
	return ""
}

// reportRegister reports the outcome res of REGISTER r for peer p (nil
// when none matched), once its answer is sent.
func (d *Driver) reportRegister(cfg *sipconf.Config, r *regRequest, p *sipconf.Peer, res authResult) {
	if !d.secEnabled() {
		return
	}
	account := r.name
	if account == "" {
		// <sip:host>: chan_sip takes the domain for the account.
		if to := r.req.To(); to != nil {
			account = to.Address.Host
		}
	}
	switch res {
	case authOK:
		if p != nil {
			d.successfulAuth(cfg, r, p, account)
		}
	case authChallengeSent:
		d.challengeSent(cfg, r, account)
	case authSecretFailed:
		d.invalidPassword(cfg, r, account, ourNonce(r))
	case authUsernameMismatch:
		d.challengeResponseFailed(cfg, r, p, account)
	case authNotFound:
		switch {
		case !cfg.General.AlwaysAuthReject:
			d.opts.Security.Report(d.secEvent(cfg, security.InvalidAccountID, r, account))
		case r.challenge != "":
			d.challengeSent(cfg, r, account)
		default:
			d.invalidPassword(cfg, r, account, ourNonce(r))
		}
	case authPeerNotDynamic:
		d.failedACL(cfg, r, account, "peer_not_dynamic")
	case authACLFailed:
		d.failedACL(cfg, r, account, "device_must_match_acl")
	case authBadTransport:
		ev := d.secEvent(cfg, security.InvalidTransport, r, account)
		ev.AttemptedTransport = r.transport
		d.opts.Security.Report(ev)
	}
}

// reportInvite reports the outcome res of the authentication of a new
// INVITE r from peer (nil: no peer matched the caller).
func (d *Driver) reportInvite(cfg *sipconf.Config, r *regRequest, peer *sipconf.Peer, res authResult) {
	if !d.secEnabled() {
		return
	}
	exten := requestExten(r.req)
	from := inBrackets(r.toHeader)
	if from == "" {
		from = exten
	}
	switch res {
	case authOK:
		if peer != nil {
			d.successfulAuth(cfg, r, peer, exten)
		}
	case authChallengeSent:
		d.challengeSent(cfg, r, from)
	case authSecretFailed:
		d.invalidPassword(cfg, r, exten, ourNonce(r))
	case authUsernameMismatch:
		d.challengeResponseFailed(cfg, r, peer, from)
	case authNotFound:
		switch {
		case !cfg.General.AlwaysAuthReject:
			// chan_sip refuses a caller it cannot match as a wrong
			// password, without ever having challenged it.
			d.invalidPassword(cfg, r, exten, "")
		case r.challenge != "":
			d.challengeSent(cfg, r, from)
		default:
			d.invalidPassword(cfg, r, exten, ourNonce(r))
		}
	case authACLFailed:
		d.failedACL(cfg, r, exten, "device_must_match_acl")
	}
}

// reportNoExtension reports a new INVITE to an extension that does not
// exist (chan_sip's FailedACL "no_extension_match"); the call layer
// calls it when it answers 404.
func (d *Driver) reportNoExtension(req *sip.Request) {
	if !d.secEnabled() {
		return
	}
	src, err := parseHostPort(req.Source())
	if err != nil {
		return
	}
	r := &regRequest{req: req, src: src, transport: transportName(req.Transport())}
	cfg := d.cfg.Load()
	d.failedACL(cfg, r, requestExten(req), "no_extension_match")
}

// requestExten is chan_sip's "exten" of a new INVITE dialog: the
// Request-URI after its scheme, up to the '@', parameters left out; the
// host (and port) when the URI has no user.
func requestExten(req *sip.Request) string {
	u := req.Recipient
	if u.User != "" {
		if u.Password != "" {
			return u.User + ":" + u.Password
		}
		return u.User
	}
	if u.Port > 0 {
		return u.Host + ":" + strconv.Itoa(u.Port)
	}
	return u.Host
}

// inBrackets is the URI of a From or To header value as chan_sip keeps
// it: what is between < and > after the display name, or without
// brackets the whole value.
func inBrackets(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, `"`) {
		// A quoted display name may hold '<'; \" does not end it.
		for i := 1; i < len(v); i++ {
			if v[i] == '\\' {
				i++
			} else if v[i] == '"' {
				v = v[i+1:]
				break
			}
		}
	}
	if i := strings.IndexByte(v, '<'); i >= 0 {
		rest := v[i+1:]
		if j := strings.IndexByte(rest, '>'); j >= 0 {
			return rest[:j]
		}
		return rest
	}
	return strings.TrimSpace(v)
}
