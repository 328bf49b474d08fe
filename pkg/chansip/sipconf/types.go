package sipconf

import (
	"fmt"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"net/netip"
	"strings"
)

// Transport is a set of SIP transports (a bit mask, as chan_sip keeps it).
type Transport uint8

// The transports chan_sip knows.
const (
	UDP Transport = 1 << iota
	TCP
	TLS
	WS
	WSS
)

// String names one transport the way "Prim.Transp." shows it. WS and WSS
// both print "WS", as chan_sip does.
func (t Transport) String() string {
	switch t {
	case UDP:
		return "UDP"
	case TCP:
		return "TCP"
	case TLS:
		return "TLS"
	case WS, WSS:
		return "WS"
	}
	return "UNKNOWN"
}

// List names every transport in the set in chan_sip's fixed order
// ("UDP,TCP,TLS,WS,WSS"), or "UNKNOWN" for the empty set.
func (t Transport) List() string {
	if t == 0 {
		return "UNKNOWN"
	}
	var parts []string
	for _, x := range []struct {
		bit  Transport
		name string
	}{{UDP, "UDP"}, {TCP, "TCP"}, {TLS, "TLS"}, {WS, "WS"}, {WSS, "WSS"}} {
		if t&x.bit != 0 {
			parts = append(parts, x.name)
		}
	}
	return strings.Join(parts, ",")
}

// parseTransportWord matches chan_sip's prefix rules ("udp", "tcp", "tls",
// "wss" before "ws").
func parseTransportWord(w string) (Transport, bool) {
	w = strings.ToLower(strings.TrimSpace(w))
	switch {
	case strings.HasPrefix(w, "udp"):
		return UDP, true
	case strings.HasPrefix(w, "tcp"):
		return TCP, true
	case strings.HasPrefix(w, "tls"):
		return TLS, true
	case strings.HasPrefix(w, "wss"):
		return WSS, true
	case strings.HasPrefix(w, "ws"):
		return WS, true
	}
	return 0, false
}

// parseTransports parses "udp,tls": the set and its first member (the
// primary transport).
func parseTransports(value string) (set, primary Transport, bad []string) {
	for _, w := range strings.Split(value, ",") {
		t, ok := parseTransportWord(w)
		if !ok {
			bad = append(bad, strings.TrimSpace(w))
			continue
		}
		set |= t
		if primary == 0 {
			primary = t
		}
	}
	return set, primary, bad
}

// NAT holds the four flags behind chan_sip's nat= option.
type NAT struct {
	ForceRport     bool // force_rport (or yes)
	Comedia        bool // comedia (or yes): symmetric RTP
	AutoForceRport bool // auto_force_rport: force_rport when NAT is detected
	AutoComedia    bool // auto_comedia
}

// DefaultNAT is chan_sip's default: nat=auto_force_rport.
var DefaultNAT = NAT{AutoForceRport: true}

// ParseNAT parses a nat= value. Each nat= line replaces the previous
// setting entirely; words apply left to right, "no" and "yes" end the list.
// deprecatedYes reports the deprecated "yes" form.
func ParseNAT(value string) (n NAT, deprecatedYes bool, err error) {
	for _, w := range strings.Split(value, ",") {
		w = strings.TrimSpace(w)
		switch {
		case confparse.False(w):
			return NAT{}, deprecatedYes, nil
		case strings.EqualFold(w, "yes"):
			return NAT{ForceRport: true, Comedia: true}, true, nil
		case strings.EqualFold(w, "force_rport"):
			if !n.AutoForceRport {
				n.ForceRport = true
			}
		case strings.EqualFold(w, "comedia"):
			if !n.AutoComedia {
				n.Comedia = true
			}
		case strings.EqualFold(w, "auto_force_rport"):
			n.AutoForceRport, n.ForceRport = true, false
		case strings.EqualFold(w, "auto_comedia"):
			n.AutoComedia, n.Comedia = true, false
		default:
			return n, deprecatedYes, fmt.Errorf("unknown nat mode %q (want no, force_rport, comedia, auto_force_rport, auto_comedia or yes)", w)
		}
	}
	return n, deprecatedYes, nil
}

// ForceRportString is the "Forcerport" column: "Yes", "No", "Auto (Yes)"
// or "Auto (No)".
func (n NAT) ForceRportString() string {
	if n.AutoForceRport {
		return "Auto (" + yesNo(n.ForceRport) + ")"
	}
	return yesNo(n.ForceRport)
}

// ComediaString is the "Comedia" / "Symmetric RTP" column.
func (n NAT) ComediaString() string {
	if n.AutoComedia {
		return "Auto (" + yesNo(n.Comedia) + ")"
	}
	return yesNo(n.Comedia)
}

// String gives the nat= value that produces n.
func (n NAT) String() string {
	var w []string
	if n.ForceRport {
		w = append(w, "force_rport")
	}
	if n.Comedia {
		w = append(w, "comedia")
	}
	if n.AutoForceRport {
		w = append(w, "auto_force_rport")
	}
	if n.AutoComedia {
		w = append(w, "auto_comedia")
	}
	if len(w) == 0 {
		return "no"
	}
	return strings.Join(w, ",")
}

// Insecure is the insecure= option.
type Insecure struct {
	Port   bool // match peers by IP only, ignoring the source port
	Invite bool // do not challenge INVITEs
}

// String is chan_sip's rendering: "no", "port", "invite" or "port,invite".
func (i Insecure) String() string {
	switch {
	case i.Port && i.Invite:
		return "port,invite"
	case i.Port:
		return "port"
	case i.Invite:
		return "invite"
	}
	return "no"
}

// ParseInsecure parses "port,invite", "invite", "no", and the old "very"
// (= port,invite) that some configs still carry.
func ParseInsecure(value string) (Insecure, error) {
	var in Insecure
	if strings.TrimSpace(value) == "" || confparse.False(value) {
		return in, nil
	}
	if strings.EqualFold(strings.TrimSpace(value), "very") || confparse.True(value) {
		return Insecure{Port: true, Invite: true}, nil
	}
	for _, w := range strings.Split(value, ",") {
		switch strings.ToLower(strings.TrimSpace(w)) {
		case "port":
			in.Port = true
		case "invite":
			in.Invite = true
		default:
			return in, fmt.Errorf("unknown insecure mode %q (want port, invite or no)", strings.TrimSpace(w))
		}
	}
	return in, nil
}

// DTMFMode is the dtmfmode= option.
type DTMFMode uint8

// DTMF modes.
const (
	DTMFRFC2833 DTMFMode = iota
	DTMFInfo
	DTMFShortInfo
	DTMFInband
	DTMFAuto
)

func (d DTMFMode) String() string {
	switch d {
	case DTMFRFC2833:
		return "rfc2833"
	case DTMFInfo:
		return "info"
	case DTMFShortInfo:
		return "shortinfo"
	case DTMFInband:
		return "inband"
	case DTMFAuto:
		return "auto"
	}
	return "<error>"
}

// ParseDTMFMode parses a dtmfmode= value.
func ParseDTMFMode(value string) (DTMFMode, error) {
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "rfc2833":
		return DTMFRFC2833, nil
	case "info":
		return DTMFInfo, nil
	case "shortinfo":
		return DTMFShortInfo, nil
	case "inband":
		return DTMFInband, nil
	case "auto":
		return DTMFAuto, nil
	}
	return DTMFRFC2833, fmt.Errorf("unknown dtmf mode %q (want rfc2833, info, shortinfo, inband or auto)", value)
}

// ACLRule is one permit= or deny= line.
type ACLRule struct {
	Permit bool
	Prefix netip.Prefix
}

// ACL is an ordered access list. Named ACLs (acl=name, from acl.conf) are
// kept by name; the core resolves them.
type ACL struct {
	Rules []ACLRule
	Named []string
}

// Empty reports whether the list has no rule at all ("ACL : No").
func (a ACL) Empty() bool { return len(a.Rules) == 0 && len(a.Named) == 0 }

// Allows applies the rules as Asterisk's ast_apply_ha does: everything is
// allowed by default and the last matching rule decides. Named ACLs are
// not consulted here.
func (a ACL) Allows(addr netip.Addr) bool {
	ok := true
	addr = addr.Unmap()
	for _, r := range a.Rules {
		if r.Prefix.Contains(addr) {
			ok = r.Permit
		}
	}
	return ok
}

// Var is one setvar= NAME=VALUE pair.
type Var struct {
	Name, Value string
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}
