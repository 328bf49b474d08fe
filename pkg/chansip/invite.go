package chansip

import (
	"net/netip"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// handleInvite is chan_sip's handle_request_invite up to the point where a
// call exists: in-dialog requests go to the call manager, a new call is
// matched to a peer (by From user, then by source address), authenticated
// unless the peer is insecure=invite, and handed to the manager. The
// manager's HandleInvite runs on this goroutine: sipgo ends the server
// transaction when the handler returns.
func (d *Driver) handleInvite(req *sip.Request, tx sip.ServerTransaction) {
	if d.rejectMalformed(req, tx) || d.refuseUnsupported(req, tx) {
		return
	}
	calls := d.callManager()
	if calls == nil {
		d.respond(req, stateless(req, tx), 503, "Service Unavailable", nil)
		return
	}
	if to := req.To(); to != nil && to.Params.Has("tag") {
		if !calls.HandleInDialog(req, tx) {
			d.respond(req, stateless(req, tx), 481, "Call leg/transaction does not exist", nil)
		}
		return
	}
	if calls.RetransmittedInvite(req, tx) {
		return
	}
	src, err := parseHostPort(req.Source())
	if err != nil {
		return
	}
	cfg := d.cfg.Load()
	g := &cfg.General
	fromHeader := ""
	if h := req.GetHeader("From"); h != nil {
		fromHeader = h.Value()
	}
	// Challenges and refusals go out without a transaction: sipgo would
	// keep each for Timer I or J (5 to 32 s) with a goroutine waiting to
	// pass up the ACK nobody reads, and would retransmit the 401 whenever
	// that ACK is late under load (the caller then takes the retransmission
	// for an answer to its authenticated INVITE). A lost challenge is
	// answered again when the INVITE is retransmitted; its ACK is dropped
	// as an ACK of no dialog.
	r := &regRequest{req: req, tx: stateless(req, tx), src: src, transport: transportName(req.Transport()), toHeader: fromHeader}
	peer := d.matchCaller(cfg, req, src)
	if peer != nil && (!g.ACL.Allows(src.Addr()) || !peer.ACL.Allows(src.Addr())) {
		d.log.Notice("Failed to authenticate device %s for INVITE, code = %d", fromHeader, authACLFailed.code())
		d.inviteReject(cfg, r)
		d.reportInvite(cfg, r, peer, authACLFailed)
		return
	}
	if peer == nil {
		if g.AllowGuest {
			d.connAuthenticated(r.transport, src) // a guest call authenticates, as in chan_sip
			dpContext, ok := d.domainContext(cfg, req, nil, g.Context)
			if !ok {
				d.respond(req, stateless(req, tx), 403, "Forbidden", nil)
				return
			}
			d.flow.detach(req)
			calls.HandleInvite(req, tx, nil, dpContext)
			return
		}
		d.log.Notice("Failed to authenticate device %s for INVITE, code = %d", fromHeader, authSecretFailed.code())
		d.inviteReject(cfg, r)
		d.reportInvite(cfg, r, nil, authNotFound)
		return
	}
	if !peer.Insecure.Invite {
		// The digest user of an INVITE must be the peer's name, as for
		// REGISTER (chan_sip authenticates both with check_auth).
		r.name = peer.Name
		res := d.checkAuth(cfg, peer, r)
		d.reportInvite(cfg, r, peer, res)
		switch res {
		case authOK:
		case authChallengeSent:
			return
		default:
			d.log.Notice("Failed to authenticate device %s for INVITE, code = %d", fromHeader, res.code())
			d.respond(req, r.tx, 403, "Forbidden", nil)
			return
		}
	} else {
		d.reportInvite(cfg, r, peer, authOK)
	}
	d.connAuthenticated(r.transport, src)
	if _, ok := d.domainContext(cfg, req, peer, peer.Context); !ok {
		d.respond(req, stateless(req, tx), 403, "Forbidden", nil)
		return
	}
	d.flow.detach(req)
	calls.HandleInvite(req, tx, peer, peer.Context)
}

// code is the number chan_sip prints for an authentication result in its
// "Failed to authenticate device" line (its check_auth_result values). An
// unknown caller is reported as a wrong password, as with alwaysauthreject
// the two must look alike.
func (r authResult) code() int {
	switch r {
	case authSecretFailed, authNotFound:
		return -1
	case authUsernameMismatch:
		return -2
	case authPeerNotDynamic:
		return -6
	case authACLFailed:
		return -7
	case authBadTransport:
		return -8
	}
	return -100
}

// inviteReject answers a caller we cannot accept: with alwaysauthreject the
// answer is the one a known device with a wrong password gets (challenge,
// then 403), so callers cannot probe which names exist.
func (d *Driver) inviteReject(cfg *sipconf.Config, r *regRequest) {
	if cfg.General.AlwaysAuthReject {
		d.fakeAuth(cfg, r)
		return
	}
	d.respond(r.req, r.tx, 403, "Forbidden", nil)
}

// matchCaller finds the peer a new INVITE comes from: a user or friend
// named by the From user, else a peer whose static address is the source
// (any port when insecure=port), as chan_sip's check_user_full does.
func (d *Driver) matchCaller(cfg *sipconf.Config, req *sip.Request, src netip.AddrPort) *sipconf.Peer {
	if from := req.From(); from != nil && from.Address.User != "" {
		if p := cfg.Peer(from.Address.User); p != nil && p.IsUser() {
			return p
		}
	}
	for _, p := range d.peersByAddr(cfg) {
		addr, ok := d.staticAddr(p)
		if !ok || addr.Addr() != src.Addr() {
			continue
		}
		if p.Insecure.Port || addr.Port() == src.Port() {
			return p
		}
	}
	return nil
}

// handleInDialog routes ACK, BYE, CANCEL and other in-dialog requests to
// the call manager; an unknown dialog gets 481 (an ACK gets nothing).
func (d *Driver) handleInDialog(req *sip.Request, tx sip.ServerTransaction) {
	if req.Method != sip.ACK && d.rejectMalformed(req, tx) {
		return
	}
	calls := d.callManager()
	if calls != nil && calls.HandleInDialog(req, tx) {
		return
	}
	if req.Method == sip.ACK {
		return
	}
	if to := req.To(); req.Method == sip.REFER && (to == nil || !to.Params.Has("tag")) {
		// chan_sip takes no transfer outside a dialog.
		d.respond(req, stateless(req, tx), 603, "Declined (No dialog)", nil)
		return
	}
	// No dialog, no state to keep: over UDP a retransmission is answered
	// again rather than held by a transaction for 32 s.
	d.respond(req, stateless(req, tx), 481, "Call leg/transaction does not exist", nil)
}

// rejectMalformed answers 400 to a request chan_sip would refuse before
// looking at its method (see checkRequest) and reports whether it did.
func (d *Driver) rejectMalformed(req *sip.Request, tx sip.ServerTransaction) bool {
	if d.badVersion(req) {
		return true // dropped, not answered
	}
	err := checkRequest(req)
	if err == nil {
		return false
	}
	d.log.Debug(1, "Bad %s from %s: %v", req.Method, req.Source(), err)
	d.respond(req, stateless(req, tx), 400, "Bad Request", nil)
	return true
}
