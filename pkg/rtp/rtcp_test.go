package rtp

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"
)

func TestRTCPRoundTrip(t *testing.T) {
	sender := &SenderInfo{NTP: 0x0102030405060708, RTPTime: 160, PacketCount: 50, OctetCount: 8000}
	block := &ReportBlock{SSRC: 0xabcdef01, FractionLost: 25, CumLost: -3, ExtHighest: 0x10005, Jitter: 44, LSR: 0x11112222, DLSR: 0x8000}
	tests := []struct {
		name   string
		sender *SenderInfo
		block  *ReportBlock
		cname  string
	}{
		{"SR with block", sender, block, "a@b"},
		{"RR with block", nil, block, "abcd"},
		{"empty RR", nil, nil, ""},
		{"SR without block", sender, nil, "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkt := AppendRTCP(nil, 0x55667788, tc.sender, tc.block, tc.cname)
			if len(pkt)%4 != 0 {
				t.Fatalf("length %d is not a multiple of 4", len(pkt))
			}
			// The compound's lengths must add up to the datagram.
			for b := pkt; len(b) > 0; {
				size := (int(binary.BigEndian.Uint16(b[2:4])) + 1) * 4
				if size > len(b) {
					t.Fatalf("packet length %d overruns %d", size, len(b))
				}
				b = b[size:]
			}
			r, err := ParseRTCP(pkt)
			if err != nil {
				t.Fatal(err)
			}
			if r.SSRC != 0x55667788 || r.SR != (tc.sender != nil) {
				t.Fatalf("got %+v", r)
			}
			if tc.sender != nil && r.Sender != *tc.sender {
				t.Fatalf("sender %+v, want %+v", r.Sender, *tc.sender)
			}
			if tc.block == nil {
				if len(r.Blocks) != 0 {
					t.Fatalf("blocks %+v", r.Blocks)
				}
				return
			}
			if len(r.Blocks) != 1 || r.Blocks[0] != *tc.block {
				t.Fatalf("blocks %+v, want %+v", r.Blocks, *tc.block)
			}
		})
	}
}

func TestParseRTCPBad(t *testing.T) {
	good := AppendRTCP(nil, 1, &SenderInfo{}, &ReportBlock{}, "c")
	bad := [][]byte{
		nil,
		{0x80},
		{0x40, 200, 0, 1, 0, 0, 0, 0},  // version 1
		{0x80, 200, 0, 50, 0, 0, 0, 0}, // length past the end
		{0x81, 201, 0, 1, 0, 0, 0, 1},  // one block announced, none there
		{0x81, 202, 0, 1, 0, 0, 0, 1},  // SDES only
		good[:len(good)-30],            // SR cut in its block
		append([]byte{0x80, 200, 0, 1}, 0, 0, 0, 1), // SR without sender info
	}
	for i, b := range bad {
		if _, err := ParseRTCP(b); err == nil {
			t.Errorf("%d: % x parsed", i, b)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	sent := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	lsr := ntpMiddle(NTPTime(sent))
	// The peer held our SR for 100 ms; it comes back 250 ms after we sent it.
	b := ReportBlock{LSR: lsr, DLSR: uint32(100 * time.Millisecond * 65536 / time.Second)}
	rtt, ok := RoundTrip(sent.Add(250*time.Millisecond), b)
	if !ok || rtt < 149*time.Millisecond || rtt > 151*time.Millisecond {
		t.Fatalf("rtt %v %v, want 150ms", rtt, ok)
	}
	if _, ok := RoundTrip(sent, ReportBlock{}); ok {
		t.Fatal("a block without LSR gave a round trip")
	}
	if _, ok := RoundTrip(sent, b); ok {
		t.Fatal("a negative round trip was accepted")
	}
}

func rxPacket(seq uint16, ts, ssrc uint32) []byte {
	p := []byte{0x80, 0, byte(seq >> 8), byte(seq)}
	p = binary.BigEndian.AppendUint32(p, ts)
	p = binary.BigEndian.AppendUint32(p, ssrc)
	return append(p, make([]byte, 160)...)
}

func TestRxStats(t *testing.T) {
	tests := []struct {
		name              string
		seqs              []uint16
		jitterNs          int64 // added to every other packet's arrival
		wantLost          int64
		wantExpected      int64
		wantJitterNonZero bool
	}{
		// 65 packets: the state is published on the first and every 8th.
		{"in order", seqs(100, 65), 0, 0, 65, false},
		{"two lost", append(seqs(100, 10), seqs(112, 55)...), 0, 2, 67, false},
		{"wrap", seqs(65500, 65), 0, 0, 65, false},
		{"jitter", seqs(1, 65), int64(5 * time.Millisecond), 0, 65, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r rxStats
			now := int64(1e12)
			for i, s := range tc.seqs {
				at := now + int64(s-tc.seqs[0])*int64(20*time.Millisecond)
				if i%2 == 1 {
					at += tc.jitterNs
				}
				r.observe(rxPacket(s, uint32(s-tc.seqs[0])*160, 7), at, 8000)
			}
			snap := r.snapshot()
			if !snap.ok || snap.ssrc != 7 || snap.lost != tc.wantLost || snap.expected != tc.wantExpected {
				t.Fatalf("got %+v, want lost %d expected %d", snap, tc.wantLost, tc.wantExpected)
			}
			if (snap.jitter != 0) != tc.wantJitterNonZero {
				t.Fatalf("jitter %d", snap.jitter)
			}
		})
	}
}

func seqs(from uint16, n int) []uint16 {
	out := make([]uint16, n)
	for i := range out {
		out[i] = from + uint16(i)
	}
	return out
}

func TestClockRate(t *testing.T) {
	tests := []struct {
		pts  []PayloadType
		want uint32
	}{
		{nil, 8000},
		{[]PayloadType{{"telephone-event/8000", 101}, {"opus/48000/2", 111}}, 48000},
		{[]PayloadType{{"PCMU/8000", 0}}, 8000},
		{[]PayloadType{{"G722", 9}}, 8000},
	}
	for _, tc := range tests {
		if got := clockRate(tc.pts); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.pts, got, tc.want)
		}
	}
}

// listenPair binds a far end's RTP port and its RTCP neighbour.
func listenPair(t *testing.T) (rtpConn, rtcpConn *net.UDPConn) {
	t.Helper()
	for port := 42000 + os.Getpid()%2000*2; port < 65000; port += 2 {
		a, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err != nil {
			continue
		}
		b, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port + 1})
		if err != nil {
			a.Close()
			continue
		}
		t.Cleanup(func() { a.Close(); b.Close() })
		return a, b
	}
	t.Fatal("no free port pair")
	return nil, nil
}

func TestLegRTCPExchange(t *testing.T) {
	alloc := testAllocator(t, 4)
	leg, err := NewLeg(alloc, netip.MustParseAddr("127.0.0.1"), LegOptions{RTCPInterval: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer leg.Close()
	if leg.rtcp == nil {
		t.Fatal("no RTCP port")
	}
	farRTP, farRTCP := listenPair(t)
	leg.SetRemote(farRTP.LocalAddr().(*net.UDPAddr).AddrPort())

	// gostrisk's report arrives on the far end's RTP port + 1: an RR, as the
	// leg has sent no RTP.
	buf := make([]byte, 1500)
	_ = farRTCP.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := farRTCP.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatalf("no RTCP from the leg: %v", err)
	}
	if from.Port() != uint16(leg.Port()+1) {
		t.Fatalf("report from port %d, want %d", from.Port(), leg.Port()+1)
	}
	rep, err := ParseRTCP(buf[:n])
	if err != nil || rep.SR {
		t.Fatalf("report %+v, %v: want an RR", rep, err)
	}

	// A report from another host is not taken (nor does it redirect ours).
	if spoof, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)}); err == nil {
		_, _ = spoof.WriteToUDPAddrPort(AppendRTCP(nil, 0x666, nil, &ReportBlock{CumLost: 99}, "x"), from)
		spoof.Close()
		time.Sleep(100 * time.Millisecond)
		if st := leg.RTCPStats(); st.Received != 0 || leg.rtcp.source.Load() != nil {
			t.Fatalf("a report from 127.0.0.2 was taken: %+v", st)
		}
	}

	// The far end answers with an SR whose block reports on us.
	sentAt := time.Now()
	block := &ReportBlock{SSRC: rep.SSRC, CumLost: 7, Jitter: 80, LSR: ntpMiddle(NTPTime(sentAt.Add(-40 * time.Millisecond))), DLSR: 0}
	pkt := AppendRTCP(nil, 0x1234, &SenderInfo{NTP: NTPTime(sentAt), PacketCount: 9}, block, "far")
	if _, err := farRTCP.WriteToUDPAddrPort(pkt, from); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for leg.RTCPStats().Received == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the leg did not take the far end's report")
		}
		time.Sleep(10 * time.Millisecond)
	}
	st := leg.RTCPStats()
	if st.RemoteLost != 7 || st.RemoteJitter != 0.01 || st.RemoteSSRC != 0x1234 {
		t.Fatalf("stats %+v", st)
	}
	if st.RTT < 40*time.Millisecond || st.RTT > 5*time.Second {
		t.Fatalf("rtt %v, want at least 40ms", st.RTT)
	}
	if st.RTTStats.N != 1 || st.RTTStats.Min != st.RTT.Seconds() || st.RemoteJitterStats.Max != 0.01 {
		t.Fatalf("summaries %+v %+v", st.RTTStats, st.RemoteJitterStats)
	}
	// The next report carries LSR = the SR's middle bits.
	_ = farRTCP.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err = farRTCP.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := ParseRTCP(buf[:n]); err != nil || len(rep.Blocks) != 0 {
		// No RTP came in: the RR has no block to carry the LSR in.
		t.Fatalf("second report %+v, %v", rep, err)
	}
	// Sent counts once the write returned, which may be after we read it.
	for deadline := time.Now().Add(5 * time.Second); leg.RTCPStats().Sent < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("sent %d reports", leg.RTCPStats().Sent)
		}
	}

	// Closing the leg ends the RTCP goroutine.
	leg.Close()
	select {
	case <-leg.rtcp.done:
	case <-time.After(5 * time.Second):
		t.Fatal("RTCP goroutine still running after Close")
	}
}

func TestLegWithoutRTCP(t *testing.T) {
	alloc := testAllocator(t, 2)
	leg, err := NewLeg(alloc, netip.MustParseAddr("127.0.0.1"), LegOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer leg.Close()
	if leg.rtcp != nil || leg.RTCPStats().Enabled {
		t.Fatal("rtcpinterval 0 bound an RTCP port")
	}
}

// TestRTCPReportBlock: the leg's report describes what it received (loss,
// highest sequence, fraction lost of the interval) and echoes the last SR
// as LSR with the delay since as DLSR.
func TestRTCPReportBlock(t *testing.T) {
	alloc := testAllocator(t, 2)
	leg, err := NewLeg(alloc, netip.MustParseAddr("127.0.0.1"), LegOptions{RTCPInterval: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer leg.Close()
	farRTP, farRTCP := listenPair(t)
	leg.SetRemote(farRTP.LocalAddr().(*net.UDPAddr).AddrPort())
	// 65 packets with 5 missing in the middle (the state is published on
	// the first and every 8th packet).
	now := time.Now().UnixNano()
	for i, s := range append(seqs(10, 30), seqs(45, 35)...) {
		leg.rx.observe(rxPacket(s, uint32(s)*160, 99), now+int64(i)*int64(20*time.Millisecond), 8000)
	}
	srAt := time.Now().Add(-2 * time.Second)
	leg.rtcp.lastSR.Store(0xdeadbeef)
	leg.rtcp.lastSRAt.Store(srAt.UnixNano())
	leg.rtcp.send(nil, time.Now())

	buf := make([]byte, 1500)
	_ = farRTCP.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := farRTCP.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ParseRTCP(buf[:n])
	if err != nil || len(rep.Blocks) != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	b := rep.Blocks[0]
	if b.SSRC != 99 || b.CumLost != 5 || b.ExtHighest != 79 || b.LSR != 0xdeadbeef {
		t.Fatalf("block %+v", b)
	}
	if want := uint8(5 * 256 / 70); b.FractionLost != want {
		t.Fatalf("fraction %d, want %d", b.FractionLost, want)
	}
	if dlsr := time.Duration(b.DLSR) * time.Second / 65536; dlsr < 2*time.Second || dlsr > 4*time.Second {
		t.Fatalf("DLSR %v, want about 2s", dlsr)
	}
	if q := leg.RxQuality(); q.SSRC != 99 || q.Lost != 5 || q.Expected != 70 {
		t.Fatalf("RxQuality %+v", q)
	}
}

// BenchmarkNewLegRTCP is what RTCP adds to a call's set-up and tear-down:
// the RTCP socket and its goroutine.
func BenchmarkNewLegRTCP(b *testing.B) {
	for _, iv := range []time.Duration{0, DefaultRTCPInterval} {
		b.Run(fmt.Sprintf("rtcpinterval=%v", iv), func(b *testing.B) {
			alloc := testAllocator(b, 64)
			ip := netip.MustParseAddr("127.0.0.1")
			for i := 0; i < b.N; i++ {
				l, err := NewLeg(alloc, ip, LegOptions{RTCPInterval: iv})
				if err != nil {
					b.Fatal(err)
				}
				l.Close()
			}
		})
	}
}

func TestRunningSummary(t *testing.T) {
	var r running
	if (r.summary() != Summary{}) {
		t.Fatal("empty summary not zero")
	}
	for _, v := range []float64{2, 4, 4, 4, 5, 5, 7, 9} {
		r.add(v)
	}
	got := r.summary()
	if got.N != 8 || got.Min != 2 || got.Max != 9 || got.Mean != 5 || got.StdDev != 2 {
		t.Fatalf("summary %+v, want n=8 min=2 max=9 mean=5 stddev=2", got)
	}
}

// A leg closed before its RTCP port's bind is due never binds it, and its
// done is closed; one that lives past the delay binds port+1.
func TestRTCPBindsLazily(t *testing.T) {
	saved := rtcpBindDelay
	rtcpBindDelay = 50 * time.Millisecond
	defer func() { rtcpBindDelay = saved }()
	alloc := testAllocator(t, 4)
	short, err := NewLeg(alloc, netip.MustParseAddr("127.0.0.1"), LegOptions{RTCPInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	short.Close()
	select {
	case <-short.rtcp.done:
	case <-time.After(time.Second):
		t.Fatal("a leg closed before the bind left its RTCP port waiting")
	}
	time.Sleep(100 * time.Millisecond)
	short.rtcp.mu.Lock()
	bound := short.rtcp.conn != nil
	short.rtcp.mu.Unlock()
	if bound {
		t.Fatal("the RTCP port was bound after its leg closed")
	}

	long, err := NewLeg(alloc, netip.MustParseAddr("127.0.0.1"), LegOptions{RTCPInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer long.Close()
	deadline := time.Now().Add(2 * time.Second)
	for {
		long.rtcp.mu.Lock()
		bound = long.rtcp.conn != nil
		long.rtcp.mu.Unlock()
		if bound || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !bound {
		t.Fatal("the RTCP port of a leg past the delay is not bound")
	}
}
