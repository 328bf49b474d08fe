//go:build linux

package rtp

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// sessionsOn makes the next session engines receive on io_uring or on
// epoll, once the lingering engines of earlier tests (which may use the
// other) have stopped.
func sessionsOn(t *testing.T, uring bool) {
	t.Helper()
	linger := sessLinger
	sessLinger = 20 * time.Millisecond
	saved := useUring.Load()
	t.Cleanup(func() {
		// Closed sessions are let go of by their loop after Close
		// returns; the loops read sessLinger then.
		waitSessEngines(t, 0)
		sessLinger = linger
		useUring.Store(saved)
	})
	waitSessEngines(t, 0)
	useUring.Store(uring)
}

func waitSessEngines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sessPool.mu.Lock()
		got := len(sessPool.engines)
		sessPool.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d session engines, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// receivesOnUring says whether s's receive loop runs on io_uring; it is
// known once the loop has received something.
func receivesOnUring(s *Session) bool { return s.eng.recv.onUring.Load() }

// The package's session tests run on whichever loop this kernel allows;
// this runs the receive side's through each loop by name: strict RTP and
// the jitter buffer, its sweep, DTMF, SRTP, a leg going from a session to
// a bridge and back, and a leg closed under its session.
func TestBothSessionLoops(t *testing.T) {
	tests := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"ReceiveReorders", TestSessionReceiveReorders},
		{"JitterTimeout", TestSessionJitterTimeout},
		{"ReceivesDTMF", TestSessionReceivesDTMF},
		{"ToSession", TestSessionToSession},
		{"ExcludesBridge", TestSessionExcludesBridge},
		{"LegClose", TestSessionLegClose},
		{"SRTP", TestSessionSRTP},
		{"Churn", testSessionChurn},
		{"WildcardLink", testSessionWildcardLink},
	}
	for _, mode := range []struct {
		name  string
		uring bool
	}{{"io_uring", true}, {"epoll", false}} {
		t.Run(mode.name, func(t *testing.T) {
			sessionsOn(t, mode.uring)
			alloc := testAllocator(t, 2)
			l := newTestLeg(t, alloc, LegOptions{})
			ph := newPhone(t)
			l.SetRemote(ph.addr())
			s := ulawSession(t, l)
			ph.send(l.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte{1}))
			nextFrame(t, s)
			if got := receivesOnUring(s); got != mode.uring {
				if mode.uring {
					t.Skip("io_uring unavailable here: the epoll loop ran instead")
				}
				t.Fatalf("receiving on io_uring: %v, want %v", got, mode.uring)
			}
			s.Close()
			l.Close()
			for _, tc := range tests {
				t.Run(tc.name, tc.fn)
			}
		})
	}
}

// testSessionChurn starts and closes sessions on the same legs over and
// over while their phones keep sending, alternating with bridges: every
// Close hands the socket back (Frames closes, the next owner reads it)
// and no packet reaches a session or bridge that let go.
func testSessionChurn(t *testing.T) {
	const legs, rounds = 16, 6
	alloc := testAllocator(t, legs)
	type peer struct {
		l  *Leg
		ph *phone
	}
	peers := make([]peer, legs)
	for i := range peers {
		peers[i] = peer{newTestLeg(t, alloc, LegOptions{Strict: StrictYes}), newPhone(t)}
		peers[i].l.SetRemote(peers[i].ph.addr())
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, p := range peers {
		wg.Add(1)
		pkt := rtpPacket(t, 0, 0, 0, uint32(i+1), false, []byte{byte(i)})
		go func() {
			defer wg.Done()
			for seq := uint16(1); ; seq++ {
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
				pkt[2], pkt[3] = byte(seq>>8), byte(seq)
				// An error shows as frames missing below.
				_, _ = p.ph.conn.WriteToUDPAddrPort(pkt, p.l.LocalAddr())
			}
		}()
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()
	free := alloc.Free() + legs
	for r := range rounds {
		var sessions []*Session
		for _, p := range peers {
			s, err := p.l.StartSession(SessionConfig{Format: media.ULaw, DTMFPT: -1})
			if err != nil {
				t.Fatalf("round %d: %v", r, err)
			}
			sessions = append(sessions, s)
		}
		for i, s := range sessions {
			if fr := nextFrame(t, s); fr.Payload[0] != byte(i) {
				t.Fatalf("round %d: session %d got a frame of phone %d", r, i, fr.Payload[0])
			}
			s.Close()
		}
		for i, s := range sessions {
			for fr := range s.Frames() {
				if fr.Payload[0] != byte(i) {
					t.Fatalf("round %d: session %d got a frame of phone %d", r, i, fr.Payload[0])
				}
			}
		}
		// Half the legs are bridged in pairs before the next round.
		var bridges []*Bridge
		for i := 0; i+1 < legs/2; i += 2 {
			br, err := NewBridge(peers[i].l, peers[i+1].l)
			if err != nil {
				t.Fatalf("round %d: bridge after session: %v", r, err)
			}
			bridges = append(bridges, br)
		}
		for k, br := range bridges {
			if got := peers[2*k+1].ph.mustRecv(); len(got) != 13 || got[12] != byte(2*k) {
				t.Fatalf("round %d: relayed %x", r, got)
			}
			br.Close()
		}
		for k := range bridges {
			for {
				if _, _, ok := peers[2*k+1].ph.recv(time.Millisecond); !ok {
					break
				}
			}
		}
	}
	if t.Failed() {
		return
	}
	// Every port comes back once the legs close.
	for _, p := range peers {
		p.l.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for alloc.Free() != free {
		if time.Now().After(deadline) {
			t.Fatalf("%d port pairs free, want %d", alloc.Free(), free)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testSessionWildcardLink: a session on a wildcard IPv4 socket is
// connected to its locked peer only where the io_uring loop knows the
// datagram's arrival address and it is the one the route back leaves
// from (the epoll loop does not read it and never links such a socket).
func testSessionWildcardLink(t *testing.T) {
	for _, tc := range []struct {
		dst  netip.Addr
		link bool
	}{
		{netip.MustParseAddr("127.0.0.1"), true},
		{netip.MustParseAddr("127.0.0.2"), false},
	} {
		t.Run(tc.dst.String(), func(t *testing.T) {
			alloc := testAllocator(t, 2)
			l, err := NewLeg(alloc, netip.IPv4Unspecified(), LegOptions{Strict: StrictYes})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			ph := newPhone(t)
			l.SetRemote(ph.addr())
			s := ulawSession(t, l)
			to := netip.AddrPortFrom(tc.dst, uint16(l.Port()))
			for i := range 3 {
				ph.send(to, rtpPacket(t, 0, uint16(1+i), uint32(160*i), 1, false, []byte{byte(i)}))
				nextFrame(t, s)
			}
			want := tc.link && receivesOnUring(s)
			// The link is tried on the loop before the first frame is
			// handed out: no need to wait.
			if got := l.link.peer.Load() != nil; got != want {
				t.Fatalf("linked = %v, want %v (io_uring %v)", got, want, receivesOnUring(s))
			}
			if got := peerOf(t, l); got.IsValid() != want {
				t.Fatalf("connected to %v, want linked %v", got, want)
			}
			// Media still flows both ways.
			go func() { _ = s.WriteFrame(ulawFrame(0x42)) }()
			if got := mustParse(t, ph.mustRecv()); got.Payload[0] != 0x42 {
				t.Fatalf("sent %x", got.Payload)
			}
			ph.send(to, rtpPacket(t, 0, 9, 160*8, 1, false, []byte(fmt.Sprint(9))))
			if fr := nextFrame(t, s); string(fr.Payload) != "9" {
				t.Fatalf("received %q", fr.Payload)
			}
		})
	}
}

// TestSessionUringOutOfBuffers: when a round's datagrams outnumber the
// loop's provided buffers, the receives that found none end and are armed
// again, and the datagrams left in the sockets are read then: none is
// lost, for any of the sessions. With hundreds of sessions the re-arms
// also fill the submission ring in the middle of a reap, so some are
// submitted there.
func TestSessionUringOutOfBuffers(t *testing.T) {
	for _, tc := range []struct{ legs, burst int }{{4, 40}, {300, 4}} {
		t.Run(fmt.Sprintf("%dx%d", tc.legs, tc.burst), func(t *testing.T) {
			saved := sessRecvBuffers
			t.Cleanup(func() { sessRecvBuffers = saved }) // after sessionsOn's, which waits for the loops to end
			sessionsOn(t, true)
			sessRecvBuffers = 4
			alloc := testAllocator(t, tc.legs+tc.legs/2) // room for ports others hold
			var sessions []*Session
			var ls []*Leg
			ph := newPhone(t)
			for range tc.legs {
				// Strict: ports of other test processes' legs may still get
				// their peers' packets.
				l := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 100})
				l.SetRemote(ph.addr())
				sessions = append(sessions, ulawSession(t, l))
				ls = append(ls, l)
			}
			for round := range 3 {
				for seq := range tc.burst {
					for _, l := range ls {
						s := uint16(round*tc.burst + seq)
						ph.send(l.LocalAddr(), rtpPacket(t, 0, s, uint32(s)*160, 1, false, []byte{byte(seq)}))
					}
				}
				for i, s := range sessions {
					for seq := range tc.burst {
						if fr := nextFrame(t, s); fr.Payload[0] != byte(seq) {
							t.Fatalf("round %d session %d: frame %d has payload %d (%v)", round, i, seq, fr.Payload[0], fr)
						}
					}
				}
			}
			if !receivesOnUring(sessions[0]) {
				t.Skip("io_uring unavailable here: the epoll loop ran instead")
			}
			for i, s := range sessions {
				if st := s.Stats(); st.Lost != 0 || st.Overflow != 0 {
					t.Errorf("session %d: %+v", i, st)
				}
			}
		})
	}
}

// TestSessionUringOverload: hundreds of sessions get datagrams without
// pause while the loop has far fewer buffers than a round's datagrams:
// receives keep running out of buffers and being armed again, and every
// session still keeps receiving (the loop's rounds stay bounded).
func TestSessionUringOverload(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	saved := sessRecvBuffers
	t.Cleanup(func() { sessRecvBuffers = saved }) // after sessionsOn's, which waits for the loops to end
	sessionsOn(t, true)
	sessRecvBuffers = 8
	const legs = 300
	alloc := testAllocator(t, legs+legs/2)
	ph := newPhone(t)
	var sessions []*Session
	var ls []*Leg
	for range legs {
		l := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 100})
		l.SetRemote(ph.addr())
		s := ulawSession(t, l)
		go func() {
			for range s.Frames() {
			}
		}()
		sessions = append(sessions, s)
		ls = append(ls, l)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		pkt := rtpPacket(t, 0, 0, 0, 1, false, make([]byte, 160))
		for seq := uint16(0); ; seq++ {
			select {
			case <-stop:
				return
			default:
			}
			pkt[2], pkt[3] = byte(seq>>8), byte(seq)
			for _, l := range ls {
				_, _ = ph.conn.WriteToUDPAddrPort(pkt, l.LocalAddr())
			}
		}
	}()
	defer func() {
		close(stop)
		<-done
	}()
	time.Sleep(200 * time.Millisecond)
	if !receivesOnUring(sessions[0]) {
		t.Skip("io_uring unavailable here: the epoll loop ran instead")
	}
	// Twice in a row, every session has received more within a second.
	for range 2 {
		before := make([]uint64, legs)
		for i, s := range sessions {
			before[i] = s.Stats().PacketsIn
		}
		deadline := time.Now().Add(time.Second)
		for i, s := range sessions {
			for s.Stats().PacketsIn == before[i] {
				if time.Now().After(deadline) {
					t.Fatalf("session %d received nothing for a second (%d packets before)", i, before[i])
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
}
