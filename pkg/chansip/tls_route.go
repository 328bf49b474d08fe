package chansip

import (
	"context"
	"net/netip"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// connRouter sends the driver's requests to a phone that registered over
// TCP or TLS through the connection it opened, as chan_sip does with the
// peer's socket: the phone is usually behind NAT, so a new connection (or
// a UDP packet) towards its Contact would never reach it. The call and
// qualify code build requests for UDP; the router switches the transport
// and the Via and Contact that name it just before the transaction
// starts. Requests to a URI with transport=tls/tcp or a sips: URI, with no
// connection open, go out over a new connection of that transport.
type connRouter struct {
	d  *Driver
	ua *sipgo.UserAgent
	tp *transports
}

// UseConnections makes c send through connRouter. Start, which holds
// d.mu, calls routeOverConnections instead.
func (d *Driver) UseConnections(c *sipgo.Client) {
	d.mu.Lock()
	tp := d.tp
	d.mu.Unlock()
	d.routeOverConnections(c, tp)
}

// routeOverConnections installs the router on the client once the
// listeners are bound; without a TCP or TLS listener there is nothing
// to route.
func (d *Driver) routeOverConnections(c *sipgo.Client, tp *transports) {
	if tp == nil || (tp.tls == nil && tp.tcp == nil) {
		return
	}
	c.TxRequester = &connRouter{d: d, ua: c.UserAgent, tp: tp}
}

// Request implements sipgo.ClientTransactionRequester; an ACK has no
// transaction and goes straight to the transport.
func (r *connRouter) Request(ctx context.Context, req *sip.Request) (sip.ClientTransaction, error) {
	r.route(req)
	if req.IsAck() {
		return nil, r.ua.TransportLayer().WriteMsg(req)
	}
	tx, err := r.ua.TransactionLayer().Request(ctx, req)
	if err != nil {
		return nil, err
	}
	return tx, nil
}

// route picks the transport: the open connection to the destination
// first, then what the Request-URI asks for. The client pins every
// request to our UDP socket (Laddr) and sipgo then looks connections up
// by that local address, which for TCP/TLS means dialling a new one from
// the UDP port; clearing it makes sipgo find the phone's connection by its
// remote address.
func (r *connRouter) route(req *sip.Request) {
	want := ""
	if ap, err := parseHostPort(req.Destination()); err == nil {
		want = r.tp.conns.transportFor(ap)
	}
	if want == "" {
		want = uriTransport(&req.Recipient)
	}
	if want == "" {
		if t := strings.ToUpper(req.Transport()); t == "TLS" || t == "TCP" {
			want = t
		}
	}
	var local netip.AddrPort
	switch want {
	case "TLS":
		if r.tp.tls == nil {
			return
		}
		local = r.tp.tlsAddr
	case "TCP":
		a, ok := r.tp.tcpAddr()
		if !ok {
			return
		}
		local = a
	default:
		return
	}
	req.SetTransport(want)
	req.Laddr = sip.Addr{}
	udp := r.tp.udpAddr
	via := req.Via()
	if via == nil || strings.EqualFold(via.Transport, want) {
		return
	}
	// Built for UDP: say where we listen for this transport instead.
	via.Transport = want
	if via.Port == int(udp.Port()) {
		via.Port = int(local.Port())
	}
	rewriteContact(req, udp.Port(), local.Port(), want)
}

// uriTransport is the connection-oriented transport a URI asks for.
func uriTransport(u *sip.Uri) string {
	t := ""
	if u.UriParams != nil {
		if v, ok := u.UriParams.Get("transport"); ok {
			t = strings.ToUpper(v)
		}
	}
	if u.IsEncrypted() && (t == "" || t == "TCP") {
		t = "TLS"
	}
	if t == "TLS" || t == "TCP" {
		return t
	}
	return ""
}

// rewriteContact points our Contact at the listener of the transport the
// request now travels on, with ;transport=, so that the phone's in-dialog
// requests come back over TLS too.
func rewriteContact(req *sip.Request, udpPort, port uint16, transport string) {
	h := req.GetHeader("Contact")
	if h == nil {
		return
	}
	ct, ok := h.(*sip.ContactHeader)
	if !ok {
		ct = &sip.ContactHeader{}
		if _, err := sip.ParseAddressValue(h.Value(), &ct.Address, &ct.Params); err != nil {
			return
		}
		defer req.ReplaceHeader(ct)
	}
	if ct.Address.UriParams != nil {
		if _, ok := ct.Address.UriParams.Get("transport"); ok {
			return
		}
	}
	if ct.Address.Port == int(udpPort) || (ct.Address.Port == 0 && udpPort == 5060) {
		ct.Address.Port = int(port)
	}
	if ct.Address.UriParams == nil {
		ct.Address.UriParams = sip.NewParams()
	}
	ct.Address.UriParams.Add("transport", strings.ToLower(transport))
}
