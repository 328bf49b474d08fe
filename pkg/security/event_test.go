package security

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func addr(s string, t Transport) Addr {
	return Addr{AddrPort: netip.MustParseAddrPort(s), Transport: t}
}

// excerptAt is a time of the reference excerpt (a server in UTC).
func excerptAt(sec, ms int) time.Time {
	return time.Date(2026, time.December, 5, 5, 40, sec, ms*int(time.Millisecond), time.UTC)
}

// sipEvent is an event with chan_sip's common fields as in the reference
// excerpt (server 127.0.0.5:5060, client 127.0.0.3:5091, UDP).
func sipEvent(typ Type, at time.Time, account, session string) Event {
	return Event{
		Type: typ, Time: at, Service: "SIP", AccountID: account, SessionID: session,
		Local: addr("127.0.0.5:5060", UDP), Remote: addr("127.0.0.3:5091", UDP),
	}
}

// TestEventText: events print exactly as Asterisk 18's res_security_log
// writes them. The first cases are lines of the reference Asterisk's
// messages file (logs/security.excerpt.txt), after the "res_security_log.c: "
// prefix.
func TestEventText(t *testing.T) {
	withChallenge := func(e Event, ours, theirs, hash string) Event {
		e.WithChallenge, e.Challenge, e.ReceivedChallenge, e.ReceivedHash = true, ours, theirs, hash
		return e
	}
	challenge := func(e Event, nonce string) Event { e.Challenge = nonce; return e }
	paris := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		name string
		ev   Event
		want string
	}{
		{
			name: "excerpt REGISTER ChallengeSent",
			ev:   challenge(sipEvent(ChallengeSent, excerptAt(75, 868), "6000", "0x7f7290000ed0"), "435b85da"),
			want: `SecurityEvent="ChallengeSent",EventTV="2026-12-05T05:41:15.868+0000",Severity="Informational",Service="SIP",EventVersion="1",AccountID="6000",SessionID="0x7f7290000ed0",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",Challenge="435b85da"`,
		},
		{
			name: "excerpt REGISTER InvalidPassword",
			ev: withChallenge(sipEvent(InvalidPassword, excerptAt(75, 874), "6000", "0x7f7290000ed0"),
				"435b85da", "435b85da", "2ea19b086a6aec35d15e2b1690942434"),
			want: `SecurityEvent="InvalidPassword",EventTV="2026-12-05T05:41:15.874+0000",Severity="Error",Service="SIP",EventVersion="2",AccountID="6000",SessionID="0x7f7290000ed0",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",Challenge="435b85da",ReceivedChallenge="435b85da",ReceivedHash="2ea19b086a6aec35d15e2b1690942434"`,
		},
		{
			name: "excerpt REGISTER SuccessfulAuth",
			ev: func() Event {
				e := sipEvent(SuccessfulAuth, excerptAt(97, 621), "6000", "0x7f72913493a0")
				e.UsingPassword = true
				return e
			}(),
			want: `SecurityEvent="SuccessfulAuth",EventTV="2026-12-05T05:41:37.621+0000",Severity="Informational",Service="SIP",EventVersion="1",AccountID="6000",SessionID="0x7f72913493a0",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",UsingPassword="1"`,
		},
		{
			name: "excerpt INVITE ChallengeSent",
			ev:   challenge(sipEvent(ChallengeSent, excerptAt(25, 162), "sip:6000@127.0.0.5", "0x7f729000bab0"), "51ef4299"),
			want: `SecurityEvent="ChallengeSent",EventTV="2026-12-05T05:40:25.162+0000",Severity="Informational",Service="SIP",EventVersion="1",AccountID="sip:6000@127.0.0.5",SessionID="0x7f729000bab0",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",Challenge="51ef4299"`,
		},
		{
			name: "excerpt INVITE InvalidPassword",
			ev: withChallenge(sipEvent(InvalidPassword, excerptAt(25, 169), "127.0.0.5", "0x7f729000bab0"),
				"51ef4299", "51ef4299", "7ace6268b4decafccdebf86566444569"),
			want: `SecurityEvent="InvalidPassword",EventTV="2026-12-05T05:40:25.169+0000",Severity="Error",Service="SIP",EventVersion="2",AccountID="127.0.0.5",SessionID="0x7f729000bab0",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",Challenge="51ef4299",ReceivedChallenge="51ef4299",ReceivedHash="7ace6268b4decafccdebf86566444569"`,
		},
		{
			name: "excerpt FailedACL",
			ev: func() Event {
				e := sipEvent(FailedACL, excerptAt(27, 766), "127.0.0.5", "0x7f729023f220")
				e.ACLName = "no_extension_match"
				return e
			}(),
			want: `SecurityEvent="FailedACL",EventTV="2026-12-05T05:40:27.766+0000",Severity="Error",Service="SIP",EventVersion="1",AccountID="127.0.0.5",SessionID="0x7f729023f220",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",ACLName="no_extension_match"`,
		},
		{
			name: "InvalidAccountID over TCP, local time zone",
			ev: Event{Type: InvalidAccountID, Time: time.Date(2026, 1, 2, 3, 4, 5, 6e6, paris), Service: "SIP", AccountID: "9999",
				SessionID: "0x7f0000001230", Local: addr("192.0.2.1:5060", TCP), Remote: addr("198.51.100.7:40000", TCP)},
			want: `SecurityEvent="InvalidAccountID",EventTV="2026-01-02T03:04:05.006+0100",Severity="Error",Service="SIP",EventVersion="1",AccountID="9999",SessionID="0x7f0000001230",LocalAddress="IPV4/TCP/192.0.2.1/5060",RemoteAddress="IPV4/TCP/198.51.100.7/40000"`,
		},
		{
			name: "ChallengeResponseFailed over TLS and IPv6, no expected user",
			ev: Event{Type: ChallengeResponseFailed, Time: excerptAt(1, 0), Service: "SIP", AccountID: "6000", SessionID: "0x7f0000000010",
				Local: addr("[2001:db8::1]:5061", TLS), Remote: addr("[2001:db8::99]:50000", TLS),
				Challenge: "2a1b3c4d", Response: "asadek"},
			want: `SecurityEvent="ChallengeResponseFailed",EventTV="2026-12-05T05:40:01.000+0000",Severity="Error",Service="SIP",EventVersion="1",AccountID="6000",SessionID="0x7f0000000010",LocalAddress="IPV6/TLS/2001:db8::1/5061",RemoteAddress="IPV6/TLS/2001:db8::99/50000",Challenge="2a1b3c4d",Response="asadek",ExpectedResponse=""`,
		},
		{
			name: "InvalidPassword of an unknown caller: empty challenge fields are still printed",
			ev:   withChallenge(sipEvent(InvalidPassword, excerptAt(2, 500), "6001", "0x7f0000000020"), "", "", ""),
			want: `SecurityEvent="InvalidPassword",EventTV="2026-12-05T05:40:02.500+0000",Severity="Error",Service="SIP",EventVersion="2",AccountID="6001",SessionID="0x7f0000000020",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",Challenge="",ReceivedChallenge="",ReceivedHash=""`,
		},
		{
			name: "manager-style InvalidPassword: module and session time, no challenge, IPv4-mapped, no transport",
			ev: Event{Type: InvalidPassword, Time: excerptAt(3, 0), Service: "AMI", AccountID: "admin", SessionID: "0x55d0c0ffee00",
				Module: "manager", SessionTV: excerptAt(2, 999),
				Local: addr("[::ffff:127.0.0.1]:5038", TCP), Remote: addr("127.0.0.1:40000", TransportNone)},
			want: `SecurityEvent="InvalidPassword",EventTV="2026-12-05T05:40:03.000+0000",Severity="Error",Service="AMI",EventVersion="2",AccountID="admin",SessionID="0x55d0c0ffee00",LocalAddress="IPV4/TCP/127.0.0.1/5038",RemoteAddress="IPV4/127.0.0.1/40000",Module="manager",SessionTV="2026-12-05T05:40:02.999+0000"`,
		},
		{
			name: "SuccessfulAuth without a password",
			ev:   sipEvent(SuccessfulAuth, excerptAt(4, 0), "guest", "0x7f0000000030"),
			want: `SecurityEvent="SuccessfulAuth",EventTV="2026-12-05T05:40:04.000+0000",Severity="Informational",Service="SIP",EventVersion="1",AccountID="guest",SessionID="0x7f0000000030",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",UsingPassword="0"`,
		},
		{
			name: "RequestBadFormat: AccountID optional and after the request type",
			ev: Event{Type: RequestBadFormat, Time: excerptAt(5, 0), Service: "AMI", AccountID: "admin", SessionID: "0x1",
				Local: addr("127.0.0.1:5038", TCP), Remote: addr("127.0.0.1:40000", TCP), RequestType: "Action", RequestParams: "x"},
			want: `SecurityEvent="RequestBadFormat",EventTV="2026-12-05T05:40:05.000+0000",Severity="Error",Service="AMI",EventVersion="1",SessionID="0x1",LocalAddress="IPV4/TCP/127.0.0.1/5038",RemoteAddress="IPV4/TCP/127.0.0.1/40000",RequestType="Action",AccountID="admin",RequestParams="x"`,
		},
		{
			name: "UnexpectedAddress and InvalidTransport",
			ev: Event{Type: UnexpectedAddress, Time: excerptAt(6, 0), Service: "SIP", AccountID: "6000", SessionID: "0x2",
				Local: addr("127.0.0.5:5060", UDP), Remote: addr("127.0.0.3:5091", UDP), Expected: addr("127.0.0.4:5091", UDP)},
			want: `SecurityEvent="UnexpectedAddress",EventTV="2026-12-05T05:40:06.000+0000",Severity="Error",Service="SIP",EventVersion="2",AccountID="6000",SessionID="0x2",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",ExpectedAddress="IPV4/UDP/127.0.0.4/5091"`,
		},
		{
			name: "InvalidTransport",
			ev: func() Event {
				e := sipEvent(InvalidTransport, excerptAt(7, 0), "6000", "0x3")
				e.AttemptedTransport = "TCP"
				return e
			}(),
			want: `SecurityEvent="InvalidTransport",EventTV="2026-12-05T05:40:07.000+0000",Severity="Error",Service="SIP",EventVersion="1",AccountID="6000",SessionID="0x3",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",AttemptedTransport="TCP"`,
		},
		{
			name: "hostile values cannot end a field or a line",
			ev: withChallenge(sipEvent(InvalidPassword, excerptAt(8, 0), "x\",RemoteAddress=\"IPV4/UDP/10.9.9.9/5060", "0x4"),
				"abc", "n\"\r\nSECURITY[1] x", "\xff\x00é"),
			want: `SecurityEvent="InvalidPassword",EventTV="2026-12-05T05:40:08.000+0000",Severity="Error",Service="SIP",EventVersion="2",AccountID="x\x22,RemoteAddress=\x22IPV4/UDP/10.9.9.9/5060",SessionID="0x4",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",Challenge="abc",ReceivedChallenge="n\x22\x0d\x0aSECURITY[1] x",ReceivedHash="\xff\x00é"`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.ev.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got := tc.ev.String(); got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestEventFields: Fields gives the same fields as the text, in the same
// order, unescaped.
func TestEventFields(t *testing.T) {
	e := sipEvent(FailedACL, excerptAt(27, 766), "a\"b", "0x7f729023f220")
	e.ACLName = "device_must_match_acl"
	got := e.Fields()
	want := []Field{
		{"EventTV", "2026-12-05T05:40:27.766+0000"}, {"Severity", "Error"}, {"Service", "SIP"}, {"EventVersion", "1"},
		{"AccountID", "a\"b"}, {"SessionID", "0x7f729023f220"},
		{"LocalAddress", "IPV4/UDP/127.0.0.5/5060"}, {"RemoteAddress", "IPV4/UDP/127.0.0.3/5091"},
		{"ACLName", "device_must_match_acl"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Fields:\n got %q\nwant %q", got, want)
	}
	var b strings.Builder
	b.WriteString(`SecurityEvent="FailedACL"`)
	for _, f := range got {
		b.WriteString("," + f.Name + `="` + strings.ReplaceAll(f.Value, `"`, `\x22`) + `"`)
	}
	if s := e.String(); s != b.String() {
		t.Errorf("String and Fields disagree:\n%s\n%s", s, b.String())
	}
}

func TestEventValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   Event
		err  string // "" = valid
	}{
		{"valid", sipEvent(ChallengeSent, excerptAt(0, 0), "6000", "0x1"), ""},
		{"unknown type", Event{Type: numTypes}, "security event type 15 unknown"},
		{"negative type", Event{Type: -1}, "security event type -1 unknown"},
		{"no addresses", Event{Type: InvalidAccountID}, "security event InvalidAccountID: no LocalAddress\nsecurity event InvalidAccountID: no RemoteAddress"},
		{"no expected address", sipEvent(UnexpectedAddress, excerptAt(0, 0), "6000", "0x1"), "security event UnexpectedAddress: no ExpectedAddress"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.ev.Validate()
			if (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
				t.Errorf("Validate = %v, want %q", err, tc.err)
			}
			if tc.ev.Type >= numTypes || tc.ev.Type < 0 {
				if s := tc.ev.String(); s != "" {
					t.Errorf("String of an unknown type = %q", s)
				}
			}
		})
	}
}

func TestTypeNames(t *testing.T) {
	for _, tc := range []struct {
		typ      Type
		name     string
		version  int
		severity string
	}{
		{FailedACL, "FailedACL", 1, "Error"},
		{InvalidAccountID, "InvalidAccountID", 1, "Error"},
		{SessionLimit, "SessionLimit", 1, "Error"},
		{MemoryLimit, "MemoryLimit", 1, "Error"},
		{LoadAverageLimit, "LoadAverageLimit", 1, "Error"},
		{RequestNotSupported, "RequestNotSupported", 1, "Error"},
		{RequestNotAllowed, "RequestNotAllowed", 1, "Error"},
		{AuthMethodNotAllowed, "AuthMethodNotAllowed", 1, "Error"},
		{RequestBadFormat, "RequestBadFormat", 1, "Error"},
		{SuccessfulAuth, "SuccessfulAuth", 1, "Informational"},
		{UnexpectedAddress, "UnexpectedAddress", 2, "Error"},
		{ChallengeResponseFailed, "ChallengeResponseFailed", 1, "Error"},
		{InvalidPassword, "InvalidPassword", 2, "Error"},
		{ChallengeSent, "ChallengeSent", 1, "Informational"},
		{InvalidTransport, "InvalidTransport", 1, "Error"},
		{numTypes, "Type(15)", 0, ""},
	} {
		if got := tc.typ.String(); got != tc.name {
			t.Errorf("%d: name %q, want %q", int(tc.typ), got, tc.name)
		}
		if got := tc.typ.Version(); got != tc.version {
			t.Errorf("%s: version %d, want %d", tc.name, got, tc.version)
		}
		if got := tc.typ.Severity(); got != tc.severity {
			t.Errorf("%s: severity %q, want %q", tc.name, got, tc.severity)
		}
	}
}
