package chansip

import (
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// handler wraps a request handler for sipgo's server. Requests over TCP
// and TLS are counted until it returns (flowctl.go), and dropped when a
// header our answers copy holds a lone CR or LF: over UDP the read hook
// drops such packets before they are parsed, but a read from a stream is
// not a whole message (see readHook). Compact header names are expanded
// (hygiene.go).
func (d *Driver) handler(h sipgo.RequestHandler) sipgo.RequestHandler {
	return d.flow.track(func(req *sip.Request, tx sip.ServerTransaction) {
		if sip.IsReliable(req.Transport()) && hasBareLineBreak(req) {
			return
		}
		expandCompact(req)
		if req.Recipient.Host == badURIHost {
			// An unbracketed IPv6 Request-URI host (urisyntax.go).
			if !req.IsAck() {
				d.respond(req, tx, 400, "Bad Request", nil)
			}
			return
		}
		h(req, tx)
	})
}
