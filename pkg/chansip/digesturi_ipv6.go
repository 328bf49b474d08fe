package chansip

import (
	"net/netip"
	"strconv"
	"strings"
)

// bracketBareIPv6 reads a digest uri whose host is an IPv6 address
// written without brackets, "sip:::1:5060", and returns the bracketed
// forms it may mean ("sip:[::1]:5060"), or nil when the uri is not of that
// kind. sipp signs that form when it talks to an IPv6 server (its
// auth_uri is remote_ip:remote_port, unbracketed), and chan_sip, which
// hashes the uri without parsing it, accepts it. The text is ambiguous
// ("2001:db8::1:5060" is also an address): both readings are returned and
// the caller accepts the answer if either names the Request-URI. A uri
// with a user part, brackets, parameters or fewer than two colons is not
// of this kind.
func bracketBareIPv6(uri string) []string {
	scheme, rest, ok := strings.Cut(uri, ":")
	if !ok || strings.ContainsAny(rest, "@[];?") || strings.Count(rest, ":") < 2 {
		return nil
	}
	var alts []string
	if a, err := netip.ParseAddr(rest); err == nil && a.Is6() {
		alts = append(alts, scheme+":["+rest+"]")
	}
	i := strings.LastIndexByte(rest, ':')
	host, port := rest[:i], rest[i+1:]
	if a, err := netip.ParseAddr(host); err == nil && a.Is6() {
		if p, err := strconv.Atoi(port); err == nil && p > 0 && p <= 65535 {
			alts = append(alts, scheme+":["+host+"]:"+port)
		}
	}
	return alts
}
