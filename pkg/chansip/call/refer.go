package call

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// referTo is a parsed Refer-To header (RFC 3515): the extension the
// transferee is sent to, the domain it names and, for an attended
// transfer, the dialog the Replaces parameter points at (RFC 3891).
type referTo struct {
	exten, domain string
	replaces      *replacesParam
}

// Errors of parseReferTo, which decide chan_sip's answers.
var (
	errReferToMissing = fmt.Errorf("refer-to missing")
	errReferToNotSIP  = fmt.Errorf("refer-to is not a sip: uri")
)

// parseReferTo reads a Refer-To value: "<sip:700@pbx?Replaces=...>" or a
// bare "sip:700@pbx". The user part is URI-decoded, as chan_sip does
// before looking the extension up.
func parseReferTo(v string) (referTo, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return referTo{}, errReferToMissing
	}
	if i := strings.IndexByte(v, '<'); i >= 0 {
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			return referTo{}, errReferToMissing
		}
		v = v[i+1 : i+j]
	} else if i := strings.IndexByte(v, ';'); i >= 0 {
		// Without brackets, ;params belong to the header, not the URI.
		v = v[:i]
	}
	lower := strings.ToLower(v)
	switch {
	case strings.HasPrefix(lower, "sip:"):
		v = v[4:]
	case strings.HasPrefix(lower, "sips:"):
		v = v[5:]
	default:
		return referTo{}, errReferToNotSIP
	}
	var headers string
	if i := strings.IndexByte(v, '?'); i >= 0 {
		v, headers = v[:i], v[i+1:]
	}
	user, host, found := strings.Cut(v, "@")
	if !found {
		// sip:host alone: no extension to go to.
		user, host = "", v
	}
	if i := strings.IndexByte(user, ';'); i >= 0 {
		user = user[:i] // user parameters (;phone-context=...)
	}
	if i := strings.IndexAny(host, ";:"); i >= 0 {
		host = host[:i]
	}
	exten, err := url.PathUnescape(user)
	if err != nil {
		return referTo{}, errReferToMissing
	}
	rt := referTo{exten: exten, domain: host}
	for _, h := range strings.Split(headers, "&") {
		name, val, _ := strings.Cut(h, "=")
		if !strings.EqualFold(name, "Replaces") {
			continue
		}
		raw, err := url.QueryUnescape(val)
		if err != nil {
			return referTo{}, errReferToMissing
		}
		rp, err := parseReplaces(raw)
		if err != nil {
			return referTo{}, errReferToMissing
		}
		rt.replaces = &rp
	}
	if rt.exten == "" && rt.replaces == nil {
		return referTo{}, errReferToMissing
	}
	return rt, nil
}

// referState is what a dialog keeps of a REFER it accepted: chan_sip's
// SIP_GOTREFER (a second REFER meanwhile gets 491) and its
// SIP_DEFER_BYE_ON_TRANSFER (once the transferee left, our hangup of the
// transferer waits for the phone's own BYE, which RFC 5589 says it sends
// after the final NOTIFY).
type referState struct {
	mu       sync.Mutex
	pending  bool
	deferBye bool
	byeSeen  chan struct{}
	byeOnce  sync.Once
}

// referOf returns the dialog's transfer state, creating it.
func (d *dialog) referOf() *referState {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.xfer == nil {
		d.xfer = &referState{byeSeen: make(chan struct{})}
	}
	return d.xfer
}

// theirByeArrived records the far end's BYE for a deferred hangup.
func (d *dialog) theirByeArrived() {
	d.mu.Lock()
	x := d.xfer
	d.mu.Unlock()
	if x != nil {
		x.byeOnce.Do(func() { close(x.byeSeen) })
	}
}

// deferredBye reports whether our BYE waits for the phone's after a
// transfer; when it does, it starts the wait: the phone's BYE ends the
// dialog, and only if none comes within 64*T1 (chan_sip's destruction
// timer) do we send ours.
func (d *dialog) deferredBye(cause int) bool {
	d.mu.Lock()
	x := d.xfer
	d.mu.Unlock()
	if x == nil {
		return false
	}
	x.mu.Lock()
	deferred := x.deferBye
	x.deferBye = false
	x.mu.Unlock()
	if !deferred {
		return false
	}
	m := d.m
	ok := m.goTracked(func() {
		t := time.NewTimer(64 * m.d.T1)
		defer t.Stop()
		select {
		case <-x.byeSeen:
			m.forget(d, true)
		case <-m.ctx.Done():
			m.forget(d, false)
		case <-t.C:
			m.log.Verbose(3, "Finally hanging up channel after transfer: %s\n", d.callID)
			d.sendByeNow(cause)
		}
	})
	return ok
}

// handleRefer is chan_sip's handle_request_refer: policy and syntax
// checks answered at once, then 202 Accepted and the transfer itself on a
// goroutine that reports its progress in NOTIFYs (message/sipfrag,
// RFC 3515 section 2.4.5).
func (m *Manager) handleRefer(d *dialog, req *sip.Request, tx sip.ServerTransaction) {
	d.setLast("Rx: REFER")
	transferer := d.channel()
	if transferer == nil || transferer.Gone() {
		m.respond(req, tx, 603, "Declined (No dialog)")
		return
	}
	if !d.allowTransfer() {
		m.respond(req, tx, 603, "Declined (policy)")
		return
	}
	x := d.referOf()
	x.mu.Lock()
	if x.pending {
		x.mu.Unlock()
		m.respond(req, tx, 491, "Request pending")
		return
	}
	x.mu.Unlock()
	h := req.GetHeader("Refer-To")
	if h == nil {
		h = req.GetHeader("r")
	}
	val := ""
	if h != nil {
		val = h.Value()
	}
	rt, err := parseReferTo(val)
	switch {
	case err == errReferToNotSIP:
		m.log.Warning("Can't transfer to non-sip: URI.  (Refer-to: %s)?\n", inBrackets(val))
		m.respond(req, tx, 603, "Declined (Non sip: uri)")
		return
	case strings.TrimSpace(val) == "":
		m.log.Warning("Refer-To Header missing. Skipping transfer.\n")
		m.respond(req, tx, 400, "Bad Request (Refer-to missing)")
		return
	case err != nil:
		m.respond(req, tx, 400, "Bad Request (Refer-to missing)")
		return
	}
	seq := req.CSeq().SeqNo
	referredBy := ""
	if h := req.GetHeader("Referred-By"); h != nil {
		referredBy = h.Value()
	} else if h := req.GetHeader("b"); h != nil {
		referredBy = h.Value()
	}
	if rt.replaces != nil {
		m.attendedRefer(d, req, tx, rt, seq)
		return
	}
	xferCtx := m.transferContext(d, transferer)
	plan := m.d.Engine.Plan()
	if plan == nil || !plan.Exists(xferCtx, rt.exten, transferer.CallerID().Num, 1) {
		// chan_sip accepts and then fails, so the phone's transfer UI
		// reports it; the call stays as it was.
		m.respond(req, tx, 202, "Accepted")
		d.notifyAsync(seq, "404 Not found", true)
		return
	}
	x.mu.Lock()
	x.pending = true
	x.mu.Unlock()
	m.respond(req, tx, 202, "Accepted")
	m.goTracked(func() {
		defer func() { x.mu.Lock(); x.pending = false; x.mu.Unlock() }()
		d.sendNotify(seq, "100 Trying", false)
		status := m.blindTransfer(d, transferer, rt.exten, xferCtx, referredBy)
		d.sendNotify(seq, status, true)
	})
}

// allowTransfer is sip.conf's allowtransfer for the dialog's peer
// ([general]'s for a guest).
func (d *dialog) allowTransfer() bool {
	if d.peer != nil {
		return d.peer.AllowTransfer
	}
	if g := d.m.d.General(); g != nil {
		return g.AllowTransfer
	}
	return true
}

// transferContext is where a transfer's extension is looked up: the
// transferer's TRANSFER_CONTEXT variable, else the dialog's context
// (the peer's), else [general]'s.
func (m *Manager) transferContext(d *dialog, transferer *pbx.Channel) string {
	if v, ok := transferer.Var("TRANSFER_CONTEXT"); ok && v != "" {
		return v
	}
	if d.peer != nil && d.peer.Context != "" {
		return d.peer.Context
	}
	if g := m.d.General(); g != nil && g.Context != "" {
		return g.Context
	}
	return "default"
}

// blindTransfer sends the transferer's bridged party to exten@xferCtx and
// returns the sipfrag status line for the final NOTIFY, as chan_sip maps
// ast_bridge_transfer_blind's result.
func (m *Manager) blindTransfer(d *dialog, transferer *pbx.Channel, exten, xferCtx, referredBy string) string {
	transferee := transferer.Peer()
	if transferee == nil || transferee.Gone() {
		return "503 Service Unavailable (can't handle one-legged xfers)"
	}
	// Variables the transferee carries into its new dialplan, as
	// chan_sip's blind_transfer_cb and the bridge core set them.
	transferee.SetVar("SIPTRANSFER", "yes")
	transferee.SetVar("BLINDTRANSFER", transferer.Name())
	transferee.SetVar("__SIPREFERRINGCONTEXT", xferCtx)
	if referredBy != "" {
		transferee.SetVar("__SIPREFERREDBYHDR", referredBy)
	}
	x := d.referOf()
	x.mu.Lock()
	x.deferBye = true
	x.mu.Unlock()
	bridgeID := transferer.BridgeID()
	if err := transferee.TransferGoto(xferCtx, exten); err != nil {
		x.mu.Lock()
		x.deferBye = false
		x.mu.Unlock()
		m.log.Warning("Blind transfer of %s to %s@%s failed: %v\n", transferee.Name(), exten, xferCtx, err)
		return "500 Internal Server Error"
	}
	transferer.Engine().PublishBlindTransfer(transferer, transferee, bridgeID, xferCtx, exten, true)
	return "200 OK"
}

// notifyAsync sends a sipfrag NOTIFY on a goroutine of the Manager.
func (d *dialog) notifyAsync(seq uint32, status string, terminated bool) {
	d.m.goTracked(func() { d.sendNotify(seq, status, terminated) })
}

// sendNotify sends one NOTIFY of the implicit "refer" subscription with
// the sipfrag of the transfer's progress and waits for its answer (so the
// next one follows it in order). chan_sip names the subscription by the
// REFER's CSeq (Event: refer;id=N).
func (d *dialog) sendNotify(seq uint32, status string, terminated bool) {
	req := d.newRequest(sip.NOTIFY)
	req.AppendHeader(sip.NewHeader("Event", fmt.Sprintf("refer;id=%d", seq)))
	state := "active"
	if terminated {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(&sip.ContactHeader{Address: d.contactURI(d.localUser())})
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte("SIP/2.0 " + status + "\r\n"))
	d.setLast("Tx: NOTIFY")
	m := d.m
	ctx, cancel := context.WithTimeout(m.ctx, 64*m.d.T1)
	defer cancel()
	tx, err := m.d.Client.TransactionRequest(ctx, req)
	if err != nil {
		m.log.Warning("Unable to send NOTIFY on %s: %v\n", d.callID, err)
		return
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return
		case <-tx.Done():
			return
		case <-ctx.Done():
			return
		}
	}
}

// localUser is the user part of our side's URI, for Contact.
func (d *dialog) localUser() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.localURI.User
}

// inBrackets is the part of a header value between < and >, as chan_sip's
// get_in_brackets returns it (the whole value without brackets).
func inBrackets(v string) string {
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j >= 0 {
			return v[i+1 : i+j]
		}
	}
	return strings.TrimSpace(v)
}
