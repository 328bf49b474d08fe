//go:build linux

package rtp

import (
	"net/netip"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// txSlots is how many packets a pacer queues on its ring before it must
// submit them; a tick's sends usually fit, a burst is submitted in parts.
const txSlots = 256

// txSlotSize holds any voice packet a session builds, SRTP tag included.
const txSlotSize = bufSize

// txRing batches a pacer's sends on an io_uring: every packet due in a
// pass over the wheel is queued as a send, and one io_uring_enter hands
// them all to the kernel, where sendto would enter it once per packet
// (most of the pacer's CPU is spent in those sends).
//
// Every queued send holds its socket open until its completion comes
// back: the rare send that must wait in the kernel (a full socket buffer)
// must not have its descriptor number reused by a leg closed meanwhile. The ring is not
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
			continue
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

// busy reports queued sends whose completions have not been reaped: the
// pacer keeps visiting the ring until they have, which releases their
// sockets.
func (r *txRing) busy() bool { return r != nil && len(r.free) < txSlots }
