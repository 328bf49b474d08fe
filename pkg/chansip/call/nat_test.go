package call

import (
	"net/netip"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

func TestAddressesBehindNAT(t *testing.T) {
	specific := netip.MustParseAddrPort("10.0.0.2:5060")
	wildcard := netip.MustParseAddrPort("0.0.0.0:5060")
	tls := netip.MustParseAddrPort("10.0.0.2:5061")
	// A fake routing table: the test must not depend on this machine's
	// interfaces.
	route := func(remote netip.Addr) netip.Addr {
		switch {
		case netip.MustParsePrefix("192.0.2.0/24").Contains(remote):
			return netip.MustParseAddr("192.0.2.2")
		case netip.MustParsePrefix("10.0.0.0/8").Contains(remote):
			return netip.MustParseAddr("10.0.0.2")
		case netip.MustParsePrefix("2001:db8::/32").Contains(remote):
			return netip.MustParseAddr("2001:db8::2")
		case remote == netip.MustParseAddr("198.41.0.4"):
			return netip.MustParseAddr("203.0.113.1")
		}
		return netip.Addr{} // no route
	}
	lan := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	for _, tc := range []struct {
		name      string
		local     netip.AddrPort
		g         sipconf.General
		remote    string // "" for a far end known only by name
		transport string
		media     string
		contact   string
	}{
		{"no extern", specific, sipconf.General{Localnet: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			"203.0.113.9", "UDP", "10.0.0.2", "sip:6000@10.0.0.2:5060"},
		{"extern without localnet", specific, sipconf.General{ExternAddr: "198.51.100.7"},
			"203.0.113.9", "UDP", "10.0.0.2", "sip:6000@10.0.0.2:5060"},
		{"outside", specific, sipconf.General{ExternAddr: "198.51.100.7", Localnet: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			"203.0.113.9", "UDP", "198.51.100.7", "sip:6000@198.51.100.7:5060"},
		{"outside with extern port", specific, sipconf.General{ExternAddr: "198.51.100.7:5080", Localnet: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			"203.0.113.9", "UDP", "198.51.100.7", "sip:6000@198.51.100.7:5080"},
		{"inside", specific, sipconf.General{ExternAddr: "198.51.100.7", Localnet: []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("10.0.0.0/8")}},
			"10.1.2.3", "UDP", "10.0.0.2", "sip:6000@10.0.0.2:5060"},
		{"externhost literal", specific, sipconf.General{ExternHost: "198.51.100.8", Localnet: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			"203.0.113.9", "UDP", "198.51.100.8", "sip:6000@198.51.100.8:5060"},
		{"tls contact", specific, sipconf.General{},
			"10.1.2.3", "TLS", "10.0.0.2", "sip:6000@10.0.0.2:5061;transport=tls"},
		{"specific bind ignores the route", specific, sipconf.General{},
			"192.0.2.9", "UDP", "10.0.0.2", "sip:6000@10.0.0.2:5060"},

		{"wildcard routes to the far end", wildcard, sipconf.General{},
			"192.0.2.9", "UDP", "192.0.2.2", "sip:6000@192.0.2.2:5060"},
		{"wildcard, another network", wildcard, sipconf.General{},
			"10.9.9.9", "UDP", "10.0.0.2", "sip:6000@10.0.0.2:5060"},
		{"wildcard, far end inside localnet", wildcard, sipconf.General{ExternAddr: "198.51.100.7", Localnet: lan},
			"192.0.2.9", "UDP", "192.0.2.2", "sip:6000@192.0.2.2:5060"},
		{"wildcard, far end outside localnet", wildcard, sipconf.General{ExternAddr: "198.51.100.7", Localnet: lan},
			"203.0.113.9", "UDP", "198.51.100.7", "sip:6000@198.51.100.7:5060"},
		{"wildcard, no route", wildcard, sipconf.General{},
			"203.0.113.9", "UDP", "127.0.0.1", "sip:6000@127.0.0.1:5060"},
		{"wildcard, far end by name", wildcard, sipconf.General{},
			"", "UDP", "203.0.113.1", "sip:6000@203.0.113.1:5060"},
		{"media_address wins over externaddr", specific, sipconf.General{MediaAddr: netip.MustParseAddr("2001:db8::5"), ExternAddr: "198.51.100.7",
			Localnet: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, "203.0.113.9", "UDP", "2001:db8::5", "sip:6000@198.51.100.7:5060"},
		{"IPv6 far end is never remapped", wildcard, sipconf.General{ExternAddr: "198.51.100.7", Localnet: lan},
			"2001:db8::9", "UDP", "2001:db8::2", "sip:6000@[2001:db8::2]:5060"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.g
			m := NewManager(Deps{
				Local: tc.local, MediaIP: tc.local.Addr(), Route: route,
				LocalFor: func(tr string) (netip.AddrPort, bool) { return tls, tr == "TLS" },
				General:  func() *sipconf.General { return &g },
			})
			defer m.Close()
			var remote netip.Addr
			if tc.remote != "" {
				remote = netip.MustParseAddr(tc.remote)
			}
			d := &dialog{m: m, addr: netip.AddrPortFrom(remote, 5060), transport: tc.transport}
			if got, _ := d.mediaAddr(); got.String() != tc.media {
				t.Errorf("media address %s, want %s", got, tc.media)
			}
			u := d.contactURI("6000")
			if got := u.String(); got != tc.contact {
				t.Errorf("Contact %s, want %s", got, tc.contact)
			}
		})
	}
}

// TestRouteFromKernel: the lookup used without Deps.Route asks the
// kernel (loopback only, so the test does not depend on this machine's
// network).
func TestRouteFromKernel(t *testing.T) {
	for _, remote := range []string{"127.0.0.1", "127.0.0.2"} {
		if got := routeFrom(netip.MustParseAddr(remote)); got != netip.MustParseAddr("127.0.0.1") {
			t.Errorf("route to %s from %s, want 127.0.0.1", remote, got)
		}
	}
}

// TestRouteLookedUpOncePerDialog: the kernel is asked once per leg, not
// for every SDP body and Contact.
func TestRouteLookedUpOncePerDialog(t *testing.T) {
	var calls int
	m := NewManager(Deps{
		Local: netip.MustParseAddrPort("0.0.0.0:5060"), MediaIP: netip.IPv4Unspecified(),
		Route: func(netip.Addr) netip.Addr {
			calls++
			return netip.MustParseAddr("192.0.2.2")
		},
		General: func() *sipconf.General { return &sipconf.General{} },
	})
	defer m.Close()
	d := &dialog{m: m, addr: netip.MustParseAddrPort("192.0.2.9:5060"), transport: "UDP"}
	for range 3 {
		d.mediaAddr()
		d.contactURI("6000")
	}
	if calls != 1 {
		t.Errorf("%d route lookups, want 1", calls)
	}
}

func TestTransportAndComedia(t *testing.T) {
	var tlsURI, plainURI sip.Uri
	if err := sip.ParseUri("sip:6000@203.0.113.9:5061;transport=TLS", &tlsURI); err != nil {
		t.Fatal(err)
	}
	if err := sip.ParseUri("sip:6000@203.0.113.9:5062", &plainURI); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		p       *sipconf.Peer
		contact *sip.Uri
		want    string
	}{
		{"contact says tls", &sipconf.Peer{PrimaryTransport: sipconf.UDP}, &tlsURI, "TLS"},
		{"peer transport=tcp", &sipconf.Peer{PrimaryTransport: sipconf.TCP}, &plainURI, "TCP"},
		{"default", &sipconf.Peer{}, nil, "UDP"},
		{"guest", nil, nil, "UDP"},
	} {
		if got := transportOf(tc.p, tc.contact); got != tc.want {
			t.Errorf("%s: transport %s, want %s", tc.name, got, tc.want)
		}
	}

	natted := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "6000", Host: "10.0.0.2"})
	natted.AppendHeader(&sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP", Host: "192.168.1.20", Port: 5060, Params: sip.NewParams()})
	natted.SetSource("203.0.113.9:41000")
	direct := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "6000", Host: "10.0.0.2"})
	direct.AppendHeader(&sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP", Host: "203.0.113.9", Port: 5060, Params: sip.NewParams()})
	direct.SetSource("203.0.113.9:5060")
	for _, tc := range []struct {
		name string
		nat  sipconf.NAT
		req  *sip.Request
		want bool
	}{
		{"comedia", sipconf.NAT{Comedia: true}, direct, true},
		{"auto_comedia behind NAT", sipconf.NAT{AutoComedia: true}, natted, true},
		{"auto_comedia direct", sipconf.NAT{AutoComedia: true}, direct, false},
		{"force_rport only", sipconf.NAT{ForceRport: true}, natted, false},
		{"outbound auto_comedia", sipconf.NAT{AutoComedia: true}, nil, false},
	} {
		if got := comedia(&sipconf.Peer{NAT: tc.nat}, nil, tc.req); got != tc.want {
			t.Errorf("%s: comedia %v, want %v", tc.name, got, tc.want)
		}
	}
}
