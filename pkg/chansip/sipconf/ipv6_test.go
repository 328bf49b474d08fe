package sipconf

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParsePrefixFamilies(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" means an error
	}{
		{"192.168.1.7", "192.168.1.7/32"},
		{"192.168.1.7/24", "192.168.1.0/24"},
		{"192.168.1.7/255.255.0.0", "192.168.0.0/16"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"2001:db8:1:2::5/32", "2001:db8::/32"},
		{"[2001:db8::1]/64", "2001:db8::/64"},
		{"2001:db8::/ffff:ffff:ffff:ffff::", "2001:db8::/64"},
		{"::/0", "::/0"},
		{"::1", "::1/128"},
		{"::ffff:10.1.2.3/8", "10.0.0.0/8"}, // IPv4-mapped: an IPv4 ACL
		{"0.0.0.0/0.0.0.0", "0.0.0.0/0"},
		{"2001:db8::/255.255.0.0", ""}, // families differ
		{"10.0.0.0/ffff::", ""},
		{"2001:db8::/129", ""},
		{"10.0.0.0/33", ""},
		{"2001:db8::/ffff:0:ffff::", ""}, // not contiguous
		{"2001:zz8::", ""},
	} {
		p, err := ParsePrefix(tc.in)
		got := ""
		if err == nil {
			got = p.String()
		}
		if got != tc.want {
			t.Errorf("ParsePrefix(%q) = %q (%v), want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestACLFamilies: an IPv4 rule never matches an IPv6 source and an IPv6
// rule never matches an IPv4 one (ast_apply_ha), an IPv4-mapped source is
// judged by the IPv4 rules, comma lists and '!' are read as acl.c does.
func TestACLFamilies(t *testing.T) {
	c, diags := parse(t, `[general]
[p1]
type=peer
host=dynamic
deny=0.0.0.0/0.0.0.0
deny=::/0
permit=10.0.0.0/8,2001:db8::/32,!2001:db8:bad::/48
`, "")
	if diags.HasErrors() {
		t.Fatalf("%v", diags)
	}
	acl := c.Peer("p1").ACL
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"10.1.2.3", true},
		{"::ffff:10.1.2.3", true},
		{"192.168.1.1", false},
		{"::ffff:192.168.1.1", false},
		{"2001:db8::5", true},
		{"2001:db8:bad::5", false},
		{"2001:db9::5", false},
		{"::1", false},
	} {
		if got := acl.Allows(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("Allows(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
	// Only IPv4 rules: IPv6 sources match none of them and are let in,
	// as Asterisk does (start optimistic, skip the other family).
	c, _ = parse(t, "[general]\n[p2]\ntype=peer\nhost=dynamic\ndeny=0.0.0.0/0\npermit=127.0.0.1\n", "")
	if !c.Peer("p2").ACL.Allows(netip.MustParseAddr("2001:db8::1")) || c.Peer("p2").ACL.Allows(netip.MustParseAddr("10.0.0.1")) {
		t.Errorf("IPv4-only ACL: got %+v", c.Peer("p2").ACL)
	}
}

// TestBindAddressIPv6 follows chan_sip's reload_config: bindaddr and
// udpbindaddr are one setting, bindport wins over a port in the address
// (with chan_sip's warning), 5060 without either.
func TestBindAddressIPv6(t *testing.T) {
	for _, tc := range []struct {
		lines, want, warn string
	}{
		{"udpbindaddr=::", "[::]:5060", ""},
		{"bindaddr=::\nbindport=5070", "[::]:5070", ""},
		{"bindport=5070\nudpbindaddr=::", "[::]:5070", ""},
		{"udpbindaddr=[::1]:5062", "[::1]:5062", ""},
		{"udpbindaddr=2001:db8::1", "[2001:db8::1]:5060", ""},
		{"bindaddr=[2001:db8::1]:5062\nbindport=5064", "[2001:db8::1]:5064", "bindport is also specified in bindaddr. Using 5064."},
		{"bindaddr=127.0.0.1\nudpbindaddr=::", "[::]:5060", ""},
		{"udpbindaddr=::\nbindaddr=127.0.0.1:5061", "127.0.0.1:5061", ""},
		{"bindaddr=::ffff:127.0.0.1", "127.0.0.1:5060", ""},
	} {
		c, diags := parse(t, "[general]\n"+tc.lines+"\n", "")
		if diags.HasErrors() {
			t.Errorf("%q: %v", tc.lines, diags)
			continue
		}
		if got := c.General.UDPBind.String(); got != tc.want {
			t.Errorf("%q: UDPBind %s, want %s", tc.lines, got, tc.want)
		}
		text := diagText(diags)
		if tc.warn != "" && !strings.Contains(text, tc.warn) || tc.warn == "" && strings.Contains(text, "bindport") {
			t.Errorf("%q: diagnostics %q, want %q", tc.lines, text, tc.warn)
		}
	}
}

// TestPeerHostIPv6: host= with an IPv6 literal, bare or in brackets with
// a port, and the permit/localnet values gostrisk check must accept.
func TestPeerHostIPv6(t *testing.T) {
	c, diags := parse(t, `[general]
localnet=fd00::/8
localnet=192.168.0.0/16
externaddr=[2001:db8::7]:5080
[a]
type=peer
host=2001:db8::10
[b]
type=peer
host=[2001:db8::11]:5070
[c]
type=peer
host=[2001:db8::12]
port=5090
`, "")
	if diags.HasErrors() || strings.Contains(diagText(diags), "sip.conf") {
		t.Fatalf("diagnostics: %s", diagText(diags))
	}
	for name, want := range map[string]string{"a": "[2001:db8::10]:5060", "b": "[2001:db8::11]:5070", "c": "[2001:db8::12]:5090"} {
		if got := c.Peer(name).Addr.String(); got != want {
			t.Errorf("peer %s: Addr %s, want %s", name, got, want)
		}
	}
	if got := c.General.Localnet; len(got) != 2 || got[0].String() != "fd00::/8" {
		t.Errorf("localnet = %v", got)
	}
}

func TestLookupNetwork(t *testing.T) {
	for _, tc := range []struct{ bind, want string }{
		{"127.0.0.1:5060", "ip4"}, {"0.0.0.0:5060", "ip4"}, {"[::]:5060", "ip"},
		{"[::1]:5060", "ip6"}, {"[2001:db8::1]:5060", "ip6"},
	} {
		g := General{UDPBind: netip.MustParseAddrPort(tc.bind)}
		if got := g.LookupNetwork(); got != tc.want {
			t.Errorf("bind %s: %s, want %s", tc.bind, got, tc.want)
		}
	}
	v4, v6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	for _, tc := range []struct {
		in   []netip.Addr
		want string
	}{
		{nil, "invalid IP"},
		{[]netip.Addr{v4}, "192.0.2.1"},
		{[]netip.Addr{v4, v6}, "2001:db8::1"},
		{[]netip.Addr{netip.MustParseAddr("::ffff:192.0.2.1")}, "192.0.2.1"},
	} {
		a, _ := FirstAddr(tc.in)
		if a.String() != tc.want {
			t.Errorf("FirstAddr(%v) = %s, want %s", tc.in, a, tc.want)
		}
	}
}

func TestMediaAddresses(t *testing.T) {
	for _, tc := range []struct {
		lines, media, bind, warn string
	}{
		{"media_address=2001:db8::8\nrtpbindaddr=::", "2001:db8::8", "::", ""},
		{"media_address=[2001:db8::8]:1234\nrtpbindaddr=[::1]", "2001:db8::8", "::1", ""},
		{"media_address=192.0.2.7\nrtpbindaddr=0.0.0.0", "192.0.2.7", "0.0.0.0", ""},
		{"media_address=pbx.example.com", "invalid IP", "invalid IP", "Invalid address for media_address keyword: pbx.example.com"},
	} {
		c, diags := parse(t, "[general]\n"+tc.lines+"\n", "")
		g := c.General
		if g.MediaAddr.String() != tc.media || g.RTPBind.String() != tc.bind {
			t.Errorf("%q: media %s bind %s, want %s %s", tc.lines, g.MediaAddr, g.RTPBind, tc.media, tc.bind)
		}
		if text := diagText(diags); tc.warn != "" && !strings.Contains(text, tc.warn) || tc.warn == "" && text != "" {
			t.Errorf("%q: diagnostics %q, want %q", tc.lines, text, tc.warn)
		}
	}
}

func TestURIHost(t *testing.T) {
	for in, want := range map[string]string{
		"2001:db8::1":      "[2001:db8::1]",
		"::1":              "[::1]",
		"::ffff:192.0.2.1": "[::ffff:192.0.2.1]",
		"192.0.2.1":        "192.0.2.1",
		"sip-domain.io":    "sip-domain.io",
	} {
		if got := URIHost(in); got != want {
			t.Errorf("URIHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIPv6RemapWarning(t *testing.T) {
	const warn = "Address remapping activated in sip.conf but we're using IPv6"
	for _, tc := range []struct {
		lines string
		want  bool
	}{
		{"udpbindaddr=2001:db8::1\nlocalnet=fd00::/8\nexternaddr=198.51.100.7", true},
		{"udpbindaddr=::\nlocalnet=10.0.0.0/8\nexternaddr=198.51.100.7", false}, // both families: IPv4 peers are remapped
		{"udpbindaddr=2001:db8::1\nexternaddr=198.51.100.7", false},
		{"udpbindaddr=10.0.0.1\nlocalnet=10.0.0.0/8\nexternaddr=198.51.100.7", false},
	} {
		_, diags := parse(t, "[general]\n"+tc.lines+"\n", "")
		if got := strings.Contains(diagText(diags), warn); got != tc.want {
			t.Errorf("%q: warning %v, want %v (%s)", tc.lines, got, tc.want, diagText(diags))
		}
	}
}

// TestStreamBindDefaults: without tcpbindaddr TCP listens where UDP does
// (address and port), without tlsbindaddr TLS listens on bindaddr's
// address at 5061; written, they keep their own default port 5060/5061.
func TestStreamBindDefaults(t *testing.T) {
	for _, tc := range []struct {
		lines, tcp, tls string
	}{
		{"bindaddr=::\nbindport=5070", "[::]:5070", "[::]:5061"},
		{"bindaddr=127.0.0.1:5062", "127.0.0.1:5062", "127.0.0.1:5061"},
		{"bindaddr=::1\ntcpbindaddr=[::1]\ntlsbindaddr=::1", "[::1]:5060", "[::1]:5061"},
		{"udpbindaddr=2001:db8::1\ntcpbindaddr=[2001:db8::2]:5080\ntlsbindaddr=[2001:db8::3]:5081", "[2001:db8::2]:5080", "[2001:db8::3]:5081"},
		{"", "0.0.0.0:5060", "0.0.0.0:5061"},
	} {
		c, diags := parse(t, "[general]\n"+tc.lines+"\n", "")
		if diags.HasErrors() {
			t.Fatalf("%q: %v", tc.lines, diags)
		}
		if g := c.General; g.TCPBind.String() != tc.tcp || g.TLSBind.String() != tc.tls {
			t.Errorf("%q: TCP %s TLS %s, want %s %s", tc.lines, g.TCPBind, g.TLSBind, tc.tcp, tc.tls)
		}
	}
}
