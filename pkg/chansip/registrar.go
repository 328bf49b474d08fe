package chansip

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// authResult is the outcome of checking a REGISTER, named after the
// failure reasons chan_sip logs.
type authResult int

const (
	authOK authResult = iota
	authChallengeSent
	authSecretFailed
	authUsernameMismatch
	authNotFound
	authPeerNotDynamic
	authACLFailed
	authBadTransport
)

// reason is the text after " - " in chan_sip's "Registration from ..."
// NOTICE, which fail2ban's asterisk filter matches.
func (r authResult) reason() string {
	switch r {
	case authSecretFailed:
		return "Wrong password"
	case authUsernameMismatch:
		return "Username/auth name mismatch"
	case authNotFound:
		return "No matching peer found"
	case authPeerNotDynamic:
		return "Peer is not supposed to register"
	case authACLFailed:
		return "Device does not match ACL"
	case authBadTransport:
		return "Device not configured to use this transport type"
	}
	return "Unknown failure"
}

// regRequest is one REGISTER with what the handlers need of it.
type regRequest struct {
	req       *sip.Request
	tx        sip.ServerTransaction
	src       netip.AddrPort
	transport string // UDP, TCP, TLS
	toHeader  string // as received, for the NOTICE
	name      string // the To user: the peer that registers
	challenge string // the nonce of the 401 sent, if one was (security events)
}

// statelessTx answers a REGISTER over UDP without keeping its server
// transaction. A UDP transaction that has answered stays alive for Timer J
// (32 s) to absorb retransmissions: at thousands of registrations a second
// that is hundreds of thousands of live transactions, most of the
// registrar's memory. A retransmitted REGISTER is processed again instead
// and gets the same answer: the To tag and the nonce derive from the
// request, and the nonce an authenticated REGISTER used up stays good for
// that same request, from the same address (see useNonce), so it gets the
// same 200.
type statelessTx struct {
	sip.ServerTransaction
	conn sip.Connection
}

// Respond ends the transaction, then writes the response straight to the
// socket: a retransmission that arrives once the response is out finds no
// transaction to be swallowed by, and is answered again.
func (t statelessTx) Respond(res *sip.Response) error {
	t.ServerTransaction.Terminate()
	if err := t.conn.WriteMsg(res); err != nil {
		return fmt.Errorf("stateless %d: %w", res.StatusCode, err)
	}
	return nil
}

// stateless wraps a sipgo server transaction of a UDP request. Reliable
// transports have no retransmissions (sipgo ends their transactions when
// the handler returns), and anything else, such as a test's fake, is used
// as it is.
func stateless(req *sip.Request, tx sip.ServerTransaction) sip.ServerTransaction {
	if sip.IsReliable(req.Transport()) {
		return tx
	}
	c, ok := tx.(interface{ Connection() sip.Connection })
	if !ok {
		return tx
	}
	conn := c.Connection()
	if conn == nil {
		return tx
	}
	return statelessTx{ServerTransaction: tx, conn: conn}
}

// echoedHeaders are the headers every response copies from its request.
var echoedHeaders = []string{"Via", "From", "To", "Call-ID", "CSeq", "Record-Route"}

// hasBareLineBreak reports whether a header that a response copies holds
// a CR or LF. sipgo ends header lines at CRLF only and keeps a lone LF
// inside the value; copied into our answer, that LF starts a new header
// line for every parser that, like chan_sip's, accepts LF line endings, so
// a request could make us send headers of its choosing (to the address in
// its Via). Such a request is malformed for us and is dropped.
func hasBareLineBreak(req *sip.Request) bool {
	for _, name := range echoedHeaders {
		for _, h := range req.GetHeaders(name) {
			if strings.ContainsAny(h.Value(), "\r\n") {
				return true
			}
		}
	}
	return false
}

// bareLineBreak is hasBareLineBreak on a packet as read, for a transport
// read filter: it reports a CR or LF that is not part of a CRLF anywhere
// before the blank line that ends the headers (the body may hold anything).
// A read filter that finds one should drop the packet by returning no
// bytes and no error (an error stops sipgo's UDP reader).
func bareLineBreak(data []byte) bool {
	head := data
	if i := bytes.Index(data, []byte("\r\n\r\n")); i >= 0 {
		head = data[:i+2]
	}
	for i, c := range head {
		switch c {
		case '\r':
			if i+1 >= len(head) || head[i+1] != '\n' {
				return true
			}
		case '\n':
			if i == 0 || head[i-1] != '\r' {
				return true
			}
		}
	}
	return false
}

// checkRequest is the validation chan_sip applies before it looks at a
// request's method: a request without From, To, Call-ID or CSeq, whose
// CSeq names another method (but a BYE), or whose Via names an impossible port is
// answered 400 Bad Request. (sipgo itself only needs Via and CSeq to
// build a transaction.)
func checkRequest(req *sip.Request) error {
	switch {
	case req.From() == nil:
		return errors.New("no From header")
	case req.To() == nil:
		return errors.New("no To header")
	case req.CallID() == nil || strings.TrimSpace(req.CallID().Value()) == "":
		return errors.New("no Call-ID header")
	case req.CSeq() == nil:
		return errors.New("no CSeq header")
	case req.CSeq().MethodName != req.Method && req.Method != sip.BYE:
		// chan_sip never compares the two; a BYE whose CSeq names
		// another method still ends its call (some gateways send one).
		return fmt.Errorf("CSeq method %s in a %s", req.CSeq().MethodName, req.Method)
	}
	for _, h := range req.GetHeaders("Via") {
		if v, ok := h.(*sip.ViaHeader); ok && (v.Port < 0 || v.Port > 65535) {
			return fmt.Errorf("Via port %d", v.Port)
		}
	}
	return nil
}

func (d *Driver) handleRegister(req *sip.Request, tx sip.ServerTransaction) {
	d.register(req, tx, false)
}

// register is handleRegister for a request whose raw bytes the read hook
// may already have checked for bare line breaks (rawChecked), which is
// the costlier check on the parsed form.
func (d *Driver) register(req *sip.Request, tx sip.ServerTransaction, rawChecked bool) {
	src, err := parseHostPort(req.Source())
	if err != nil {
		return
	}
	if !rawChecked && hasBareLineBreak(req) {
		// Dropped, as a malformed packet: answering would echo the
		// line break into our response.
		return
	}
	if !rawChecked && d.badVersion(req) {
		return
	}
	if err := checkRequest(req); err != nil {
		d.log.Debug(1, "Bad %s from %s: %v", req.Method, src, err)
		d.respond(req, stateless(req, tx), 400, "Bad Request", nil)
		return
	}
	r := &regRequest{req: req, tx: stateless(req, tx), src: src, transport: transportName(req.Transport())}
	if h := req.GetHeader("To"); h != nil {
		r.toHeader = h.Value()
	}
	if to := req.To(); to != nil {
		r.name = to.Address.User
		if !to.Params.Has("tag") {
			// Without a transaction a retransmission is answered anew; a
			// tag derived from the dialog makes that answer the same
			// bytes, and gives the challenge and the 200 of one
			// registration the same tag, as chan_sip's per-dialog tag
			// does. (respond keeps a tag the request's To carries.)
			to.Params.Add("tag", d.regs.nonces.dialogTag(req))
		}
	}
	d.verifyRegister(d.cfg.Load(), r)
}

// verifyRegister is chan_sip's register_verify: find the peer, apply its
// restrictions, authenticate, then update the registration. It sends the
// response in every case.
func (d *Driver) verifyRegister(cfg *sipconf.Config, r *regRequest) authResult {
	g := &cfg.General
	p := cfg.Peer(r.name)
	var res authResult
	switch {
	case p == nil || !p.IsPeer():
		res = authNotFound
	case !g.ACL.Allows(r.src.Addr()) || !p.ACL.Allows(r.src.Addr()):
		res = authACLFailed
	case !p.Dynamic:
		res = authPeerNotDynamic
	case p.Transports != 0 && p.Transports&transportOf(r.transport) == 0:
		res = authBadTransport
	default:
		res = d.checkAuth(cfg, p, r)
	}
	if res != authOK && res != authChallengeSent {
		// Logged before the reply goes out, so that whoever sees the
		// reply can count on the line being there.
		d.log.Notice("Registration from '%s' failed for '%s' - %s", r.toHeader, r.src, res.reason())
	}
	switch res {
	case authOK:
		d.connAuthenticated(r.transport, r.src)
		d.updateRegistration(cfg, p, r)
	case authChallengeSent:
	case authSecretFailed:
		d.respond(r.req, r.tx, 403, "Forbidden", nil)
	case authUsernameMismatch, authNotFound, authPeerNotDynamic, authACLFailed:
		switch {
		case g.AlwaysAuthReject:
			d.fakeAuth(cfg, r)
		case res == authPeerNotDynamic:
			d.respond(r.req, r.tx, 403, "Forbidden", nil)
		default:
			d.respond(r.req, r.tx, 404, "Not found", nil)
		}
	case authBadTransport:
		// chan_sip drops the request: the device has to try the transport
		// it was configured for.
	}
	d.reportRegister(cfg, r, p, res)
	return res
}

// challenge sends a 401 with a nonce for this request.
func (d *Driver) challenge(cfg *sipconf.Config, r *regRequest, stale bool) {
	nonce := d.regs.nonces.issue(d.now(), r.req)
	r.challenge = nonce
	d.respond(r.req, r.tx, 401, "Unauthorized", []sip.Header{
		sip.NewHeader("WWW-Authenticate", digest.Challenge(cfg.General.Realm, nonce, stale)),
	})
}

// fakeAuth answers exactly as a known peer with a wrong password would,
// so that extensions cannot be enumerated (alwaysauthreject=yes): a
// challenge first, then 403 to an answer that uses our nonce for the first
// time (or repeats the request that did), and a new challenge to one whose
// nonce is used, expired or not ours. It uses the nonce up as checkAuth
// does.
func (d *Driver) fakeAuth(cfg *sipconf.Config, r *regRequest) {
	if creds := credentials(r.req); creds != nil {
		switch d.useNonce(creds, r) {
		case nonceFresh, nonceRepeat:
			d.respond(r.req, r.tx, 403, "Forbidden", nil)
			return
		}
	}
	d.challenge(cfg, r, false)
}

func credentials(req *sip.Request) *digest.Credentials {
	h := req.GetHeader("Authorization")
	if h == nil {
		return nil
	}
	c, err := digest.Parse(h.Value())
	if err != nil {
		return nil
	}
	return c
}

// checkAuth is chan_sip's check_auth, for REGISTER and INVITE. Each nonce
// is good for one answer (nonces.go): the first answer with it is checked
// (authOK or authSecretFailed, which is a 403), any later one gets a new
// challenge, with stale=true when it was right, as does an answer with an
// expired nonce; an answer with a nonce that is not ours, or not for this
// dialog, gets a plain new challenge.
func (d *Driver) checkAuth(cfg *sipconf.Config, p *sipconf.Peer, r *regRequest) authResult {
	if p.Secret == "" && p.MD5Secret == "" {
		return authOK
	}
	creds := credentials(r.req)
	if creds == nil {
		d.challenge(cfg, r, false)
		return authChallengeSent
	}
	if creds.Username != r.name {
		d.log.Warning("username mismatch, have <%s>, digest has <%s>", r.name, creds.Username)
		return authUsernameMismatch
	}
	ha1 := p.MD5Secret
	if ha1 == "" {
		ha1 = digest.HA1(creds.Username, cfg.General.Realm, p.Secret)
	}
	good := answers(ha1, creds, r.req)
	switch d.useNonce(creds, r) {
	case nonceFresh, nonceRepeat:
		if good {
			return authOK
		}
		return authSecretFailed
	case nonceUsed, nonceExpired:
		// The right answer to a nonce we no longer accept: tell the
		// phone to retry with a new one without asking for a password.
		d.challenge(cfg, r, good)
		return authChallengeSent
	}
	d.challenge(cfg, r, false)
	return authChallengeSent
}

// answers reports whether creds authenticate req: the response is right
// for the secret behind ha1 (in either form CheckUnoffered accepts, as our
// challenges offer no qop), and it was computed for req's Request-URI. A
// uri that names another destination makes the answer wrong, as a wrong
// password does (see digestURIMatches). An answer without a uri is hashed
// against the Request-URI, as chan_sip does.
func answers(ha1 string, creds *digest.Credentials, req *sip.Request) bool {
	if creds.URI == "" {
		c := *creds
		c.URI = req.Recipient.String()
		return digest.CheckUnoffered(ha1, string(req.Method), &c)
	}
	return digest.CheckUnoffered(ha1, string(req.Method), creds) && digestURIMatches(creds.URI, &req.Recipient)
}

// useNonce uses up the nonce of an answer (see nonces.go) and says what it
// was. A REGISTER answered without a transaction may come again as a UDP
// retransmission, which must get the answer the original got: the request
// that used a nonce may present it again (same transaction, address,
// transport and binding: requestPrint), any other request may not, so
// the same Authorization replayed from another address is refused.
// Every other method gets no such allowance: sipgo's transaction absorbs
// an INVITE's retransmissions, and handleInvite answers the ones that
// come after it (retransmittedInvite) before authenticating, so a second
// INVITE with a used nonce is a replay or a new request.
func (d *Driver) useNonce(creds *digest.Credentials, r *regRequest) nonceState {
	st, id := d.regs.nonces.check(creds.Nonce, d.now(), r.req)
	if st != nonceFresh {
		return st
	}
	var fp uint64
	if r.req.Method == sip.REGISTER {
		fp = d.regs.nonces.used.requestPrint(r)
	}
	return d.regs.nonces.claim(id, fp)
}

// contactInfo is what a REGISTER's Contact and Expires ask for.
type contactInfo struct {
	star    bool
	uri     string // inside the brackets, e.g. sip:6000@127.0.0.1:5061;transport=UDP
	expires int    // -1 = not given
	query   bool   // no Contact at all: the phone asks what is registered
}

func parseContact(req *sip.Request) (contactInfo, bool) {
	ci := contactInfo{expires: -1}
	hs := req.GetHeaders("Contact")
	if len(hs) == 0 {
		ci.query = true
		return ci, true
	}
	v := strings.TrimSpace(hs[0].Value())
	if v == "*" {
		ci.star = true
		return ci, true
	}
	params := ""
	if i := strings.IndexByte(v, '<'); i >= 0 {
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			return ci, false
		}
		ci.uri = v[i+1 : i+j]
		params = v[i+j+1:]
	} else {
		ci.uri, params, _ = strings.Cut(v, ";")
		params = ";" + params
	}
	for _, kv := range strings.Split(params, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if strings.EqualFold(k, "expires") {
			if n, err := strconv.Atoi(strings.TrimSpace(val)); err == nil && n >= 0 {
				ci.expires = n
			}
		}
	}
	if !strings.HasPrefix(strings.ToLower(ci.uri), "sip:") && !strings.HasPrefix(strings.ToLower(ci.uri), "sips:") {
		return ci, false
	}
	return ci, true
}

// contactAddr is the host:port of a contact URI (port 5060 by default).
func contactAddr(uri string) (netip.AddrPort, bool) {
	_, rest, _ := strings.Cut(uri, ":")
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if i := strings.IndexAny(rest, ";?>"); i >= 0 {
		rest = rest[:i]
	}
	host, port := rest, "5060"
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return netip.AddrPort{}, false
		}
		host = rest[1:end]
		if strings.HasPrefix(rest[end+1:], ":") {
			port = rest[end+2:]
		}
	} else if h, pt, ok := strings.Cut(rest, ":"); ok {
		host, port = h, pt
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrPort{}, false
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(n)), true
}

func contactUser(uri string) string {
	_, rest, _ := strings.Cut(uri, ":")
	user, _, ok := strings.Cut(rest, "@")
	if !ok {
		return ""
	}
	user, _, _ = strings.Cut(user, ";")
	return user
}

// natDetected is chan_sip's check_via verdict: the top Via's sent-by is
// not where the packet came from.
func natDetected(req *sip.Request, src netip.AddrPort) bool {
	via := req.Via()
	if via == nil {
		return false
	}
	port := via.Port
	if port == 0 {
		port = 5060
	}
	a, err := netip.ParseAddr(strings.Trim(via.Host, "[]"))
	if err != nil {
		return true
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(port)) != src
}

// forceRport says whether replies and requests to this device go to the
// packet's source rather than what its headers claim.
func forceRport(n sipconf.NAT, req *sip.Request, src netip.AddrPort) bool {
	return n.ForceRport || (n.AutoForceRport && natDetected(req, src))
}

// updateRegistration is chan_sip's parse_register_contact after a
// successful authentication.
func (d *Driver) updateRegistration(cfg *sipconf.Config, p *sipconf.Peer, r *regRequest) {
	g := &cfg.General
	ci, ok := parseContact(r.req)
	if !ok {
		d.log.Warning("Failed to parse contact info for a REGISTER from %s", r.src)
		d.respond(r.req, r.tx, 400, "Bad Request", nil)
		return
	}
	old := d.regs.get(p.Name)
	if ci.query {
		d.respondRegistered(r, old)
		return
	}
	// chan_sip reads the Expires header first and looks at the
	// Contact's expires parameter only when the header is absent.
	expiry := -1
	if h := r.req.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n >= 0 {
			expiry = n
		}
	}
	if expiry < 0 {
		expiry = ci.expires
	}
	if expiry < 0 {
		expiry = g.DefaultExpiry
	}
	if ci.star || expiry == 0 {
		if old != nil {
			d.regs.remove(p.Name)
			d.resetQualify(p.Name)
		}
		d.log.Verbose(3, "Unregistered SIP '%s'", p.Name)
		d.publishPeerStatus(p.Name, "Unregistered", "Cause", "Expired")
		d.respondRegistered(r, nil)
		return
	}
	if expiry > g.MaxExpiry {
		expiry = g.MaxExpiry
	}
	if expiry < g.MinExpiry {
		d.respond(r.req, r.tx, 423, "Interval too brief", []sip.Header{
			sip.NewHeader("Min-Expires", strconv.Itoa(g.MinExpiry)),
		})
		return
	}
	addr := r.src
	if !forceRport(p.NAT, r.req, r.src) {
		if a, ok := contactAddr(ci.uri); ok {
			addr = a
		}
	}
	if !p.ContactACL.Allows(addr.Addr()) || !g.ContactACL.Allows(addr.Addr()) {
		d.log.Warning("Registration denied because of contact ACL")
		d.respond(r.req, r.tx, 603, "Denied", []sip.Header{dateHeader(d.now())})
		return
	}
	username := p.DefaultUser
	if username == "" {
		username = contactUser(ci.uri)
	}
	ua := ""
	if h := r.req.GetHeader("User-Agent"); h != nil {
		ua = h.Value()
	}
	reg := &Registration{
		Peer:      p.Name,
		Addr:      addr,
		Expiry:    expiry,
		Username:  username,
		Contact:   ci.uri,
		UserAgent: ua,
		Transport: r.transport,
		// chan_sip lets a registration live 10 s past what it granted, so
		// a phone refreshing just in time is never seen as gone.
		Expires: d.now().Add(time.Duration(expiry+10) * time.Second),
	}
	if p.UsePath {
		// supportpath=yes: the proxies the REGISTER came through
		// (RFC 3327); a REGISTER without Path clears the former set.
		reg.Path = call.PathEntries(r.req.GetHeaders("Path"))
	}
	d.regs.set(reg)
	d.setSIPOptions(p.Name, r.req)
	d.publishPeerStatus(p.Name, "Registered", "Address", addr.String())
	moved := old == nil || old.Addr != reg.Addr
	if moved {
		d.log.Verbose(3, "Registered SIP '%s' at %s", p.Name, addr)
	}
	d.respondRegisteredPath(r, reg, p.UsePath)
	if moved && p.Qualify > 0 {
		d.requestPoke(p.Name)
	}
}

// respondRegistered sends the 200 OK with the binding granted (none for an
// unregistration).
func (d *Driver) respondRegistered(r *regRequest, reg *Registration) {
	d.respondRegisteredPath(r, reg, false)
}

// respondRegisteredPath is respondRegistered for a peer that may use Path:
// with supportpath=yes the 200 lists "path" in Supported and echoes the
// REGISTER's Path headers after the Contact (RFC 3327 5.3), in chan_sip's
// order.
func (d *Driver) respondRegisteredPath(r *regRequest, reg *Registration, usePath bool) {
	var hs []sip.Header
	if reg == nil {
		hs = append(hs, sip.NewHeader("Expires", "0"))
	} else {
		left := reg.Expiry
		hs = append(hs,
			sip.NewHeader("Expires", strconv.Itoa(left)),
			sip.NewHeader("Contact", "<"+reg.Contact+">;expires="+strconv.Itoa(left)))
		if usePath {
			for _, h := range r.req.GetHeaders("Path") {
				hs = append(hs, sip.NewHeader("Path", h.Value()))
			}
		}
	}
	hs = append(hs, dateHeader(d.now()))
	if usePath {
		d.respondSupported(r.req, r.tx, 200, "OK", supportedHeader+", path", hs)
		return
	}
	d.respond(r.req, r.tx, 200, "OK", hs)
}

func dateHeader(t time.Time) sip.Header {
	return sip.NewHeader("Date", t.UTC().Format(time.RFC1123))
}

// knownOptions are the option tags chan_sip recognises in Supported:.
var knownOptions = []string{"100rel", "eventlist", "from-change", "gruu", "histinfo", "join",
	"noreferSub", "outbound", "path", "precondition", "pref", "privacy", "recipient-list-invite",
	"recipient-list-subscribe", "replaces", "resource-priority", "sec-agree", "tdialog", "timer"}

func (d *Driver) setSIPOptions(peer string, req *sip.Request) {
	var opts []string
	for _, h := range req.GetHeaders("Supported") {
		for _, tag := range strings.Split(h.Value(), ",") {
			tag = strings.TrimSpace(tag)
			for _, k := range knownOptions {
				if strings.EqualFold(tag, k) {
					opts = append(opts, k)
				}
			}
		}
	}
	if rt := d.runtime(peer); rt != nil {
		rt.mu.Lock()
		rt.sipOptions = opts
		rt.mu.Unlock()
	}
}
