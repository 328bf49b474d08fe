package chansip

import (
	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
)

// subscriptionRoutes is the route set of a subscription dialog, which its
// NOTIFYs follow. A proxy that recorded its route on the SUBSCRIBE gets
// it as any dialog's UAS keeps it (RFC 3261 12.1.1: the Record-Route
// entries in order). Otherwise a subscriber registered through an edge
// proxy (RFC 3327, supportpath=yes) is reached the way requests to its
// registered Contact are: through its registration's Path, so a NOTIFY
// crosses the same proxy as a call or an MWI would.
func (d *Driver) subscriptionRoutes(req *sip.Request, peer string) []string {
	if rr := call.PathEntries(req.GetHeaders("Record-Route")); len(rr) > 0 {
		return rr
	}
	if peer == "" {
		return nil
	}
	return d.pathOf(peer)
}
