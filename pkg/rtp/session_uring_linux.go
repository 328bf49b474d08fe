//go:build linux

package rtp

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"time"
	"unsafe"

	"github.com/pion/rtp"
	"golang.org/x/sys/unix"
)

// The io_uring receive side of terminating sessions, built like the relay
// engine's loop (engine_uring_linux.go): every session socket has one
// multishot recvmsg armed into a ring of provided buffers, and one
// io_uring_enter per round collects the datagrams of all of them, where
// the epoll loop pays an epoll_wait share and a recvfrom for each packet.
// The ring has no sends (the pacers send on their own rings), so a buffer
// goes back to the kernel as soon as its packet has been handed to the
// session: the payload is copied out (copyPayload) and SRTP is undone in
// place.
//
// Jitter-buffer sweeps need no timerfd here: the loop looks at the clock
// every round and bounds its parks by the next sweep.

const (
	sessRingEntries  = 256  // submissions are only arms and cancels
	sessRingCQ       = 8192 // a round's datagrams for thousands of sessions
	sessRecvBufSize  = 2048 // recvmsg header, name, control and datagram
	sessRecvBufGroup = 1
)

// sessRecvBuffers is how many provided buffers a loop has, a power of two:
// more than a round's datagrams under load (a receive that finds none
// left ends and is armed again). Tests shrink it.
var sessRecvBuffers = 2048

// sessUring is a receive loop's io_uring state, owned by its goroutine.
type sessUring struct {
	ring *uring
	bufs *bufRing
	msg  unix.Msghdr // template of the receives: name and control sizes
	// The eventfd the kernel signals when the ring has work; parks wait
	// for it (edge-triggered) in the loop's epoll set.
	wakeFD    int
	wakeBuf   [8]byte
	woken     func(fd uintptr) bool // made once: a closure per park would allocate
	wokenEv   [1]unix.EpollEvent
	from      rawAddr
	hdr       rtp.Header
	now       int64
	nextSweep int64
	dirty     bool // buffers handed back since the last publish
	// rearm are the sessions whose receive ended in this round's reap
	// and must be armed again after it.
	rearm []*Session
	// round counts the loop's rounds; a session's rxRound is the last
	// one that gave it a datagram (see rearmUring).
	round uint64
	quit  bool
	err   error
}

// runUring runs the loop on io_uring until told to quit or the ring
// fails. It returns an error wrapping errUringUnsupported, before running
// any request, when the ring cannot be set up; run then uses epoll.
func (l *recvLoop) runUring() error {
	err := l.setupUring()
	if err != nil && !errors.Is(err, errUringUnsupported) {
		// Nothing has run yet, so whatever failed, epoll can take over.
		err = fmt.Errorf("%w: %w", errUringUnsupported, err)
	}
	return err
}

func (l *recvLoop) setupUring() error {
	// The ring is single-issuer: set up, submitted to and reaped by this
	// thread only.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ring, err := newUring(sessRingEntries, sessRingCQ)
	if err != nil {
		return err
	}
	bufs, err := newBufRing(ring, sessRecvBufGroup, sessRecvBuffers, sessRecvBufSize, sessRecvBufSize)
	if err != nil {
		ring.close()
		return err
	}
	// The ring goes first: once it is closed the kernel fills no buffer.
	defer bufs.close()
	defer ring.close()
	u := &sessUring{ring: ring, bufs: bufs}
	u.msg.Namelen = uringNameLen
	u.msg.SetControllen(uringControlLen)
	if err := probeMultishotRecv(ring, &u.msg, bufs.group); err != nil {
		return err
	}
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("%w: eventfd: %w", errUringUnsupported, err)
	}
	defer unix.Close(fd)
	if err := ring.registerEventfd(fd); err != nil {
		return err
	}
	ring.signal(false)
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: wakeSlot}); err != nil {
		return fmt.Errorf("%w: epoll_ctl uring eventfd: %w", errUringUnsupported, err)
	}
	defer unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, fd, nil) //nolint:errcheck // the set goes with the loop
	u.wakeFD = fd
	u.woken = func(fd uintptr) bool {
		n, err := unix.EpollWait(int(fd), u.wokenEv[:], 0)
		return n > 0 || (err != nil && err != unix.EINTR)
	}
	l.u = u
	l.onUring.Store(true)
	defer func() { l.u = nil }()
	l.loopUring()
	if u.err != nil {
		// Not errUringUnsupported: requests have run.
		return fmt.Errorf("rtp: session receive ring: %w", u.err)
	}
	return nil
}

// loopUring receives until told to quit. Requests run after the
// completions reaped in the same round, so none of those names a slot a
// removal frees; a removed session's slot is freed only when its
// cancelled receive has ended, so no later completion names it either.
func (l *recvLoop) loopUring() {
	u := l.u
	busy := 0
	for !u.quit && u.err == nil {
		if busy++; busy%yieldRounds == 0 {
			// Let the SIP goroutines in between rounds (see drain).
			runtime.Gosched()
		}
		if u.dirty {
			u.bufs.publish()
			u.dirty = false
		}
		if err := u.ring.enter(0); err != nil {
			u.err = err
			return
		}
		u.now = time.Now().UnixNano()
		u.round++
		n := l.reapUring()
		l.rearmUring()
		if l.queued.Load() && l.controlUring() {
			return
		}
		if l.live > 0 && u.now >= u.nextSweep {
			for _, s := range l.slots {
				if s != nil {
					s.tick(u.now)
				}
			}
			u.nextSweep = u.now + int64(recvSweep)
		}
		if n == 0 && u.ring.tail == u.ring.submitted {
			l.idleUring()
			busy = 0
		}
	}
}

// idleUring parks until the kernel queues work for the ring, a request
// arrives, or the next jitter-buffer sweep is due (see the relay's idle
// for why it parks in Go's poller and not in io_uring_enter).
func (l *recvLoop) idleUring() {
	u := l.u
	u.ring.signal(true)
	defer u.ring.signal(false)
	_, _ = unix.Read(u.wakeFD, u.wakeBuf[:])
	// A request's wake-up may have been written after a busy round ran
	// it; left unread it would end every park at once.
	_, _ = unix.Read(l.evfd, l.ctlBuf[:])
	if err := u.ring.enter(0); err != nil {
		u.err = err
		return
	}
	if *u.ring.cqHead != loadAcquire(u.ring.cqTail) || l.queued.Load() {
		return
	}
	wait := idleCheck
	if l.live > 0 {
		wait = min(wait, time.Duration(u.nextSweep-time.Now().UnixNano()))
		if wait <= 0 {
			return
		}
	}
	_ = l.file.SetReadDeadline(time.Now().Add(wait))
	_ = l.rc.Read(u.woken)
}

// reapUring handles the completions posted before it started and says
// how many. It makes one pass: the round's work stays bounded however
// fast datagrams come (with requests, sweeps and yields in between), and
// nothing in it submits, so nothing it does posts more.
func (l *recvLoop) reapUring() int {
	r := l.u.ring
	head := *r.cqHead
	tail := loadAcquire(r.cqTail)
	n := int(tail - head)
	for ; head != tail; head++ {
		c := r.cqes[head&r.cqMask]
		if c.userData&udKindMask == udRecv {
			l.receivedUring(c)
		}
		// udCancel: only failures are posted (the receive had ended
		// already, and its own completion said so).
	}
	storeRelease(r.cqHead, head)
	return n
}

// rearmUring arms again the receives that ended in the reap (out of
// buffers, or a transient error), once the buffers handed back in it are
// published, so the new receives find them. Under overload the first
// receives submitted take every buffer their sockets can fill and the
// rest run out again, so the sessions left without a datagram go first:
// none stays unread for long.
func (l *recvLoop) rearmUring() {
	u := l.u
	n := len(u.rearm)
	if n == 0 {
		return
	}
	if u.dirty {
		u.bufs.publish()
		u.dirty = false
	}
	// Those that got nothing this round first, then the others, each in
	// the order they ended: a session starved in one round is served
	// early in the next.
	for _, served := range [2]bool{false, true} {
		for _, s := range u.rearm {
			if (s.rxRound == u.round) == served && s.registered && !s.armed && !s.cancelling {
				l.armUring(s)
			}
		}
	}
	clear(u.rearm)
	u.rearm = u.rearm[:0]
}

// receivedUring hands one datagram to its session and the buffer back to
// the kernel, and queues a receive that ended to be armed again.
func (l *recvLoop) receivedUring(c uringCQE) {
	u := l.u
	slot := int32(c.userData >> udKindBits)
	var s *Session
	if slot >= 0 && int(slot) < len(l.slots) {
		s = l.slots[slot]
	}
	if c.flags&uringCQEFBuffer != 0 {
		bid := uint16(c.flags >> uringCQEBufferBit)
		if s != nil && !s.cancelling && c.res > 0 {
			l.deliverUring(s, bid, int(c.res))
		}
		u.bufs.add(bid)
		u.dirty = true
	}
	if c.flags&uringCQEFMore != 0 || s == nil {
		return
	}
	// The receive ended: cancelled, out of buffers, or an error such as a
	// peer's ICMP port unreachable on a connected socket.
	s.armed = false
	if s.cancelling {
		l.releaseUring(s)
		return
	}
	switch -c.res {
	case int32(unix.EBADF), int32(unix.ENOTSOCK), int32(unix.EINVAL), int32(unix.EOPNOTSUPP):
		// Re-arming would fail the same way at once; the session stays
		// deaf, as on a closed socket.
		return
	}
	l.u.rearm = append(l.u.rearm, s)
}

// deliverUring passes the datagram in buffer bid (n bytes of
// io_uring_recvmsg_out, name, control and payload) to s.
func (l *recvLoop) deliverUring(s *Session, bid uint16, n int) {
	u := l.u
	buf := u.bufs.buf(bid)
	if n < 16 || n > len(buf) {
		return
	}
	out := (*struct{ namelen, controllen, payloadlen, flags uint32 })(unsafe.Pointer(&buf[0]))
	if out.flags&unix.MSG_TRUNC != 0 {
		return
	}
	start := 16 + uringNameLen + uringControlLen
	end := start + int(out.payloadlen)
	if end > n {
		return
	}
	copy((*[uringNameLen]byte)(unsafe.Pointer(&u.from.sa))[:], buf[16:16+uringNameLen])
	if s.wildcard && out.controllen > 0 {
		s.arrivedAt = pktinfoDst(buf[16+uringNameLen : 16+uringNameLen+min(int(out.controllen), uringControlLen)])
	}
	s.rxRound = u.round
	s.receive(buf[start:end], u.from.addrPort(), u.now, &u.hdr)
}

// armUring arms s's multishot receive.
func (l *recvLoop) armUring(s *Session) {
	u := l.u
	if err := armMultishotRecv(u.ring, s.fd, &u.msg, u.bufs.group, uint64(s.slot)<<udKindBits|udRecv); err != nil {
		u.err = err
		return
	}
	s.armed = true
}

// controlUring runs queued requests; true when the loop must end.
func (l *recvLoop) controlUring() bool {
	u := l.u
	q := l.takeQueue()
	for _, r := range q {
		switch {
		case r.quit != nil:
			u.quit = true
			close(r.quit)
		case r.add:
			l.registerUring(r.s)
		default:
			l.unregisterUring(r.s)
		}
	}
	return u.quit
}

// registerUring gives s a slot and arms its receive.
func (l *recvLoop) registerUring(s *Session) {
	slot := l.takeSlot()
	l.slots[slot] = s
	s.slot, s.registered, s.armed, s.cancelling = slot, true, false, false
	s.arrivedAt = netip.Addr{}
	l.live++
	if l.live == 1 {
		l.u.nextSweep = time.Now().UnixNano() + int64(recvSweep)
	}
	l.armUring(s)
}

// unregisterUring cancels s's receive; s is let go of when the receive
// has ended (at once when none is armed).
func (l *recvLoop) unregisterUring(s *Session) {
	if !s.registered || s.cancelling {
		return
	}
	if !s.armed {
		l.releaseUring(s)
		return
	}
	u := l.u
	c, err := u.ring.sqe()
	if err != nil {
		u.err = err
		return
	}
	c.opcode = uringOpAsyncCancel
	c.addr = uint64(s.slot)<<udKindBits | udRecv
	c.flags = uringSqeCQESkipSuccess
	c.userData = udCancel
	s.cancelling = true
}

// releaseUring frees s's slot and lets go of s: the kernel holds no
// receive on its socket any more.
func (l *recvLoop) releaseUring(s *Session) {
	l.slots[s.slot] = nil
	l.free = append(l.free, s.slot)
	s.registered, s.armed, s.cancelling = false, false, false
	l.live--
	s.finishRecv()
}
