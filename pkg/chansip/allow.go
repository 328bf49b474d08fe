package chansip

import (
	"strings"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// allowOrder is chan_sip's Allow list in its order. A method appears in
// our Allow header only once a handler for it is routed (serve): chan_sip
// advertises all of them, but advertising a method we answer with 405
// makes phones try REFER, SUBSCRIBE or MESSAGE and fail (issue 18).
// REGISTER and UPDATE are handled but, as in chan_sip, not listed.
var allowOrder = []sip.RequestMethod{
	sip.INVITE, sip.ACK, sip.CANCEL, sip.OPTIONS, sip.BYE, sip.REFER,
	sip.SUBSCRIBE, sip.NOTIFY, sip.INFO, sip.PUBLISH, sip.MESSAGE,
}

// allowList is the set of methods the driver routes, and the Allow header
// built from it. It is written while the stack is set up (before the
// sockets serve) and read for every answer.
type allowList struct {
	mu      sync.RWMutex
	handled map[sip.RequestMethod]bool
	header  string
}

func (a *allowList) add(m sip.RequestMethod) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.handled == nil {
		a.handled = make(map[sip.RequestMethod]bool)
	}
	a.handled[m] = true
	var names []string
	for _, o := range allowOrder {
		if a.handled[o] {
			names = append(names, string(o))
		}
	}
	a.header = strings.Join(names, ", ")
}

func (a *allowList) String() string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.header
}

// serve routes method to h (through d.handler, like every request) and
// adds it to Allow. Every handler of a SIP method goes through here, so
// that Allow lists exactly what is answered: a new feature (SUBSCRIBE,
// REFER, ...) calls serve and appears in Allow everywhere at once.
func (d *Driver) serve(method sip.RequestMethod, h sipgo.RequestHandler) {
	d.srv.OnRequest(method, d.handler(h))
	d.allow.add(method)
}

// allowHeader is the value of our Allow header: the methods served, in
// chan_sip's order.
func (d *Driver) allowHeader() string { return d.allow.String() }
