package call

import (
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// replacesParam is a Replaces value (RFC 3891): the dialog a new INVITE,
// or the INVITE a REFER asks for, takes the place of. Tags are as the
// sender of the INVITE saw them, so to-tag is our side's tag of the
// replaced dialog and from-tag the far end's.
type replacesParam struct {
	callID, toTag, fromTag string
	earlyOnly              bool
}

// parseReplaces reads "callid;to-tag=a;from-tag=b[;early-only]".
func parseReplaces(v string) (replacesParam, error) {
	parts := strings.Split(strings.TrimSpace(v), ";")
	rp := replacesParam{callID: strings.TrimSpace(parts[0])}
	if rp.callID == "" {
		return rp, fmt.Errorf("replaces without call-id")
	}
	for _, p := range parts[1:] {
		name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(name) {
		case "to-tag":
			rp.toTag = val
		case "from-tag":
			rp.fromTag = val
		case "early-only":
			rp.earlyOnly = true
		}
	}
	return rp, nil
}

// replacedDialog finds the dialog a Replaces names: its Call-ID, and the
// tags when given.
func (m *Manager) replacedDialog(rp replacesParam) *dialog {
	d := m.find(rp.callID)
	if d == nil || d.isEnded() {
		return nil
	}
	d.mu.Lock()
	local, remote := d.localTag, d.remoteTag
	d.mu.Unlock()
	if rp.toTag != "" && rp.toTag != local || rp.fromTag != "" && rp.fromTag != remote {
		return nil
	}
	return d
}

// attendedRefer completes an attended transfer: the REFER came on the
// transferer's call with the transferee (d), its Replaces names the
// transferer's call with the target. The transferee and the target are
// bridged; both of the transferer's channels leave, their BYEs left to
// the phone (RFC 5589 section 7.1).
func (m *Manager) attendedRefer(d *dialog, req *sip.Request, tx sip.ServerTransaction, rt referTo, seq uint32) {
	m.respond(req, tx, 202, "Accepted")
	d2 := m.replacedDialog(*rt.replaces)
	if d2 == nil || d2 == d {
		d.notifyAsync(seq, "481 Call leg/transaction does not exist", true)
		return
	}
	transferer, consult := d.channel(), d2.channel()
	if transferer == nil || consult == nil {
		d.notifyAsync(seq, "481 Call leg/transaction does not exist", true)
		return
	}
	transferee, target := transferer.Peer(), consult.Peer()
	if transferee == nil || target == nil || transferee == target {
		d.notifyAsync(seq, "503 Service Unavailable (can't handle one-legged xfers)", true)
		return
	}
	for _, ch := range []interface{ SetVar(string, string) }{transferee, target} {
		ch.SetVar("ATTENDEDTRANSFER", transferer.Name())
	}
	transferee.SetVar("SIPTRANSFER", "yes")
	for _, x := range []*dialog{d, d2} {
		s := x.referOf()
		s.mu.Lock()
		s.deferBye = true
		s.mu.Unlock()
	}
	status := "200 OK"
	event := pbx.AttendedTransfer{
		Orig: transferer, OrigBridge: transferer.BridgeID(), OrigMembers: 2,
		Second: consult, SecondBridge: consult.BridgeID(), SecondMembers: 2,
		Transferee: transferee, Target: target, External: true,
	}
	if err := m.d.Engine.HandoverKeeping(transferee, target, event.OrigBridge); err != nil {
		m.log.Warning("Attended transfer of %s to %s failed: %v\n", transferee.Name(), target.Name(), err)
		for _, x := range []*dialog{d, d2} {
			s := x.referOf()
			s.mu.Lock()
			s.deferBye = false
			s.mu.Unlock()
		}
		status = "500 Internal Server Error"
	} else {
		m.d.Engine.PublishAttendedTransfer(event)
	}
	d.notifyAsync(seq, status, true)
}

// replacesOf reads an INVITE's Replaces header (RFC 3891): replaces is
// false without one, bad for one that cannot be read, replaced the
// dialog it names when that dialog is ours and has a channel.
func (m *Manager) replacesOf(req *sip.Request) (replaced *dialog, replaces, bad bool) {
	h := req.GetHeader("Replaces")
	if h == nil {
		return nil, false, false
	}
	rp, err := parseReplaces(h.Value())
	if err != nil {
		return nil, true, true
	}
	d := m.replacedDialog(rp)
	if d == nil || d.channel() == nil {
		return nil, true, false
	}
	if rp.earlyOnly && d.channel().State() == pbx.StateUp {
		return nil, true, false
	}
	return d, true, false
}

// replaceWith gives the new channel ch the place of the replaced dialog's
// channel: a ringing dialed leg is picked up (BLF pickup: the caller's
// Dial answers with ch and cancels the ringing phone); an answered call's
// other party is bridged with ch and the replaced channel hung up
// (attended transfer done by the phones, RFC 5589 7.2). ch is answered
// either way; it is hung up when nothing could be replaced.
func (m *Manager) replaceWith(ch *pbx.Channel, d *dialog) {
	old := d.channel()
	if old == nil || old.Gone() {
		ch.Hangup(pbx.CauseCallRejected)
		return
	}
	if old.State() != pbx.StateUp {
		if !old.CanPickUp() {
			ch.Hangup(pbx.CauseCallRejected)
			return
		}
		m.log.Notice("Pickup %s attempt by %s\n", old.Name(), ch.Name())
		if err := old.PickUp(ch); err != nil {
			m.log.Warning("Pickup %s failed by %s\n", old.Name(), ch.Name())
			ch.Hangup(pbx.CauseCallRejected)
			return
		}
		<-ch.Done() // the caller's Dial owns ch now and hangs it up
		ch.Hangup(pbx.CauseNormalClearing)
		return
	}
	other := old.Peer()
	if other == nil {
		ch.Hangup(pbx.CauseCallRejected)
		return
	}
	if err := ch.Answer(); err != nil {
		ch.Hangup(pbx.CauseNormalClearing)
		return
	}
	// ch belongs to whoever bridges it; the replaced channel leaves its
	// bridge and is hung up by its owner (the BYE to the replaced phone).
	if err := m.d.Engine.Handover(other, ch); err != nil {
		m.log.Warning("Replaces: cannot bridge %s with %s: %v\n", other.Name(), ch.Name(), err)
		ch.Hangup(pbx.CauseNormalClearing)
	}
}

// replacesCallID is the Call-ID an INVITE's Replaces header names.
func replacesCallID(req *sip.Request) string {
	h := req.GetHeader("Replaces")
	if h == nil {
		return ""
	}
	id, _, _ := strings.Cut(h.Value(), ";")
	return strings.TrimSpace(id)
}
