package chansip

import (
	"net/netip"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// digestURIMatches reports whether the uri of a digest answer names the
// request's Request-URI. A digest response signs its uri, not the request
// line, so without this check an answer captured for one destination
// authenticates an INVITE to another.
//
// chan_sip itself never compares the two: it hashes whatever uri the
// answer names. A mismatch is therefore handled here as chan_sip handles
// an answer that does not check out (see checkAuth): 403 Forbidden on a
// fresh nonce, a new challenge on a used one; not the 400 RFC 2617 suggests
// for HTTP, which no chan_sip client expects.
//
// The comparison follows RFC 3261 19.1.4 where it matters for this purpose,
// and forgives what phones are known to write differently: scheme and host
// case, an absent port against the default one (5061 for sips: or
// transport=tls, else 5060), parameter order and case, and %-escapes in
// the user part. User, password, host and port must name the same thing;
// a user, ttl, method or maddr parameter in only one of them, a parameter
// with different values in both, or different URI headers make them
// differ.
//
// One form names less than the Request-URI and is accepted: a uri with no
// user part at all, sip:host:port, which is what sipp signs by default
// (its auth_uri is remote_ip:remote_port whatever the Request-URI) and
// chan_sip accepts. Such an answer signs the destination host, not the
// number, so a nonce it uses still cannot be reused, but a man in the
// middle who holds back the answer before it arrives could send its own
// request with another user in the same dialog; a client that signs the
// user part, as phones do, is held to it. An answer without a uri is
// hashed by checkAuth against the Request-URI itself, as chan_sip does, so
// it matches.
func digestURIMatches(digestURI string, ruri *sip.Uri) bool {
	if digestURI == "" {
		return true
	}
	if alts := bracketBareIPv6(digestURI); alts != nil {
		for _, alt := range alts {
			if digestURIMatchesParsed(alt, ruri) {
				return true
			}
		}
		return false
	}
	return digestURIMatchesParsed(digestURI, ruri)
}

// digestURIMatchesParsed is digestURIMatches on a uri sipgo can parse.
func digestURIMatchesParsed(digestURI string, ruri *sip.Uri) bool {
	var u sip.Uri
	if err := sip.ParseUri(digestURI, &u); err != nil {
		return false
	}
	if schemeOf(&u) != schemeOf(ruri) {
		return false
	}
	if schemeOf(&u) != "sip" && schemeOf(&u) != "sips" {
		// tel: and other URIs keep their text unparsed.
		return strings.EqualFold(u.Raw(), ruri.Raw())
	}
	hostOnly := u.User == "" && u.Password == ""
	if u.Wildcard != ruri.Wildcard ||
		!hostOnly && (unescapeURI(u.User) != unescapeURI(ruri.User) || unescapeURI(u.Password) != unescapeURI(ruri.Password)) ||
		!sameHost(u.Host, ruri.Host) ||
		portOr(&u) != portOr(ruri) {
		return false
	}
	return sameURIParams(u.UriParams, ruri.UriParams, hostOnly) && sameURIHeaders(u.Headers, ruri.Headers)
}

// schemeOf is the URI's scheme in lower case; sipgo leaves it empty for a
// URI written without one, which it reads as sip.
func schemeOf(u *sip.Uri) string {
	if u.Scheme == "" {
		return "sip"
	}
	return strings.ToLower(u.Scheme)
}

// portOr is the URI's port, or the default one for its scheme and
// transport.
func portOr(u *sip.Uri) int {
	if u.Port != 0 {
		return u.Port
	}
	if t, _ := paramFold(u.UriParams, "transport"); schemeOf(u) == "sips" || strings.EqualFold(t, "tls") {
		return 5061
	}
	return 5060
}

// sameHost compares host names without regard to case, and IP addresses
// as addresses (so [::1] and [0:0::1] are one host).
func sameHost(a, b string) bool {
	aa, errA := netip.ParseAddr(strings.Trim(a, "[]"))
	ba, errB := netip.ParseAddr(strings.Trim(b, "[]"))
	if errA == nil && errB == nil {
		return aa.Unmap() == ba.Unmap()
	}
	return strings.EqualFold(a, b)
}

// unescapeURI decodes %XX escapes, which RFC 3261 compares decoded; a
// malformed escape is kept as written.
func unescapeURI(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, okHi := unhex(s[i+1])
			lo, okLo := unhex(s[i+2])
			if okHi && okLo {
				b.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// strictURIParams are the parameters RFC 3261 19.1.4 never lets one URI
// carry alone.
var strictURIParams = []string{"user", "ttl", "method", "maddr"}

// sameURIParams: a parameter in both URIs has the same value in both (case
// aside), and a parameter of strictURIParams is in both or in neither,
// except user=, which describes a user part a host-only digest uri (a)
// does not sign.
func sameURIParams(a, b sip.HeaderParams, hostOnly bool) bool {
	strict := func(key string) bool {
		return isStrictParam(key) && !(hostOnly && strings.EqualFold(key, "user"))
	}
	for _, kv := range a {
		v, ok := paramFold(b, kv.K)
		if ok && !strings.EqualFold(v, kv.V) {
			return false
		}
		if !ok && strict(kv.K) {
			return false
		}
	}
	for _, kv := range b {
		if _, ok := paramFold(a, kv.K); !ok && strict(kv.K) {
			return false
		}
	}
	return true
}

// sameURIHeaders: URI headers are never ignored; both URIs carry the same
// ones with the same values, in any order.
func sameURIHeaders(a, b sip.HeaderParams) bool {
	if len(a) != len(b) {
		return false
	}
	for _, kv := range a {
		if v, ok := paramFold(b, kv.K); !ok || unescapeURI(v) != unescapeURI(kv.V) {
			return false
		}
	}
	return true
}

func paramFold(hp sip.HeaderParams, key string) (string, bool) {
	for _, kv := range hp {
		if strings.EqualFold(kv.K, key) {
			return kv.V, true
		}
	}
	return "", false
}

func isStrictParam(key string) bool {
	for _, k := range strictURIParams {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}
