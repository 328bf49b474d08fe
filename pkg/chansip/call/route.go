package call

import (
	"net"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Route sets (RFC 3261 12.1). A proxy that wants to stay on the path of a
// dialog adds Record-Route to the INVITE; the dialog's requests (BYE,
// re-INVITE, ACK of a 2xx, INFO...) then travel through the recorded
// proxies in a Route header instead of straight to the far end's Contact.
// The UAS keeps the request's Record-Route in order; the UAC keeps the
// Record-Route of the response that set up the dialog, reversed. Our
// responses echo the request's Record-Route (sipgo's
// NewResponseFromRequest copies it), so the UAC side of the proxy learns
// the same path.

// recordRouteSet reads the Record-Route entries of a message, each header
// possibly holding several comma-separated entries; reverse gives the
// UAC's order.
func recordRouteSet(hs []sip.Header, reverse bool) []string {
	var out []string
	for _, h := range hs {
		out = append(out, splitRouteList(h.Value())...)
	}
	if reverse {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// splitRouteList splits "<a>, <b;lr>" on the commas outside angle
// brackets and quotes.
func splitRouteList(v string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '<':
			depth++
		case c == '>':
			depth--
		case c == ',' && depth == 0:
			if s := strings.TrimSpace(v[start:i]); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(v[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// routeURI parses the URI inside a route entry ("<sip:p.example;lr>").
func routeURI(entry string) (sip.Uri, bool) {
	s := entry
	if a := strings.IndexByte(s, '<'); a >= 0 {
		if b := strings.IndexByte(s[a:], '>'); b > 0 {
			s = s[a+1 : a+b]
		}
	}
	var u sip.Uri
	if err := sip.ParseUri(strings.TrimSpace(s), &u); err != nil || u.Host == "" {
		return sip.Uri{}, false
	}
	return u, true
}

// routeRequest puts the dialog's route set on an in-dialog request: with
// a loose router first (lr) the Request-URI stays the far end's Contact,
// the set goes in Route headers and the request is sent to the first
// route; a strict router first gets the Request-URI itself and the
// Contact is appended as the last Route (RFC 3261 12.2.1.1). Called with
// d.mu held; a dialog without a route set is left alone.
func (d *dialog) routeRequest(req *sip.Request) {
	ApplyRoutes(req, d.routes, d.target)
}

// ApplyRoutes puts a route set on a request to target (its Request-URI),
// as routeRequest does for a dialog: loose routing keeps the Request-URI
// and sends the request to the first route; a strict router gets the
// Request-URI and target becomes the last Route. An empty set, or a first
// entry that is no URI, leaves the request alone. The registrar's Path
// (RFC 3327) is used this way for requests to a registered contact.
func ApplyRoutes(req *sip.Request, routes []string, target sip.Uri) {
	if len(routes) == 0 {
		return
	}
	first, ok := routeURI(routes[0])
	if !ok {
		return
	}
	if !first.UriParams.Has("lr") {
		req.Recipient = *first.Clone()
		req.Recipient.UriParams = nil
		routes = append(append([]string(nil), routes[1:]...), "<"+target.String()+">")
	}
	for _, r := range routes {
		req.AppendHeader(sip.NewHeader("Route", r))
	}
	req.SetDestination(hopAddr(first))
}

// hopAddr is host:port of a route hop, with SIP's default ports.
func hopAddr(u sip.Uri) string {
	port := u.Port
	if port == 0 {
		port = 5060
		if strings.EqualFold(u.Scheme, "sips") {
			port = 5061
		}
	}
	return net.JoinHostPort(strings.Trim(u.Host, "[]"), strconv.Itoa(port))
}

// firstHop is where a request with this route set goes first ("" for an
// empty set): a dialog set up through a registration's Path keeps it as
// its far end's address, as chan_sip's dialog takes the first Path hop as
// its destination, so its in-dialog requests reach the proxy even when
// the answer records no route.
func firstHop(routes []string) string {
	if len(routes) == 0 {
		return ""
	}
	u, ok := routeURI(routes[0])
	if !ok {
		return ""
	}
	return hopAddr(u)
}

// PathEntries reads the route entries of Path headers (RFC 3327) in their
// order, each kept as "<uri>" as chan_sip keeps a route hop: the URI in
// angle brackets, header parameters after it dropped. An entry without
// angle brackets is skipped, as chan_sip skips it.
func PathEntries(hs []sip.Header) []string {
	var out []string
	for _, e := range recordRouteSet(hs, false) {
		a := strings.IndexByte(e, '<')
		if a < 0 {
			continue
		}
		b := strings.IndexByte(e[a:], '>')
		if b <= 1 {
			continue
		}
		if _, ok := routeURI(e[a : a+b+1]); ok {
			out = append(out, e[a:a+b+1])
		}
	}
	return out
}
