package sipconf

import (
	"fmt"
	"strconv"
	"strings"
)

// mwiFormat is the syntax chan_sip prints when an mwi line is bad.
const mwiFormat = "user[:secret[:authuser]]@host[:port]/mailbox"

// MWISub is one "mwi =>" line of [general]: chan_sip subscribes to
// message-summary at Host for Mailbox and keeps the counts as
// "Mailbox@SIP_Remote".
type MWISub struct {
	User     string
	Secret   string
	AuthUser string // digest user name, empty = User
	Host     string
	Port     int // 0 = not given (5060)
	Mailbox  string
	File     string // where the line is, for messages
	Line     int
}

// ParseMWI reads user[:secret[:authuser]]@host[:port]/mailbox as
// sip_subscribe_mwi does: the host is after the last '@', the mailbox
// after the first '/' of the host part.
func ParseMWI(value string) (*MWISub, error) {
	at := strings.LastIndex(value, "@")
	if at < 0 {
		return nil, fmt.Errorf("Format for MWI subscription is %s", mwiFormat)
	}
	s := &MWISub{}
	creds, host := value[:at], value[at+1:]
	s.User, s.Secret, _ = strings.Cut(creds, ":")
	s.Secret, s.AuthUser, _ = strings.Cut(s.Secret, ":")
	host, s.Mailbox, _ = strings.Cut(host, "/")
	if s.User == "" || host == "" || s.Mailbox == "" {
		return nil, fmt.Errorf("Format for MWI subscription is %s", mwiFormat)
	}
	h, p, hasPort, err := splitBracketHost(host)
	if err != nil {
		return nil, err
	}
	if hasPort {
		n, _ := strconv.Atoi(p)
		if n <= 0 || n > 65535 {
			return nil, fmt.Errorf("%s is not a valid port number", p)
		}
		s.Port = n
	}
	s.Host = h
	return s, nil
}

// HostPort is "sip show mwi"'s Host column: host:port, 5060 when the
// line gives none.
func (s *MWISub) HostPort() string {
	port := s.Port
	if port == 0 {
		port = StandardSIPPort
	}
	return URIHost(s.Host) + ":" + strconv.Itoa(port)
}
