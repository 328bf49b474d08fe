package rtp

import (
	"testing"
	"time"
)

// The relay's goroutines live exactly as long as some bridge needs them.
func TestEnginesStopWithLastBridge(t *testing.T) {
	if n := engineCount(); n != 0 {
		t.Skipf("%d engines already running (another test's bridges)", n)
	}
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
	if n := engineCount(); n != 0 {
		t.Fatalf("%d engines left after the last bridge closed", n)
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
