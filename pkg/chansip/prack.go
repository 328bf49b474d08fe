package chansip

import "github.com/emiago/sipgo/sip"

// routePRACK answers PRACK (RFC 3262) as chan_sip does. chan_sip never
// sends a reliable provisional response (it refuses Require: 100rel with
// 420, hygiene.go), so a PRACK can acknowledge nothing it sent: in a
// dialog or out of one, the RAck names no pending reliable response and
// the answer is 481. PRACK stays out of Allow, as in chan_sip's list.
func (d *Driver) routePRACK() {
	d.serve(sip.PRACK, d.handlePRACK)
}

func (d *Driver) handlePRACK(req *sip.Request, tx sip.ServerTransaction) {
	if d.rejectMalformed(req, tx) {
		return
	}
	// Nothing is kept for it: over UDP a retransmission is answered again.
	d.respond(req, stateless(req, tx), 481, "Call leg/transaction does not exist", nil)
}
