package security

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Type is the kind of a security event, numbered as Asterisk's
// ast_security_event_type.
type Type int

// The event types of Asterisk 18.
const (
	FailedACL Type = iota
	InvalidAccountID
	SessionLimit
	MemoryLimit
	LoadAverageLimit
	RequestNotSupported
	RequestNotAllowed
	AuthMethodNotAllowed
	RequestBadFormat
	SuccessfulAuth
	UnexpectedAddress
	ChallengeResponseFailed
	InvalidPassword
	ChallengeSent
	InvalidTransport
	numTypes
)

// String is the event's name, as in SecurityEvent="...".
func (t Type) String() string {
	if t < 0 || t >= numTypes {
		return "Type(" + strconv.Itoa(int(t)) + ")"
	}
	return specs[t].name
}

// Version is the event's EventVersion: Asterisk numbers each event's
// layout and raises it when fields are added.
func (t Type) Version() int {
	if t < 0 || t >= numTypes {
		return 0
	}
	return specs[t].version
}

// Severity is the event's Severity: "Informational" or "Error".
func (t Type) Severity() string {
	if t < 0 || t >= numTypes {
		return ""
	}
	if specs[t].info {
		return "Informational"
	}
	return "Error"
}

// Transport is how the remote party reached us, as printed in the
// address fields ("IPV4/UDP/...").
type Transport int

// The transports Asterisk names; TransportNone prints none
// ("IPV4/127.0.0.1/5038").
const (
	TransportNone Transport = iota
	UDP
	TCP
	TLS
	WS
	WSS
)

var transportNames = [...]string{"", "UDP", "TCP", "TLS", "WS", "WSS"}

func (t Transport) String() string {
	if t < 0 || int(t) >= len(transportNames) {
		return ""
	}
	return transportNames[t]
}

// Addr is an address field: where and over what.
type Addr struct {
	AddrPort  netip.AddrPort
	Transport Transport
}

// String is Asterisk's form of the address: "IPV4/UDP/127.0.0.3/5091",
// "IPV6/TLS/2001:db8::1/5061" (no brackets); an IPv4-mapped IPv6 address
// is printed as the IPv4 address it maps.
func (a Addr) String() string {
	return string(a.appendTo(nil))
}

func (a Addr) appendTo(b []byte) []byte {
	ip := a.AddrPort.Addr()
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is4() {
		b = append(b, "IPV4/"...)
	} else {
		b = append(b, "IPV6/"...)
	}
	if t := a.Transport.String(); t != "" {
		b = append(b, t...)
		b = append(b, '/')
	}
	b = ip.AppendTo(b)
	b = append(b, '/')
	return strconv.AppendUint(b, uint64(a.AddrPort.Port()), 10)
}

// Event is one security event. Which fields an event type carries, and
// in which order they are printed, is Asterisk's: fields that type does
// not have are ignored.
type Event struct {
	Type Type
	// Time is EventTV, printed in Time's location with milliseconds
	// (Asterisk uses the local time zone). Zero: the reporter stamps the
	// time it is reported at.
	Time time.Time

	// Every event carries these (RequestBadFormat's AccountID is
	// optional: printed when not empty).
	Service   string // "SIP", "AMI"
	AccountID string
	SessionID string
	Local     Addr
	Remote    Addr

	// Optional in every event: Module when not empty, SessionTV (when
	// the session began) when not zero.
	Module    string
	SessionTV time.Time

	ACLName            string // FailedACL, printed when not empty
	RequestType        string // RequestNotSupported, RequestNotAllowed, RequestBadFormat
	RequestParams      string // RequestNotAllowed, RequestBadFormat: printed when not empty
	AuthMethod         string // AuthMethodNotAllowed
	UsingPassword      bool   // SuccessfulAuth
	Expected           Addr   // UnexpectedAddress: ExpectedAddress
	Challenge          string // ChallengeSent, ChallengeResponseFailed, InvalidPassword
	Response           string // ChallengeResponseFailed
	ExpectedResponse   string // ChallengeResponseFailed
	ReceivedChallenge  string // InvalidPassword
	ReceivedHash       string // InvalidPassword
	AttemptedTransport string // InvalidTransport

	// WithChallenge says that an InvalidPassword event carries
	// Challenge, ReceivedChallenge and ReceivedHash, which are optional
	// there: chan_sip always sends them (empty when it has none), the
	// manager interface never does.
	WithChallenge bool
}

// Field is one name="value" pair of an event, value unescaped.
type Field struct {
	Name, Value string
}

// ie is an information element: a field an event type may have.
type ie int

const (
	ieEventTV ie = iota
	ieSeverity
	ieService
	ieEventVersion
	ieAccountID
	ieSessionID
	ieLocalAddr
	ieRemoteAddr
	ieModule
	ieSessionTV
	ieACLName
	ieRequestType
	ieRequestParams
	ieAuthMethod
	ieUsingPassword
	ieExpectedAddr
	ieChallenge
	ieResponse
	ieExpectedResponse
	ieReceivedChallenge
	ieReceivedHash
	ieAttemptedTransport
)

var ieNames = [...]string{
	ieEventTV:            "EventTV",
	ieSeverity:           "Severity",
	ieService:            "Service",
	ieEventVersion:       "EventVersion",
	ieAccountID:          "AccountID",
	ieSessionID:          "SessionID",
	ieLocalAddr:          "LocalAddress",
	ieRemoteAddr:         "RemoteAddress",
	ieModule:             "Module",
	ieSessionTV:          "SessionTV",
	ieACLName:            "ACLName",
	ieRequestType:        "RequestType",
	ieRequestParams:      "RequestParams",
	ieAuthMethod:         "AuthMethod",
	ieUsingPassword:      "UsingPassword",
	ieExpectedAddr:       "ExpectedAddress",
	ieChallenge:          "Challenge",
	ieResponse:           "Response",
	ieExpectedResponse:   "ExpectedResponse",
	ieReceivedChallenge:  "ReceivedChallenge",
	ieReceivedHash:       "ReceivedHash",
	ieAttemptedTransport: "AttemptedTransport",
}

// spec is an event type's layout in Asterisk 18 (main/security_events.c):
// its required fields, always printed, then its optional ones, printed
// when present.
type spec struct {
	name     string
	version  int
	info     bool // Severity "Informational" rather than "Error"
	required []ie
	optional []ie
}

// common are the fields every event starts with.
var common = []ie{ieEventTV, ieSeverity, ieService, ieEventVersion, ieAccountID, ieSessionID, ieLocalAddr, ieRemoteAddr}

func with(base []ie, more ...ie) []ie { return append(append([]ie(nil), base...), more...) }

var specs = [numTypes]spec{
	FailedACL:               {"FailedACL", 1, false, common, []ie{ieModule, ieACLName, ieSessionTV}},
	InvalidAccountID:        {"InvalidAccountID", 1, false, common, []ie{ieModule, ieSessionTV}},
	SessionLimit:            {"SessionLimit", 1, false, common, []ie{ieModule, ieSessionTV}},
	MemoryLimit:             {"MemoryLimit", 1, false, common, []ie{ieModule, ieSessionTV}},
	LoadAverageLimit:        {"LoadAverageLimit", 1, false, common, []ie{ieModule, ieSessionTV}},
	RequestNotSupported:     {"RequestNotSupported", 1, false, with(common, ieRequestType), []ie{ieModule, ieSessionTV}},
	RequestNotAllowed:       {"RequestNotAllowed", 1, false, with(common, ieRequestType), []ie{ieModule, ieSessionTV, ieRequestParams}},
	AuthMethodNotAllowed:    {"AuthMethodNotAllowed", 1, false, with(common, ieAuthMethod), []ie{ieModule, ieSessionTV}},
	RequestBadFormat:        {"RequestBadFormat", 1, false, []ie{ieEventTV, ieSeverity, ieService, ieEventVersion, ieSessionID, ieLocalAddr, ieRemoteAddr, ieRequestType}, []ie{ieModule, ieSessionTV, ieAccountID, ieRequestParams}},
	SuccessfulAuth:          {"SuccessfulAuth", 1, true, with(common, ieUsingPassword), []ie{ieModule, ieSessionTV}},
	UnexpectedAddress:       {"UnexpectedAddress", 2, false, with(common, ieExpectedAddr), []ie{ieModule, ieSessionTV}},
	ChallengeResponseFailed: {"ChallengeResponseFailed", 1, false, with(common, ieChallenge, ieResponse, ieExpectedResponse), []ie{ieModule, ieSessionTV}},
	InvalidPassword:         {"InvalidPassword", 2, false, common, []ie{ieModule, ieSessionTV, ieChallenge, ieReceivedChallenge, ieReceivedHash}},
	ChallengeSent:           {"ChallengeSent", 1, true, with(common, ieChallenge), []ie{ieModule, ieSessionTV}},
	InvalidTransport:        {"InvalidTransport", 1, false, with(common, ieAttemptedTransport), []ie{ieModule, ieSessionTV}},
}

// timeLayout is Asterisk's AST_ISO8601_FORMAT ("%FT%T.%q%z").
const timeLayout = "2006-01-02T15:04:05.000-0700"

// Validate reports what makes the event unprintable: an unknown type or
// a missing address (Asterisk drops such events with a warning).
func (e *Event) Validate() error {
	if e.Type < 0 || e.Type >= numTypes {
		return fmt.Errorf("security event type %d unknown", int(e.Type))
	}
	var errs []error
	for _, f := range specs[e.Type].required {
		var a Addr
		switch f {
		case ieLocalAddr:
			a = e.Local
		case ieRemoteAddr:
			a = e.Remote
		case ieExpectedAddr:
			a = e.Expected
		default:
			continue
		}
		if !a.AddrPort.IsValid() {
			errs = append(errs, fmt.Errorf("security event %s: no %s", e.Type, ieNames[f]))
		}
	}
	return errors.Join(errs...)
}

// present reports whether an optional field is there.
func (e *Event) present(f ie) bool {
	switch f {
	case ieModule:
		return e.Module != ""
	case ieSessionTV:
		return !e.SessionTV.IsZero()
	case ieACLName:
		return e.ACLName != ""
	case ieRequestParams:
		return e.RequestParams != ""
	case ieAccountID:
		return e.AccountID != ""
	case ieChallenge, ieReceivedChallenge, ieReceivedHash:
		return e.WithChallenge
	}
	return false
}

// appendValue appends field f's value; esc escapes what the caller
// gave (see appendEscaped).
func (e *Event) appendValue(b []byte, f ie, esc bool) []byte {
	str := func(s string) []byte {
		if esc {
			return appendEscaped(b, s)
		}
		return append(b, s...)
	}
	switch f {
	case ieEventTV:
		return e.Time.AppendFormat(b, timeLayout)
	case ieSeverity:
		return append(b, e.Type.Severity()...)
	case ieService:
		return str(e.Service)
	case ieEventVersion:
		return strconv.AppendInt(b, int64(e.Type.Version()), 10)
	case ieAccountID:
		return str(e.AccountID)
	case ieSessionID:
		return str(e.SessionID)
	case ieLocalAddr:
		return e.Local.appendTo(b)
	case ieRemoteAddr:
		return e.Remote.appendTo(b)
	case ieModule:
		return str(e.Module)
	case ieSessionTV:
		return e.SessionTV.AppendFormat(b, timeLayout)
	case ieACLName:
		return str(e.ACLName)
	case ieRequestType:
		return str(e.RequestType)
	case ieRequestParams:
		return str(e.RequestParams)
	case ieAuthMethod:
		return str(e.AuthMethod)
	case ieUsingPassword:
		if e.UsingPassword {
			return append(b, '1')
		}
		return append(b, '0')
	case ieExpectedAddr:
		return e.Expected.appendTo(b)
	case ieChallenge:
		return str(e.Challenge)
	case ieResponse:
		return str(e.Response)
	case ieExpectedResponse:
		return str(e.ExpectedResponse)
	case ieReceivedChallenge:
		return str(e.ReceivedChallenge)
	case ieReceivedHash:
		return str(e.ReceivedHash)
	case ieAttemptedTransport:
		return str(e.AttemptedTransport)
	}
	return b
}

// fields lists the event's fields in Asterisk's order: the required
// ones, then the optional ones it has.
func (e *Event) fields(dst []ie) []ie {
	s := &specs[e.Type]
	dst = append(dst, s.required...)
	for _, f := range s.optional {
		if e.present(f) {
			dst = append(dst, f)
		}
	}
	return dst
}

// Fields lists the event's fields after SecurityEvent, in Asterisk's
// order, with their values unescaped (for the manager interface, whose
// events carry the same fields). An event of an unknown type has none.
func (e *Event) Fields() []Field {
	if e.Type < 0 || e.Type >= numTypes {
		return nil
	}
	var buf []byte
	var out []Field
	for _, f := range e.fields(make([]ie, 0, 16)) {
		buf = e.appendValue(buf[:0], f, false)
		out = append(out, Field{Name: ieNames[f], Value: string(buf)})
	}
	return out
}

// AppendText appends the event as res_security_log writes it:
// SecurityEvent="Name" then ,Field="value" for each field. An event of
// an unknown type appends nothing.
func (e *Event) AppendText(b []byte) []byte {
	if e.Type < 0 || e.Type >= numTypes {
		return b
	}
	b = append(b, `SecurityEvent="`...)
	b = append(b, e.Type.String()...)
	b = append(b, '"')
	var scratch [16]ie
	for _, f := range e.fields(scratch[:0]) {
		b = append(b, ',')
		b = append(b, ieNames[f]...)
		b = append(b, '=', '"')
		b = e.appendValue(b, f, true)
		b = append(b, '"')
	}
	return b
}

// String is AppendText as a string.
func (e *Event) String() string {
	return string(e.AppendText(make([]byte, 0, 512)))
}

// appendEscaped appends v, writing a double quote, a control character
// or a byte that is not part of valid UTF-8 as \xNN, so that a value can
// neither end its field nor its line (see the package comment).
func appendEscaped(b []byte, v string) []byte {
	clean := true
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == '"' || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean || utf8.ValidString(v) && !strings.ContainsFunc(v, needsEscape) {
		return append(b, v...)
	}
	const hex = "0123456789abcdef"
	for i := 0; i < len(v); {
		c := v[i]
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(v[i:])
		}
		if r == utf8.RuneError && size == 1 || needsEscape(r) {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
		} else {
			b = append(b, v[i:i+size]...)
		}
		i += size
	}
	return b
}

// needsEscape is what a value cannot hold as it is: a double quote or an
// ASCII control character.
func needsEscape(r rune) bool { return r < 0x20 || r == 0x7f || r == '"' }
