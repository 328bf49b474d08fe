package rtp

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/pion/rtp"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// testAllocator picks a port window derived from the pid so parallel test
// binaries rarely meet; ports someone else holds are skipped anyway.
func testAllocator(t testing.TB, pairs int) *Allocator {
	t.Helper()
	start := 30000 + (os.Getpid()%500)*40
	a, err := NewAllocator(start, start+2*pairs-1)
	if err != nil {
		t.Fatal(err)
	}
	// Registered first, so it runs after the legs' and bridges' cleanups:
	// relays let go of closed legs in the background, and the next test
	// reuses this window.
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for a.Free() != pairs {
			if time.Now().After(deadline) {
				t.Errorf("%d of %d port pairs still held after the test", pairs-a.Free(), pairs)
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	return a
}

// phone is a plain UDP endpoint standing for a SIP phone's RTP socket.
type phone struct {
	t    testing.TB
	conn *net.UDPConn
}

func newPhone(t testing.TB) *phone {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &phone{t: t, conn: c}
}

func (p *phone) addr() netip.AddrPort {
	return p.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

func (p *phone) send(to netip.AddrPort, pkt []byte) {
	p.t.Helper()
	if _, err := p.conn.WriteToUDPAddrPort(pkt, to); err != nil {
		p.t.Fatal(err)
	}
}

// recv waits up to d for a packet; ok is false on timeout.
func (p *phone) recv(d time.Duration) (pkt []byte, from netip.AddrPort, ok bool) {
	p.t.Helper()
	buf := make([]byte, 2048)
	_ = p.conn.SetReadDeadline(time.Now().Add(d))
	n, from, err := p.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, netip.AddrPort{}, false
		}
		p.t.Fatal(err)
	}
	return buf[:n], from, true
}

func (p *phone) mustRecv() []byte {
	p.t.Helper()
	pkt, _, ok := p.recv(2 * time.Second)
	if !ok {
		p.t.Fatal("no packet arrived")
	}
	return pkt
}

func (p *phone) mustNotRecv() {
	p.t.Helper()
	if pkt, _, ok := p.recv(150 * time.Millisecond); ok {
		p.t.Fatalf("unexpected packet %x", pkt)
	}
}

func rtpPacket(t testing.TB, pt uint8, seq uint16, ts, ssrc uint32, marker bool, payload []byte) []byte {
	t.Helper()
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq,
		Timestamp: ts, SSRC: ssrc, Marker: marker}, Payload: payload}
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t testing.TB, b []byte) rtp.Packet {
	t.Helper()
	var p rtp.Packet
	if err := p.Unmarshal(b); err != nil {
		t.Fatalf("not RTP: %v", err)
	}
	return p
}

func newTestLeg(t testing.TB, a *Allocator, opts LegOptions) *Leg {
	t.Helper()
	l, err := NewLeg(a, loopback, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// phonedLegs makes two legs, each sending to a phone of its own.
func phonedLegs(t testing.TB, alloc *Allocator, opts LegOptions) (a, b *Leg, pa, pb *phone) {
	t.Helper()
	a, b = newTestLeg(t, alloc, opts), newTestLeg(t, alloc, opts)
	pa, pb = newPhone(t), newPhone(t)
	a.SetRemote(pa.addr())
	b.SetRemote(pb.addr())
	return a, b, pa, pb
}

func newTestBridge(t testing.TB, a, b *Leg) *Bridge {
	t.Helper()
	br, err := NewBridge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { br.Close() })
	return br
}
