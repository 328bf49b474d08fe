package rtp

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
)

func TestAllocatorEvenPortsAndExhaustion(t *testing.T) {
	a := testAllocator(t, 3)
	start, _ := a.Range()
	var pairs []*PortPair
	seen := map[int]bool{}
	for i := 0; i < 3; i++ {
		pp, err := a.Allocate(loopback, true)
		if err != nil {
			t.Fatal(err)
		}
		if pp.Port%2 != 0 || pp.Port < start || seen[pp.Port] {
			t.Fatalf("bad port %d", pp.Port)
		}
		seen[pp.Port] = true
		if got := int(pp.RTCP.LocalAddr().Port()); got != pp.Port+1 {
			t.Fatalf("RTCP on %d, want %d", got, pp.Port+1)
		}
		pairs = append(pairs, pp)
	}
	if _, err := a.Allocate(loopback, true); !errors.Is(err, ErrPortsExhausted) {
		t.Fatalf("4th allocation: %v, want ErrPortsExhausted", err)
	}
	first := pairs[0].Port
	pairs[0].Close()
	pp, err := a.Allocate(loopback, true)
	if err != nil {
		t.Fatal(err)
	}
	if pp.Port != first {
		t.Errorf("got %d, want the released %d", pp.Port, first)
	}
	pp.Close()
	for _, p := range pairs[1:] {
		p.Close()
	}
}

func TestAllocatorSkipsPortsHeldElsewhere(t *testing.T) {
	a := testAllocator(t, 2)
	start, _ := a.Range()
	squatter, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(start+1))))
	if err != nil {
		t.Skipf("cannot hold port: %v", err)
	}
	defer squatter.Close()
	pp, err := a.Allocate(loopback, true)
	if err != nil {
		t.Fatal(err)
	}
	defer pp.Close()
	if pp.Port == start {
		t.Fatalf("allocated %d although its RTCP port is taken", start)
	}
	if _, err := a.Allocate(loopback, true); !errors.Is(err, ErrPortsExhausted) {
		t.Fatalf("want exhaustion while the other pair is held, got %v", err)
	}
}

func TestAllocatorConcurrent(t *testing.T) {
	a := testAllocator(t, 16)
	var wg sync.WaitGroup
	var mu sync.Mutex
	held := map[int]bool{}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				pp, err := a.Allocate(loopback, false)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if held[pp.Port] {
					t.Errorf("port %d handed out twice", pp.Port)
				}
				held[pp.Port] = true
				mu.Unlock()
				mu.Lock()
				delete(held, pp.Port)
				mu.Unlock()
				pp.Close()
			}
		}()
	}
	wg.Wait()
	if a.Free() != 16 {
		t.Errorf("Free = %d, want 16", a.Free())
	}
}

func TestNewAllocatorRange(t *testing.T) {
	tests := []struct {
		start, end int
		ok         bool
	}{
		{10000, 20000, true},
		{10001, 10003, true}, // rounds to 10002, pair 10002/10003
		{10000, 10000, false},
		{10001, 10002, false},
		{0, 100, false},
	}
	for _, tc := range tests {
		_, err := NewAllocator(tc.start, tc.end)
		if (err == nil) != tc.ok {
			t.Errorf("NewAllocator(%d,%d) err=%v", tc.start, tc.end, err)
		}
	}
}

// A full range says how much of it gostrisk holds, so the warning can tell
// "every pair is in use by calls" from "another program squats ports".
func TestAllocatorExhaustedErrorCounts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		squat     bool // another program holds the second pair's RTP port
		inUse     int
		bindError bool
	}{
		{"all pairs handed out", false, 2, false},
		{"a pair held by another program", true, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := testAllocator(t, 2)
			start, end := a.Range()
			var held []*PortPair
			pp, err := a.Allocate(loopback, false)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, pp)
			if tc.squat {
				other := start
				if pp.Port == start {
					other = start + 2
				}
				squatter, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(other))))
				if err != nil {
					t.Skipf("cannot hold port: %v", err)
				}
				defer squatter.Close()
			} else {
				pp, err := a.Allocate(loopback, false)
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, pp)
			}
			_, err = a.Allocate(loopback, false)
			var ex *ExhaustedError
			if !errors.As(err, &ex) || !errors.Is(err, ErrPortsExhausted) {
				t.Fatalf("Allocate on a full range: %v, want an *ExhaustedError", err)
			}
			if ex.Start != start || ex.End != end || ex.Pairs != 2 || ex.InUse != tc.inUse || (ex.BindErr != nil) != tc.bindError {
				t.Errorf("got %+v, want range %d-%d, 2 pairs, %d in use, bind error %v", ex, start, end, tc.inUse, tc.bindError)
			}
			for _, pp := range held {
				pp.Close()
			}
		})
	}
}

// The error names rtpstart as the admin wrote it, odd or not.
func TestAllocatorExhaustedNamesConfiguredStart(t *testing.T) {
	start := 30000 + (os.Getpid()%500)*40 + 1
	a, err := NewAllocator(start, start+2)
	if err != nil {
		t.Fatal(err)
	}
	pp, err := a.Allocate(loopback, false)
	if err != nil {
		t.Skipf("pair in use elsewhere: %v", err)
	}
	defer pp.Close()
	_, err = a.Allocate(loopback, false)
	var ex *ExhaustedError
	if !errors.As(err, &ex) || ex.Start != start || ex.End != start+2 {
		t.Fatalf("got %v, want an exhaustion naming %d-%d", err, start, start+2)
	}
}
