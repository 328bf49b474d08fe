package pbx

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

func jbFrame(seq int) media.Frame {
	return media.Frame{Kind: media.Voice, Format: media.ULaw, Samples: 160, Timestamp: uint32(1000 + 160*seq), Payload: make([]byte, 160)}
}

// TestJitterBufFixed: frames come out at the first arrival + max_size +
// their timestamp, whatever their own arrival; a frame after its place
// is dropped; a timestamp jump beyond resync_threshold starts over.
func TestJitterBufFixed(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	j := newJitterBuf(JitterBufferConfig{Impl: "fixed", MaxSize: 100 * time.Millisecond, ResyncThreshold: time.Second})
	for _, tc := range []struct {
		seq     int
		arrival int // ms
	}{{0, 0}, {1, 35}, {3, 60}, {2, 75}, {4, 80}} {
		j.put(jbFrame(tc.seq), ms(tc.arrival))
	}
	var got []int
	for now := 0; now <= 300; now++ {
		if fr, ok := j.pop(ms(now)); ok {
			got = append(got, int(fr.Timestamp-1000)/160*1000+now)
		}
	}
	// seq*1000 + the ms it came out at: 100 ms after its slot.
	want := []int{100, 1120, 2140, 3160, 4180}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	// Frame 3 again after frame 4 went: too late, dropped.
	j.put(jbFrame(3), ms(190))
	if _, ok := j.nextDue(); ok || j.late != 1 {
		t.Errorf("a late frame was kept (late %d)", j.late)
	}
	// A jump of 10 s in timestamps: a new origin.
	j.put(jbFrame(500), ms(200))
	due, ok := j.nextDue()
	if !ok || !due.Equal(ms(300)) || j.resyncs != 1 {
		t.Errorf("after the jump: due %v (%v), resyncs %d", due.Sub(t0), ok, j.resyncs)
	}
	// A digit forces the next frame to restart the buffer too.
	j.forceResync()
	j.put(jbFrame(501), ms(205))
	if j.resyncs != 2 {
		t.Errorf("digit: resyncs %d", j.resyncs)
	}
}

// TestJitterBufAdaptive: the delay starts at target_extra, grows to the
// jitter seen plus target_extra (never over max_size) and comes back down
// a frame length at a time once the network is steady.
func TestJitterBufAdaptive(t *testing.T) {
	t0 := time.Unix(1000, 0)
	j := newJitterBuf(JitterBufferConfig{Impl: "adaptive", MaxSize: 150 * time.Millisecond, ResyncThreshold: time.Second, TargetExtra: 40 * time.Millisecond})
	if j.delay != 40*time.Millisecond {
		t.Fatalf("initial delay %v", j.delay)
	}
	seq := 0
	send := func(n int, jitter func(i int) time.Duration) {
		for i := 0; i < n; i++ {
			j.put(jbFrame(seq), t0.Add(time.Duration(seq)*20*time.Millisecond+jitter(i)))
			seq++
			for {
				if _, ok := j.pop(t0.Add(time.Duration(seq) * 20 * time.Millisecond).Add(time.Second)); !ok {
					break
				}
			}
		}
	}
	send(50, func(i int) time.Duration { return time.Duration(i%2) * 60 * time.Millisecond })
	if j.delay != 100*time.Millisecond {
		t.Errorf("delay with 60 ms of jitter: %v, want 100ms", j.delay)
	}
	send(50, func(i int) time.Duration { return time.Duration(i%2) * 300 * time.Millisecond })
	if j.delay != 150*time.Millisecond {
		t.Errorf("delay with 300 ms of jitter: %v, want max_size", j.delay)
	}
	// Steady for longer than the history: back to target_extra.
	send(jbHistory+20, func(int) time.Duration { return 0 })
	if j.delay != 40*time.Millisecond {
		t.Errorf("delay once steady: %v, want 40ms", j.delay)
	}
}

// TestJitterBufStale: frames nobody read until long after their time
// are dropped, not handed over in a burst.
func TestJitterBufStale(t *testing.T) {
	t0 := time.Unix(1000, 0)
	j := newJitterBuf(JitterBufferConfig{Impl: "fixed", MaxSize: 100 * time.Millisecond, ResyncThreshold: time.Second})
	for i := 0; i < 3; i++ {
		j.put(jbFrame(i), t0.Add(time.Duration(i)*20*time.Millisecond))
	}
	if fr, ok := j.pop(t0.Add(time.Second)); ok {
		t.Errorf("a stale frame came out: ts %d", fr.Timestamp)
	}
	if j.late != 3 {
		t.Errorf("late %d, want 3", j.late)
	}
}
