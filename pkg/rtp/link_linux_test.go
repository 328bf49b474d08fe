//go:build linux

package rtp

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// waitLinked waits up to 2 s for the relay to connect l's socket to its
// locked source and reports whether it did.
func waitLinked(l *Leg) bool {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if l.link.peer.Load() != nil {
			return true
		}
	}
	return false
}

// peerOf is the address l's socket is connected to; invalid when none.
func peerOf(t *testing.T, l *Leg) netip.AddrPort {
	t.Helper()
	sa, err := unix.Getpeername(l.pp.RTP.fd)
	if errors.Is(err, unix.ENOTCONN) {
		return netip.AddrPort{}
	}
	if err != nil {
		t.Fatal(err)
	}
	in4, ok := sa.(*unix.SockaddrInet4)
	if !ok {
		t.Fatalf("peer %#v is not IPv4", sa)
	}
	return netip.AddrPortFrom(netip.AddrFrom4(in4.Addr), uint16(in4.Port))
}

func TestLockedLegIsLinkedToItsSource(t *testing.T) {
	alloc := testAllocator(t, 4)
	a := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 4})
	b := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 4})
	pa, pb, intruder := newPhone(t), newPhone(t), newPhone(t)
	a.SetRemote(pa.addr())
	b.SetRemote(pb.addr())
	newTestBridge(t, a, b)

	if got := peerOf(t, a); got.IsValid() {
		t.Fatalf("linked to %v before any media", got)
	}
	pa.send(a.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte("a1")))
	pb.mustRecv()
	pb.send(b.LocalAddr(), rtpPacket(t, 0, 1, 0, 2, false, []byte("b1")))
	pa.mustRecv()
	if !waitLinked(a) || !waitLinked(b) {
		t.Fatal("legs not linked after their sources locked")
	}
	if got := peerOf(t, a); got != pa.addr() {
		t.Fatalf("leg a connected to %v, want %v", got, pa.addr())
	}

	// Both directions now go out through connected sockets, from the
	// legs' own ports.
	for i := range 3 {
		pa.send(a.LocalAddr(), rtpPacket(t, 0, uint16(2+i), 0, 1, false, []byte("a")))
		if _, from, ok := pb.recv(2 * time.Second); !ok || from != b.LocalAddr() {
			t.Fatalf("a->b packet %d: from %v (ok %v), want %v", i, from, ok, b.LocalAddr())
		}
		pb.send(b.LocalAddr(), rtpPacket(t, 0, uint16(2+i), 0, 2, false, []byte("b")))
		if _, from, ok := pa.recv(2 * time.Second); !ok || from != a.LocalAddr() {
			t.Fatalf("b->a packet %d: from %v (ok %v), want %v", i, from, ok, a.LocalAddr())
		}
	}
	intruder.send(a.LocalAddr(), rtpPacket(t, 0, 9, 0, 3, false, []byte("spoof")))
	pb.mustNotRecv()

	// A re-INVITE moving the peer unties the socket, so the new source
	// is heard and learned.
	moved := newPhone(t)
	a.SetRemote(moved.addr())
	if got := peerOf(t, a); got.IsValid() {
		t.Fatalf("still connected to %v after SetRemote", got)
	}
	moved.send(a.LocalAddr(), rtpPacket(t, 0, 20, 0, 4, false, []byte("moved")))
	if got := parse(t, pb.mustRecv()); string(got.Payload) != "moved" {
		t.Fatalf("got %q", got.Payload)
	}
	if !waitLinked(a) || peerOf(t, a) != moved.addr() {
		t.Fatalf("leg a linked to %v, want %v", peerOf(t, a), moved.addr())
	}
	pb.send(b.LocalAddr(), rtpPacket(t, 0, 30, 0, 2, false, []byte("to moved")))
	if got := parse(t, moved.mustRecv()); string(got.Payload) != "to moved" {
		t.Fatalf("got %q", got.Payload)
	}
}

// A leg whose source never becomes its target (strictrtp=no) stays
// unconnected: it must keep hearing whoever sends.
func TestUnlockedLegIsNotLinked(t *testing.T) {
	alloc := testAllocator(t, 4)
	a := newTestLeg(t, alloc, LegOptions{Strict: StrictOff})
	b := newTestLeg(t, alloc, LegOptions{Strict: StrictOff})
	pa, pb, other := newPhone(t), newPhone(t), newPhone(t)
	a.SetRemote(pa.addr())
	b.SetRemote(pb.addr())
	newTestBridge(t, a, b)
	pa.send(a.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte("a1")))
	pb.mustRecv()
	other.send(a.LocalAddr(), rtpPacket(t, 0, 2, 0, 1, false, []byte("other")))
	if got := parse(t, pb.mustRecv()); string(got.Payload) != "other" {
		t.Fatalf("got %q", got.Payload)
	}
	if got := peerOf(t, a); got.IsValid() {
		t.Fatalf("strictrtp=no leg connected to %v", got)
	}
}

// On a wildcard socket connect() also picks the local address; the link
// holds only when that is where the peer's media arrives. 127.0.0.2 is a
// loopback address too, but the route back to 127.0.0.1 leaves from
// 127.0.0.1, so media sent to 127.0.0.2 must not be cut by a link.
func TestWildcardLegLinksOnlyWhereMediaArrives(t *testing.T) {
	for _, tc := range []struct {
		dst  netip.Addr
		link bool
	}{
		{netip.MustParseAddr("127.0.0.1"), true},
		{netip.MustParseAddr("127.0.0.2"), false},
	} {
		t.Run(tc.dst.String(), func(t *testing.T) {
			alloc := testAllocator(t, 4)
			var legs [2]*Leg
			for i := range legs {
				l, err := NewLeg(alloc, netip.IPv4Unspecified(), LegOptions{Strict: StrictYes})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { l.Close() })
				legs[i] = l
			}
			a, b := legs[0], legs[1]
			pa, pb := newPhone(t), newPhone(t)
			a.SetRemote(pa.addr())
			b.SetRemote(pb.addr())
			newTestBridge(t, a, b)
			toA := netip.AddrPortFrom(tc.dst, uint16(a.Port()))
			toB := netip.AddrPortFrom(loopback, uint16(b.Port()))
			for i := range 3 {
				pa.send(toA, rtpPacket(t, 0, uint16(1+i), 0, 1, false, []byte("a")))
				pb.mustRecv()
				pb.send(toB, rtpPacket(t, 0, uint16(1+i), 0, 2, false, []byte("b")))
				if _, from, ok := pa.recv(2 * time.Second); !ok || from.Port() != uint16(a.Port()) {
					t.Fatalf("b->a packet %d: from %v (ok %v)", i, from, ok)
				}
			}
			// tryLink ran right after the first packet, on the goroutine
			// that relayed the later ones: no need to wait for a no.
			got := a.link.peer.Load() != nil
			if tc.link {
				got = waitLinked(a)
			}
			if got != tc.link {
				t.Fatalf("linked = %v, want %v", got, tc.link)
			}
			if got := peerOf(t, a); got.IsValid() != tc.link {
				t.Fatalf("connected to %v, want linked %v", got, tc.link)
			}
			if !tc.link {
				sa, err := unix.Getsockname(a.pp.RTP.fd)
				if err != nil {
					t.Fatal(err)
				}
				if in4 := sa.(*unix.SockaddrInet4); in4.Addr != [4]byte{} {
					t.Fatalf("local address %v left after the link was undone, want the wildcard back", net.IP(in4.Addr[:]))
				}
			}
		})
	}
}
