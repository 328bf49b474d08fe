package extern

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

type fakeResolver struct {
	addrs map[string][]netip.Addr
	calls int
}

func (f *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.calls++
	if a, ok := f.addrs[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func TestFor(t *testing.T) {
	local := []netip.Prefix{netip.MustParsePrefix("192.168.1.0/24")}
	inside, outside := netip.MustParseAddr("192.168.1.20"), netip.MustParseAddr("198.51.100.7")
	tests := []struct {
		name     string
		g        sipconf.General
		dst      netip.Addr
		want     string
		wantPort uint16
		ok       bool
	}{
		{"no localnet: nothing is outside", sipconf.General{ExternAddr: "203.0.113.1"}, outside, "", 0, false},
		{"inside a localnet", sipconf.General{ExternAddr: "203.0.113.1", Localnet: local}, inside, "", 0, false},
		{"outside, externaddr", sipconf.General{ExternAddr: "203.0.113.1", Localnet: local}, outside, "203.0.113.1", 0, true},
		{"outside, externaddr with port", sipconf.General{ExternAddr: "203.0.113.1:5080", Localnet: local}, outside, "203.0.113.1", 5080, true},
		{"outside, externhost", sipconf.General{ExternHost: "pbx.example.net", Localnet: local}, outside, "203.0.113.9", 0, true},
		{"outside, nothing configured", sipconf.General{Localnet: local}, outside, "", 0, false},
		// chan_sip never remaps towards IPv6: it needs no NAT.
		{"IPv6 far end, IPv4 localnet", sipconf.General{ExternAddr: "203.0.113.1", Localnet: local}, netip.MustParseAddr("2001:db8::5"), "", 0, false},
		{"IPv6 far end, IPv6 localnet", sipconf.General{ExternAddr: "[2001:db8::7]:5080", Localnet: []netip.Prefix{netip.MustParsePrefix("fd00::/8")}},
			netip.MustParseAddr("2001:db8::5"), "", 0, false},
		{"IPv4-mapped far end is IPv4", sipconf.General{ExternAddr: "203.0.113.1", Localnet: local}, netip.MustParseAddr("::ffff:198.51.100.7"), "203.0.113.1", 0, true},
		{"IPv6 externaddr with port", sipconf.General{ExternAddr: "[2001:db8::7]:5080", Localnet: local}, outside, "2001:db8::7", 5080, true},
		{"IPv6 externaddr in brackets", sipconf.General{ExternAddr: "[2001:db8::7]", Localnet: local}, outside, "2001:db8::7", 0, true},
		{"IPv6 externaddr bare", sipconf.General{ExternAddr: "2001:db8::7", Localnet: local}, outside, "2001:db8::7", 0, true},
	}
	r := &fakeResolver{addrs: map[string][]netip.Addr{"pbx.example.net": {netip.MustParseAddr("203.0.113.9")}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Cache
			a, p, ok := c.For(context.Background(), &tt.g, tt.dst, Options{Resolver: r})
			if ok != tt.ok || (ok && (a.String() != tt.want || p != tt.wantPort)) {
				t.Errorf("For = %v %d %v, want %s %d %v", a, p, ok, tt.want, tt.wantPort, tt.ok)
			}
		})
	}
}

func TestExternhostRefreshAndStaleAnswer(t *testing.T) {
	r := &fakeResolver{addrs: map[string][]netip.Addr{"pbx.example.net": {netip.MustParseAddr("203.0.113.9")}}}
	g := &sipconf.General{ExternHost: "pbx.example.net", ExternRefresh: 10}
	var c Cache
	warned := 0
	now := time.Unix(1000, 0)
	o := Options{Resolver: r, Now: now, Warn: func(string) { warned++ }}
	c.Addr(context.Background(), g, o)
	o.Now = now.Add(5 * time.Second)
	c.Addr(context.Background(), g, o)
	if r.calls != 1 {
		t.Fatalf("looked up %d times within externrefresh, want 1", r.calls)
	}
	delete(r.addrs, "pbx.example.net")
	o.Now = now.Add(11 * time.Second)
	a, _, ok := c.Addr(context.Background(), g, o)
	if !ok || a.String() != "203.0.113.9" || warned != 1 {
		t.Fatalf("DNS down: got %v %v, %d warnings; want the last answer and one warning", a, ok, warned)
	}
	c.Addr(context.Background(), g, o)
	if warned != 1 {
		t.Fatalf("warned %d times for the same failing name", warned)
	}
}
