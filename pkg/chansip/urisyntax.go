package chansip

import "bytes"

// A Request-URI whose host is an IPv6 address without brackets
// ("sip:6000@::1") breaks RFC 3261's grammar: the colons of the address
// cannot be told from the port's. sipgo's parser rejects the whole message
// and drops it, so the phone heard nothing and retransmitted until its
// timer ran out; chan_sip answers such a request 400 Bad Request. The read
// hook puts badURIHost in place of the host before sipgo parses the
// packet, and the request handler answers 400 to a request for it (a
// request that names that host itself deserves the same answer).

// badURIHost replaces an unbracketed IPv6 host in a Request-URI; .invalid
// is RFC 2606's name that never resolves.
const badURIHost = "unbracketed-ipv6.invalid"

// markBareIPv6URI returns data with the Request-URI's host replaced by
// badURIHost when that host is an unbracketed IPv6 address, and whether
// it did. Responses, and requests whose URI parses, are left alone.
func markBareIPv6URI(data []byte) ([]byte, bool) {
	eol := bytes.IndexByte(data, '\n')
	if eol < 0 {
		return data, false
	}
	line := data[:eol]
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 || bytes.HasPrefix(line, []byte("SIP/")) {
		return data, false
	}
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 < 0 {
		return data, false
	}
	uri := rest[:sp2]
	colon := bytes.IndexByte(uri, ':')
	if colon < 0 {
		return data, false
	}
	scheme := uri[:colon]
	if !bytes.EqualFold(scheme, []byte("sip")) && !bytes.EqualFold(scheme, []byte("sips")) {
		return data, false
	}
	// The host starts after the user part (up to the last '@' before any
	// parameter or header) and ends at a parameter or header.
	hostStart := colon + 1
	end := len(uri)
	if i := bytes.IndexAny(uri[hostStart:], ";?"); i >= 0 {
		end = hostStart + i
	}
	if at := bytes.LastIndexByte(uri[hostStart:end], '@'); at >= 0 {
		hostStart += at + 1
	}
	host := uri[hostStart:end]
	if len(host) == 0 || host[0] == '[' || bytes.Count(host, []byte(":")) < 2 {
		return data, false
	}
	start := sp1 + 1 + hostStart
	out := make([]byte, 0, len(data)-len(host)+len(badURIHost))
	out = append(out, data[:start]...)
	out = append(out, badURIHost...)
	out = append(out, data[start+len(host):]...)
	return out, true
}
