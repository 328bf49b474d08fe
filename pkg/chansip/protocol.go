package chansip

import (
	"bytes"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// sipVersion is the only protocol chan_sip speaks.
const sipVersion = "SIP/2.0"

var (
	headEnd  = []byte("\r\n\r\n")
	sipSlash = []byte("SIP/")
)

// badHead is what chan_sip refuses in a datagram's start line and headers
// before it parses anything, "" when nothing: a NUL byte, which ends what
// chan_sip reads of a packet (it copies it as a C string), so the request
// it would handle is not the one sent; and a start line naming a protocol
// other than SIP/2.0 ("Skipping packet - Bad request protocol"). Such
// packets are dropped without an answer. A TCP or TLS read may begin
// anywhere in a message and is never dropped (that would cut the stream):
// there the framer refuses a NUL in the headers (tcp_frame.go) and
// badVersion checks the parsed request.
func badHead(data []byte) string {
	head := data
	if i := bytes.Index(data, headEnd); i >= 0 {
		head = data[:i]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "NUL byte in the headers"
	}
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, "\r \t")
	first, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok {
		return "" // not a start line sipgo can read: it drops it
	}
	proto := first // a status line starts with the protocol
	if !hasPrefixFold(first, sipSlash) {
		_, proto, ok = bytes.Cut(rest, []byte(" "))
		if !ok {
			return ""
		}
	}
	if !bytes.EqualFold(proto, []byte(sipVersion)) {
		return "Bad request protocol " + string(proto)
	}
	return ""
}

func hasPrefixFold(b, prefix []byte) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], prefix)
}

// badVersion is badHead's protocol check on a parsed request, for the
// transports whose reads the hook cannot take for whole messages: it
// logs as chan_sip does and reports whether the request must be dropped.
func (d *Driver) badVersion(req *sip.Request) bool {
	if strings.EqualFold(req.SipVersion, sipVersion) {
		return false
	}
	d.log.Debug(3, "Skipping packet - Bad request protocol %s", req.SipVersion)
	return true
}

// chanSIPMethods are the methods chan_sip knows; a request for one that no
// handler takes here is refused with 405, any other method is not
// implemented (501).
var chanSIPMethods = map[sip.RequestMethod]bool{
	sip.REGISTER: true, sip.OPTIONS: true, sip.NOTIFY: true, sip.INVITE: true, sip.ACK: true,
	sip.PRACK: true, sip.BYE: true, sip.REFER: true, sip.SUBSCRIBE: true, sip.MESSAGE: true,
	sip.UPDATE: true, sip.INFO: true, sip.CANCEL: true, sip.PUBLISH: true,
}

// handleNoRoute answers a request no handler takes. Every chan_sip answer
// carries Allow, and RFC 3261 (8.2.1) requires it on a 405, which sipgo's
// default answer lacked. A method chan_sip does not know gets its 501 and
// NOTICE.
func (d *Driver) handleNoRoute(req *sip.Request, tx sip.ServerTransaction) {
	if req.IsAck() || d.rejectMalformed(req, tx) {
		return
	}
	if chanSIPMethods[req.Method] {
		d.respond(req, stateless(req, tx), 405, "Method Not Allowed", nil)
		return
	}
	d.log.Notice("Unknown SIP command '%s' from '%s'", req.Method, req.Source())
	d.respond(req, stateless(req, tx), 501, "Method Not Implemented", nil)
}
