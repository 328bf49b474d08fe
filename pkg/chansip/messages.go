package chansip

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"net/url"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// chan_sip's fixed capability headers.
const (
	supportedHeader = "replaces, timer"
	acceptHeader    = "application/sdp"
)

// newTag makes a tag in chan_sip's shape ("as" and 8 hex digits).
func newTag() string { return fmt.Sprintf("as%08x", rand.Uint32()) }

// natFor is the NAT setting that governs a reply: the peer's when the
// request names one, the global one otherwise. (chan_sip does the same,
// which is why it warns about per-peer nat= settings.)
func natFor(cfg *sipconf.Config, req *sip.Request) sipconf.NAT {
	if req.Method == sip.REGISTER {
		if to := req.To(); to != nil {
			if p := cfg.Peer(to.Address.User); p != nil {
				return p.NAT
			}
		}
	}
	return cfg.General.NAT
}

// respond sends a final response in chan_sip's header order: the copied
// dialog headers, Server, Allow, Supported, then the extra headers.
func (d *Driver) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string, extra []sip.Header) {
	d.respondSupported(req, tx, code, reason, d.supported(), extra)
}

// supported is our Supported header outside a peer's say: chan_sip adds
// "path" to it when [general] has supportpath=yes.
func (d *Driver) supported() string {
	if d.cfg.Load().General.UsePath {
		return supportedHeader + ", path"
	}
	return supportedHeader
}

// respondSupported is respond with a given Supported value.
func (d *Driver) respondSupported(req *sip.Request, tx sip.ServerTransaction, code int, reason, supported string, extra []sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	if to := res.To(); to != nil {
		if reqTo := req.To(); reqTo == nil || !reqTo.Params.Has("tag") {
			// Answers sent without a transaction are sent again for a
			// retransmitted request, and must be the same bytes: a caller
			// that gets a challenge again after it has answered the first
			// takes an identical copy for a retransmission, but a new tag
			// for an answer it did not expect, and gives up the call.
			to.Params.Add("tag", d.regs.nonces.dialogTag(req))
		}
	}
	// Content-Length goes last, where chan_sip puts it.
	res.RemoveHeader("Content-Length")
	cfg := d.cfg.Load()
	res.AppendHeader(sip.NewHeader("Server", cfg.General.EffectiveUserAgent(d.opts.Version)))
	res.AppendHeader(sip.NewHeader("Allow", d.allowHeader()))
	res.AppendHeader(sip.NewHeader("Supported", supported))
	for _, h := range extra {
		res.AppendHeader(h)
	}
	res.SetBody(nil)
	nat := false
	if src, err := parseHostPort(req.Source()); err == nil && forceRport(natFor(cfg, req), req, src) {
		nat = true
		res.SetDestination(src.String())
		if via := res.Via(); via != nil {
			via.Params.Add("received", src.Addr().String())
			via.Params.Add("rport", fmt.Sprint(src.Port()))
		}
	}
	d.debugTransmit(res, nat)
	if err := tx.Respond(res); err != nil {
		d.log.Debug(1, "SIP response %d to %s failed: %v", code, req.Source(), err)
	}
}

// handleOptions answers an OPTIONS as chan_sip's handle_request_options
// does: 200 inside a call's dialog; otherwise 200 only when the Request-URI
// user ("s" when it has none) is an extension of the default context
// ([general] context=), else 404 Not Found, or 416 for a URI that is not
// sip:, sips: or tel:. Without a dialplan (registrar only) every OPTIONS
// gets 200.
func (d *Driver) handleOptions(req *sip.Request, tx sip.ServerTransaction) {
	src, err := parseHostPort(req.Source())
	if err != nil || d.rejectMalformed(req, tx) {
		return
	}
	code, reason := d.optionsAnswer(req)
	us := d.advertisedAddr(src.Addr())
	d.respond(req, tx, code, reason, []sip.Header{
		sip.NewHeader("Contact", "<sip:"+hostPort(us)+">"),
		sip.NewHeader("Accept", acceptHeader),
	})
}

func (d *Driver) optionsAnswer(req *sip.Request) (int, string) {
	calls := d.callManager()
	if calls == nil || d.opts.Engine == nil {
		return 200, "OK"
	}
	if to := req.To(); to != nil && to.Params.Has("tag") {
		if id := req.CallID(); id != nil && calls.HasDialog(id.Value()) {
			return 200, "OK"
		}
	}
	switch strings.ToLower(req.Recipient.Scheme) {
	case "sip", "sips", "tel":
	default:
		return 416, "Unsupported URI scheme"
	}
	exten := call.UserOf(req.Recipient)
	if exten == "" {
		exten = "s"
	}
	plan := d.opts.Engine.Plan()
	if plan == nil {
		return 404, "Not Found"
	}
	cid := ""
	if from := req.From(); from != nil {
		cid = call.UserOf(from.Address)
	}
	context := d.cfg.Load().General.Context
	if plan.Exists(context, exten, cid, 1) {
		return 200, "OK"
	}
	if dec, err := url.PathUnescape(exten); err == nil && dec != exten && plan.Exists(context, dec, cid, 1) {
		return 200, "OK"
	}
	return 404, "Not Found"
}

func hostPort(a netip.AddrPort) string {
	if a.Addr().Is6() {
		return "[" + a.Addr().String() + "]:" + fmt.Sprint(a.Port())
	}
	return a.String()
}

func newID() uint32 { return rand.Uint32() }
