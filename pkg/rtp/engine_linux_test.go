package rtp

import (
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

func engineCount() int {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	return len(pool.engines)
}

// The whole Linux relay path, epoll round included, allocates nothing per
// packet. AllocsPerRun counts every goroutine's allocations, so this also
// covers the engine goroutine, not only pump.forward.
func TestEngineRelayDoesNotAllocate(t *testing.T) {
	alloc := testAllocator(t, 4)
	a := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 4})
	b := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 4})
	pa, pb := newPhone(t), newPhone(t)
	a.SetRemote(pa.addr())
	b.SetRemote(pb.addr())
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
