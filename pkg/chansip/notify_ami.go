package chansip

import (
	"errors"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
)

// managerCLWarning is manager_sipnotify's word for a Content-Length
// variable.
const managerCLWarning = "it is not necessary to specify Content-Length, ignoring"

// ManagerNotify is the manager's SIPnotify: a NOTIFY outside any dialog
// to target (a peer, or host[:port]; a "SIP/" prefix is dropped) with
// the headers and Content lines of vars, as chan_sip's manager_sipnotify
// builds it. The error is chan_sip's "Could not create address" case; a
// send that fails later is logged, as the answer does not wait for it.
func (d *Driver) ManagerNotify(target string, vars [][2]string) error {
	if len(target) > 4 && strings.EqualFold(target[:4], "sip/") {
		target = target[4:]
	}
	req, dst, err := d.notifyRequest(target, d.notifySpecOf(vars, managerCLWarning))
	if err != nil {
		return err
	}
	if err := d.sendNotify(req, dst); err != nil {
		d.log.Warning("Unable to send NOTIFY to '%s': %v", target, err)
	}
	return nil
}

// ManagerNotifyDialog is SIPnotify with a Call-ID: the NOTIFY goes inside
// the dialog with that Call-ID, a call's or a subscription's (its tags,
// route and next CSeq), with Date, Subscription-State and vars' headers,
// as manager_sipnotify sends it through transmit_invite.
// call.ErrNoDialog when no dialog has it (chan_sip's "Call-ID not found").
func (d *Driver) ManagerNotifyDialog(callID string, vars [][2]string) error {
	calls := d.callManager()
	if calls == nil || !calls.HasDialog(callID) {
		s := d.subs.byCallID(callID)
		if s == nil {
			return call.ErrNoDialog
		}
		spec := d.notifySpecOf(vars, managerCLWarning)
		headers := append([]sip.Header{dateHeader(d.now())}, spec.headers...)
		if err := d.notifyInSubscription(s, headers, spec.body); err != nil {
			d.log.Warning("Unable to send NOTIFY in dialog '%s': %v", callID, err)
		}
		return nil
	}
	spec := d.notifySpecOf(vars, managerCLWarning)
	headers := append([]sip.Header{dateHeader(d.now())}, spec.headers...)
	err := calls.NotifyInDialog(callID, headers, spec.body)
	if errors.Is(err, call.ErrNoDialog) {
		return err
	}
	if err != nil {
		d.log.Warning("Unable to send NOTIFY in dialog '%s': %v", callID, err)
	}
	return nil
}
