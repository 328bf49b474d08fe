package chansip

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestUsedNoncesClaim(t *testing.T) {
	u := newUsedNonces()
	id := nonceID{bucket: 100, mac: 0xdeadbeef}
	steps := []struct {
		name string
		id   nonceID
		fp   uint64
		want claimResult
	}{
		{"first use", id, 7, claimFresh},
		{"the same request again (retransmission)", id, 7, claimRepeat},
		{"another request (replay)", id, 9, claimUsed},
		{"the first request still repeats", id, 7, claimRepeat},
		{"no print: single use", nonceID{bucket: 100, mac: 1}, 0, claimFresh},
		{"no print, again", nonceID{bucket: 100, mac: 1}, 0, claimUsed},
		{"same MAC, next bucket: another nonce", nonceID{bucket: 101, mac: 0xdeadbeef}, 9, claimFresh},
	}
	for _, s := range steps {
		if got := u.claim(s.id, s.fp); got != s.want {
			t.Errorf("%s: %v, want %v", s.name, got, s.want)
		}
	}
	if n := u.count(); n != 3 {
		t.Errorf("%d nonces remembered, want 3", n)
	}
}

// Generations: a bucket's nonces are forgotten when expire passes it, or
// when a bucket four later takes its slot; a nonce older than the bucket
// in its slot is refused.
func TestUsedNoncesExpiry(t *testing.T) {
	u := newUsedNonces()
	for i := range uint64(1000) {
		u.claim(nonceID{bucket: 10, mac: i}, 1)
		u.claim(nonceID{bucket: 11, mac: i}, 1)
	}
	if n := u.count(); n != 2000 {
		t.Fatalf("%d remembered, want 2000", n)
	}
	u.expire(10) // buckets before 10 only
	if n := u.count(); n != 2000 {
		t.Fatalf("expire(10) dropped bucket 10 or 11: %d left", n)
	}
	u.expire(11)
	if n := u.count(); n != 1000 {
		t.Fatalf("expire(11): %d left, want bucket 11's 1000", n)
	}
	if got := u.claim(nonceID{bucket: 10, mac: 5}, 1); got != claimFresh {
		// check refuses expired nonces before they get here; the store
		// itself only forgets.
		t.Errorf("claim in an expired bucket's emptied slot: %v", got)
	}
	// Bucket 15 takes bucket 11's slot (15 % 4 == 11 % 4).
	if got := u.claim(nonceID{bucket: 15, mac: 5}, 2); got != claimFresh {
		t.Fatalf("claim in bucket 15: %v", got)
	}
	if g := u.shards[5].gens[15%usedGens]; g.bucket != 15 || len(g.m) != 1 {
		t.Errorf("bucket 11 not dropped from shard 5 when bucket 15 took its slot: bucket %d holds %d", g.bucket, len(g.m))
	}
	if got := u.claim(nonceID{bucket: 11, mac: 5}, 2); got != claimUsed {
		t.Errorf("a nonce older than its slot's bucket: %v, want refused", got)
	}
}

// The used set is spread over its shards and keeps one winner per nonce
// under concurrent claims.
func TestUsedNoncesSharding(t *testing.T) {
	u := newUsedNonces()
	const n = 64 * 200
	ids := make([]nonceID, n)
	for i := range ids {
		ids[i] = nonceID{bucket: 7, mac: rand.Uint64()}
	}
	var fresh atomic.Int64
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, id := range ids {
				if u.claim(id, uint64(w+1)) == claimFresh {
					fresh.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if fresh.Load() != n {
		t.Errorf("%d first uses for %d nonces claimed by 8 goroutines each", fresh.Load(), n)
	}
	for i := range u.shards {
		got := len(u.shards[i].gens[7%usedGens].m)
		if got < n/usedShards/2 || got > n/usedShards*2 {
			t.Errorf("shard %d holds %d of %d nonces: not spread", i, got, n)
		}
	}
}

func TestUsedNoncesFull(t *testing.T) {
	u := newUsedNonces()
	var mac uint64
	for range usedPerShard {
		if got := u.claim(nonceID{bucket: 3, mac: mac}, 1); got != claimFresh {
			t.Fatalf("claim %d: %v", mac/usedShards, got)
		}
		mac += usedShards // all in shard 0
	}
	if u.overflowed() {
		t.Error("overflow reported before any refusal")
	}
	if got := u.claim(nonceID{bucket: 3, mac: mac}, 1); got != claimFull {
		t.Fatalf("claim past the shard's limit: %v, want claimFull", got)
	}
	if got := u.claim(nonceID{bucket: 3, mac: 0}, 1); got != claimRepeat {
		t.Errorf("a recorded nonce in a full shard: %v, want claimRepeat", got)
	}
	if got := u.claim(nonceID{bucket: 3, mac: 1}, 1); got != claimFresh {
		t.Errorf("another shard is not full: %v", got)
	}
	if !u.overflowed() || u.overflowed() {
		t.Error("overflow not reported exactly once for the bucket")
	}
	s := newNonceSigner(nonceLifetime)
	if got := s.claim(nonceID{bucket: 1, mac: 0}, 1); got != nonceFresh {
		t.Fatalf("signer claim: %v", got)
	}
	s.used = u
	if got := s.claim(nonceID{bucket: 3, mac: mac}, 1); got != nonceUsed {
		t.Errorf("a nonce the full store cannot record: %v, want it refused as used", got)
	}
}

// The signer's clock is the monotonic time since start-up: stepping the
// wall clock changes nothing.
func TestNonceSignerClockSteps(t *testing.T) {
	start := time.Now()
	s := newNonceSignerAt(nonceLifetime, start)
	stepped := start.Add(time.Hour) // a monotonic reading ...
	wall := time.Unix(0, stepped.UnixNano())
	if got, want := s.seconds(stepped), start.Unix()+3600; got < want-1 || got > want+1 {
		t.Errorf("an hour later: %d, want about %d", got, want)
	}
	// ... and the same instant without one agree.
	if s.seconds(stepped) != s.seconds(wall) && s.seconds(stepped)+1 != s.seconds(wall) && s.seconds(stepped) != s.seconds(wall)+1 {
		t.Errorf("monotonic %d and wall %d readings of one instant differ", s.seconds(stepped), s.seconds(wall))
	}
	if got := s.seconds(start.Add(-1500 * time.Millisecond)); got != start.Unix()-2 {
		t.Errorf("1.5 s before the epoch: %d, want %d (rounded down)", got, start.Unix()-2)
	}
}

// BenchmarkUsedNoncesClaim measures a first use and reports the memory a
// remembered nonce costs.
func BenchmarkUsedNoncesClaim(b *testing.B) {
	u := newUsedNonces()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			u.claim(nonceID{bucket: 1, mac: r.Uint64()}, 1)
		}
	})
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(u.count()), "B/nonce")
	runtime.KeepAlive(u)
}
