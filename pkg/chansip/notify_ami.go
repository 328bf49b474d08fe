package chansip

import (
	"strings"
)

// ManagerNotify is the manager's SIPnotify: a NOTIFY outside any dialog
// to target (a peer, or host[:port]; a "SIP/" prefix is dropped) with
// the headers and Content lines of vars, as chan_sip's manager_sipnotify
// builds it. The error is chan_sip's "Could not create address" case; a
// send that fails later is logged, as the answer does not wait for it.
func (d *Driver) ManagerNotify(target string, vars [][2]string) error {
	if len(target) > 4 && strings.EqualFold(target[:4], "sip/") {
		target = target[4:]
	}
	req, dst, err := d.notifyRequest(target, d.notifySpecOf(vars))
	if err != nil {
		return err
	}
	if err := d.sendNotify(req, dst); err != nil {
		d.log.Warning("Unable to send NOTIFY to '%s': %v", target, err)
	}
	return nil
}
