//go:build linux

package rtp

import (
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The io_uring relay loop. Each bridged socket has one multishot receive
// armed: the kernel reads its datagrams into provided buffers as they
// come, and the loop forwards each with a send queued on the same ring.
// One io_uring_enter per round submits the round's sends and collects the
// next datagrams, where the epoll loop makes three system calls for each
// packet (epoll_wait's share, recvfrom, sendto) and pays the socket and
// descriptor lookups of each again.
//
// It is the default where the kernel offers it; GOSTRISK_RTP_ENGINE=epoll
// selects the epoll loop (see useUring), which also runs where io_uring is
// missing or refused (old kernels, seccomp, kernel.io_uring_disabled).

const (
	uringEntries    = 1024 // submission ring; the completion ring is 8x
	uringBuffers    = 2048 // provided buffers, a power of two
	uringBufSize    = 4096 // per buffer: received datagram, then SRTP output
	uringRecvLen    = 2048 // the part of a buffer the kernel fills
	uringBufGroup   = 1
	uringNameLen    = unix.SizeofSockaddrInet6
	uringControlLen = 32 // room for one IP_PKTINFO message
)

// user_data of a completion: kind in the low bits, then a slot or buffer id.
const (
	udRecv = iota
	udSend
	udCtl
	udCancel
	udKindBits = 2
	udKindMask = 1<<udKindBits - 1
)

// useUring is whether new engines try io_uring first: unless
// GOSTRISK_RTP_ENGINE=epoll. Tests switch it to run both loops.
var useUring = func() *atomic.Bool {
	var b atomic.Bool
	b.Store(os.Getenv("GOSTRISK_RTP_ENGINE") != "epoll")
	return &b
}()

// uringLoop is an engine's io_uring state, owned by its goroutine.
type uringLoop struct {
	e    *engine
	ring *uring
	bufs *bufRing
	// The eventfd the kernel signals when the ring has work. Idle parks
	// on the engine's epoll set, which holds it and the control eventfd.
	wakeFD  int
	wakeBuf [8]byte
	woken   func(fd uintptr) bool // made once: a closure per park would allocate
	wokenEv [2]unix.EpollEvent
	msg     unix.Msghdr // template of the receives: name and control sizes
	sc      *scratch
	now     int64
	err     error
	quit    bool
	dirty   bool // buffers handed back since the last publish

	// Per buffer, the leg a queued send counts against, to take the
	// packet back out of its counters if the send fails.
	sentBy  [uringBuffers]*Leg
	sentLen [uringBuffers]uint32
	// Removed bridges whose receives have not all ended yet, and how
	// many have not.
	removing map[*Bridge]int
	// retired are bridges whose receives have ended; they are finished
	// after the next submission, since sends queued in this round may
	// still name their sockets' descriptors.
	retired []*Bridge
}

// pumpRing is a pump's io_uring part.
type pumpRing struct {
	armed      bool // a multishot receive is in the kernel
	cancelling bool
}

// runUring runs the engine on io_uring until told to quit. It returns
// errUringUnsupported, before touching any bridge, when the ring cannot
// be built; the caller then runs the epoll loop.
func (e *engine) runUring() error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var l *uringLoop
	defer func() {
		// After the ring's close (deferred below, so run before this):
		// the kernel has dropped every request on the retired sockets.
		if l != nil {
			l.finishRetired()
		}
	}()
	ring, err := newUring(uringEntries, 8*uringEntries)
	if err != nil {
		return err
	}
	defer ring.close()
	bufs, err := newBufRing(ring, uringBufGroup, uringBuffers, uringBufSize, uringRecvLen)
	if err != nil {
		return err
	}
	defer bufs.close()
	l = &uringLoop{e: e, ring: ring, bufs: bufs, sc: newScratch(), removing: map[*Bridge]int{}}
	if err := l.openWake(); err != nil {
		return err
	}
	defer unix.Close(l.wakeFD)
	l.msg.Namelen = uringNameLen
	l.msg.SetControllen(uringControlLen)
	if err := l.probe(); err != nil {
		return err
	}
	if err := l.armCtl(); err != nil {
		return err
	}
	if err := l.watchWakes(); err != nil {
		return err
	}
	defer l.unwatchWakes()
	e.ul = l
	e.onUring.Store(true)
	defer func() { e.ul = nil }()
	l.loop()
	return l.err
}

// loop relays until told to quit. With deferred task work the kernel
// receives a socket's datagrams only when this thread asks for
// completions; under load each round's io_uring_enter returns at once with
// the next batch, and when there is nothing to do the goroutine parks in
// Go's poller (idle), never in the kernel: a thread blocked in a system
// call keeps the scheduler's P until sysmon takes it back (up to 10 ms on
// a quiet process), and on a one-CPU server the SIP goroutines would wait
// that long.
func (l *uringLoop) loop() {
	// busy counts the rounds since the loop last ran dry, like drain's
	// round: only sustained load yields. A wake-up for a bridge's removal
	// takes three rounds (the request, the cancelled receive, the
	// hand-back after the next submission), and a yield among them would
	// queue the hand-back behind every runnable SIP goroutine.
	busy := 0
	for !l.quit && l.err == nil {
		if busy++; busy%yieldRounds == 0 {
			// Let the SIP goroutines in between rounds (see drain).
			runtime.Gosched()
		}
		if l.dirty {
			l.bufs.publish()
			l.dirty = false
		}
		if err := l.ring.enter(0); err != nil {
			l.err = err
			return
		}
		// Every send queued before this enter is in the kernel now, and
		// holds its socket there: retired bridges can let go of theirs.
		l.finishRetired()
		l.now = time.Now().UnixNano()
		// Sends, retirements and handed-back buffers all come from
		// completions: a round that reaped none leaves nothing to do,
		// unless the kernel took only part of the submissions.
		if l.reap() == 0 && l.ring.tail == l.ring.submitted {
			l.idle()
			busy = 0
		}
	}
}

// idleCheck bounds a park: a wake-up the kernel would not signal (none is
// known) costs at most this much delay.
const idleCheck = 20 * time.Millisecond

// idle parks until the kernel queues work for the ring or a control
// request arrives. The ring's eventfd is signalled when its pending work
// goes from none to some, so it is switched on and reset first, then the
// work queued until then is run; only if that posted nothing does the
// goroutine park.
//
// It parks on the engine's epoll set, which holds the ring's eventfd and
// the control eventfd, rather than on the ring's eventfd alone: a control
// request's write wakes the ring's poll of the control eventfd from
// inside an eventfd wake-up, where the kernel may not signal another
// eventfd and defers the ring's signal by an RCU grace period (some 15 ms
// here). Every bridge removal, and so the return of every call's ports,
// waited that long.
func (l *uringLoop) idle() {
	l.ring.signal(true)
	defer l.ring.signal(false)
	_, _ = unix.Read(l.wakeFD, l.wakeBuf[:])
	if err := l.ring.enter(0); err != nil {
		l.err = err
		return
	}
	if l.pending() {
		return
	}
	_ = l.e.file.SetReadDeadline(time.Now().Add(idleCheck))
	_ = l.e.rc.Read(l.woken)
}

// openWake creates the ring's eventfd.
func (l *uringLoop) openWake() error {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("%w: eventfd: %w", errUringUnsupported, err)
	}
	if err := l.ring.registerEventfd(fd); err != nil {
		_ = unix.Close(fd)
		return err
	}
	l.ring.signal(false)
	l.wakeFD = fd
	l.woken = func(fd uintptr) bool {
		n, err := unix.EpollWait(int(fd), l.wokenEv[:], 0)
		return n > 0 || (err != nil && err != unix.EINTR)
	}
	return nil
}

// watchWakes puts the ring's eventfd into the engine's epoll set next to
// the control eventfd, both edge-triggered: the loop resets the first
// when it parks and reads the second only when the ring reports a
// request, so level-triggered they could wake a park over and over for
// a write already seen.
func (l *uringLoop) watchWakes() error {
	e := l.e
	if err := unix.EpollCtl(e.epfd, unix.EPOLL_CTL_MOD, e.evfd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: ctlSlot}); err != nil {
		return fmt.Errorf("rtp: epoll_ctl eventfd: %w", err)
	}
	if err := unix.EpollCtl(e.epfd, unix.EPOLL_CTL_ADD, l.wakeFD, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: wakeSlot}); err != nil {
		l.unwatchWakes()
		return fmt.Errorf("rtp: epoll_ctl uring eventfd: %w", err)
	}
	return nil
}

// unwatchWakes gives the epoll set back as the epoll loop expects it.
func (l *uringLoop) unwatchWakes() {
	e := l.e
	_ = unix.EpollCtl(e.epfd, unix.EPOLL_CTL_DEL, l.wakeFD, nil)
	_ = unix.EpollCtl(e.epfd, unix.EPOLL_CTL_MOD, e.evfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: ctlSlot})
}

// pending says whether completions are already posted.
func (l *uringLoop) pending() bool {
	return *l.ring.cqHead != loadAcquire(l.ring.cqTail)
}

// probe checks that this kernel takes multishot receives into provided
// buffers (Linux 6.0), so a kernel without them gets the epoll loop rather
// than legs that never hear a packet.
func (l *uringLoop) probe() error {
	return probeMultishotRecv(l.ring, &l.msg, l.bufs.group)
}

// armRecvOn arms a multishot receive on fd.
func (l *uringLoop) armRecvOn(fd int, userData uint64) error {
	return armMultishotRecv(l.ring, fd, &l.msg, l.bufs.group, userData)
}

// probeMultishotRecv arms a multishot receive on a throwaway socket and
// cancels it: a kernel that cannot do one answers something else than the
// cancellation. Run on a fresh ring, before any other request.
func probeMultishotRecv(r *uring, msg *unix.Msghdr, group uint16) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("%w: probe socket: %w", errUringUnsupported, err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return fmt.Errorf("%w: probe bind: %w", errUringUnsupported, err)
	}
	const probeUD = 1<<32 | udRecv
	if err := armMultishotRecv(r, fd, msg, group, probeUD); err != nil {
		return err
	}
	c, err := r.sqe()
	if err != nil {
		return err
	}
	c.opcode, c.addr, c.userData = uringOpAsyncCancel, probeUD, udCancel
	if err := r.enter(1); err != nil {
		return err
	}
	deadline := time.Now().Add(time.Second)
	for {
		head := *r.cqHead
		tail := loadAcquire(r.cqTail)
		for ; head != tail; head++ {
			cqe := r.cqes[head&r.cqMask]
			if cqe.userData != probeUD {
				continue
			}
			storeRelease(r.cqHead, head+1)
			if cqe.res == -int32(unix.ECANCELED) {
				return nil
			}
			return fmt.Errorf("%w: multishot receive answered %d", errUringUnsupported, cqe.res)
		}
		storeRelease(r.cqHead, head)
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: probe receive never completed", errUringUnsupported)
		}
		if err := r.enter(1); err != nil {
			return err
		}
	}
}

// armMultishotRecv queues a multishot recvmsg on fd into the provided
// buffers of group; msg gives the name and control sizes.
func armMultishotRecv(r *uring, fd int, msg *unix.Msghdr, group uint16, userData uint64) error {
	s, err := r.sqe()
	if err != nil {
		return err
	}
	s.opcode = uringOpRecvMsg
	s.fd = int32(fd)
	s.addr = uint64(uintptr(unsafe.Pointer(msg)))
	s.ioprio = uringRecvMultishot
	s.flags = uringSqeBufferSelect
	s.bufGroup = group
	s.userData = userData
	return nil
}

func (l *uringLoop) armCtl() error {
	s, err := l.ring.sqe()
	if err != nil {
		return err
	}
	s.opcode = uringOpPollAdd
	s.fd = int32(l.e.evfd)
	s.opFlags = unix.POLLIN
	s.len = uringPollAddMulti
	s.userData = udCtl
	return nil
}

func (l *uringLoop) arm(p *pump) {
	if l.dirty {
		// A receive that ran out of buffers is armed again in the middle
		// of a reap, and a full submission ring submits it there: it must
		// find the buffers handed back so far. Published only at the next
		// round, with a thousand sockets holding datagrams, each such
		// receive could end again at once and be armed again, and the
		// reap never end (the likely cause of relayload runs at 1,000
		// calls on a loaded machine that stopped relaying).
		l.bufs.publish()
		l.dirty = false
	}
	if err := l.armRecvOn(p.srcFD, uint64(p.slot)<<udKindBits|udRecv); err != nil {
		l.err = err
		return
	}
	p.ring.armed = true
}

// reap handles every completion the kernel has posted and says how many.
func (l *uringLoop) reap() int {
	r := l.ring
	head := *r.cqHead
	start := head
	for {
		tail := loadAcquire(r.cqTail)
		if head == tail {
			break
		}
		for ; head != tail; head++ {
			c := r.cqes[head&r.cqMask]
			switch c.userData & udKindMask {
			case udRecv:
				l.received(c)
			case udSend:
				l.sent(c)
			case udCtl:
				if c.flags&uringCQEFMore == 0 {
					if err := l.armCtl(); err != nil {
						l.err = err
					}
				}
				// Requests run after the packets reaped before them, so
				// none of those names a slot a removal frees.
				storeRelease(r.cqHead, head+1)
				if l.e.control() {
					l.quit = true
				}
			}
		}
		storeRelease(r.cqHead, head)
	}
	return int(head - start)
}

// received relays one datagram a multishot receive delivered.
func (l *uringLoop) received(c uringCQE) {
	slot := int32(c.userData >> udKindBits)
	var p *pump
	if slot >= 0 && int(slot) < len(l.e.slots) {
		p = l.e.slots[slot]
	}
	if c.flags&uringCQEFBuffer != 0 {
		bid := uint16(c.flags >> uringCQEBufferBit)
		if p == nil || p.ring.cancelling || c.res < 0 || !l.relay(p, bid, int(c.res)) {
			l.giveBack(bid)
		}
	}
	if c.flags&uringCQEFMore != 0 || p == nil {
		return
	}
	// The receive ended: cancelled, out of buffers, or an error such as a
	// peer's ICMP port unreachable on a linked socket.
	p.ring.armed = false
	if p.ring.cancelling {
		l.finishRemoval(p)
		return
	}
	switch -c.res {
	case int32(unix.EBADF), int32(unix.ENOTSOCK), int32(unix.EINVAL), int32(unix.EOPNOTSUPP):
		// Re-arming would fail the same way at once; the leg stays deaf,
		// as a closed socket would be.
		return
	}
	l.arm(p)
}

// relay forwards the datagram in buffer bid; true when a send now holds
// the buffer.
func (l *uringLoop) relay(p *pump, bid uint16, n int) bool {
	buf := l.bufs.buf(bid)
	if n < 16 || n > len(buf) {
		return false
	}
	out := (*struct{ namelen, controllen, payloadlen, flags uint32 })(unsafe.Pointer(&buf[0]))
	if out.flags&unix.MSG_TRUNC != 0 {
		return false
	}
	start := 16 + uringNameLen + uringControlLen
	end := start + int(out.payloadlen)
	if end > n || end > uringRecvLen {
		return false
	}
	var from rawAddr
	copy((*[uringNameLen]byte)(unsafe.Pointer(&from.sa))[:], buf[16:16+uringNameLen])
	if p.wildcardSrc && out.controllen > 0 {
		p.arrivedAt = pktinfoDst(buf[16+uringNameLen : 16+uringNameLen+min(int(out.controllen), uringControlLen)])
	}
	sc := l.sc
	sc.out = buf[uringRecvLen:]
	sc.ring, sc.bid, sc.queued = l, bid, false
	p.forward(buf[start:end:uringRecvLen], from.addrPort(), l.now, sc)
	if lk := p.src.locked.Load(); lk != p.linkChecked {
		p.linkChecked = lk
		if lk != nil {
			p.src.tryLink(p.srcFD, p.arrivedAt)
		}
	}
	return sc.queued
}

// queueSend queues pkt (inside buffer sc.bid) to the destination leg's
// peer; the buffer is handed back when the send completes.
func (l *uringLoop) queueSend(p *pump, pkt []byte, t *netip.AddrPort, sc *scratch) bool {
	linked := p.dst.link.peer.Load() == t
	if !linked {
		if t != p.lastTarget {
			p.lastTarget = t
			p.toOK = p.to.set(*t, p.dstFamily)
		}
		if !p.toOK {
			return false
		}
	}
	s, err := l.ring.sqe()
	if err != nil {
		l.err = err
		return false
	}
	s.opcode = uringOpSend
	s.fd = int32(p.dstFD)
	s.addr = uint64(uintptr(unsafe.Pointer(&pkt[0])))
	s.len = uint32(len(pkt))
	s.opFlags = unix.MSG_DONTWAIT
	s.userData = uint64(sc.bid)<<udKindBits | udSend
	if !linked {
		s.addr2 = uint64(uintptr(unsafe.Pointer(&p.to.sa)))
		s.addrLen = uint16(p.to.len)
	}
	l.sentBy[sc.bid], l.sentLen[sc.bid] = p.dst, uint32(len(pkt))
	sc.queued = true
	return true
}

// sent hands a send's buffer back, and takes a failed packet out of the
// counters forward already put it in.
func (l *uringLoop) sent(c uringCQE) {
	bid := uint16(c.userData >> udKindBits)
	if c.res < 0 {
		if leg := l.sentBy[bid]; leg != nil {
			leg.packetsOut.Add(^uint64(0))
			leg.bytesOut.Add(^(uint64(l.sentLen[bid]) - 1))
		}
	}
	l.sentBy[bid] = nil
	l.giveBack(bid)
}

func (l *uringLoop) giveBack(bid uint16) {
	l.bufs.add(bid)
	l.dirty = true
}

// register gives p a slot and arms its receive.
func (l *uringLoop) register(p *pump) {
	e := l.e
	slot := e.takeSlot()
	e.slots[slot] = p
	p.slot, p.registered, p.linkChecked = slot, true, nil
	p.ring = pumpRing{}
	l.arm(p)
}

// remove takes br's pumps out of the ring: their receives are cancelled,
// and br is finished once both have ended.
func (l *uringLoop) remove(br *Bridge) {
	l.unregister(br.ab)
	l.unregister(br.ba)
	if l.removing[br] == 0 {
		delete(l.removing, br)
		l.retired = append(l.retired, br)
	}
}

// unregister cancels p's receive, or frees p at once when none is armed.
func (l *uringLoop) unregister(p *pump) {
	if !p.registered || p.ring.cancelling {
		return
	}
	if !p.ring.armed {
		l.free(p)
		return
	}
	s, err := l.ring.sqe()
	if err != nil {
		l.err = err
		return
	}
	s.opcode = uringOpAsyncCancel
	s.addr = uint64(p.slot)<<udKindBits | udRecv
	s.flags = uringSqeCQESkipSuccess
	s.userData = udCancel
	p.ring.cancelling = true
	l.removing[p.br]++
}

// finishRemoval frees p, whose cancelled receive has ended, and retires
// its bridge when it was the last of the two.
func (l *uringLoop) finishRemoval(p *pump) {
	l.free(p)
	br := p.br
	if l.removing[br]--; l.removing[br] <= 0 {
		delete(l.removing, br)
		l.retired = append(l.retired, br)
	}
}

// finishRetired lets go of the retired bridges.
func (l *uringLoop) finishRetired() {
	for i, br := range l.retired {
		br.finish()
		l.retired[i] = nil
	}
	l.retired = l.retired[:0]
}

func (l *uringLoop) free(p *pump) {
	e := l.e
	e.slots[p.slot] = nil
	e.free = append(e.free, p.slot)
	p.registered = false
	p.ring = pumpRing{}
}

// pktinfoDst reads the destination address of an IP_PKTINFO control
// message; invalid when there is none.
func pktinfoDst(ctl []byte) netip.Addr {
	for len(ctl) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&ctl[0]))
		if h.Len < unix.SizeofCmsghdr || int(h.Len) > len(ctl) {
			break
		}
		if h.Level == unix.IPPROTO_IP && h.Type == unix.IP_PKTINFO && int(h.Len) >= unix.CmsgLen(unix.SizeofInet4Pktinfo) {
			pi := (*unix.Inet4Pktinfo)(unsafe.Pointer(&ctl[unix.CmsgLen(0)]))
			return netip.AddrFrom4(pi.Addr)
		}
		ctl = ctl[min(unix.CmsgSpace(int(h.Len)-unix.CmsgLen(0)), len(ctl)):]
	}
	return netip.Addr{}
}

func loadAcquire(p *uint32) uint32     { return atomic.LoadUint32(p) }
func storeRelease(p *uint32, v uint32) { atomic.StoreUint32(p, v) }
