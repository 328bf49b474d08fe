package sdp

import (
	"net/netip"
	"strings"
	"testing"
)

// TestIPv6Offers are RFC 5118's SDP cases (4.6, 4.8, 4.9) and the forms
// phones and sipp write: where the audio goes, per the c= line that
// applies to the stream.
func TestIPv6Offers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		origin string // o= address part
		sess   string
		media  string
		remote string // "" when none
	}{
		{"IP6 at session level (4.6)", "IN IP6 2001:db8::20", "c=IN IP6 2001:db8::20\r\n", "", "[2001:db8::20]:4000"},
		{"IP4 session, IP6 media (4.8)", "IN IP4 192.0.2.1", "c=IN IP4 192.0.2.1\r\n", "c=IN IP6 2001:db8::20\r\n", "[2001:db8::20]:4000"},
		{"IP6 session, IP4 media (4.8)", "IN IP6 2001:db8::20", "c=IN IP6 2001:db8::20\r\n", "c=IN IP4 192.0.2.1\r\n", "192.0.2.1:4000"},
		{"IPv4-mapped (4.9) is IPv4", "IN IP6 ::ffff:192.0.2.4", "c=IN IP6 ::ffff:192.0.2.4\r\n", "", "192.0.2.4:4000"},
		{"o= with brackets (sipp's [local_ip])", "IN IP6 [::1]", "c=IN IP6 ::1\r\n", "", "[::1]:4000"},
		{"IPv6 hold", "IN IP6 ::1", "c=IN IP6 ::\r\n", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := "v=0\r\no=phone 42 42 " + tc.origin + "\r\ns=call\r\n" + tc.sess + "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n" + tc.media
			d, err := Parse([]byte(body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			res, err := Negotiate(d, Prefs{Codecs: []string{"ulaw"}})
			if err != nil {
				t.Fatalf("Negotiate: %v", err)
			}
			got := ""
			if res.Remote.IsValid() {
				got = res.Remote.String()
			}
			if got != tc.remote {
				t.Errorf("remote %q, want %q", got, tc.remote)
			}
		})
	}
}

// TestBuildIPv6 checks our own o=/c= lines: IP6 without brackets for an
// IPv6 address (RFC 4566), IP4 for an IPv4-mapped one.
func TestBuildIPv6(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want []string
	}{
		{"2001:db8::5", []string{"o=root 1 1 IN IP6 2001:db8::5\r\n", "c=IN IP6 2001:db8::5\r\n"}},
		{"::1", []string{"c=IN IP6 ::1\r\n"}},
		{"::ffff:192.0.2.4", []string{"c=IN IP4 192.0.2.4\r\n"}},
	} {
		s := NewSession("root", "Asterisk PBX")
		s.id = 1
		s.version = 1
		b, err := s.Build(Stream{Addr: netip.MustParseAddr(tc.addr), Port: 10000, Formats: mustFormats(t, "ulaw")})
		if err != nil {
			t.Fatalf("%s: %v", tc.addr, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s: SDP lacks %q:\n%s", tc.addr, w, b)
			}
		}
		if strings.Contains(string(b), "[") {
			t.Errorf("%s: brackets in SDP:\n%s", tc.addr, b)
		}
	}
}
