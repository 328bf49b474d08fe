package funcs

import (
	"errors"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is chan_sip's SIP_HEADERS: the names of the headers of the
// INVITE that opened the call.

// SIPHeaderLister is implemented by a SIP channel's driver that received
// an INVITE: its header names in order (repeats allowed).
type SIPHeaderLister interface {
	SIPHeaderNames() []string
}

// sipCompact are RFC 3261's and its extensions' compact header names,
// which chan_sip always reports in full (find_full_alias).
var sipCompact = map[string]string{
	"a": "Accept-Contact", "b": "Referred-By", "c": "Content-Type", "d": "Request-Disposition",
	"e": "Content-Encoding", "f": "From", "i": "Call-ID", "j": "Reject-Contact", "k": "Supported",
	"l": "Content-Length", "m": "Contact", "n": "Identity-Info", "o": "Event", "r": "Refer-To",
	"s": "Subject", "t": "To", "u": "Allow-Events", "v": "Via", "x": "Session-Expires", "y": "Identity",
}

func sipHeadersFunc() pbx.Function {
	return pbx.Function{
		Name: "SIP_HEADERS", Synopsis: "Gets the list of SIP header names from an incoming INVITE message.", Syntax: "SIP_HEADERS([prefix])",
		Description: "Returns a comma-separated list of header names (without values) from the INVITE message that originated the current channel. Multiple headers with the same name are included in the list only once. prefix: if specified, only the headers matching the given prefix are returned.",
		Read: func(ch *pbx.Channel, s string) (string, error) {
			if ch == nil {
				return "", nil
			}
			r, ok := ch.Driver().(SIPHeaderLister)
			if !ok || ch.Driver() == nil {
				if ch.Tech() == "SIP" { // an outbound leg: no INVITE received
					return "", nil
				}
				return "", errNoSIP
			}
			prefix := arg(args(s), 0)
			if prefix == "*" {
				prefix = ""
			}
			var out []string
			seen := map[string]bool{}
			for _, name := range r.SIPHeaderNames() {
				if !strings.HasPrefix(name, prefix) {
					continue
				}
				if full, ok := sipCompact[name]; ok {
					name = full
				}
				if !seen[name] {
					seen[name] = true
					out = append(out, name)
				}
			}
			return strings.Join(out, ","), nil
		},
	}
}

// errNoSIP is chan_sip's warning for a non-SIP channel.
var errNoSIP = errors.New("This function can only be used on SIP channels.")
