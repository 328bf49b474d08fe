package sipconf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ParseACLRules parses the value of a permit= or deny= line as acl.c's
// ast_append_ha reads it: a comma-separated list of networks, each
// possibly starting with '!' (the opposite sense for that network).
// permit is the line's own sense.
func ParseACLRules(value string, permit bool) ([]ACLRule, error) {
	var rules []ACLRule
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		sense := permit
		if rest, ok := strings.CutPrefix(item, "!"); ok {
			item, sense = strings.TrimSpace(rest), !permit
		}
		p, err := ParsePrefix(item)
		if err != nil {
			return nil, err
		}
		rules = append(rules, ACLRule{Permit: sense, Prefix: p})
	}
	return rules, nil
}

// ParsePrefix parses an Asterisk network as ast_append_ha does: an IPv4
// or IPv6 address (brackets allowed around IPv6) with an optional mask,
// written as a number of bits ("/24", "/64") or as an address of the same
// family ("/255.255.255.0", "/ffff:ffff::"). The address is masked, and an
// IPv4-mapped IPv6 address or mask becomes IPv4 (Asterisk's
// "Converting to an IPv4 ACL").
func ParsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	addrPart, maskPart, hasMask := strings.Cut(s, "/")
	addr, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(addrPart), "[]"))
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad network address %q", addrPart)
	}
	addr = addr.Unmap().WithZone("")
	bits := addr.BitLen()
	if hasMask {
		maskPart = strings.TrimSpace(maskPart)
		if strings.ContainsAny(maskPart, ".:") {
			m, err := netip.ParseAddr(strings.Trim(maskPart, "[]"))
			if err != nil {
				return netip.Prefix{}, fmt.Errorf("bad netmask %q", maskPart)
			}
			m = m.Unmap()
			if m.Is4() != addr.Is4() {
				return netip.Prefix{}, fmt.Errorf("address %s and netmask %s are not of the same family", addr, m)
			}
			if bits, err = maskBits(m); err != nil {
				return netip.Prefix{}, err
			}
		} else if n, err := strconv.Atoi(maskPart); err == nil && n >= 0 && n <= addr.BitLen() {
			bits = n
		} else {
			return netip.Prefix{}, fmt.Errorf("bad netmask %q", maskPart)
		}
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad netmask %q: %w", maskPart, err)
	}
	return p, nil
}

// maskBits is the prefix length of a netmask written as an address; the
// mask must be contiguous ones then zeros.
func maskBits(m netip.Addr) (int, error) {
	n, zero := 0, false
	for _, b := range m.AsSlice() {
		for bit := 7; bit >= 0; bit-- {
			switch one := b>>bit&1 == 1; {
			case one && zero:
				return 0, fmt.Errorf("netmask %s is not contiguous", m)
			case one:
				n++
			default:
				zero = true
			}
		}
	}
	return n, nil
}
