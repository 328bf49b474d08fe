package chansip

import (
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
)

// benchPeers is a sip.conf with n dynamic peers "p0".."p<n-1>" sharing
// one secret, as bench/benchgen generates them.
func benchPeers(n int) string {
	var b strings.Builder
	b.WriteString("[general]\nbindaddr=127.0.0.1\nalwaysauthreject=yes\nmaxexpiry=3600\n\n[phone](!)\ntype=friend\nhost=dynamic\nsecret=bench\ncontext=default\n\n")
	for i := range n {
		fmt.Fprintf(&b, "[p%d](phone)\n", i)
	}
	return b.String()
}

// rawPhone is a UDP client for benchmarks: no testing.T in the hot loop,
// one reusable buffer.
type rawPhone struct {
	conn *net.UDPConn
	to   netip.AddrPort
	buf  []byte
}

func newRawPhone(tb testing.TB, to netip.AddrPort) *rawPhone {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return &rawPhone{conn: c, to: to, buf: make([]byte, 65535)}
}

func (p *rawPhone) roundTrip(msg string) (string, error) {
	if _, err := p.conn.WriteToUDPAddrPort([]byte(msg), p.to); err != nil {
		return "", fmt.Errorf("send: %w", err)
	}
	p.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _, err := p.conn.ReadFromUDPAddrPort(p.buf)
	if err != nil {
		return "", fmt.Errorf("receive: %w", err)
	}
	return string(p.buf[:n]), nil
}

func registerMsg(me, to netip.AddrPort, user string, seq int, auth string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "REGISTER sip:%s SIP/2.0\r\n", to)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK-b%d-%s;rport\r\n", me, seq, user)
	fmt.Fprintf(&b, "From: <sip:%s@%s>;tag=f%d\r\n", user, to.Addr(), seq/2)
	fmt.Fprintf(&b, "To: <sip:%s@%s>\r\n", user, to.Addr())
	fmt.Fprintf(&b, "Call-ID: bench-%s-%d\r\n", user, seq/2)
	fmt.Fprintf(&b, "CSeq: %d REGISTER\r\n", seq)
	fmt.Fprintf(&b, "Contact: <sip:%s@%s;transport=UDP>\r\n", user, me)
	if auth != "" {
		fmt.Fprintf(&b, "Authorization: %s\r\n", auth)
	}
	b.WriteString("Max-Forwards: 70\r\nExpires: 3600\r\nUser-Agent: bench\r\nContent-Length: 0\r\n\r\n")
	return b.String()
}

func wwwAuthenticate(raw string) string {
	for _, l := range strings.Split(raw, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, "WWW-Authenticate") {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// registerOnce runs REGISTER -> 401 -> REGISTER with digest -> 200.
func (p *rawPhone) registerOnce(user string, seq int) error {
	me := p.conn.LocalAddr().(*net.UDPAddr).AddrPort()
	first, err := p.roundTrip(registerMsg(me, p.to, user, seq, ""))
	if err != nil {
		return err
	}
	if !strings.HasPrefix(first, "SIP/2.0 401 ") {
		return fmt.Errorf("first answer: %.40q", first)
	}
	ans, err := digest.Answer(wwwAuthenticate(first), "REGISTER", "sip:"+p.to.String(), user, "bench", 1)
	if err != nil {
		return err
	}
	second, err := p.roundTrip(registerMsg(me, p.to, user, seq+1, ans))
	if err != nil {
		return err
	}
	if !strings.HasPrefix(second, "SIP/2.0 200 ") {
		return fmt.Errorf("second answer: %.40q", second)
	}
	return nil
}

// BenchmarkRegisterDigest measures one full digest registration through the
// real UDP socket, sipgo and the registrar (the client's cost included),
// and reports the heap kept per registration once the run is over, which
// is what grows a server's RSS under sustained load.
func BenchmarkRegisterDigest(b *testing.B) {
	const peers = 1000
	env := startDriver(b, loadConf(b, benchPeers(peers)), nil)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		p := newRawPhone(b, env.addr)
		i := 0
		for pb.Next() {
			i++
			if err := p.registerOnce(fmt.Sprintf("p%d", i%peers), 2*i); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/op")
}
