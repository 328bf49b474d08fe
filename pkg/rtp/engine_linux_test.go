package rtp

import "testing"

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
