package chansip

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

func TestDigestURIMatches(t *testing.T) {
	tests := []struct {
		ruri, digest string
		want         bool
	}{
		// The same URI, or an equivalent spelling of it.
		{"sip:6000@127.0.0.1:5060", "sip:6000@127.0.0.1:5060", true},
		{"sip:6000@127.0.0.1:5060", "", true}, // hashed against the Request-URI
		{"sip:6000@pbx.example.com", "SIP:6000@PBX.Example.COM", true},
		{"sip:6000@127.0.0.1", "sip:6000@127.0.0.1:5060", true},
		{"sip:6000@127.0.0.1:5060", "sip:6000@127.0.0.1", true},
		{"sips:6000@127.0.0.1", "sips:6000@127.0.0.1:5061", true},
		{"sip:127.0.0.1:5060", "sip:127.0.0.1", true}, // REGISTER to a domain
		{"sip:6000@127.0.0.1;transport=udp;lr", "sip:6000@127.0.0.1;lr;transport=UDP", true},
		{"sip:6000@127.0.0.1;transport=udp", "sip:6000@127.0.0.1", true}, // other params: one side is ignored
		{"sip:0612345678@127.0.0.1;user=phone", "sip:0612345678@127.0.0.1;USER=phone", true},
		{"sip:%36000@127.0.0.1", "sip:6000@127.0.0.1", true},
		{"sip:6000@[::1]:5060", "sip:6000@[0:0::1]", true},
		{"sip:6000@127.0.0.1?Subject=hi", "sip:6000@127.0.0.1?subject=hi", true},
		{"tel:+33612345678", "TEL:+33612345678", true},
		{"sip:6000@127.0.0.1;transport=tls", "sip:6000@127.0.0.1:5061;transport=TLS", true},
		// sipp's default: the remote host and port, no user.
		{"sip:6000@127.0.0.1:5060", "sip:127.0.0.1:5060", true},
		{"sip:0612345678@127.0.0.1:5060;user=phone", "sip:127.0.0.1:5060", true},
		{"sip:6000@127.0.0.1:5060", "sip:127.0.0.1:5070", false},
		// sipp's default towards an IPv6 server: the host unbracketed.
		{"sip:[::1]:25060", "sip:::1:25060", true},
		{"sip:6000@[2001:db8::1]:5060", "sip:2001:db8::1:5060", true},
		{"sip:6000@[2001:db8::1]", "sip:2001:db8::1", true},
		{"sip:6000@[2001:db8::1]:5060", "sip:2001:db8::1:5070", false},
		// RFC 5118 4.3/4.4: inside the brackets, ":5070" is part of the address.
		{"sip:6000@[2001:db8::10]:5070", "sip:6000@[2001:db8::10:5070]", false},
		{"sip:6000@[2001:db8::10:5070]", "sip:6000@[2001:db8::10:5070]:5060", true},
		{"sip:6000@[2001:db8::10]:5070", "sip:6000@[2001:db8:0:0:0:0:0:10]:5070", true},
		{"sip:6000@[2001:db8::2]:5060", "sip:2001:db8::1:5060", false},
		{"sip:6000@127.0.0.1:5060", "sip:127.0.0.2:5060", false},
		{"sip:6000@127.0.0.1", "sip:127.0.0.1;maddr=10.0.0.1", false},

		// Another user, host, port or scheme.
		{"sip:6000@127.0.0.1:5060", "sip:0899123456@127.0.0.1:5060", false},
		{"sip:6000@127.0.0.1:5060", "sip:6001@127.0.0.1:5060", false},
		{"sip:6000@127.0.0.1", "sip:6000@127.0.0.1:5070", false},
		{"sip:6000@127.0.0.1", "sip:6000@127.0.0.2", false},
		{"sip:6000@pbx.example.com", "sip:6000@pbx.example.org", false},
		{"sip:6000@127.0.0.1", "sips:6000@127.0.0.1", false},
		{"sip:127.0.0.1", "sip:6000@127.0.0.1", false}, // signs a user the request does not name
		{"sip:6000@127.0.0.1;transport=tls", "sip:6000@127.0.0.1:5060;transport=tls", false},
		{"sip:6000@127.0.0.1", "sip:Abc@127.0.0.1", false},
		{"sip:abc@127.0.0.1", "sip:ABC@127.0.0.1", false}, // the user part is case-sensitive
		{"sip:6000@127.0.0.1", "sip:6000:pw@127.0.0.1", false},
		{"sip:6000@127.0.0.1", "tel:6000", false},

		// Parameters that must agree.
		{"sip:6000@127.0.0.1;transport=udp", "sip:6000@127.0.0.1;transport=tcp", false},
		{"sip:0612345678@127.0.0.1;user=phone", "sip:0612345678@127.0.0.1", false},
		{"sip:6000@127.0.0.1", "sip:6000@127.0.0.1;maddr=10.0.0.1", false},
		{"sip:6000@127.0.0.1", "sip:6000@127.0.0.1;method=INVITE", false},
		{"sip:6000@127.0.0.1;ttl=5", "sip:6000@127.0.0.1", false},
		{"sip:6000@127.0.0.1?Subject=hi", "sip:6000@127.0.0.1", false},
		{"sip:6000@127.0.0.1?Subject=hi", "sip:6000@127.0.0.1?Subject=bye", false},

		// Not a URI at all.
		{"sip:6000@127.0.0.1", "sip:6000@127.0.0.1:port", false},
		{"sip:6000@127.0.0.1", "6000@127.0.0.1", false},
	}
	for _, tt := range tests {
		var ruri sip.Uri
		if err := sip.ParseUri(tt.ruri, &ruri); err != nil {
			t.Fatalf("Request-URI %q: %v", tt.ruri, err)
		}
		if got := digestURIMatches(tt.digest, &ruri); got != tt.want {
			t.Errorf("digest uri %q against Request-URI %q: %v, want %v", tt.digest, tt.ruri, got, tt.want)
		}
	}
}

// FuzzDigestURIMatches: whatever an answer's uri holds, comparing it
// never panics, and a Request-URI always matches its own text.
func FuzzDigestURIMatches(f *testing.F) {
	f.Add("sip:6000@127.0.0.1:5060", "sip:6000@127.0.0.1")
	f.Add("sip:0612@pbx;user=phone?Subject=x", "sip:pbx:5060;USER=phone")
	f.Add("sips:[::1]:5061;transport=tls", "tel:+33612")
	f.Add("sip:%41b@h", "sip:Ab@H")
	f.Fuzz(func(t *testing.T, ruriText, digestURI string) {
		var ruri sip.Uri
		if err := sip.ParseUri(ruriText, &ruri); err != nil {
			return
		}
		digestURIMatches(digestURI, &ruri)
		if !digestURIMatches(ruriText, &ruri) {
			t.Errorf("Request-URI %q does not match its own text", ruriText)
		}
	})
}

// The IPv6 reading costs nothing to the usual answers: a uri with a user
// part or an IPv4 host is left alone without allocating.
func TestBracketBareIPv6LeavesOthersAlone(t *testing.T) {
	for _, uri := range []string{"sip:6000@127.0.0.1:5060", "sip:127.0.0.1:5060", "sip:6000@[::1]:5060", "sip:[::1]", "tel:+33612345678"} {
		if got := bracketBareIPv6(uri); got != nil {
			t.Errorf("bracketBareIPv6(%q) = %q, want nil", uri, got)
		}
		if n := testing.AllocsPerRun(100, func() { bracketBareIPv6(uri) }); n != 0 {
			t.Errorf("bracketBareIPv6(%q): %v allocations", uri, n)
		}
	}
}
