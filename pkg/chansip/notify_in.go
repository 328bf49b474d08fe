package chansip

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// This file answers the NOTIFY and PUBLISH requests a phone or a carrier
// sends us, as chan_sip's handle_request_notify and
// handle_request_publish do. gostrisk keeps no remote mailbox state
// (unsolicited_mailbox) and no call-completion (CCSS) state, which are
// the only things chan_sip does with them beyond answering.

// routeNotifyPublish takes NOTIFY and PUBLISH (before the server serves).
func (d *Driver) routeNotifyPublish() {
	d.serve(sip.NOTIFY, d.handleNotify) // allow.go: listed in Allow
	d.serve(sip.PUBLISH, d.handlePublish)
}

// handleNotify: a NOTIFY of a call's dialog goes to the call (a transfer's
// progress); otherwise keep-alive is acknowledged and every other package
// gets chan_sip's "489 Bad event" (message-summary too: without
// unsolicited_mailbox there is no mailbox to update, which chan_sip
// answers the same way).
func (d *Driver) handleNotify(req *sip.Request, tx sip.ServerTransaction) {
	if d.rejectMalformed(req, tx) {
		return
	}
	if d.handleRemoteMWI(req, tx) { // mwi_out.go
		return
	}
	if to := req.To(); to != nil && to.Params.Has("tag") {
		if calls := d.callManager(); calls != nil && calls.HandleInDialog(req, tx) {
			return
		}
	}
	switch eventName(req) {
	case "keep-alive":
		d.respond(req, tx, 200, "OK", nil)
	default:
		d.log.Debug(2, "Got NOTIFY Event: %s", eventName(req))
		d.respond(req, tx, 489, "Bad event", nil)
	}
}

// handlePublish: chan_sip has an event state compositor for call-completion
// only, so a PUBLISH without Event or for any other package gets 489 Bad
// Event before authentication; gostrisk has no call-completion either.
func (d *Driver) handlePublish(req *sip.Request, tx sip.ServerTransaction) {
	if d.rejectMalformed(req, tx) {
		return
	}
	ev := strings.TrimSpace(eventName(req))
	d.log.Debug(2, "PUBLISH for event package '%s': no event state compositor", ev)
	d.respond(req, tx, 489, "Bad Event", nil)
}
