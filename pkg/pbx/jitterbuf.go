package pbx

import (
	"sort"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// This file is the read-side jitter buffer JITTERBUFFER() puts on a
// channel (Asterisk's abstract_jb framehook): voice read from the driver
// is held and handed to the reader at its playout time, the arrival time
// of the stream's first frame plus the frame's timestamp plus the
// buffer's delay, so the reader (a bridge, a recording, a conference)
// gets it evenly spaced whatever jitter the network added.
//
//   - fixed: the delay is max_size (fixedjitterbuf.c). A frame whose
//     playout time has passed is dropped, unless its timestamp is more
//     than resync_threshold away from where the stream was, which starts
//     the buffer over on it (a new talker, a timestamp jump).
//   - adaptive: the same playout, with a delay that follows the measured
//     jitter: jitterbuf.c's estimate (the spread of the last 500 frames'
//     transit times, the top 3 % left out) plus target_extra, capped at
//     max_size. It grows at once and shrinks by at most a frame's length
//     per frame. jitterbuf.c's interpolation of lost frames is not done:
//     a gap stays a gap.
//
// A DTMF frame read forces a resync, as abstract_jb does. A channel with a
// jitter buffer never stays in the driver's native relay (see
// JitterBuffered), where the core sees no frame.

// JitterBufferConfig is one JITTERBUFFER() setting.
type JitterBufferConfig struct {
	Impl            string // "fixed" or "adaptive"
	MaxSize         time.Duration
	ResyncThreshold time.Duration
	TargetExtra     time.Duration // adaptive only
}

// DefaultJitterBuffer is ast_jb_conf_default: fixed, 200 ms, resync at
// 1000 ms, 40 ms target extra.
func DefaultJitterBuffer() JitterBufferConfig {
	return JitterBufferConfig{Impl: "fixed", MaxSize: 200 * time.Millisecond,
		ResyncThreshold: 1000 * time.Millisecond, TargetExtra: 40 * time.Millisecond}
}

// SetJitterBuffer puts a jitter buffer on the channel's read side, in
// place of any earlier one; nil removes it (frames still held are handed
// over at once by the next reads).
func (c *Channel) SetJitterBuffer(cfg *JitterBufferConfig) {
	var jb *jitterBuf
	if cfg != nil {
		jb = newJitterBuf(*cfg)
	}
	old := c.media.jb.Swap(jb)
	if old != nil && jb == nil {
		// What the old buffer held is not lost: it is read next.
		c.media.mu.Lock()
		c.media.jbLeft = append(c.media.jbLeft, old.drain()...)
		c.media.jbLeftN.Store(int32(len(c.media.jbLeft)))
		c.media.mu.Unlock()
	}
	if (old == nil) != (jb == nil) {
		c.post(Event{Kind: EventMediaChange})
	}
}

// JitterBuffer returns the channel's jitter buffer setting, nil without.
func (c *Channel) JitterBuffer() *JitterBufferConfig {
	jb := c.media.jb.Load()
	if jb == nil {
		return nil
	}
	cfg := jb.cfg
	return &cfg
}

// JitterBuffered reports whether the channel's reads go through a jitter
// buffer: its bridge must then carry frames, not the native relay.
func (c *Channel) JitterBuffered() bool { return c.media.jb.Load() != nil }

// jbHistory is jitterbuf.c's JB_HISTORY_SZ; jbDropPercent its
// JB_HISTORY_DROPPCT.
const (
	jbHistory     = 500
	jbDropPercent = 3
)

type jbEntry struct {
	fr  media.Frame
	ts  time.Duration // the frame's timestamp from the stream's first
	due time.Time
}

// jitterBuf is one channel's buffer; its methods are called by the
// channel's reader and guard themselves.
type jitterBuf struct {
	cfg JitterBufferConfig

	mu      sync.Mutex
	started bool
	ts0     uint32
	rate    int
	rxcore  time.Time     // arrival time the timestamps count from
	delay   time.Duration // the playout delay in force
	next    time.Time     // when the last frame handed over ends
	resync  bool          // forced (a digit was read)
	queue   []jbEntry     // by timestamp

	transits []time.Duration // adaptive: the last frames' transit times
	tpos     int

	late, resyncs uint64
}

func newJitterBuf(cfg JitterBufferConfig) *jitterBuf {
	j := &jitterBuf{cfg: cfg, delay: cfg.MaxSize}
	if cfg.Impl == "adaptive" {
		j.delay = cfg.TargetExtra
		if j.delay > cfg.MaxSize {
			j.delay = cfg.MaxSize
		}
	}
	return j
}

// frameTS is fr's timestamp from the first frame's, as a duration.
func (j *jitterBuf) frameTS(fr media.Frame) time.Duration {
	d := int64(int32(fr.Timestamp - j.ts0))
	return time.Duration(d) * time.Second / time.Duration(j.rate)
}

// put takes a voice frame that arrived at now.
func (j *jitterBuf) put(fr media.Frame, now time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if fr.Format == nil || fr.Format.SampleRate <= 0 {
		return
	}
	if !j.started || j.resync || fr.Format.SampleRate != j.rate {
		j.restart(fr, now)
	}
	ts := j.frameTS(fr)
	if j.cfg.Impl == "adaptive" {
		j.adapt(now.Sub(j.rxcore) - ts)
	}
	due := j.rxcore.Add(j.delay + ts)
	switch {
	case due.Before(j.next) || due.Before(now.Add(-j.cfg.MaxSize)):
		// Too late for its place. A frame far from where the stream was
		// is a jump (a new source): start over on it; else drop it.
		off := now.Sub(j.rxcore) - ts
		if off < -j.cfg.ResyncThreshold || off > j.cfg.ResyncThreshold {
			j.restart(fr, now)
			ts, due = 0, now.Add(j.delay)
		} else {
			j.late++
			return
		}
	case due.After(now.Add(j.delay + j.cfg.ResyncThreshold)):
		// Far in the future: a timestamp jump forwards.
		j.restart(fr, now)
		ts, due = 0, now.Add(j.delay)
	}
	e := jbEntry{fr: fr, ts: ts, due: due}
	i := sort.Search(len(j.queue), func(i int) bool { return j.queue[i].ts >= ts })
	if i < len(j.queue) && j.queue[i].ts == ts {
		return // a duplicate
	}
	j.queue = append(j.queue, jbEntry{})
	copy(j.queue[i+1:], j.queue[i:])
	j.queue[i] = e
}

// restart makes fr the stream's new origin; what was held is dropped, as
// a resync of fixedjitterbuf.c drops it. j.mu is held.
func (j *jitterBuf) restart(fr media.Frame, now time.Time) {
	if j.started {
		j.resyncs++
	}
	j.started, j.resync = true, false
	j.ts0, j.rate = fr.Timestamp, fr.Format.SampleRate
	j.rxcore = now
	j.next = time.Time{}
	j.queue = j.queue[:0]
	j.transits = j.transits[:0]
	j.tpos = 0
}

// adapt records one transit time and moves the delay towards the
// estimated jitter plus target_extra. j.mu is held.
func (j *jitterBuf) adapt(transit time.Duration) {
	if len(j.transits) < jbHistory {
		j.transits = append(j.transits, transit)
	} else {
		j.transits[j.tpos] = transit
		j.tpos = (j.tpos + 1) % jbHistory
	}
	sorted := append([]time.Duration(nil), j.transits...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
	top := len(sorted) - 1 - len(sorted)*jbDropPercent/100
	jitter := sorted[top] - sorted[0]
	target := jitter + j.cfg.TargetExtra
	if target > j.cfg.MaxSize {
		target = j.cfg.MaxSize
	}
	switch {
	case target > j.delay:
		j.delay = target
	case target < j.delay:
		step := 20 * time.Millisecond
		if j.delay-target < step {
			step = j.delay - target
		}
		j.delay -= step
	}
}

// forceResync is abstract_jb's reaction to a digit.
func (j *jitterBuf) forceResync() {
	j.mu.Lock()
	j.resync = true
	j.mu.Unlock()
}

// pop returns the first frame whose playout time has come.
func (j *jitterBuf) pop(now time.Time) (media.Frame, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	// Frames whose time passed long ago (nobody read the channel for a
	// while) are stale: dropped rather than handed over in a burst.
	for len(j.queue) > 0 && now.Sub(j.queue[0].due) > j.cfg.MaxSize {
		j.queue = j.queue[1:]
		j.late++
	}
	if len(j.queue) == 0 || j.queue[0].due.After(now) {
		return media.Frame{}, false
	}
	e := j.queue[0]
	j.queue = j.queue[1:]
	j.next = e.due.Add(e.fr.Format.Duration(e.fr.Samples))
	return e.fr, true
}

// nextDue is when the first held frame is due.
func (j *jitterBuf) nextDue() (time.Time, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.queue) == 0 {
		return time.Time{}, false
	}
	return j.queue[0].due, true
}

// drain empties the buffer, in order.
func (j *jitterBuf) drain() []media.Frame {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]media.Frame, 0, len(j.queue))
	for _, e := range j.queue {
		out = append(out, e.fr)
	}
	j.queue = nil
	return out
}
