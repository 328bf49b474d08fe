package rtp

import (
	"sync/atomic"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// jitterDepth is how many packets the read side holds back waiting for a
// missing one: a packet overtaken by up to two later ones is put back in
// order; beyond that the gap counts as loss and reading goes on.
const jitterDepth = 3

// jitterSlots is the ring the held packets wait in, a power of two above
// jitterDepth so held sequence numbers never share a slot.
const jitterSlots = 4

// jitterBuffer reorders voice packets by sequence number within a small
// window. It never waits for a lost packet longer than jitterDepth later
// packets, or than the session's flush timeout (flushOld), so a lost
// packet costs at most a frame or two of delay and no blocking.
type jitterBuffer struct {
	started bool
	ssrc    uint32
	next    uint16 // sequence number of the next packet to hand out
	held    int
	// heldSince is when the oldest held packet arrived (unix ns).
	heldSince int64
	slots     [jitterSlots]jitterEntry

	late, dups, lost atomic.Uint64
}

type jitterEntry struct {
	used bool
	seq  uint16
	fr   media.Frame
}

// push takes one voice packet and hands out, through emit, every frame
// now in order.
func (j *jitterBuffer) push(ssrc uint32, seq uint16, fr media.Frame, now int64, emit func(media.Frame)) {
	if !j.started || ssrc != j.ssrc {
		// A new source (re-INVITE, transfer): what was held belongs to
		// the old one.
		j.flush(emit)
		j.started, j.ssrc, j.next = true, ssrc, seq
	}
	d := int16(seq - j.next)
	switch {
	case d < -256:
		// Far behind: the sender restarted its sequence. Start over
		// rather than dropping everything until it catches up.
		j.flush(emit)
		j.next = seq
	case d < 0:
		j.late.Add(1)
		return
	}
	d = int16(seq - j.next)
	if d == 0 {
		emit(fr)
		j.next++
		j.drain(emit)
		return
	}
	if d >= jitterDepth {
		// Too far ahead for the window: whatever is missing before it is
		// lost. Hand out what is held, then this packet.
		j.flush(emit)
		j.lost.Add(uint64(uint16(seq - j.next)))
		j.next = seq
		emit(fr)
		j.next++
		return
	}
	e := &j.slots[seq%jitterSlots]
	if e.used {
		j.dups.Add(1)
		return
	}
	*e = jitterEntry{used: true, seq: seq, fr: fr}
	if j.held == 0 {
		j.heldSince = now
	}
	j.held++
}

// drain hands out held packets that are now next in sequence.
func (j *jitterBuffer) drain(emit func(media.Frame)) {
	for j.held > 0 {
		e := &j.slots[j.next%jitterSlots]
		if !e.used || e.seq != j.next {
			return
		}
		fr := e.fr
		*e = jitterEntry{}
		j.held--
		emit(fr)
		j.next++
	}
}

// flush gives up on the missing packets and hands out everything held, in
// sequence order.
func (j *jitterBuffer) flush(emit func(media.Frame)) {
	for j.held > 0 {
		// The nearest held packet is at most jitterDepth-1 ahead.
		e := &j.slots[j.next%jitterSlots]
		if e.used && e.seq == j.next {
			fr := e.fr
			*e = jitterEntry{}
			j.held--
			emit(fr)
		} else {
			j.lost.Add(1)
		}
		j.next++
	}
}

// flushOld flushes when the oldest held packet has waited longer than
// maxWait nanoseconds: the stream paused right after a loss.
func (j *jitterBuffer) flushOld(now, maxWait int64, emit func(media.Frame)) {
	if j.held > 0 && now-j.heldSince > maxWait {
		j.flush(emit)
	}
}
