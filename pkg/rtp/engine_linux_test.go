package rtp

import (
	"net"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The relay's goroutines live as long as some bridge needs them, and
// engineLinger more.
func TestEnginesStopWithLastBridge(t *testing.T) {
	linger := engineLinger
	engineLinger = 50 * time.Millisecond
	t.Cleanup(func() { engineLinger = linger })
	waitEngines(t, 0)
	alloc := testAllocator(t, 4)
	a := newTestLeg(t, alloc, LegOptions{})
	b := newTestLeg(t, alloc, LegOptions{})
	c := newTestLeg(t, alloc, LegOptions{})
	d := newTestLeg(t, alloc, LegOptions{})
	br1, err := NewBridge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	br2, err := NewBridge(c, d)
	if err != nil {
		t.Fatal(err)
	}
	if n := engineCount(); n < 1 {
		t.Fatalf("%d engines with two bridges", n)
	}
	br1.Close()
	if n := engineCount(); n < 1 {
		t.Fatalf("%d engines with one bridge left", n)
	}
	br2.Close()
	br2.Close()
	if n := engineCount(); n < 1 {
		t.Fatalf("%d engines right after the last bridge closed, want the engine to linger", n)
	}
	waitEngines(t, 0)

	// A bridge during the linger reuses the engine and keeps it.
	br3, err := NewBridge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	br3.Close()
	br4, err := NewBridge(c, d)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * engineLinger)
	if n := engineCount(); n != 1 {
		t.Fatalf("%d engines with a bridge up, want 1", n)
	}
	br4.Close()
	waitEngines(t, 0)
}

// waitEngines waits until n engines run (engines of other tests' bridges
// linger too).
func waitEngines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for engineCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d engines, want %d", engineCount(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// relayOn makes the next engines run the io_uring loop or the epoll one,
// once the lingering engines of earlier tests (which may run the other)
// have stopped.
func relayOn(t *testing.T, uring bool) {
	t.Helper()
	linger := engineLinger
	engineLinger = 20 * time.Millisecond
	saved := useUring.Load()
	useUring.Store(uring)
	t.Cleanup(func() {
		engineLinger = linger
		useUring.Store(saved)
	})
	waitEngines(t, 0)
}

func engineCount() int {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	return len(pool.engines)
}

// The whole Linux relay path, epoll round included, allocates nothing per
// packet. AllocsPerRun counts every goroutine's allocations, so this also
// covers the engine goroutine, not only pump.forward.
func TestEngineRelayDoesNotAllocate(t *testing.T) {
	a, b, pa, pb := phonedLegs(t, testAllocator(t, 4), LegOptions{Strict: StrictYes, Probation: 4})
	a.SetPayloadTypes([]PayloadType{{"PCMU/8000", 0}, {"telephone-event/8000", 101}})
	b.SetPayloadTypes([]PayloadType{{"PCMU/8000", 0}, {"telephone-event/8000", 96}})
	newTestBridge(t, a, b)
	pkt := rtpPacket(t, 101, 1, 160, 7, false, make([]byte, 160))
	buf := make([]byte, 2048)
	to := a.LocalAddr()
	if err := pb.conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var seq uint16
	relay := func() {
		seq++
		pkt[2], pkt[3] = byte(seq>>8), byte(seq)
		if _, err := pa.conn.WriteToUDPAddrPort(pkt, to); err != nil {
			t.Fatal(err)
		}
		n, _, err := pb.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(pkt) || buf[1]&0x7f != 96 {
			t.Fatalf("relayed %x", buf[:n])
		}
	}
	relay() // locks the source, builds the payload table and raw address
	if allocs := testing.AllocsPerRun(200, relay); allocs != 0 {
		t.Errorf("%v allocations per relayed packet", allocs)
	}
}

// The package's other tests run on whichever loop this kernel allows;
// this one sends the same traffic through each loop by name: linked and
// unlinked sends, a re-INVITE moving a peer, and a bridge closed and
// made again (the io_uring loop answers a removal only once the kernel
// has let go of the sockets).
func TestBothEnginesRelay(t *testing.T) {
	for _, tc := range []struct {
		name  string
		uring bool
	}{{"io_uring", true}, {"epoll", false}} {
		t.Run(tc.name, func(t *testing.T) {
			relayOn(t, tc.uring)
			alloc := testAllocator(t, 8)
			for _, strict := range []StrictMode{StrictYes, StrictOff} {
				a, b, pa, pb := phonedLegs(t, alloc, LegOptions{Strict: strict})
				br, err := NewBridge(a, b)
				if err != nil {
					t.Fatal(err)
				}
				for i := range 5 {
					pa.send(a.LocalAddr(), rtpPacket(t, 0, uint16(i), 0, 1, false, []byte("ab")))
					if got := parse(t, pb.mustRecv()); string(got.Payload) != "ab" {
						t.Fatalf("strict %v: a->b %q", strict, got.Payload)
					}
					pb.send(b.LocalAddr(), rtpPacket(t, 0, uint16(i), 0, 2, false, []byte("ba")))
					if got := parse(t, pa.mustRecv()); string(got.Payload) != "ba" {
						t.Fatalf("strict %v: b->a %q", strict, got.Payload)
					}
				}
				// Which loop runs is known once it has relayed something.
				if got := br.relay.e.onUring.Load(); got != tc.uring {
					if tc.uring {
						t.Skip("io_uring unavailable here: the epoll loop ran instead")
					}
					t.Fatalf("engine on io_uring: %v, want %v", got, tc.uring)
				}
				if linked := peerOf(t, a).IsValid(); linked != (strict == StrictYes) {
					t.Fatalf("strict %v: leg linked %v", strict, linked)
				}
				moved := newPhone(t)
				a.SetRemote(moved.addr())
				moved.send(a.LocalAddr(), rtpPacket(t, 0, 50, 0, 3, false, []byte("moved")))
				if got := parse(t, pb.mustRecv()); string(got.Payload) != "moved" {
					t.Fatalf("strict %v: after the move %q", strict, got.Payload)
				}
				pb.send(b.LocalAddr(), rtpPacket(t, 0, 51, 0, 2, false, []byte("back")))
				if got := parse(t, moved.mustRecv()); string(got.Payload) != "back" {
					t.Fatalf("strict %v: to the moved peer %q", strict, got.Payload)
				}
				if err := br.Close(); err != nil {
					t.Fatal(err)
				}
				// The legs bridge again at once.
				br2 := newTestBridge(t, a, b)
				moved.send(a.LocalAddr(), rtpPacket(t, 0, 61, 0, 3, false, []byte("again")))
				if got := parse(t, pb.mustRecv()); string(got.Payload) != "again" {
					t.Fatalf("strict %v: rebridged %q", strict, got.Payload)
				}
				br2.Close()
			}
		})
	}
}

// Bridges come and go from many goroutines, each with a packet in flight,
// while media flows through others: every set-up and removal returns (the
// io_uring loop answers a removal only after the kernel's final
// completion for each receive) and the steady calls keep relaying.
func TestBridgeChurnUnderTraffic(t *testing.T) {
	alloc := testAllocator(t, 120)
	const steady, churners, rounds = 10, 8, 25
	type call struct {
		a, b   *Leg
		pa, pb *phone
	}
	newCall := func() call {
		c := call{a: newTestLeg(t, alloc, LegOptions{Strict: StrictYes}), b: newTestLeg(t, alloc, LegOptions{Strict: StrictYes}),
			pa: newPhone(t), pb: newPhone(t)}
		c.a.SetRemote(c.pa.addr())
		c.b.SetRemote(c.pb.addr())
		return c
	}
	var calls []call
	for range steady {
		c := newCall()
		newTestBridge(t, c.a, c.b)
		calls = append(calls, c)
	}
	done := make(chan error, churners)
	for range churners {
		c := newCall()
		go func() {
			for i := range rounds {
				br, err := NewBridge(c.a, c.b)
				if err != nil {
					done <- err
					return
				}
				_, _ = c.pa.conn.WriteToUDPAddrPort(rtpPacket(t, 0, uint16(i), 0, 9, false, []byte("x")), c.a.LocalAddr())
				br.Close()
			}
			done <- nil
		}()
	}
	for i := range 20 {
		for _, c := range calls {
			c.pa.send(c.a.LocalAddr(), rtpPacket(t, 0, uint16(i), 0, 1, false, []byte("steady")))
		}
		for _, c := range calls {
			if got := parse(t, c.pb.mustRecv()); string(got.Payload) != "steady" {
				t.Fatalf("got %q", got.Payload)
			}
		}
	}
	timeout := time.After(20 * time.Second)
	for range churners {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-timeout:
			t.Fatal("bridge set-up/close stalled")
		}
	}
}

// An io_uring engine waiting for packets must leave the processor to the
// rest of the program: a thread blocked in a system call keeps the
// scheduler's P until sysmon takes it back (up to 10 ms later on a quiet
// process), and on a server pinned to one CPU every SIP message would
// wait that long behind an engine that had just relayed one packet. So it
// parks in Go's poller (the goroutine shows "IO wait"), not in
// io_uring_enter ("syscall").
func TestIdleURingEngineParksInGo(t *testing.T) {
	relayOn(t, true)
	a, b, pa, pb := phonedLegs(t, testAllocator(t, 2), LegOptions{})
	br := newTestBridge(t, a, b)
	pa.send(a.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte("wake")))
	pb.mustRecv()
	if !br.relay.e.onUring.Load() {
		t.Skip("io_uring unavailable here: the epoll loop ran instead")
	}
	var state string
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		buf := make([]byte, 1<<20)
		dump := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(dump, "\n\n") {
			if strings.Contains(g, "(*uringLoop).loop") {
				state, _, _ = strings.Cut(g, "\n")
			}
		}
		if strings.Contains(state, "IO wait") {
			return
		}
	}
	t.Fatalf("idle io_uring engine goroutine: %q, want it parked in IO wait", state)
}

// A bridge the engine cannot take up says why (Err) rather than stay
// silently deaf; its legs still close cleanly.
func TestBridgeErrWhenTheEngineRefusesALeg(t *testing.T) {
	relayOn(t, false)
	alloc := testAllocator(t, 2)
	a, b, _, _ := phonedLegs(t, alloc, LegOptions{})
	// A descriptor epoll refuses: a's socket swapped for a closed number.
	fd := a.pp.RTP.fd
	a.pp.RTP.fd = 1 << 20
	t.Cleanup(func() { a.pp.RTP.fd = fd })
	br, err := NewBridge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	br.waitReleased()
	if err := br.Err(); err == nil || !strings.Contains(err.Error(), "watch") {
		t.Fatalf("Err() = %v, want the engine's refusal", err)
	}
	br.Close()
}

// A call's ports come back as soon as the engine has let go of its
// bridge, and an idle engine lets go at once: the request that wakes it
// is written from another thread, and the kernel signals the io_uring
// loop's own eventfd for work queued from inside an eventfd write only
// after an RCU grace period (about 15 ms here), so an engine parked on
// that eventfd alone took each removal that late. Thousands of calls a
// second then keep that many more port pairs out of the range.
func TestIdleEngineHandsPortsBackPromptly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		uring bool
	}{{"io_uring", true}, {"epoll", false}} {
		t.Run(tc.name, func(t *testing.T) {
			relayOn(t, tc.uring)
			const pairs, rounds = 2, 15
			alloc := testAllocator(t, pairs)
			var took []time.Duration
			for i := range rounds {
				a, b, pa, pb := phonedLegs(t, alloc, LegOptions{})
				br, err := NewBridge(a, b)
				if err != nil {
					t.Fatal(err)
				}
				pa.send(a.LocalAddr(), rtpPacket(t, 0, uint16(i), 0, 1, false, []byte("x")))
				pb.mustRecv()
				if i == 0 && br.relay.e.onUring.Load() != tc.uring {
					if tc.uring {
						t.Skip("io_uring unavailable here: the epoll loop ran instead")
					}
					t.Fatal("the io_uring loop ran, want epoll")
				}
				// Long enough for the engine to run dry and park.
				time.Sleep(30 * time.Millisecond)
				ports := []int{a.Port(), b.Port()}
				start := time.Now()
				br.Close()
				a.Close()
				b.Close()
				for alloc.Free() != pairs {
					if time.Since(start) > 2*time.Second {
						t.Fatalf("round %d: ports not back after 2 s", i)
					}
					time.Sleep(50 * time.Microsecond)
				}
				took = append(took, time.Since(start))
				// Back in the allocator means unbound in the kernel too.
				for _, p := range ports {
					c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(p))))
					if err != nil {
						t.Fatalf("round %d: port %d free in the allocator but: %v", i, p, err)
					}
					c.Close()
				}
			}
			slices.Sort(took)
			if median := took[len(took)/2]; median > 5*time.Millisecond {
				t.Errorf("an idle engine handed ports back after %v (median of %d; all: %v), want at once", median, rounds, took)
			}
		})
	}
}
