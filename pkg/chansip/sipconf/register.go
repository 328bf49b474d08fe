package sipconf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Standard SIP ports.
const (
	StandardSIPPort = 5060
	StandardTLSPort = 5061
)

// registerFormat is the syntax chan_sip prints when a register line is bad.
const registerFormat = "[peer?][transport://]user[@domain][:secret[:authuser]]@host[:port][/extension][~expiry]"

// Register is one outbound registration ("register =>" line, or one that
// users.conf's registersip=yes synthesises).
type Register struct {
	Peer       string    // peer whose settings the registration uses ("peer?"), may be empty
	Transport  Transport // UDP unless "tcp://" or "tls://"
	User       string    // user part of the AOR
	Domain     string    // registration domain ("user@domain"), empty = Host
	DomainPort int       // port of Domain, 0 = not given
	Secret     string
	AuthUser   string // digest user name, empty = User
	Host       string // registrar host name or address (brackets kept off IPv6)
	Port       int    // registrar port; defaults to 5060, or 5061 for TLS
	Extension  string // Contact user / inbound extension, "s" when not given
	Expiry     int    // requested expiry in seconds; 0 when the line has no ~expiry
	File       string // where the line is, for messages
	Line       int
}

// HostPort is the "Host" column of sip show registry: host:port.
func (r *Register) HostPort() string {
	port := r.Port
	if port == 0 {
		port = StandardSIPPort
	}
	host := r.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}

// DisplayUser is the "Username" column before truncation: user, then
// "@domain" and ":domainport" when set.
func (r *Register) DisplayUser() string {
	s := r.User
	if r.Domain != "" {
		s += "@" + r.Domain
	}
	if r.DomainPort != 0 {
		s += ":" + strconv.Itoa(r.DomainPort)
	}
	return s
}

// ErrRegisterFormat is wrapped by ParseRegister errors about the overall
// shape of the line.
var ErrRegisterFormat = errors.New("format for registration is " + registerFormat)

// ParseRegister parses the value of a register => line:
//
//	[peer?][transport://]user[@domain][:secret[:authuser]]@host[:port][/extension][~expiry]
//
// The fields split the way chan_sip splits them (the host part starts
// after the last '@'; "user@domain:port:secret:authuser" is the form with
// a domain port). Unlike chan_sip, an IPv6 host in brackets is accepted,
// and a bad port, transport or expiry is an error instead of a silent
// default.
func ParseRegister(s string) (*Register, error) {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return nil, ErrRegisterFormat
	}
	userpart, hostpart := s[:at], s[at+1:]

	r := &Register{Transport: UDP}

	// peer?
	if peer, rest, ok := strings.Cut(userpart, "?"); ok && rest != "" {
		r.Peer, userpart = stripQuotes(peer), rest
	} else if ok {
		userpart = peer
	}

	// transport://
	if tr, rest, ok := strings.Cut(userpart, "/"); ok {
		blank, rest2, ok2 := strings.Cut(rest, "/")
		if !ok2 || blank != "" || rest2 == "" || !strings.HasSuffix(tr, ":") {
			return nil, ErrRegisterFormat
		}
		t, known := parseTransportWord(strings.TrimSuffix(tr, ":"))
		if !known || (t != UDP && t != TCP && t != TLS) {
			return nil, fmt.Errorf("%q is not a valid transport type (want udp, tcp or tls)", strings.TrimSuffix(tr, ":"))
		}
		r.Transport, userpart = t, rest2
	}

	// user[@domain][:secret[:authuser]], or user@domain:domainport:secret:authuser
	fields := strings.SplitN(userpart, ":", 3)
	userdom := fields[0]
	var secret, authuser string
	if len(fields) > 1 {
		secret = fields[1]
	}
	if len(fields) > 2 {
		authuser = fields[2]
	}
	domainPort := ""
	if a, b, ok := strings.Cut(authuser, ":"); ok {
		// Four fields: the second one was the domain port.
		domainPort, secret, authuser = secret, a, b
	}
	user, domain, _ := strings.Cut(userdom, "@")
	if user == "" && domain == "" {
		return nil, ErrRegisterFormat
	}

	// host[:port][/extension][~expiry]
	hostpart, expiry, hasExpiry := strings.Cut(hostpart, "~")
	hostport, ext, _ := strings.Cut(hostpart, "/")
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return nil, err
	}
	if host == "" {
		return nil, ErrRegisterFormat
	}

	if port != "" {
		p, err := parsePort(port)
		if err != nil {
			return nil, fmt.Errorf("registrar port: %w", err)
		}
		r.Port = p
	}
	if domainPort != "" {
		p, err := parsePort(domainPort)
		if err != nil {
			return nil, fmt.Errorf("domain port: %w", err)
		}
		r.DomainPort = p
	}
	if r.Port == 0 {
		r.Port = StandardSIPPort
		if r.Transport == TLS {
			r.Port = StandardTLSPort
		}
	}
	if hasExpiry {
		n, err := strconv.Atoi(strings.TrimSpace(stripQuotes(expiry)))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad expiry %q: want a positive number of seconds", expiry)
		}
		r.Expiry = n
	}

	r.User = stripQuotes(user)
	r.Domain = stripQuotes(domain)
	r.Secret = stripQuotes(secret)
	r.AuthUser = stripQuotes(authuser)
	r.Host = stripQuotes(host)
	if r.Host == "" {
		return nil, fmt.Errorf("register line %q has no host", s)
	}
	r.Extension = stripQuotes(ext)
	if r.Extension == "" {
		r.Extension = "s"
	}
	return r, nil
}

// splitHostPort splits "host", "host:port", "[v6]" and "[v6]:port".
func splitHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", fmt.Errorf("unterminated IPv6 address %q", s)
		}
		host, rest := s[1:end], s[end+1:]
		if rest == "" {
			return host, "", nil
		}
		if !strings.HasPrefix(rest, ":") {
			return "", "", fmt.Errorf("unexpected %q after IPv6 address", rest)
		}
		return host, rest[1:], nil
	}
	host, port, _ = strings.Cut(s, ":")
	return host, port, nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 || n > 65535 {
		return 0, fmt.Errorf("%q is not a valid port number", s)
	}
	return n, nil
}

// stripQuotes removes one pair of surrounding double quotes, as
// ast_strip_quoted does.
func stripQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}
