package chansip

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// supportedTags are the option tags chan_sip supports (sip.h's
// sip_options table marks only these SUPPORTED; "replace" is how one
// Polycom firmware spells "replaces").
var supportedTags = map[string]bool{"replaces": true, "replace": true, "timer": true}

// unsupportedRequired lists the option tags of the request's Require
// headers that we do not support, joined by "," as chan_sip's
// parse_sip_options writes them into Unsupported; "" when all are
// supported. 100rel (PRACK) is among them: chan_sip does not do it. The
// list is bounded as chan_sip's 256-byte buffer is.
func unsupportedRequired(req *sip.Request) string {
	var out strings.Builder
	for _, h := range req.GetHeaders("Require") {
		for _, tag := range strings.Split(h.Value(), ",") {
			tag = strings.TrimSpace(tag)
			if tag == "" || supportedTags[strings.ToLower(tag)] {
				continue
			}
			if out.Len()+len(tag)+2 >= 256 {
				continue
			}
			if out.Len() > 0 {
				out.WriteByte(',')
			}
			out.WriteString(tag)
		}
	}
	return out.String()
}

// refuseUnsupported answers 420 when an INVITE requires an extension we
// do not support, as chan_sip's handle_request_invite does before it
// authenticates, and reports whether it did.
func (d *Driver) refuseUnsupported(req *sip.Request, tx sip.ServerTransaction) bool {
	unsupported := unsupportedRequired(req)
	if unsupported == "" {
		return false
	}
	d.log.Warning("Received SIP %s with unsupported required extension: %s", req.Method, unsupported)
	d.respond(req, stateless(req, tx), 420, "Bad extension (unsupported)",
		[]sip.Header{dateHeader(d.now()), sip.NewHeader("Unsupported", unsupported)})
	return true
}

// compactNames are the compact header forms (RFC 3261 7.3.3 and the
// event, refer and caller-preferences RFCs) that sipgo's parser keeps
// under their one-letter name. They are renamed when a request arrives so
// that every reader finds them by their full name. (sipgo itself parses
// i, m, f, t, v, l and c.)
var compactNames = map[string]string{
	"k": "Supported", "e": "Content-Encoding", "s": "Subject", "o": "Event",
	"u": "Allow-Events", "r": "Refer-To", "b": "Referred-By", "a": "Accept-Contact",
	"j": "Reject-Contact", "d": "Request-Disposition", "x": "Session-Expires",
	"y": "Identity", "n": "Identity-Info",
}

// expandCompact renames the compact headers of req to their full names.
// Headers keep their values; a renamed header moves to the end, which no
// reader of these headers depends on.
func expandCompact(req *sip.Request) {
	var found []sip.Header
	for _, h := range req.Headers() {
		if len(h.Name()) == 1 {
			if _, ok := compactNames[strings.ToLower(h.Name())]; ok {
				found = append(found, h)
			}
		}
	}
	for _, h := range found {
		full := compactNames[strings.ToLower(h.Name())]
		req.RemoveHeader(h.Name())
		req.AppendHeader(sip.NewHeader(full, h.Value()))
	}
}
