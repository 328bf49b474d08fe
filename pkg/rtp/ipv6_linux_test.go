package rtp

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

// phoneAt is newPhone on a given address (IPv6 loopback for the IPv6
// cases); the test is skipped where ::1 cannot be bound.
func phoneAt(t *testing.T, ip netip.Addr) *phone {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
	if err != nil {
		if ip.Is6() {
			t.Skipf("cannot bind %s here (no IPv6?): %v", ip, err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &phone{t: t, conn: c}
}

func legAt(t *testing.T, alloc *Allocator, ip netip.Addr) *Leg {
	t.Helper()
	l, err := NewLeg(alloc, ip, LegOptions{Strict: StrictYes, Probation: 4})
	if err != nil {
		if ip.Is6() {
			t.Skipf("cannot bind a leg on %s here (no IPv6?): %v", ip, err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestRelayIPv6 relays through both engines between legs of each family
// mix: IPv6 on both sides, an IPv4 leg bridged to an IPv6 one (a call
// between an IPv4 and an IPv6 phone), and dual-stack wildcard legs (bindaddr
// = ::) whose phones are of different families. Then the IPv6 path must
// relay without allocating, as the IPv4 one does.
func TestRelayIPv6(t *testing.T) {
	v4, v6, any6 := loopback, netip.IPv6Loopback(), netip.IPv6Unspecified()
	for _, eng := range []struct {
		name  string
		uring bool
	}{{"io_uring", true}, {"epoll", false}} {
		for _, tc := range []struct {
			name             string
			legA, legB       netip.Addr
			phoneA, phoneB   netip.Addr
			sendToA, sendToB netip.Addr // where the phones reach the legs
		}{
			{"v6-v6", v6, v6, v6, v6, v6, v6},
			{"v4-v6", v4, v6, v4, v6, v4, v6},
			{"dual-stack", any6, any6, v4, v6, v4, v6},
		} {
			t.Run(eng.name+"/"+tc.name, func(t *testing.T) {
				relayOn(t, eng.uring)
				alloc := testAllocator(t, 4)
				a, b := legAt(t, alloc, tc.legA), legAt(t, alloc, tc.legB)
				pa, pb := phoneAt(t, tc.phoneA), phoneAt(t, tc.phoneB)
				a.SetRemote(pa.addr())
				b.SetRemote(pb.addr())
				a.SetPayloadTypes([]PayloadType{{"PCMU/8000", 0}, {"telephone-event/8000", 101}})
				b.SetPayloadTypes([]PayloadType{{"PCMU/8000", 0}, {"telephone-event/8000", 96}})
				br := newTestBridge(t, a, b)
				toA := netip.AddrPortFrom(tc.sendToA, a.LocalAddr().Port())
				toB := netip.AddrPortFrom(tc.sendToB, b.LocalAddr().Port())
				for i := range 5 {
					pa.send(toA, rtpPacket(t, 0, uint16(i), 0, 1, false, []byte("ab")))
					got, from, ok := pb.recv(2 * time.Second)
					if !ok || string(parse(t, got).Payload) != "ab" {
						t.Fatalf("a->b: %x %v", got, ok)
					}
					if from.Addr().Unmap() != tc.sendToB {
						t.Errorf("b's phone got RTP from %s, want it from %s (the address its SDP named)", from, tc.sendToB)
					}
					pb.send(toB, rtpPacket(t, 0, uint16(i), 0, 2, false, []byte("ba")))
					if got, _, ok := pa.recv(2 * time.Second); !ok || string(parse(t, got).Payload) != "ba" {
						t.Fatalf("b->a: %x %v", got, ok)
					}
				}
				if got := br.relay.e.onUring.Load(); got != eng.uring {
					if eng.uring {
						t.Skip("io_uring unavailable here: the epoll loop ran instead")
					}
					t.Fatalf("engine on io_uring: %v, want %v", got, eng.uring)
				}
				pkt := rtpPacket(t, 101, 1, 160, 7, false, make([]byte, 160))
				buf := make([]byte, 2048)
				var seq uint16 = 100
				relay := func() {
					seq++
					pkt[2], pkt[3] = byte(seq>>8), byte(seq)
					if _, err := pa.conn.WriteToUDPAddrPort(pkt, toA); err != nil {
						t.Fatal(err)
					}
					_ = pb.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
					n, _, err := pb.conn.ReadFromUDPAddrPort(buf)
					if err != nil {
						t.Fatal(err)
					}
					if n != len(pkt) || buf[1]&0x7f != 96 {
						t.Fatalf("relayed %x", buf[:n])
					}
				}
				relay()
				if allocs := testing.AllocsPerRun(100, relay); allocs != 0 {
					t.Errorf("%v allocations per relayed packet", allocs)
				}
			})
		}
	}
}
