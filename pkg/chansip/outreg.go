package chansip

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipshow"
)

// chan_sip re-registers ahead of expiry: 15 s early, or for short
// expiries 20 % early (at least half a second).
const (
	expiryGuardSecs  = 15
	expiryGuardLimit = 30
	expiryGuardMinMs = 500
	expiryGuardPct   = 0.20
	maxAuthTries     = 3 // chan_sip's MAX_AUTHTRIES
)

// regClock is time for outbound registrations, injectable so tests can
// drive refreshes and retries without waiting.
type regClock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) regTimer
}

type regTimer interface{ Stop() bool }

type wallClock struct{ now func() time.Time }

func (c wallClock) Now() time.Time { return c.now() }
func (c wallClock) AfterFunc(d time.Duration, f func()) regTimer {
	return time.AfterFunc(d, f)
}

// regEnv is what a registration needs from the driver.
type regEnv struct {
	clock   regClock
	log     Logger
	general func() *sipconf.General
	peer    func(name string) *sipconf.Peer
	// transmit sends m; the final response must come back through
	// r.onResponse(gen, res). A transmit that fails leaves the retry to
	// the registration timeout, as a lost datagram would.
	transmit func(r *outReg, m regMsg, gen int)
	// changed, when set, is told of a registration's new outcome
	// (registered, rejected): the manager's Registry event.
	changed func(r *outReg)
}

// notifyLocked calls env.changed.
func (r *outReg) notifyLocked() {
	if r.env.changed != nil {
		r.env.changed(r)
	}
}

// regMsg is one REGISTER as the state machine decides it; the transport
// adds the addresses (see buildRegister).
type regMsg struct {
	uri       string // Request-URI, also the digest uri
	user      string // AOR user
	domain    string // AOR host[:port]
	contact   string // Contact user
	callID    string
	fromTag   string
	cseq      uint32
	expiry    int
	transport sipconf.Transport
	authName  string // "Authorization" or "Proxy-Authorization", "" = none
	authValue string
}

// outReg is one "register =>" line's state machine, chan_sip's
// sip_registry: Unregistered -> Request Sent -> (Auth. Sent) -> Registered,
// or Rejected / No Authentication / Failed.
type outReg struct {
	env  *regEnv
	conf *sipconf.Register
	key  string

	mu        sync.Mutex
	state     sipshow.RegState
	refresh   int
	regTime   time.Time
	attempts  int
	authTries int
	expiry    int // requested; a 423 may raise it
	callID    string
	fromTag   string
	cseq      uint32
	gen       int // responses and timers of older generations are stale
	timeout   regTimer
	renew     regTimer
	stopped   bool
	unreg     chan struct{} // closed when an un-REGISTER is answered
	fromHdr   string
}

func newOutReg(env *regEnv, conf *sipconf.Register) *outReg {
	return &outReg{env: env, conf: conf, key: regKey(conf), expiry: conf.Expiry, state: sipshow.RegUnregistered,
		callID: fmt.Sprintf("%08x%08x%08x%08x", newID(), newID(), newID(), newID()), cseq: 101}
}

// regKey identifies a register line across reloads: a line re-registers
// only when one of these changed.
func regKey(r *sipconf.Register) string {
	return fmt.Sprintf("%s|%d|%s|%s|%d|%s|%s|%s|%d|%s|%d", r.Peer, r.Transport, r.User, r.Domain, r.DomainPort,
		r.Secret, r.AuthUser, r.Host, r.Port, r.Extension, r.Expiry)
}

// View is the line's "sip show registry" state.
func (r *outReg) view() sipshow.RegistryState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return sipshow.RegistryState{State: r.state, Refresh: r.refresh, RegTime: r.regTime}
}

// start sends the first REGISTER.
func (r *outReg) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts = 0
	r.sendLocked("", "")
}

// credentials are the digest user and secret: the line's, else those of
// the peer named by "peer?".
func (r *outReg) credentials() (user, secret string) {
	user, secret = r.conf.AuthUser, r.conf.Secret
	if r.conf.Peer != "" && r.env.peer != nil {
		if p := r.env.peer(r.conf.Peer); p != nil {
			if secret == "" {
				secret = p.Secret
			}
			if user == "" {
				user = p.AuthUser
			}
		}
	}
	if user == "" {
		user = r.conf.User
	}
	return user, secret
}

// aor is the Request-URI and the host part of From/To.
func (r *outReg) aor() (uri, domain string) {
	c := r.conf
	host := c.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	domain = host
	if c.Domain != "" {
		domain = c.Domain
		if c.DomainPort != 0 {
			domain += ":" + strconv.Itoa(c.DomainPort)
		}
	} else if c.Peer != "" && r.env.peer != nil {
		if p := r.env.peer(c.Peer); p != nil && p.FromDomain != "" {
			domain = p.FromDomain
		}
	}
	uri = "sip:" + domain
	if c.Domain == "" && domain == host && c.Port != 0 && c.Port != defaultPort(c.Transport) {
		uri += ":" + strconv.Itoa(c.Port)
	}
	return uri, domain
}

func defaultPort(t sipconf.Transport) int {
	if t == sipconf.TLS {
		return sipconf.StandardTLSPort
	}
	return sipconf.StandardSIPPort
}

// sendLocked transmits a REGISTER: a fresh attempt (counted, Request Sent)
// or, with an authorization, the answer to a challenge (Auth. Sent).
func (r *outReg) sendLocked(authName, authValue string) {
	if r.stopped {
		return
	}
	if authName == "" {
		r.attempts++
		r.authTries = 0
		r.state = sipshow.RegRequestSent
		if r.fromTag == "" {
			// One From tag for the registration's life, as chan_sip's
			// registry keeps its localtag with its Call-ID: registrars
			// that match refreshes by dialog see the same one.
			r.fromTag = newTag()
		}
	} else {
		r.state = sipshow.RegAuthSent
	}
	r.cseq++
	r.gen++
	uri, domain := r.aor()
	m := regMsg{uri: uri, user: r.conf.User, domain: domain, contact: r.conf.Extension, callID: r.callID,
		fromTag: r.fromTag, cseq: r.cseq, expiry: r.expiry, transport: r.conf.Transport,
		authName: authName, authValue: authValue}
	r.fromHdr = "<sip:" + m.user + "@" + m.domain + ">;tag=" + m.fromTag
	r.env.log.Debug(3, "REGISTER attempt %d to %s@%s", r.attempts, r.conf.User, r.conf.Host)
	r.armTimeoutLocked()
	r.env.transmit(r, m, r.gen)
}

func (r *outReg) armTimeoutLocked() {
	if r.timeout != nil {
		r.timeout.Stop()
	}
	secs := r.env.general().RegisterTimeout
	if secs <= 0 {
		secs = 20
	}
	gen := r.gen
	r.timeout = r.env.clock.AfterFunc(time.Duration(secs)*time.Second, func() { r.onTimeout(gen) })
}

func (r *outReg) stopTimersLocked() {
	if r.timeout != nil {
		r.timeout.Stop()
		r.timeout = nil
	}
	if r.renew != nil {
		r.renew.Stop()
		r.renew = nil
	}
}

// onTimeout: no final answer within registertimeout. chan_sip tries again
// with a fresh REGISTER until registerattempts is reached (0 = forever).
func (r *outReg) onTimeout(gen int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped || gen != r.gen {
		return
	}
	r.timeout = nil
	max := r.env.general().RegisterAttempts
	if max > 0 && r.attempts >= max {
		r.env.log.Notice("   -- Last Registration Attempt #%d failed, Giving up forever trying to register '%s@%s'",
			r.attempts, r.conf.User, r.conf.Host)
		r.state = sipshow.RegFailed
		r.gen++
		return
	}
	r.state = sipshow.RegUnregistered
	r.sendLocked("", "")
	r.env.log.Notice("   -- Registration for '%s@%s' timed out, trying again (Attempt #%d)",
		r.conf.User, r.conf.Host, r.attempts)
}

// onRenew re-registers before the registrar forgets us.
func (r *outReg) onRenew(gen int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped || gen != r.gen {
		return
	}
	r.renew = nil
	r.attempts = 0
	r.sendLocked("", "")
}

// onResponse handles the final response of the transaction started in
// generation gen.
func (r *outReg) onResponse(gen int, res *sip.Response) {
	if res.StatusCode < 200 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen {
		return
	}
	if r.unreg != nil {
		r.onUnregisterResponseLocked(res)
		return
	}
	if r.stopped {
		return
	}
	c := r.conf
	switch res.StatusCode {
	case 401, 407:
		if !r.answerChallengeLocked(res) {
			if res.StatusCode == 401 {
				r.env.log.Notice("Failed to authenticate on REGISTER to '%s@%s' (Tries %d)", c.User, c.Host, r.authTries)
			} else {
				r.env.log.Notice("Failed to authenticate on REGISTER to '%s' (tries '%d')", r.fromHdr, r.authTries)
			}
			// The registration timeout, still armed, tries again.
		}
	case 403:
		if r.env.general().RegisterRetry403 {
			r.env.log.Notice("Treating 403 response to REGISTER as non-fatal for %s@%s", c.User, c.Host)
			return
		}
		r.env.log.Warning("Forbidden - wrong password on authentication for REGISTER for '%s' to '%s'", c.User, c.Host)
		r.stopTimersLocked()
		r.state = sipshow.RegNoAuth
		r.notifyLocked()
		r.gen++
	case 404:
		r.env.log.Warning("Got 404 Not found on SIP register to service %s@%s, giving up", c.User, c.Host)
		r.stopTimersLocked()
		r.state = sipshow.RegRejected
		r.notifyLocked()
		r.gen++
	case 423:
		minExp, _ := strconv.Atoi(headerValue(res, "Min-Expires"))
		r.env.log.Warning("Got 423 Interval too brief for service %s@%s, minimum is %d seconds", c.User, c.Host, minExp)
		r.stopTimersLocked()
		if minExp <= 0 || minExp > r.env.general().MaxExpiry {
			r.env.log.Warning("Required expiration time from %s@%s is too high, giving up", c.User, c.Host)
			r.expiry = r.env.general().DefaultExpiry
			r.state = sipshow.RegRejected
			r.gen++
			return
		}
		r.expiry = minExp
		r.state = sipshow.RegUnregistered
		r.sendLocked("", "")
	case 479:
		r.env.log.Warning("Got error 479 on register to %s@%s, giving up (check config)", c.User, c.Host)
		r.stopTimersLocked()
		r.state = sipshow.RegRejected
		r.notifyLocked()
		r.gen++
	default:
		if res.StatusCode >= 200 && res.StatusCode < 300 {
			r.registeredLocked(res)
		}
		// Other failures are left to the registration timeout, which
		// retries, as chan_sip does.
	}
}

// answerChallengeLocked resends the REGISTER with credentials; false when
// it gave up (too many tries, no secret, unusable challenge).
func (r *outReg) answerChallengeLocked(res *sip.Response) bool {
	if r.authTries >= maxAuthTries {
		return false
	}
	r.authTries++
	challengeHdr, authHdr := "WWW-Authenticate", "Authorization"
	if res.StatusCode == 407 {
		challengeHdr, authHdr = "Proxy-Authenticate", "Proxy-Authorization"
	}
	ch := headerValue(res, challengeHdr)
	user, secret := r.credentials()
	if ch == "" {
		return false
	}
	uri, _ := r.aor()
	value, err := digest.Answer(ch, "REGISTER", uri, user, secret, 1)
	if err != nil {
		r.env.log.Debug(1, "REGISTER challenge from %s: %v", r.conf.Host, err)
		return false
	}
	r.sendLocked(authHdr, value)
	return true
}

// registeredLocked: 2xx. The granted expiry is our Contact's expires=
// parameter, else the Expires header, else what we asked for.
func (r *outReg) registeredLocked(res *sip.Response) {
	r.stopTimersLocked()
	expires := grantedExpiry(res, r.conf.Extension, r.expiry)
	r.state = sipshow.RegRegistered
	r.notifyLocked()
	r.regTime = r.env.clock.Now()
	r.attempts = 0
	r.authTries = 0
	ms := expires * 1000
	if expires <= expiryGuardLimit {
		ms -= max(int(float64(ms)*expiryGuardPct), expiryGuardMinMs)
	} else {
		ms -= expiryGuardSecs * 1000
	}
	if ms < expiryGuardMinMs {
		ms = expiryGuardMinMs
	}
	r.refresh = ms / 1000
	r.env.log.Debug(1, "Outbound Registration: Expiry for %s is %d sec (Scheduling reregistration in %d s)",
		r.conf.Host, expires, r.refresh)
	r.gen++
	gen := r.gen
	r.renew = r.env.clock.AfterFunc(time.Duration(ms)*time.Millisecond, func() { r.onRenew(gen) })
}

func grantedExpiry(res *sip.Response, contactUser string, asked int) int {
	for _, h := range res.GetHeaders("Contact") {
		for _, part := range splitContacts(h.Value()) {
			c := sip.ContactHeader{Params: sip.NewParams()}
			if _, err := sip.ParseAddressValue(part, &c.Address, &c.Params); err != nil {
				continue
			}
			if c.Address.User != contactUser {
				continue
			}
			if v, ok := c.Params.Get("expires"); ok {
				if n, err := strconv.Atoi(v); err == nil && n >= 0 {
					return n
				}
			}
		}
	}
	if v := headerValue(res, "Expires"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			return n
		}
	}
	return asked
}

// splitContacts splits a Contact value on the commas between addresses
// (not those inside quotes or angle brackets).
func splitContacts(v string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case '<':
			if !quoted {
				depth++
			}
		case '>':
			if !quoted && depth > 0 {
				depth--
			}
		case ',':
			if !quoted && depth == 0 {
				out = append(out, strings.TrimSpace(v[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(v[start:]))
}

func headerValue(res *sip.Response, name string) string {
	if h := res.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// stop ends the state machine. When it was registered and unregister is
// set, it sends REGISTER with Expires: 0 and returns a channel closed
// when the registrar answered (nil when nothing was sent).
func (r *outReg) stop(unregister bool) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopTimersLocked()
	wasRegistered := r.state == sipshow.RegRegistered
	r.stopped = true
	r.gen++
	if !unregister || !wasRegistered {
		return nil
	}
	r.unreg = make(chan struct{})
	r.authTries = 0
	r.sendUnregisterLocked("", "")
	return r.unreg
}

func (r *outReg) sendUnregisterLocked(authName, authValue string) {
	r.cseq++
	r.gen++
	uri, domain := r.aor()
	m := regMsg{uri: uri, user: r.conf.User, domain: domain, contact: r.conf.Extension, callID: r.callID,
		fromTag: r.unregTag(), cseq: r.cseq, expiry: 0, transport: r.conf.Transport, authName: authName, authValue: authValue}
	r.env.transmit(r, m, r.gen)
}

func (r *outReg) onUnregisterResponseLocked(res *sip.Response) {
	if (res.StatusCode == 401 || res.StatusCode == 407) && r.authTries < maxAuthTries {
		r.authTries++
		challengeHdr, authHdr := "WWW-Authenticate", "Authorization"
		if res.StatusCode == 407 {
			challengeHdr, authHdr = "Proxy-Authenticate", "Proxy-Authorization"
		}
		user, secret := r.credentials()
		uri, _ := r.aor()
		if v, err := digest.Answer(headerValue(res, challengeHdr), "REGISTER", uri, user, secret, 1); err == nil {
			r.sendUnregisterLocked(authHdr, v)
			return
		}
	}
	r.state = sipshow.RegUnregistered
	r.refresh = 0
	close(r.unreg)
	r.unreg = nil
	r.gen++
}

// buildRegister turns m into a request from local (Via, Contact) to the
// registrar, with chan_sip's header order.
func buildRegister(m regMsg, local netip.AddrPort, userAgent string) (*sip.Request, error) {
	var ruri sip.Uri
	if err := sip.ParseUri(m.uri, &ruri); err != nil {
		return nil, fmt.Errorf("register uri %q: %w", m.uri, err)
	}
	req := sip.NewRequest(sip.REGISTER, ruri)
	tp := "UDP"
	switch m.transport {
	case sipconf.TCP:
		tp = "TCP"
	case sipconf.TLS:
		tp = "TLS"
	}
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: tp,
		Host: local.Addr().String(), Port: int(local.Port()), Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	via.Params.Add("rport", "")
	req.AppendHeader(via)
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.AppendHeader(sip.NewHeader("From", "<sip:"+m.user+"@"+m.domain+">;tag="+m.fromTag))
	req.AppendHeader(sip.NewHeader("To", "<sip:"+m.user+"@"+m.domain+">"))
	callid := sip.CallIDHeader(m.callID + "@" + hostOnly(local))
	req.AppendHeader(&callid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: m.cseq, MethodName: sip.REGISTER})
	req.AppendHeader(sip.NewHeader("Supported", supportedHeader))
	req.AppendHeader(sip.NewHeader("User-Agent", userAgent))
	if m.authName != "" {
		req.AppendHeader(sip.NewHeader(m.authName, m.authValue))
	}
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(m.expiry)))
	contact := "<sip:" + m.contact + "@" + hostPort(local)
	if m.transport == sipconf.TCP || m.transport == sipconf.TLS {
		contact += ";transport=" + strings.ToLower(tp)
	}
	req.AppendHeader(sip.NewHeader("Contact", contact+">"))
	req.SetBody(nil)
	return req, nil
}

func hostOnly(a netip.AddrPort) string {
	if a.Addr().Is6() {
		return "[" + a.Addr().String() + "]"
	}
	return a.Addr().String()
}

// unregTag is the From tag of an un-REGISTER: the registration's own.
func (r *outReg) unregTag() string {
	if r.fromTag == "" {
		r.fromTag = newTag()
	}
	return r.fromTag
}
