package call

import (
	"net/netip"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

func TestDirectVerdict(t *testing.T) {
	phone := func(name, addr string) directLeg {
		return directLeg{
			name: name, allowed: true, dtmf: "rfc2833", codec: "PCMU/0", event: "101",
			remote: netip.MustParseAddrPort(addr),
		}
	}
	deny := sipconf.ACL{Rules: []sipconf.ACLRule{{Permit: false, Prefix: netip.MustParsePrefix("10.0.0.0/8")}}}
	denyOther := sipconf.ACL{Rules: []sipconf.ACLRule{{Permit: false, Prefix: netip.MustParsePrefix("172.16.0.0/12")}}}
	tests := []struct {
		name string
		edit func(a, b *directLeg)
		want bool
	}{
		{"both allow", func(a, b *directLeg) {}, true},
		{"directmedia=no on one", func(a, b *directLeg) { b.allowed = false }, false},
		{"comedia", func(a, b *directLeg) { a.symmetric = true }, false},
		{"nonat behind NAT", func(a, b *directLeg) { a.mode.NoNAT, a.natSeen = true, true }, false},
		{"nonat without NAT", func(a, b *directLeg) { a.mode.NoNAT = true }, true},
		{"update mode", func(a, b *directLeg) { a.mode.Update = true }, true},
		{"SRTP", func(a, b *directLeg) { b.secure = true }, false},
		{"info DTMF", func(a, b *directLeg) { b.dtmf = "info" }, false},
		{"inband DTMF", func(a, b *directLeg) { a.dtmf = "inband" }, false},
		{"codecs differ", func(a, b *directLeg) { b.codec = "PCMA/8" }, false},
		{"event PT differs", func(a, b *directLeg) { b.event = "96" }, false},
		{"no event on one", func(a, b *directLeg) { b.event = "" }, false},
		{"no RTP address", func(a, b *directLeg) { b.remote = netip.AddrPort{} }, false},
		{"hold address", func(a, b *directLeg) { b.remote = netip.MustParseAddrPort("0.0.0.0:4000") }, false},
		{"ACL denies other", func(a, b *directLeg) { a.acl = deny }, false},
		{"ACL denies another network", func(a, b *directLeg) { b.acl = denyOther }, true},
		{"no codec yet", func(a, b *directLeg) { a.codec, b.codec = "", "" }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := phone("a", "192.168.1.5:4000"), phone("b", "10.1.2.3:5000")
			tc.edit(&a, &b)
			if got, why := directVerdict(a, b); got != tc.want {
				t.Fatalf("directVerdict = %v (%s), want %v", got, why, tc.want)
			}
			if got, _ := directVerdict(b, a); got != tc.want {
				t.Fatalf("directVerdict (swapped) = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseDirectMediaModes(t *testing.T) {
	tests := []struct {
		in     string
		on     bool
		mode   sipconf.DirectMediaMode
		hasErr bool
	}{
		{"yes", true, sipconf.DirectMediaMode{}, false},
		{"no", false, sipconf.DirectMediaMode{}, false},
		{"nonat", true, sipconf.DirectMediaMode{NoNAT: true}, false},
		{"update,nonat", true, sipconf.DirectMediaMode{NoNAT: true, Update: true}, false},
		{"outgoing", true, sipconf.DirectMediaMode{Outgoing: true}, false},
		{"sideways", true, sipconf.DirectMediaMode{}, true},
	}
	for _, tc := range tests {
		mode, on, err := sipconf.ParseDirectMedia(tc.in)
		if (err != nil) != tc.hasErr || (err == nil && (on != tc.on || mode != tc.mode)) {
			t.Errorf("ParseDirectMedia(%q) = %+v, %v, %v", tc.in, mode, on, err)
		}
	}
}
