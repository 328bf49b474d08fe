package chansip

import (
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// startIPv6Driver runs the driver on [::1] (or bind), skipping where the
// machine has no IPv6 loopback.
func startIPv6Driver(t *testing.T, bind string) (*testEnv, *phone) {
	t.Helper()
	c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Skipf("IPv6 loopback ::1 cannot be bound here (%v)", err)
	}
	cfg := loadConf(t, testSIPConf)
	cfg.General.UDPBind = netip.MustParseAddrPort(bind)
	env := startDriver(t, cfg, nil)
	t.Cleanup(func() { c.Close() })
	to := netip.AddrPortFrom(netip.IPv6Loopback(), env.addr.Port())
	return env, &phone{t: t, conn: c, to: to}
}

// ipv6Request writes an OPTIONS with the given Request-URI and Via lines
// (PORT stands for the phone's port).
func (p *phone) ipv6Options(ruri string, vias ...string) {
	p.t.Helper()
	p.n++
	var b strings.Builder
	fmt.Fprintf(&b, "OPTIONS %s SIP/2.0\r\n", ruri)
	for _, v := range vias {
		fmt.Fprintf(&b, "Via: %s\r\n", strings.ReplaceAll(v, "PORT", fmt.Sprint(p.addr().Port())))
	}
	fmt.Fprintf(&b, "From: <sip:6000@[2001:db8::9:1]>;tag=v6-%d\r\nTo: <sip:[2001:db8::10]>\r\n", p.n)
	fmt.Fprintf(&b, "Call-ID: ipv6-%d-%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", p.n, time.Now().UnixNano())
	p.send(b.String())
}

// TestIPv6TortureVia runs RFC 5118's Via cases against the driver on
// [::1]: the response's top Via gets received= with the address written
// without brackets (RFC 5118 4.5: what RFC 3261's grammar allows), a
// second Via is echoed as it came whether its received= has brackets or
// not, and a Request-URI with an unbracketed IPv6 host (4.2) is answered
// 400 Bad Request without harm to what follows.
func TestIPv6TortureVia(t *testing.T) {
	_, p := startIPv6Driver(t, "[::1]:0")
	for _, tc := range []struct {
		name   string
		ruri   string
		vias   []string
		want   []string // Via lines of the response, in order
		answer bool
	}{
		{"own address, rport", "sip:[::1]", []string{"SIP/2.0/UDP [::1]:PORT;branch=z9hG4bK-a;rport"},
			[]string{`SIP/2.0/UDP \[::1\]:PORT;branch=z9hG4bK-a;rport=PORT;received=::1`}, true},
		{"other sent-by, second Via received bracketed", "sip:[::1]",
			[]string{"SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bK-b;rport", "SIP/2.0/UDP [2001:db8::9:255];branch=z9hG4bK-x;received=[2001:db8::9:255]"},
			[]string{`SIP/2.0/UDP \[2001:db8::9:1\];branch=z9hG4bK-b;rport=PORT;received=::1`,
				`SIP/2.0/UDP \[2001:db8::9:255\];branch=z9hG4bK-x;received=\[2001:db8::9:255\]`}, true},
		{"second Via received bare", "sip:[::1]",
			[]string{"SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bK-c;rport", "SIP/2.0/UDP [2001:db8::9:255];branch=z9hG4bK-y;received=2001:db8::9:255"},
			[]string{`SIP/2.0/UDP \[2001:db8::9:1\]:5060;branch=z9hG4bK-c;rport=PORT;received=::1`,
				`SIP/2.0/UDP \[2001:db8::9:255\];branch=z9hG4bK-y;received=2001:db8::9:255`}, true},
		{"IPv4 and IPv6 Vias (5118 4.7)", "sip:[::1]",
			[]string{"SIP/2.0/UDP [::1]:PORT;branch=z9hG4bK-d;rport", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-z"},
			[]string{`SIP/2.0/UDP \[::1\]:PORT;branch=z9hG4bK-d;rport=PORT;received=::1`, `SIP/2.0/UDP 192\.0\.2\.1;branch=z9hG4bK-z`}, true},
		{"unbracketed Request-URI (5118 4.2)", "sip:2001:db8::10", []string{"SIP/2.0/UDP [::1]:PORT;branch=z9hG4bK-e;rport"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.ipv6Options(tc.ruri, tc.vias...)
			if !tc.answer {
				// chan_sip's answer: 400 Bad Request (sipgo alone drops
				// the packet: urisyntax.go).
				if r := p.recv(); r.code != 400 || !strings.HasPrefix(r.raw, "SIP/2.0 400 Bad Request\r\n") ||
					!strings.Contains(r.raw, "CSeq: 1 OPTIONS\r\n") {
					t.Fatalf("malformed Request-URI answered:\n%s", r.raw)
				}
				// The driver still answers the next request.
				p.ipv6Options("sip:[::1]", "SIP/2.0/UDP [::1]:PORT;branch=z9hG4bK-after;rport")
				if r := p.recv(); r.code == 0 {
					t.Fatalf("no answer after the malformed request")
				}
				return
			}
			r := p.recv()
			var vias []string
			for _, ln := range strings.Split(r.raw, "\r\n") {
				if v, ok := strings.CutPrefix(ln, "Via: "); ok {
					vias = append(vias, v)
				}
			}
			if len(vias) != len(tc.want) {
				t.Fatalf("Via lines %q, want %d:\n%s", vias, len(tc.want), r.raw)
			}
			for i, w := range tc.want {
				re := regexp.MustCompile("^" + strings.ReplaceAll(w, "PORT", fmt.Sprint(p.addr().Port())) + "$")
				if !re.MatchString(vias[i]) {
					t.Errorf("Via %d = %q, want %s", i, vias[i], re)
				}
			}
		})
	}
}

// TestIPv6RegisterShowPeers registers 6000 from ::1 with a bracketed
// Contact and checks what chan_sip shows: "sip show peers" puts the
// address unbracketed in its 39-wide Host column (IPv6 addresses fit
// there), "sip show peer" shows Addr->IP as [addr]:port, and the astdb row
// uses chan_sip's "[addr]:port:expiry:user:contact" form.
func TestIPv6RegisterShowPeers(t *testing.T) {
	env, p := startIPv6Driver(t, "[::1]:0")
	port := p.addr().Port()
	if r := registerV6(t, env, p, "6000", "test"); r.code != 200 || !strings.Contains(r.raw, fmt.Sprintf("Contact: <sip:6000@[::1]:%d>;expires=600", port)) {
		t.Fatalf("REGISTER with credentials: %d\n%s", r.code, r.raw)
	}
	peers := env.rx(t, "sip show peers")
	want := fmt.Sprintf("%-25s %-39s %-3s %-10s %-10s %-3s %-8d %-11s %-32s \n", "6000/asadek", "::1", " D ", "Auto (No)", "No", "", port, "Unmonitored", "")
	if !strings.Contains(peers, want) {
		t.Errorf("sip show peers lacks\n%q\n%s", want, peers)
	}
	peer := env.rx(t, "sip show peer 6000")
	if !strings.Contains(peer, fmt.Sprintf("  Addr->IP     : [::1]:%d\n", port)) {
		t.Errorf("sip show peer 6000:\n%s", peer)
	}
	row, _ := env.store.Get("SIP/Registry", "6000")
	if !strings.HasPrefix(row, fmt.Sprintf("[::1]:%d:600:asadek:sip:6000@[::1]:%d", port, port)) {
		t.Errorf("astdb row %q", row)
	}
}

func TestPeerURIHost(t *testing.T) {
	for _, tc := range []struct {
		host    string
		dynamic bool
		addr    string
		want    string
	}{
		{"2001:db8::10", false, "[2001:db8::10]:5060", "[2001:db8::10]"},
		{"2001:db8::10", false, "[2001:db8::10]:5070", "[2001:db8::10]:5070"},
		{"::1", false, "[::1]:5060", "[::1]"},
		{"127.0.0.1", false, "127.0.0.1:5070", "127.0.0.1:5070"},
		{"sip.example.com", false, "192.0.2.1:5060", "sip.example.com"},
		{"", true, "[2001:db8::20]:5062", "[2001:db8::20]:5062"},
		{"", true, "192.0.2.1:5060", "192.0.2.1:5060"},
	} {
		p := &sipconf.Peer{Host: tc.host, Dynamic: tc.dynamic}
		if got := peerURIHost(p, netip.MustParseAddrPort(tc.addr)); got != tc.want {
			t.Errorf("host=%q at %s: %q, want %q", tc.host, tc.addr, got, tc.want)
		}
	}
}

// registerV6 registers user from the IPv6 phone, answering the challenge
// with secret, and returns the second answer (nil when the first was not
// a 401).
func registerV6(t *testing.T, env *testEnv, p *phone, user, secret string) *response {
	t.Helper()
	port := p.addr().Port()
	uri := fmt.Sprintf("sip:[::1]:%d", env.addr.Port())
	callID := fmt.Sprintf("reg-%s-%d@[::1]", user, time.Now().UnixNano())
	send := func(cseq int, auth string) *response {
		var b strings.Builder
		fmt.Fprintf(&b, "REGISTER %s SIP/2.0\r\n", uri)
		fmt.Fprintf(&b, "Via: SIP/2.0/UDP [::1]:%d;branch=z9hG4bK-%s%d;rport\r\n", port, user, cseq)
		fmt.Fprintf(&b, "From: <sip:%s@[::1]>;tag=r1\r\nTo: <sip:%s@[::1]>\r\nCall-ID: %s\r\n", user, user, callID)
		fmt.Fprintf(&b, "CSeq: %d REGISTER\r\nContact: <sip:%s@[::1]:%d>\r\n", cseq, user, port)
		if auth != "" {
			fmt.Fprintf(&b, "Authorization: %s\r\n", auth)
		}
		b.WriteString("Max-Forwards: 70\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n")
		p.send(b.String())
		return p.recv()
	}
	first := send(1, "")
	if first.code != 401 {
		t.Fatalf("REGISTER %s: first answer %d, want 401\n%s", user, first.code, first.raw)
	}
	ans, err := digest.Answer(first.headers["www-authenticate"], "REGISTER", uri, user, secret, 1)
	if err != nil {
		t.Fatal(err)
	}
	return send(2, ans)
}

// TestIPv6RegisterACL: permit/deny with IPv6 prefixes judge a phone on
// ::1 as ast_apply_ha does; IPv4 rules do not apply to it at all.
func TestIPv6RegisterACL(t *testing.T) {
	c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Skipf("IPv6 loopback ::1 cannot be bound here (%v)", err)
	}
	c.Close()
	cfg := loadConf(t, testSIPConf+`
[v6in]
type=friend
host=dynamic
secret=test
deny=::/0
permit=::1/128

[v6out]
type=friend
host=dynamic
secret=test
deny=::/0
permit=2001:db8::/32

[v4rules]
type=friend
host=dynamic
secret=test
deny=0.0.0.0/0.0.0.0
permit=127.0.0.1
`)
	cfg.General.UDPBind = netip.MustParseAddrPort("[::1]:0")
	env := startDriver(t, cfg, nil)
	for _, tc := range []struct {
		user string
		want int
	}{{"v6in", 200}, {"v6out", 403}, {"v4rules", 200}} {
		t.Run(tc.user, func(t *testing.T) {
			pc, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			p := &phone{t: t, conn: pc, to: netip.AddrPortFrom(netip.IPv6Loopback(), env.addr.Port())}
			if r := registerV6(t, env, p, tc.user, "test"); r.code != tc.want {
				t.Errorf("REGISTER %s from ::1: %d, want %d\n%s", tc.user, r.code, tc.want, r.raw)
			}
		})
	}
	env.log.waitFor(t, "Registration from '<sip:v6out@[::1]>' failed for '[::1]:", time.Second)
	env.log.waitFor(t, "- Device does not match ACL", time.Second)
}
