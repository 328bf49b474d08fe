package core

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// defaultGCPercent is the collector's target when the operator has not
// chosen one. Go's default (100) lets the heap grow to twice what is live
// before collecting; for a daemon whose live heap is mostly its
// configuration (about 1 KB per peer) and whose traffic is small
// short-lived messages, that doubles the resident size for little gain.
// At 50 the heap stays within 1.5x of the live set: with 10,000 peers
// and 1,000 REGISTER/s that is the difference between about 61 and 51 MB
// resident, for a few percent more CPU at the highest rates (bench/).
const defaultGCPercent = 50

// tuneMemory applies defaultGCPercent unless GOGC or GOMEMLIMIT says
// otherwise: an operator who sets either has made the trade-off already.
func tuneMemory(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(defaultGCPercent)
}

// releaseMemory hands back to the system the garbage that loading a
// configuration leaves (parse trees, the old snapshot): it is the
// largest the heap gets at start-up and after a reload, and without this
// the pages stay resident until the background scavenger gets to them.
func releaseMemory() { debug.FreeOSMemory() }

// A burst of traffic (a flood of SIP requests) grows the heap, and the
// pages stay resident after it: with no allocation the collector does not
// run, so the heap goal stays where the burst left it and the runtime's
// scavenger keeps the pages under that goal. Once traffic is quiet again,
// memoryReturner forces a collection and hands the free pages back, so the
// resident size returns to what it was before the burst within a few
// seconds instead of minutes (bench/: RSS 30 s after each flood).
const (
	// memoryCheckEvery is how often the runtime's figures are read (a
	// few microseconds each time).
	memoryCheckEvery = 2 * time.Second
	// memoryFloor: the retained memory must have grown by half over what
	// it was after the last hand-back, and by at least this much, before
	// a forced collection is worth its cost.
	memoryFloor = 16 << 20
)

// memSample is what memoryReturner reads of the runtime.
type memSample struct {
	retained uint64 // mapped by the runtime and not handed back
	allocs   uint64 // bytes allocated since start, cumulative
}

// memoryReturner decides when to hand memory back: when what is retained
// has grown well over its settled size (base) and the last interval
// allocated little compared with it (the burst is over; while traffic
// goes on, its collections shrink the heap by themselves).
type memoryReturner struct {
	read func() memSample
	free func()

	base      uint64
	lastAlloc uint64
}

func newMemoryReturner(read func() memSample, free func()) *memoryReturner {
	s := read()
	return &memoryReturner{read: read, free: free, base: s.retained, lastAlloc: s.allocs}
}

// check reads the runtime once and hands memory back if it is time to;
// it reports whether it did.
func (m *memoryReturner) check() bool {
	s := m.read()
	allocated := s.allocs - m.lastAlloc
	m.lastAlloc = s.allocs
	if s.retained < m.base {
		m.base = s.retained
	}
	grown := s.retained > m.base+max(m.base/2, memoryFloor)
	quiet := allocated < s.retained/8
	if !grown || !quiet {
		return false
	}
	m.free()
	after := m.read()
	m.base, m.lastAlloc = after.retained, after.allocs
	return true
}

// run checks every interval until ctx ends.
func (m *memoryReturner) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.check()
		}
	}
}

// readMemSample reads the runtime's own accounting (runtime/metrics does
// not stop the world, unlike runtime.ReadMemStats).
func readMemSample() memSample {
	samples := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/gc/heap/allocs:bytes"},
	}
	metrics.Read(samples)
	var v [3]uint64
	for i, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	return memSample{retained: v[0] - min(v[1], v[0]), allocs: v[2]}
}

// startMemoryReturner runs a memoryReturner on the live runtime until the
// returned function is called, which waits for it to end.
func startMemoryReturner() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	m := newMemoryReturner(readMemSample, releaseMemory)
	go func() {
		defer close(done)
		m.run(ctx, memoryCheckEvery)
	}()
	return func() {
		cancel()
		<-done
	}
}
