package chansip

import "github.com/emiago/sipgo/sip"

// handleNoRoute answers a method we have no handler for as sipgo's default
// does (405), but over UDP without keeping the transaction: sipgo would
// hold each answered one for Timer J (32 s), so a flood of MESSAGE or
// SUBSCRIBE requests held memory as an OPTIONS flood did. A
// retransmission is simply answered again.
func (d *Driver) handleNoRoute(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, 405, "Method Not Allowed", nil)
	if err := stateless(req, tx).Respond(res); err != nil {
		d.log.Debug(1, "SIP response 405 to %s failed: %v", req.Source(), err)
	}
}
