package core

import (
	"context"
	"testing"
	"time"
)

const mb = 1 << 20

// TestMemoryReturner: memory is handed back once traffic is quiet after
// the retained size grew well over its settled size, and not while the
// traffic goes on, nor for small growth.
func TestMemoryReturner(t *testing.T) {
	type tick struct {
		retained, allocated uint64 // MB: retained now, allocated since the last tick
		free                bool   // a hand-back is expected at this tick
	}
	for _, tc := range []struct {
		name  string
		base  uint64 // MB retained at start
		after uint64 // MB retained after a hand-back
		ticks []tick
	}{
		{"steady traffic", 40, 40, []tick{{40, 30, false}, {42, 30, false}, {41, 30, false}}},
		{"flood, then quiet", 40, 42, []tick{
			{300, 900, false}, // flooding: its own collections run
			{600, 900, false},
			{600, 1, true}, // over: hand back
			{42, 1, false}, // settled again
			{43, 1, false},
		}},
		{"flood still going", 40, 40, []tick{{300, 900, false}, {300, 200, false}, {300, 60, false}}},
		{"small growth", 40, 40, []tick{{55, 1, false}, {59, 0, false}}},
		{"growth over the floor, not by half", 100, 100, []tick{{140, 1, false}}},
		{"a second flood after the first", 40, 45, []tick{
			{500, 900, false}, {500, 0, true}, {45, 0, false},
			{400, 800, false}, {400, 0, true},
		}},
		{"the settled size falls", 80, 30, []tick{{30, 0, false}, {50, 0, true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur := memSample{retained: tc.base * mb}
			frees := 0
			m := newMemoryReturner(func() memSample { return cur }, func() {
				frees++
				cur.retained = tc.after * mb
			})
			for i, tk := range tc.ticks {
				cur.retained = tk.retained * mb
				cur.allocs += tk.allocated * mb
				before := frees
				got := m.check()
				if got != tk.free || frees-before != b2i(tk.free) {
					t.Fatalf("tick %d (%+v): handed back %v (%d calls), want %v", i, tk, got, frees-before, tk.free)
				}
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestMemoryReturnerStops: the goroutine ends when asked, and reads the
// live runtime's figures without failing.
func TestMemoryReturnerStops(t *testing.T) {
	s := readMemSample()
	if s.retained == 0 || s.allocs == 0 {
		t.Fatalf("runtime figures read as %+v", s)
	}
	m := newMemoryReturner(readMemSample, func() {})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.run(ctx, time.Millisecond)
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("run did not end")
	}
}
