package rtp

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// A leg closed while bridged must leave the relay first: its descriptor
// number is free for the next socket, which the relay must not read.
func TestLegCloseWhileBridged(t *testing.T) {
	alloc := testAllocator(t, 6)
	a, b, pa, pb := phonedLegs(t, alloc, LegOptions{})
	pc := newPhone(t)
	br := newTestBridge(t, a, b)

	pa.send(a.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte("before")))
	pb.mustRecv()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// Likely gets a's descriptor numbers back; it is not bridged, so a
	// packet sent to it must stay queued, not be relayed to B.
	c := newTestLeg(t, alloc, LegOptions{})
	c.SetRemote(pc.addr())
	pc.send(c.LocalAddr(), rtpPacket(t, 0, 1, 0, 3, false, []byte("stray")))
	pb.mustNotRecv()
	if _, err := NewBridge(b, c); err != ErrLegBusy {
		t.Fatalf("b is still in the first bridge until it closes: %v", err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	newTestBridge(t, b, c)
	// The queued packet comes through once c is bridged.
	if got := parse(t, pb.mustRecv()); string(got.Payload) != "stray" {
		t.Fatalf("got %q", got.Payload)
	}
	pb.send(b.LocalAddr(), rtpPacket(t, 0, 1, 0, 2, false, []byte("to-c")))
	if got := parse(t, pc.mustRecv()); string(got.Payload) != "to-c" {
		t.Fatalf("got %q", got.Payload)
	}
}

func TestBridgeOnClosedLeg(t *testing.T) {
	alloc := testAllocator(t, 4)
	a := newTestLeg(t, alloc, LegOptions{})
	b := newTestLeg(t, alloc, LegOptions{})
	pb := newPhone(t)
	b.SetRemote(pb.addr())
	a.Close()
	br, err := NewBridge(a, b)
	if err != nil {
		t.Fatalf("NewBridge with a closed leg: %v", err)
	}
	pb.send(b.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte("x")))
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	// b is free again.
	c := newTestLeg(t, alloc, LegOptions{})
	newTestBridge(t, b, c)
}

// Many calls set up, relaying and torn down at once, as the SIP side does
// from its own goroutines; run with -race.
func TestBridgesConcurrent(t *testing.T) {
	const calls = 16
	start := 40000 + (os.Getpid()%150)*128
	alloc, err := NewAllocator(start, start+127)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for i := 0; i < calls; i++ {
		a := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 4})
		b := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 4})
		pa, pb := newPhone(t), newPhone(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- relayRounds(a, b, pa, pb, i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func relayRounds(a, b *Leg, pa, pb *phone, id int) error {
	a.SetRemote(pa.addr())
	b.SetRemote(pb.addr())
	for round := 0; round < 3; round++ {
		br, err := NewBridge(a, b)
		if err != nil {
			return err
		}
		payload := []byte(fmt.Sprintf("call %d round %d", id, round))
		if _, err := pa.conn.WriteToUDPAddrPort(rtpPacket(pa.t, 0, uint16(round), 0, uint32(id), false, payload), a.LocalAddr()); err != nil {
			br.Close()
			return err
		}
		buf := make([]byte, 2048)
		_ = pb.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		n, _, err := pb.conn.ReadFromUDPAddrPort(buf)
		br.Close()
		if err != nil {
			return fmt.Errorf("call %d round %d: %w", id, round, err)
		}
		if n < 12 || string(buf[12:n]) != string(payload) {
			return fmt.Errorf("call %d round %d: got %x", id, round, buf[:n])
		}
	}
	return nil
}
