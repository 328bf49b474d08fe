package rtp

import (
	"sync"
	"testing"
	"time"
)

// TestSessionPromptThenRealtime plays a prompt (frames written as fast as
// WriteFrame takes them, as Playback does) and then writes one frame
// every 20 ms with a few milliseconds of jitter, as a frame bridge's pump
// does with what a phone sends. The real-time frames must reach the far
// end as one talkspurt: no new marker, no timestamp jump, none lost.
// Only a stall of the test machine itself (a write or a packet far later
// than jitter explains) may start a new talkspurt.
func TestSessionPromptThenRealtime(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pause time.Duration // between the prompt's last write and the first real-time one
		drain bool          // the prompt's writer waits for Drain, as Playback does
		// maxLatency bounds the real-time frames' latency, write to
		// arrival, once the writer has settled; 0: not checked (a prompt
		// left queued delays them by its backlog, about 100 ms).
		maxLatency time.Duration
	}{
		{"prompt queued", 0, false, 0},
		{"prompt drained", 150 * time.Millisecond, false, 0},
		{"prompt drained by Drain", 0, true, 40 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alloc := testAllocator(t, 2)
			l := newTestLeg(t, alloc, LegOptions{})
			ph := newPhone(t)
			l.SetRemote(ph.addr())
			s := ulawSession(t, l)

			const prompt, live = 10, 60
			var mu sync.Mutex
			var stalled [live]bool // the writer came far later than its jitter
			var wrote [live]time.Time
			done := make(chan struct{})
			go func() {
				defer close(done)
				for range prompt {
					if err := s.WriteFrame(ulawFrame(1)); err != nil {
						t.Error(err)
						return
					}
				}
				if tc.drain {
					s.Drain()
					if st := s.Stats(); st.PacketsOut != prompt {
						t.Errorf("Drain returned with %d of the prompt's %d frames sent", st.PacketsOut, prompt)
					}
				}
				time.Sleep(tc.pause)
				start := time.Now()
				for i := range live {
					// Every third frame comes 6 ms late: more than the
					// pacer's lead, less than a frame.
					at := start.Add(time.Duration(i) * 20 * time.Millisecond)
					if i%3 == 1 {
						at = at.Add(6 * time.Millisecond)
					}
					time.Sleep(time.Until(at))
					mu.Lock()
					stalled[i] = time.Since(at) > 8*time.Millisecond
					wrote[i] = time.Now()
					mu.Unlock()
					if err := s.WriteFrame(ulawFrame(byte(100 + i))); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			type rx struct {
				i      int
				marker bool
				ts     uint32
				seq    uint16
				at     time.Time
			}
			var got []rx
			for len(got) < live {
				pkt, _, ok := ph.recv(2 * time.Second)
				if !ok {
					break
				}
				p := mustParse(t, pkt)
				if p.Payload[0] < 100 {
					continue // the prompt
				}
				got = append(got, rx{int(p.Payload[0]) - 100, p.Marker, p.Timestamp, p.SequenceNumber, time.Now()})
			}
			<-done
			if len(got) != live {
				t.Fatalf("%d of %d real-time frames sent", len(got), live)
			}
			mu.Lock()
			defer mu.Unlock()
			var lat time.Duration
			for _, r := range got {
				lat = max(lat, r.at.Sub(wrote[r.i]))
			}
			t.Logf("last frame's latency %v, longest %v", got[live-1].at.Sub(wrote[live-1]), lat)
			if tc.maxLatency > 0 {
				// The shortest latency: a prompt's backlog left queued
				// delays every later frame by it (nothing drains a queue
				// a writer keeps at its level), while a stall of a
				// loaded machine delays some frames, not all.
				low := time.Hour
				for _, r := range got {
					low = min(low, r.at.Sub(wrote[r.i]))
				}
				if low > tc.maxLatency {
					t.Errorf("real-time frames after a drained prompt: shortest latency %v, want at most %v", low, tc.maxLatency)
				}
			}
			breaks, excused := 0, 0
			for k := 1; k < live; k++ {
				c, p := got[k], got[k-1]
				if c.i != p.i+1 || c.seq != p.seq+1 {
					t.Fatalf("frame %d (seq %d) after frame %d (seq %d)", c.i, c.seq, p.i, p.seq)
				}
				if !c.marker && c.ts-p.ts == 160 {
					continue
				}
				if stalled[c.i] || stalled[p.i] || c.at.Sub(p.at) > 40*time.Millisecond {
					excused++
					continue
				}
				breaks++
				t.Logf("frame %d: marker %v, timestamp +%d", c.i, c.marker, c.ts-p.ts)
			}
			if breaks > 0 {
				t.Errorf("%d new talkspurts among %d real-time frames (%d more on a stalled machine)", breaks, live, excused)
			}
		})
	}
}

// TestSessionLateFrameAndPause: a frame that comes a few milliseconds
// after its talkspurt ran dry carries it on (timestamp +160, no marker);
// one that comes after a real pause, longer than Asterisk's timestamp
// skew, starts a new talkspurt, marked, its timestamp moved on by the
// pause.
func TestSessionLateFrameAndPause(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{})
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s := ulawSession(t, l)

	_ = s.WriteFrame(ulawFrame(7))
	prev := mustParse(t, ph.mustRecv())
	for _, tc := range []struct {
		pause    time.Duration // after the previous frame left
		marker   bool
		min, max uint32 // timestamp advance
	}{
		{25 * time.Millisecond, false, 160, 160},
		{40 * time.Millisecond, false, 160, 160},
		{300 * time.Millisecond, true, 8 * 250, 8 * 700},
	} {
		time.Sleep(tc.pause)
		start := time.Now()
		if err := s.WriteFrame(ulawFrame(7)); err != nil {
			t.Fatal(err)
		}
		p := mustParse(t, ph.mustRecv())
		if time.Since(start) > 30*time.Millisecond && !tc.marker {
			// The machine stalled between writing and sending: the
			// pacer may rightly have moved the timeline on.
			t.Logf("after %v: stalled, not judged", tc.pause)
		} else if d := p.Timestamp - prev.Timestamp; p.Marker != tc.marker || d < tc.min || d > tc.max {
			t.Errorf("after a pause of %v: marker %v, timestamp +%d; want marker %v, +%d..%d", tc.pause, p.Marker, d, tc.marker, tc.min, tc.max)
		}
		if p.SequenceNumber != prev.SequenceNumber+1 {
			t.Errorf("after a pause of %v: seq %d after %d", tc.pause, p.SequenceNumber, prev.SequenceNumber)
		}
		prev = p
	}
}
