package call

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Session timers (RFC 4028) as chan_sip runs them: session-timers=accept
// (the default: used when the far end asks), originate (asked for on
// every call) or refuse; session-expires is the largest interval we want,
// session-minse the smallest we accept, session-refresher who refreshes
// when we answer a request that does not say. The refresher sends a
// re-INVITE with the same SDP at half the interval; the other side sends
// BYE when no refresh came by the interval less min(interval/3, 32 s).

// stMode is a session-timers= value.
type stMode int

const (
	stAccept stMode = iota
	stOriginate
	stRefuse
)

// stConf is a dialog's session-timer settings: its peer's, else [general]'s.
type stConf struct {
	mode           stMode
	expires, minSE int  // seconds
	refresherUAC   bool // session-refresher=uac
}

func (m *Manager) stConfFor(p *sipconf.Peer) stConf {
	c := stConf{expires: 1800, minSE: 90}
	var mode, ref string
	switch {
	case p != nil:
		mode, ref, c.expires, c.minSE = p.SessionTimers, p.SessionRefresher, p.SessionExpires, p.SessionMinSE
	case m.d.General != nil:
		g := m.d.General()
		mode, ref, c.expires, c.minSE = g.SessionTimers, g.SessionRefresher, g.SessionExpires, g.SessionMinSE
	}
	switch strings.ToLower(mode) {
	case "originate":
		c.mode = stOriginate
	case "refuse":
		c.mode = stRefuse
	}
	c.refresherUAC = strings.EqualFold(ref, "uac")
	if c.expires <= 0 {
		c.expires = 1800
	}
	if c.minSE <= 0 {
		c.minSE = 90
	}
	return c
}

// sessionTimer is a dialog's running session timer.
type sessionTimer struct {
	mu       sync.Mutex
	active   bool
	interval int  // seconds
	us       bool // we refresh
	peerUA   bool // the far end does session timers (Supported/Require: timer)
	timer    *time.Timer
	stopped  bool
}

// stUnit is the length of one session-timer second: a second, shorter in
// tests (Deps.SessionTimerUnit).
func (m *Manager) stUnit() time.Duration {
	if m.d.SessionTimerUnit > 0 {
		return m.d.SessionTimerUnit
	}
	return time.Second
}

// hasTag reports whether a Supported or Require header of req lists tag.
func hasTag(req *sip.Request, header, tag string) bool {
	for _, h := range req.GetHeaders(header) {
		for _, t := range strings.Split(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(t), tag) {
				return true
			}
		}
	}
	return false
}

// parseSessionExpires reads "1800;refresher=uac": the interval and the
// refresher ("" when not given); an error for chan_sip's invalid syntax.
func parseSessionExpires(v string) (int, string, error) {
	parts := strings.Split(v, ";")
	n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil {
		return 0, "", fmt.Errorf("bad Session-Expires %q", v)
	}
	ref := ""
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(k), "refresher") {
			continue
		}
		switch val = strings.ToLower(strings.TrimSpace(val)); val {
		case "uac", "uas":
			ref = val
		default:
			return 0, "", fmt.Errorf("bad refresher %q", val)
		}
	}
	return n, ref, nil
}

// stReject is a refusal of an INVITE by the session-timer negotiation.
type stReject struct {
	code    int
	reason  string
	headers []sip.Header
}

// negotiateUAS is chan_sip's handle_request_invite_st for an INVITE we
// receive: it fills st (re-INVITE: reinvite) and returns a refusal when
// the request must be refused (400, 422 with Min-SE, 420 Option Disabled).
func (m *Manager) negotiateUAS(d *dialog, req *sip.Request, reinvite bool) *stReject {
	conf := m.stConfFor(d.peer)
	active, interval, us := false, 0, !conf.refresherUAC
	peerUA := hasTag(req, "Supported", "timer") || hasTag(req, "Require", "timer")
	if peerUA {
		uacSE, uacMin, ref := 0, 0, ""
		if h := req.GetHeader("Session-Expires"); h != nil {
			n, r, err := parseSessionExpires(h.Value())
			if err != nil {
				return &stReject{code: 400, reason: "Session-Expires Invalid Syntax"}
			}
			uacSE, ref = n, r
			// A Session-Expires names the refresher: without refresher=uac
			// it is us (chan_sip's reading).
			us = ref != "uac"
		}
		if h := req.GetHeader("Min-SE"); h != nil {
			n, err := strconv.Atoi(strings.TrimSpace(h.Value()))
			if err != nil {
				return &stReject{code: 400, reason: "Min-SE Invalid Syntax"}
			}
			uacMin = n
		}
		switch conf.mode {
		case stAccept, stOriginate:
			if uacSE > 0 && uacSE < conf.minSE {
				return &stReject{code: 422, reason: "Session Interval Too Small",
					headers: []sip.Header{sip.NewHeader("Min-SE", strconv.Itoa(conf.minSE))}}
			}
			active = true
			if req.GetHeader("Session-Expires") == nil {
				us = !conf.refresherUAC
			}
			switch {
			case uacSE > 0 && conf.expires >= uacMin:
				interval = min(uacSE, conf.expires)
			case uacSE > 0:
				interval = uacSE
			case uacMin > 0:
				interval = max(conf.expires, uacMin)
			default:
				interval = conf.expires
			}
		case stRefuse:
			if hasTag(req, "Require", "timer") {
				m.log.Warning("Received SIP INVITE with supported but disabled option: timer\n")
				return &stReject{code: 420, reason: "Option Disabled",
					headers: []sip.Header{sip.NewHeader("Unsupported", "timer")}}
			}
		}
	} else if conf.mode == stOriginate {
		active, interval, us = true, conf.expires, true
	}
	st := &d.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if !reinvite {
		if active {
			st.active, st.interval, st.us, st.peerUA = true, interval, us, peerUA
		}
		return nil
	}
	if st.active && interval > 0 {
		// The far end may change the interval mid-session.
		st.interval, st.us = interval, us
	}
	return nil
}

// addSessionHeaders adds Session-Expires (and Require: timer when the far
// end refreshes, or does timers and we refresh) to a 2xx to an INVITE.
func (d *dialog) addSessionHeaders(res *sip.Response) {
	st := &d.st
	st.mu.Lock()
	active, interval, us, peerUA := st.active, st.interval, st.us, st.peerUA
	st.mu.Unlock()
	if !active {
		return
	}
	ref := "uac"
	if us {
		ref = "uas"
	}
	res.AppendHeader(sip.NewHeader("Session-Expires", fmt.Sprintf("%d;refresher=%s", interval, ref)))
	if !us || peerUA {
		res.AppendHeader(sip.NewHeader("Require", "timer"))
	}
}

// supportedValue is our Supported header: "replaces, timer", without
// timer when session-timers=refuse, with path for a supportpath=yes peer
// (chan_sip's add_supported).
func (m *Manager) supportedValue(p *sipconf.Peer) string {
	v := "replaces, timer"
	if m.stConfFor(p).mode == stRefuse {
		v = "replaces"
	}
	if p != nil && p.UsePath {
		v += ", path"
	}
	return v
}

// addUACSessionHeaders adds what our INVITE asks for: Session-Expires
// with originate, Min-SE with originate or with accept and a session-minse
// other than the default 90 (chan_sip's transmit_invite).
func (m *Manager) addUACSessionHeaders(d *dialog, req *sip.Request) {
	conf := m.stConfFor(d.peer)
	if conf.mode != stOriginate && (conf.mode != stAccept || conf.minSE == 90) {
		return
	}
	st := &d.st
	st.mu.Lock()
	if st.interval == 0 {
		st.interval = conf.expires
	}
	interval := st.interval
	st.mu.Unlock()
	if conf.mode == stOriginate {
		req.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(interval)))
	}
	req.AppendHeader(sip.NewHeader("Min-SE", strconv.Itoa(conf.minSE)))
}

// answeredUAC reads the session timer of the 2xx to our INVITE and starts
// it; it reports false when the answer's interval is below our Min-SE
// (chan_sip then hangs up).
func (m *Manager) answeredUAC(d *dialog, res *sip.Response) bool {
	conf := m.stConfFor(d.peer)
	if conf.mode == stRefuse {
		return true
	}
	st := &d.st
	if h := res.GetHeader("Session-Expires"); h != nil {
		n, ref, err := parseSessionExpires(h.Value())
		if err != nil {
			return false
		}
		if n < conf.minSE {
			m.log.Warning("Got Session-Expires less than local Min-SE in 200 OK, tearing down call\n")
			return false
		}
		st.mu.Lock()
		switch ref {
		case "uac":
			st.us = true
		case "uas":
			st.us = false
		default:
			m.log.Warning("Unknown refresher on %s\n", d.callID)
		}
		if n > 0 {
			st.interval = n
		}
		st.active, st.peerUA = true, true
		st.mu.Unlock()
		d.startSessionTimer()
		return true
	}
	if conf.mode == stOriginate {
		st.mu.Lock()
		st.active, st.us, st.peerUA = true, true, false
		if st.interval == 0 {
			st.interval = conf.expires
		}
		st.mu.Unlock()
		d.startSessionTimer()
	}
	return true
}

// retry422 takes a 422 to our INVITE: the interval becomes its Min-SE
// and the INVITE is sent again (chan_sip's proc_422_rsp); ok is false
// when the 422 has no usable Min-SE.
func (m *Manager) retry422(d *dialog, req *sip.Request, res *sip.Response) bool {
	h := res.GetHeader("Min-SE")
	if h == nil {
		m.log.Warning("422 response without a Min-SE header\n")
		return false
	}
	n, err := strconv.Atoi(strings.TrimSpace(h.Value()))
	if err != nil {
		m.log.Warning("Parsing of Min-SE header failed %s\n", h.Value())
		return false
	}
	st := &d.st
	st.mu.Lock()
	if st.interval < n {
		st.interval = n
	}
	interval := st.interval
	st.mu.Unlock()
	if se := req.GetHeader("Session-Expires"); se != nil {
		req.ReplaceHeader(sip.NewHeader("Session-Expires", strconv.Itoa(interval)))
	} else {
		req.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(interval)))
	}
	req.ReplaceHeader(sip.NewHeader("Min-SE", strconv.Itoa(n)))
	return true
}

// startSessionTimer (re)arms the timer when it is active: at half the
// interval when we refresh, at the interval less min(interval/3, 32 s)
// when they do (RFC 4028 section 10).
func (d *dialog) startSessionTimer() {
	st := &d.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.active || st.stopped {
		return
	}
	unit := d.m.stUnit()
	wait := time.Duration(st.interval) * unit
	if st.us {
		wait /= 2
	} else {
		wait -= min(wait/3, 32*unit)
	}
	if st.timer != nil {
		st.timer.Stop()
	}
	st.timer = time.AfterFunc(wait, d.sessionTimerFired)
}

// stopSessionTimer ends the session timer for good (the dialog ends).
func (d *dialog) stopSessionTimer() {
	st := &d.st
	st.mu.Lock()
	defer st.mu.Unlock()
	st.stopped = true
	if st.timer != nil {
		st.timer.Stop()
		st.timer = nil
	}
}

// refreshed restarts the timer on a refresh from the far end.
func (d *dialog) refreshed() { d.startSessionTimer() }

// sessionTimerFired is chan_sip's proc_session_timer.
func (d *dialog) sessionTimerFired() {
	st := &d.st
	st.mu.Lock()
	active, us, stopped := st.active, st.us, st.stopped
	st.mu.Unlock()
	ch := d.channel()
	if !active || stopped || d.isEnded() || ch == nil || ch.State() != pbx.StateUp {
		return
	}
	if us {
		d.m.goTracked(d.sendRefresh)
		return
	}
	d.m.log.Warning("Session-Timer expired - %s\n", d.callID)
	ch.SoftHangup(pbx.CauseNormalClearing)
}

// sendRefresh sends the refresh re-INVITE with our last SDP (chan_sip's
// transmit_reinvite_with_sdp with the old SDP) and restarts the timer on
// its 2xx. A refresh the far end says it does not know (481) or that
// gets no answer (408) ends the call.
func (d *dialog) sendRefresh() {
	m := d.m
	d.mu.Lock()
	sess := d.sess
	d.mu.Unlock()
	req := d.newRequest(sip.INVITE)
	req.AppendHeader(&sip.ContactHeader{Address: d.contactURI(d.localURI.User)})
	req.AppendHeader(sip.NewHeader("Allow", m.allow()))
	req.AppendHeader(sip.NewHeader("Supported", m.supportedValue(d.peer)))
	// chan_sip's refresh carries no Session-Expires: the same SDP is the
	// refresh.
	if sess != nil && len(sess.Last()) > 0 {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(sess.Last())
	}
	d.setLast("Tx: INVITE")
	opt := sipgo.ClientRequestAddVia
	if req.Via() != nil {
		opt = sipgo.ClientRequestBuild
	}
	ctx, cancel := context.WithTimeout(m.ctx, 64*m.d.T1+time.Second)
	defer cancel()
	tx, err := m.d.Client.TransactionRequest(ctx, req, opt)
	if err != nil {
		m.log.Warning("Unable to send session refresh on %s: %v\n", d.callID, err)
		return
	}
	defer tx.Terminate()
	res, err := finalResponse(ctx, tx)
	if err != nil || res.StatusCode == 408 || res.StatusCode == 481 {
		m.log.Warning("Session refresh on %s failed, hanging up\n", d.callID)
		if ch := d.channel(); ch != nil {
			ch.SoftHangup(pbx.CauseNoUserResponse)
		}
		return
	}
	if res.IsSuccess() {
		ack := d.newRequest(sip.ACK)
		d.mu.Lock()
		d.localCSeq--
		d.mu.Unlock()
		ack.CSeq().SeqNo = req.CSeq().SeqNo
		if err := m.d.Client.WriteRequest(ack); err != nil {
			m.log.Warning("Unable to send ACK on %s: %v\n", d.callID, err)
		}
	}
	d.startSessionTimer()
}

// handleUpdate answers an UPDATE without a body, a session refresh
// (RFC 4028 allows UPDATE as well as re-INVITE): 200 OK with our
// Session-Expires, and the timer restarts. An UPDATE that carries SDP is
// a media change (handleMediaUpdate, update.go). Before the call is
// answered every UPDATE gets chan_sip's 501.
func (m *Manager) handleUpdate(d *dialog, req *sip.Request, tx sip.ServerTransaction) {
	d.setLast("Rx: UPDATE")
	if req.GetHeader("X-Asterisk-rpid-update") != nil {
		m.handleRPIDUpdate(d, req, tx) // update.go
		return
	}
	if !d.confirmed() {
		// chan_sip answers an UPDATE in an early dialog (as every UPDATE
		// but its own connected-line one) 501; no session timer runs yet.
		m.respond(req, tx, 501, "Method Not Implemented")
		return
	}
	if len(req.Body()) > 0 {
		m.handleMediaUpdate(d, req, tx)
		return
	}
	if rj := m.negotiateUAS(d, req, true); rj != nil {
		m.respondWith(req, tx, rj)
		return
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	d.mu.Lock()
	tag := d.localTag
	d.mu.Unlock()
	if to := res.To(); to != nil && !to.Params.Has("tag") {
		to.Params.Add("tag", tag)
	}
	res.AppendHeader(sip.NewHeader("Server", m.userAgent()))
	res.AppendHeader(&sip.ContactHeader{Address: d.contactURI(d.localURI.User)})
	d.addSessionHeaders(res)
	if err := respondStateless(req, tx, res); err != nil {
		m.log.Warning("Unable to answer UPDATE on %s: %v\n", d.callID, err)
	}
	d.refreshed()
}

// respondWith sends a session-timer refusal.
func (m *Manager) respondWith(req *sip.Request, tx sip.ServerTransaction, rj *stReject) {
	res := sip.NewResponseFromRequest(req, rj.code, rj.reason, nil)
	res.AppendHeader(sip.NewHeader("Server", m.userAgent()))
	for _, h := range rj.headers {
		res.AppendHeader(h)
	}
	send := tx.Respond
	if req.Method != sip.INVITE {
		send = func(res *sip.Response) error { return respondStateless(req, tx, res) }
	}
	if err := send(res); err != nil {
		m.log.Warning("Unable to send %d %s for %s: %v\n", rj.code, rj.reason, req.Method, err)
	}
}

// resend sends our INVITE again in a new transaction with the next CSeq
// (after a 422).
func (o *outCall) resend(req *sip.Request) (sip.ClientTransaction, error) {
	req.RemoveHeader("Via")
	o.mu.Lock()
	o.localCSeq++
	req.CSeq().SeqNo = o.localCSeq
	o.mu.Unlock()
	if via := o.wildcardVia(); via != nil {
		req.PrependHeader(via)
		return o.m.d.Client.TransactionRequest(o.m.ctx, req, sipgo.ClientRequestBuild)
	}
	return o.m.d.Client.TransactionRequest(o.m.ctx, req, sipgo.ClientRequestAddVia)
}
