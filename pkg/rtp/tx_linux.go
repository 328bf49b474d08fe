//go:build linux

package rtp

import (
	"net/netip"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// txSlots is how many packets a pacer may have on its ring at once: the
// sends of the ticks it prepared ahead (see pacerLead) and of the tick it
// is in. A tick's sends usually fit many times over; a burst that does not
// is submitted in parts, and what still finds no slot is sent at once.
const txSlots = 1024

// txTimers is how many chains' release times the ring keeps until they
// are submitted; the pacer opens at most pacerLead chains between two
// submissions.
const txTimers = 8

// txTimerTag marks the completion of a chain's timeout, which frees no slot.
const txTimerTag = ^uint64(0)

// txSlotSize holds any voice packet a session builds, SRTP tag included.
const txSlotSize = bufSize

// txRing batches a pacer's sends on an io_uring: every packet due in a
// pass over the wheel is queued as a send, and one io_uring_enter hands
// them all to the kernel, where sendto would enter it once per packet
// (most of the pacer's CPU is spent in those sends).
//
// The sends of a tick the pacer prepares ahead are chained behind a
// timeout that expires at the tick: the kernel's timer, not the pacer's
// wake-up, decides when they leave, so a pacer that wakes a millisecond
// or two late (a garbage collection, a busy CPU) still sends on time.
// Hard links keep the chain going past the timeout's -ETIME and past a
// send that fails. Every queued send holds its socket open until its
// completion comes back: a leg closed meanwhile must not have its
// descriptor number reused under a send still waiting in the kernel. The ring is not
// single-issuer, so the pacer's goroutine is not locked to a thread: a
// locked goroutine that sleeps between ticks costs two thread switches
// a millisecond (its thread and the one running the players). Where
// io_uring is missing or refused, or GOSTRISK_RTP_ENGINE=epoll, the
// pacer has no ring and sends with sendto.
type txRing struct {
	ring  *uring
	data  []byte // txSlots buffers of txSlotSize
	slots [txSlots]txSlot
	free  []uint16

	// The open chain, if any: the SQE that ends it (the timeout itself
	// while no send follows), its release time, and the ring's submitted
	// count when it opened (a submission in between splits it).
	chainEnd *uringSQE
	chainAt  int64
	chainSub uint32
	timers   [txTimers]unix.Timespec
	nextTmr  int
}

// txSlot is one queued packet: its bytes in data, its destination, and
// the session whose counters it is in, to take it out if the send fails.
type txSlot struct {
	s  *Session
	pp *PortPair // held until the completion
	n  uint32
	to rawAddr
}

// openTxRing sets up the pacer's ring; nil when io_uring cannot be used.
func openTxRing() *txRing {
	if !useUring.Load() {
		return nil
	}
	ring, err := newSendUring(txSlots, 2*txSlots)
	if err != nil {
		return nil
	}
	r := &txRing{ring: ring, data: make([]byte, txSlots*txSlotSize), free: make([]uint16, 0, txSlots)}
	for i := txSlots - 1; i >= 0; i-- {
		r.free = append(r.free, uint16(i))
	}
	return r
}

// close waits (briefly) for the sends the kernel still holds, releases
// the ring, and lets go of the sockets the sends held: a send the ring's
// end cancelled will not run.
func (r *txRing) close() {
	if r == nil {
		return
	}
	r.endChain()
	for deadline := time.Now().Add(100 * time.Millisecond); r.busy() && time.Now().Before(deadline); {
		r.flush()
		if r.busy() {
			time.Sleep(pacerTick)
		}
	}
	r.ring.close()
	for i := range r.slots {
		sl := &r.slots[i]
		if sl.s != nil {
			sl.s.txInflight.Add(-1)
		}
		if sl.pp != nil {
			_ = sl.pp.release()
		}
		sl.s, sl.pp = nil, nil
	}
}

// queue copies pkt into a free slot and queues its send to t; false when
// the packet could not be queued (the caller sends it itself). The
// caller holds s.mu and has counted the packet.
func (r *txRing) queue(s *Session, pkt []byte, t *netip.AddrPort) bool {
	if r == nil || len(pkt) == 0 || len(pkt) > txSlotSize {
		return false
	}
	if len(r.free) == 0 {
		r.flush()
		if len(r.free) == 0 {
			return false
		}
	}
	if r.chainEnd != nil && (r.ring.submitted != r.chainSub || r.ring.room() < 2) {
		// The chain's head went to the kernel without this send behind
		// it, or is about to: open a new one for the same time.
		at := r.chainAt
		r.endChain()
		r.startChain(at)
	}
	id := r.free[len(r.free)-1]
	sl := &r.slots[id]
	linked := s.leg.link.peer.Load() == t
	if !linked {
		if t != s.lastTarget {
			s.lastTarget = t
			s.toOK = s.to.set(*t, s.family)
		}
		if !s.toOK {
			return false
		}
		sl.to = s.to
	}
	sqe, err := r.ring.sqe()
	if err != nil {
		return false
	}
	r.free = r.free[:len(r.free)-1]
	buf := r.data[int(id)*txSlotSize : int(id)*txSlotSize+len(pkt)]
	copy(buf, pkt)
	s.leg.pp.hold()
	s.txInflight.Add(1)
	sl.s, sl.pp, sl.n = s, s.leg.pp, uint32(len(pkt))
	if r.chainEnd != nil {
		r.chainEnd.flags |= uringSqeIOHardlink
		r.chainEnd = sqe
	}
	sqe.opcode = uringOpSend
	sqe.fd = int32(s.sfd)
	sqe.addr = uint64(uintptr(unsafe.Pointer(&buf[0])))
	sqe.len = uint32(len(pkt))
	sqe.opFlags = unix.MSG_DONTWAIT
	sqe.userData = uint64(id)
	if !linked {
		sqe.addr2 = uint64(uintptr(unsafe.Pointer(&sl.to.sa)))
		sqe.addrLen = uint16(sl.to.len)
	}
	return true
}

// flush submits the queued sends and collects the completions there are,
// freeing their slots; a failed send is taken back out of the counters.
func (r *txRing) flush() {
	if r == nil {
		return
	}
	if r.ring.tail != r.ring.submitted || len(r.free) < txSlots {
		_ = r.ring.enter(0)
	}
	u := r.ring
	head := *u.cqHead
	for tail := loadAcquire(u.cqTail); head != tail; head++ {
		c := u.cqes[head&u.cqMask]
		if c.userData >= txSlots {
			continue // a chain's timeout
		}
		id := uint16(c.userData)
		sl := &r.slots[id]
		if sl.s != nil {
			if c.res < 0 {
				sl.s.uncount(uint64(sl.n))
			}
			sl.s.txInflight.Add(-1)
		}
		if sl.pp != nil {
			_ = sl.pp.release()
		}
		sl.s, sl.pp = nil, nil
		r.free = append(r.free, id)
	}
	storeRelease(u.cqHead, head)
}

// timed reports whether sends can be held back until a given time.
func (r *txRing) timed() bool { return r != nil }

// busy reports queued sends whose completions have not been reaped: the
// pacer keeps visiting the ring until they have, which releases their
// sockets.
func (r *txRing) busy() bool { return r != nil && len(r.free) < txSlots }

// startChain makes the sends queued until endChain leave when the
// monotonic clock reaches at (ns); without a ring, or with its submission
// queue full, they leave at once.
func (r *txRing) startChain(at int64) {
	if r == nil {
		return
	}
	r.endChain()
	if r.ring.room() < 2 {
		_ = r.ring.enter(0)
	}
	sqe, err := r.ring.sqe()
	if err != nil {
		return
	}
	ts := &r.timers[r.nextTmr]
	r.nextTmr = (r.nextTmr + 1) % txTimers
	*ts = unix.NsecToTimespec(at)
	sqe.opcode = uringOpTimeout
	sqe.addr = uint64(uintptr(unsafe.Pointer(ts)))
	sqe.len = 1
	sqe.opFlags = uringTimeoutAbs
	sqe.userData = txTimerTag
	r.chainEnd, r.chainAt, r.chainSub = sqe, at, r.ring.submitted
}

// endChain closes the open chain; a timeout that no send followed is
// taken back if it is still unsubmitted.
func (r *txRing) endChain() {
	if r == nil || r.chainEnd == nil {
		return
	}
	u := r.ring
	if r.chainEnd.opcode == uringOpTimeout && u.tail != u.submitted && &u.sqes[(u.tail-1)&u.sqMask] == r.chainEnd {
		u.tail--
	} else {
		r.chainEnd.flags &^= uringSqeIOHardlink
	}
	r.chainEnd = nil
}

// monotonicNow reads the clock the chains' timeouts are set on.
func monotonicNow() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
