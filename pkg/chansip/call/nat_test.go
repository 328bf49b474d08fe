package call

import (
	"net/netip"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

func TestAddressesBehindNAT(t *testing.T) {
	local := netip.MustParseAddrPort("10.0.0.2:5060")
	tls := netip.MustParseAddrPort("10.0.0.2:5061")
	for _, tc := range []struct {
		name      string
		g         sipconf.General
		remote    string
		transport string
		media     string
		contact   string
	}{
		{"no extern", sipconf.General{Localnet: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			"203.0.113.9", "UDP", "10.0.0.2", "sip:6000@10.0.0.2:5060"},
		{"extern without localnet", sipconf.General{ExternAddr: "198.51.100.7"},
			"203.0.113.9", "UDP", "10.0.0.2", "sip:6000@10.0.0.2:5060"},
		{"outside", sipconf.General{ExternAddr: "198.51.100.7", Localnet: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			"203.0.113.9", "UDP", "198.51.100.7", "sip:6000@198.51.100.7:5060"},
		{"outside with extern port", sipconf.General{ExternAddr: "198.51.100.7:5080", Localnet: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			"203.0.113.9", "UDP", "198.51.100.7", "sip:6000@198.51.100.7:5080"},
		{"inside", sipconf.General{ExternAddr: "198.51.100.7", Localnet: []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("10.0.0.0/8")}},
			"10.1.2.3", "UDP", "10.0.0.2", "sip:6000@10.0.0.2:5060"},
		{"externhost literal", sipconf.General{ExternHost: "198.51.100.8", Localnet: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			"203.0.113.9", "UDP", "198.51.100.8", "sip:6000@198.51.100.8:5060"},
		{"tls contact", sipconf.General{},
			"10.1.2.3", "TLS", "10.0.0.2", "sip:6000@10.0.0.2:5061;transport=tls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.g
			m := NewManager(Deps{
				Local: local, MediaIP: local.Addr(),
				LocalFor: func(tr string) (netip.AddrPort, bool) { return tls, tr == "TLS" },
				General:  func() *sipconf.General { return &g },
			})
			defer m.Close()
			remote := netip.MustParseAddr(tc.remote)
			if got := m.mediaAddrFor(remote).String(); got != tc.media {
				t.Errorf("media address %s, want %s", got, tc.media)
			}
			u := m.contactURI("6000", remote, tc.transport)
			if got := u.String(); got != tc.contact {
				t.Errorf("Contact %s, want %s", got, tc.contact)
			}
		})
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
