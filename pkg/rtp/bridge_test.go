package rtp

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

func TestBridgePlainBothWays(t *testing.T) {
	a, b, pa, pb := phonedLegs(t, testAllocator(t, 4), LegOptions{Strict: StrictYes, Probation: 4})
	newTestBridge(t, a, b)

	for i := 0; i < 5; i++ {
		sent := rtpPacket(t, 8, uint16(1000+i), uint32(160*i), 0xdeadbeef, i == 0, []byte("alaw-frame"))
		pa.send(a.LocalAddr(), sent)
		got := pb.mustRecv()
		if !bytes.Equal(got, sent) {
			t.Fatalf("A->B packet %d changed:\n got %x\nwant %x", i, got, sent)
		}
	}
	back := rtpPacket(t, 8, 7, 99, 0x01020304, true, []byte("reply"))
	pb.send(b.LocalAddr(), back)
	got, from, ok := pa.recv(2 * time.Second)
	if !ok {
		t.Fatal("B->A packet lost")
	}
	if !bytes.Equal(got, back) {
		t.Fatalf("B->A changed: %x", got)
	}
	if from != a.LocalAddr() {
		t.Errorf("B->A came from %v, want leg A's port %v", from, a.LocalAddr())
	}
	sa, sb := a.Stats(), b.Stats()
	if sa.PacketsIn != 5 || sb.PacketsOut != 5 || sb.PacketsIn != 1 || sa.PacketsOut != 1 {
		t.Errorf("stats A %+v B %+v", sa, sb)
	}
	if time.Since(a.LastReceived()) > 5*time.Second {
		t.Errorf("LastReceived not updated: %v", a.LastReceived())
	}
}

func TestPayloadTypeRemap(t *testing.T) {
	a, b, pa, pb := phonedLegs(t, testAllocator(t, 4), LegOptions{})
	a.SetPayloadTypes([]PayloadType{{"PCMU/8000", 0}, {"telephone-event/8000", 101}})
	b.SetPayloadTypes([]PayloadType{{"PCMU/8000", 0}, {"telephone-event/8000", 96}})
	newTestBridge(t, a, b)

	tests := []struct {
		name         string
		from, to     *phone
		leg          *Leg
		inPT, wantPT uint8
		marker       bool
		payload      []byte
	}{
		{"dtmf a->b", pa, pb, a, 101, 96, true, []byte{5, 0x8a, 0, 160}},
		{"dtmf b->a", pb, pa, b, 96, 101, false, []byte{1, 0x0a, 1, 64}},
		{"audio unchanged", pa, pb, a, 0, 0, false, []byte("ulaw")},
		{"unknown pt passes", pa, pb, a, 13, 13, false, []byte{1}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.from.send(tc.leg.LocalAddr(), rtpPacket(t, tc.inPT, uint16(i), 8000, 42, tc.marker, tc.payload))
			got := parse(t, tc.to.mustRecv())
			if got.PayloadType != tc.wantPT || got.Marker != tc.marker || !bytes.Equal(got.Payload, tc.payload) ||
				got.SSRC != 42 || got.SequenceNumber != uint16(i) || got.Timestamp != 8000 {
				t.Fatalf("got %+v payload %x", got.Header, got.Payload)
			}
		})
	}
}

func TestStrictIgnoresSecondSource(t *testing.T) {
	alloc := testAllocator(t, 4)
	var learned []netip.AddrPort
	var mu sync.Mutex
	a := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 4, OnLearning: func(r netip.AddrPort) {
		mu.Lock()
		learned = append(learned, r)
		mu.Unlock()
	}})
	b := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 4})
	pa, pb, intruder := newPhone(t), newPhone(t), newPhone(t)
	a.SetRemote(pa.addr())
	b.SetRemote(pb.addr())
	newTestBridge(t, a, b)

	mu.Lock()
	if len(learned) != 1 || learned[0] != pa.addr() {
		t.Fatalf("OnLearning calls %v, want [%v]", learned, pa.addr())
	}
	mu.Unlock()
	if got, want := LearningMessage(pa.addr()), "Strict RTP learning after remote address set to: "+pa.addr().String(); got != want {
		t.Errorf("LearningMessage = %q", got)
	}

	pa.send(a.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte("real")))
	if got := parse(t, pb.mustRecv()); string(got.Payload) != "real" {
		t.Fatalf("got %q", got.Payload)
	}
	if src, ok := a.LockedSource(); !ok || src != pa.addr() {
		t.Fatalf("locked %v %v", src, ok)
	}
	// Where the relay ties a locked leg's socket to its source, the
	// kernel drops the intruder before strict RTP could count it.
	linked := waitLinked(a)
	for i := 0; i < 6; i++ { // more than probation: still refused once locked
		intruder.send(a.LocalAddr(), rtpPacket(t, 0, uint16(2+i), 0, 2, false, []byte("spoof")))
	}
	pb.mustNotRecv()
	want := uint64(6)
	if linked {
		want = 0
	}
	if d := a.Stats().Dropped; d != want {
		t.Errorf("Dropped = %d, want %d (socket linked to the source: %v)", d, want, linked)
	}
	pa.send(a.LocalAddr(), rtpPacket(t, 0, 2, 160, 1, false, []byte("still")))
	if got := parse(t, pb.mustRecv()); string(got.Payload) != "still" {
		t.Fatalf("got %q", got.Payload)
	}
}

func TestStrictProbationForUnexpectedSource(t *testing.T) {
	alloc := testAllocator(t, 4)
	a := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 3})
	b := newTestLeg(t, alloc, LegOptions{})
	moved, pb := newPhone(t), newPhone(t)
	// The SDP names a port nobody sends from (a phone behind NAT).
	a.SetRemote(netip.AddrPortFrom(loopback, 9))
	b.SetRemote(pb.addr())
	newTestBridge(t, a, b)

	moved.send(a.LocalAddr(), rtpPacket(t, 0, 10, 0, 1, false, []byte("p1")))
	moved.send(a.LocalAddr(), rtpPacket(t, 0, 12, 0, 1, false, []byte("gap"))) // out of sequence: restart
	moved.send(a.LocalAddr(), rtpPacket(t, 0, 13, 0, 1, false, []byte("p2")))
	pb.mustNotRecv()
	moved.send(a.LocalAddr(), rtpPacket(t, 0, 14, 0, 1, false, []byte("p3")))
	if got := parse(t, pb.mustRecv()); string(got.Payload) != "p3" {
		t.Fatalf("got %q", got.Payload)
	}
	// Without comedia the send target stays what SDP said.
	if r, _ := a.Remote(); r.Port() != 9 {
		t.Errorf("remote moved to %v without comedia", r)
	}
}

func TestComediaFollowsSource(t *testing.T) {
	for _, strict := range []StrictMode{StrictYes, StrictOff} {
		t.Run(strict.String(), func(t *testing.T) {
			alloc := testAllocator(t, 4)
			a := newTestLeg(t, alloc, LegOptions{Strict: strict, Probation: 4, Comedia: true})
			b := newTestLeg(t, alloc, LegOptions{})
			natted, pb := newPhone(t), newPhone(t)
			a.SetRemote(netip.MustParseAddrPort("127.0.0.1:9")) // private address from SDP
			b.SetRemote(pb.addr())
			newTestBridge(t, a, b)

			natted.send(a.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte("hello")))
			pb.mustRecv()
			if r, _ := a.Remote(); r != natted.addr() {
				t.Fatalf("comedia target %v, want %v", r, natted.addr())
			}
			pb.send(b.LocalAddr(), rtpPacket(t, 0, 1, 0, 2, false, []byte("answer")))
			if got := parse(t, natted.mustRecv()); string(got.Payload) != "answer" {
				t.Fatalf("got %q", got.Payload)
			}
		})
	}
}

func TestNonRTPDropped(t *testing.T) {
	a, b, pa, pb := phonedLegs(t, testAllocator(t, 4), LegOptions{})
	newTestBridge(t, a, b)
	pa.send(a.LocalAddr(), []byte("short"))
	pa.send(a.LocalAddr(), bytes.Repeat([]byte{0x40}, 20)) // version 1
	pb.mustNotRecv()
	if d := a.Stats().Dropped; d != 2 {
		t.Errorf("Dropped = %d", d)
	}
}

func TestBridgeCloseAndReuse(t *testing.T) {
	alloc := testAllocator(t, 4)
	a := newTestLeg(t, alloc, LegOptions{})
	b := newTestLeg(t, alloc, LegOptions{})
	c := newTestLeg(t, alloc, LegOptions{})
	pa, pb, pc := newPhone(t), newPhone(t), newPhone(t)
	a.SetRemote(pa.addr())
	b.SetRemote(pb.addr())
	c.SetRemote(pc.addr())
	br := newTestBridge(t, a, b)
	if _, err := NewBridge(a, c); !errors.Is(err, ErrLegBusy) {
		t.Fatalf("second bridge on a busy leg: %v", err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	// Transfer: A now talks to C on the same port.
	newTestBridge(t, a, c)
	pa.send(a.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte("to-c")))
	if got := parse(t, pc.mustRecv()); string(got.Payload) != "to-c" {
		t.Fatalf("got %q", got.Payload)
	}
	pb.mustNotRecv()
}

func TestLegCloseReleasesPort(t *testing.T) {
	alloc := testAllocator(t, 2)
	a, err := NewLeg(alloc, loopback, LegOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewLeg(alloc, loopback, LegOptions{})
	if err != nil {
		t.Fatal(err)
	}
	br, err := NewBridge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	port := a.Port()
	br.Close()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	// The relay lets go of the sockets in the background; the ports come
	// back when it has.
	br.waitReleased()
	for _, p := range []int{port, port + 1} {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(p))))
		if err != nil {
			t.Fatalf("port %d not bindable after Close: %v", p, err)
		}
		c.Close()
	}
	if alloc.Free() != 2 {
		t.Errorf("Free = %d after closing both legs", alloc.Free())
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if alloc.Free() != 2 {
		t.Errorf("double Close returned the port twice: Free = %d", alloc.Free())
	}
}
