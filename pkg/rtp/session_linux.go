//go:build linux

package rtp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/rtp"
	"golang.org/x/sys/unix"
)

// timerSlot tags the receive loop's timerfd in its epoll set.
const timerSlot = -3

// recvSweep is how often the receive loop lets go of packets held for a
// missing one that is overdue.
const recvSweep = 10 * time.Millisecond

// recvIO is a session's Linux receive part: its descriptor and place in
// the loop. Owned by the loop.
type recvIO struct {
	fd         int
	slot       int32
	registered bool
	// io_uring loop only: a multishot receive is in the kernel, and it is
	// being cancelled because the session let go.
	armed, cancelling bool
	rxRound           uint64 // the io_uring loop's round that last gave it a datagram
	// wildcard: the socket is a wildcard IPv4 one, whose datagrams carry
	// their arrival address (IP_PKTINFO); arrivedAt is the last one's,
	// which the io_uring loop reads (the epoll loop does not).
	wildcard  bool
	arrivedAt netip.Addr
}

// sendIO caches the raw destination address, rebuilt only when the leg's
// target changes. Guarded by the session's mu.
type sendIO struct {
	sfd        int
	family     int
	lastTarget *netip.AddrPort
	to         rawAddr
	toOK       bool
}

func (s *Session) initIO() {
	sock := s.leg.pp.RTP
	s.fd, s.sfd, s.family = sock.fd, sock.fd, sock.family
	s.wildcard = sock.family == unix.AF_INET && sock.local.Addr().IsUnspecified()
}

// link connects the socket to the locked peer when it is the target. A
// wildcard-bound socket is connected only when the locking datagram's
// arrival address is known (the io_uring loop reads it), which tryLink
// needs to connect it safely.
func (s *Session) link() {
	s.leg.tryLink(s.fd, s.arrivedAt)
}

// sendTo sends pkt to t from the leg's socket. The caller holds mu.
func (s *Session) sendTo(pkt []byte, t *netip.AddrPort) bool {
	if s.leg.link.peer.Load() == t {
		return send(s.sfd, pkt) == 0
	}
	if t != s.lastTarget {
		s.lastTarget = t
		s.toOK = s.to.set(*t, s.family)
	}
	return s.toOK && sendTo(s.sfd, pkt, &s.to) == 0
}

// recvLoop reads the sockets of many sessions from one goroutine, the way
// the relay engine does. Where io_uring is available (useUring) it runs
// on a ring of its own (session_uring_linux.go): a multishot receive per
// socket, one io_uring_enter per round for all of them. Otherwise it is an
// epoll set of their (never Go-polled) descriptors, itself parked in Go's
// poller, drained with non-blocking recvfrom until nothing is ready, and a
// timerfd in the set lets held jitter buffer packets go when the packet
// they wait for is overdue. Either way the epoll set is where the loop
// parks, so requests (the eventfd) wake it.
type recvLoop struct {
	epfd, evfd, tfd int
	file            *os.File
	rc              syscall.RawConn
	done            chan struct{}

	mu    sync.Mutex
	queue []recvReq // guarded by mu
	dead  bool      // guarded by mu
	err   error     // guarded by mu
	// queued is whether queue has requests; written under mu, read by a
	// busy io_uring loop each round without it.
	queued atomic.Bool

	// Owned by the loop goroutine.
	slots   []*Session
	free    []int32
	live    int
	events  []unix.EpollEvent
	buf     []byte
	from    rawAddr
	hdr     rtp.Header
	ctlBuf  [8]byte
	armed   bool
	loopErr error
	u       *sessUring // the io_uring state while the loop runs on one

	// onUring is set once the loop runs on io_uring.
	onUring atomic.Bool
}

type recvReq struct {
	s    *Session
	add  bool
	quit chan struct{}
}

func newRecvLoop() (*recvLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("rtp: epoll_create1: %w", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		_ = unix.Close(epfd)
		return nil, fmt.Errorf("rtp: eventfd: %w", err)
	}
	tfd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		_ = unix.Close(evfd)
		_ = unix.Close(epfd)
		return nil, fmt.Errorf("rtp: timerfd: %w", err)
	}
	fail := func(err error) (*recvLoop, error) {
		_ = unix.Close(tfd)
		_ = unix.Close(evfd)
		_ = unix.Close(epfd)
		return nil, err
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: ctlSlot}); err != nil {
		return fail(fmt.Errorf("rtp: epoll_ctl eventfd: %w", err))
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, tfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: timerSlot}); err != nil {
		return fail(fmt.Errorf("rtp: epoll_ctl timerfd: %w", err))
	}
	if err := unix.SetNonblock(epfd, true); err != nil {
		return fail(fmt.Errorf("rtp: epoll fd non-blocking: %w", err))
	}
	f := os.NewFile(uintptr(epfd), "rtp-session-epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		_ = unix.Close(tfd)
		_ = unix.Close(evfd)
		return nil, fmt.Errorf("rtp: epoll raw conn: %w", err)
	}
	l := &recvLoop{
		epfd: epfd, evfd: evfd, tfd: tfd, file: f, rc: rc, done: make(chan struct{}),
		events: make([]unix.EpollEvent, batchEvents),
		buf:    make([]byte, bufSize),
	}
	go l.run()
	return l, nil
}

// request queues r for the loop; false once the loop has ended.
func (l *recvLoop) request(r recvReq) bool {
	l.mu.Lock()
	if l.dead {
		l.mu.Unlock()
		return false
	}
	wake := len(l.queue) == 0
	l.queue = append(l.queue, r)
	l.queued.Store(true)
	l.mu.Unlock()
	if wake {
		var one [8]byte
		binary.NativeEndian.PutUint64(one[:], 1)
		for {
			if _, err := unix.Write(l.evfd, one[:]); err != unix.EINTR {
				break
			}
		}
	}
	return true
}

func (l *recvLoop) isDead() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dead
}

// add hands s to the loop; it is read from the next round on.
func (l *recvLoop) add(s *Session) error {
	if !l.request(recvReq{s: s, add: true}) {
		l.mu.Lock()
		defer l.mu.Unlock()
		return fmt.Errorf("rtp: session receive loop stopped: %w", l.err)
	}
	return nil
}

// remove asks the loop to stop reading s; the loop then calls
// s.finishRecv. It does not wait.
func (l *recvLoop) remove(s *Session) {
	if !l.request(recvReq{s: s}) {
		// The loop has ended and let go of every session it had.
		return
	}
}

// stop ends the loop (it has no sessions left) and frees its descriptors.
func (l *recvLoop) stop() {
	q := make(chan struct{})
	if l.request(recvReq{quit: q}) {
		<-q
	}
	<-l.done
	_ = l.file.Close()
	_ = unix.Close(l.evfd)
	_ = unix.Close(l.tfd)
}

func (l *recvLoop) run() {
	defer close(l.done)
	err := errUringUnsupported
	if useUring.Load() {
		err = l.runUring()
		if err == nil {
			err = l.loopErr
		}
	}
	if errors.Is(err, errUringUnsupported) {
		// No request has run yet: the epoll loop takes them all.
		err = l.rc.Read(func(uintptr) bool { return l.drain() })
		if err == nil {
			err = l.loopErr
		}
	}
	if err == nil {
		err = errors.New("loop ended")
	}
	l.mu.Lock()
	l.dead, l.err = true, err
	l.mu.Unlock()
	q := l.takeQueue()
	for _, s := range l.slots {
		if s != nil {
			s.finishRecv()
		}
	}
	for _, r := range q {
		switch {
		case r.quit != nil:
			close(r.quit)
		case r.add:
			// Never read: its Close will find the loop dead.
			r.s.finishRecv()
		}
	}
}

// drain reads until no socket is ready; true ends the loop.
func (l *recvLoop) drain() bool {
	for round := 1; ; round++ {
		if round%yieldRounds == 0 {
			runtime.Gosched()
		}
		n, err := unix.EpollWait(l.epfd, l.events, 0)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			l.loopErr = fmt.Errorf("rtp: epoll_wait: %w", err)
			return true
		}
		if n == 0 {
			return false
		}
		now := time.Now().UnixNano()
		ctl, tick := false, false
		for i := range n {
			switch slot := l.events[i].Fd; slot {
			case ctlSlot:
				ctl = true
			case timerSlot:
				tick = true
			default:
				s := l.slots[slot]
				m, errno := recvFrom(s.fd, l.buf, &l.from)
				if errno == 0 {
					s.receive(l.buf[:m], l.from.addrPort(), now, &l.hdr)
				}
			}
		}
		if tick {
			_, _ = unix.Read(l.tfd, l.ctlBuf[:])
			for _, s := range l.slots {
				if s != nil {
					s.tick(now)
				}
			}
		}
		if ctl && l.control() {
			return true
		}
	}
}

// control runs queued requests; true when the loop must end.
func (l *recvLoop) control() bool {
	_, _ = unix.Read(l.evfd, l.ctlBuf[:])
	q := l.takeQueue()
	quit := false
	for _, r := range q {
		switch {
		case r.quit != nil:
			quit = true
			close(r.quit)
		case r.add:
			if err := l.register(r.s); err != nil {
				// The session cannot be read: it gets no frames, and
				// closing it still pairs up.
				l.loopErrOnce(err)
				r.s.finishRecv()
			}
		default:
			l.unregister(r.s)
		}
	}
	l.arm()
	return quit
}

// takeQueue takes the queued requests.
func (l *recvLoop) takeQueue() []recvReq {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.queue
	l.queue = nil
	l.queued.Store(false)
	return q
}

// takeSlot returns a free slot index, growing slots when none is free.
func (l *recvLoop) takeSlot() int32 {
	if n := len(l.free); n > 0 {
		slot := l.free[n-1]
		l.free = l.free[:n-1]
		return slot
	}
	l.slots = append(l.slots, nil)
	return int32(len(l.slots) - 1)
}

func (l *recvLoop) loopErrOnce(err error) {
	if l.loopErr == nil {
		l.loopErr = err
	}
}

func (l *recvLoop) register(s *Session) error {
	slot := l.takeSlot()
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: slot}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, s.fd, &ev); err != nil {
		l.free = append(l.free, slot)
		return fmt.Errorf("rtp: watch %s: %w", s.leg.LocalAddr(), err)
	}
	l.slots[slot] = s
	s.slot, s.registered = slot, true
	l.live++
	return nil
}

// unregister stops reading s and lets it go. A session whose add failed
// was let go of already.
func (l *recvLoop) unregister(s *Session) {
	if !s.registered {
		return
	}
	_ = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, s.fd, nil)
	l.slots[s.slot] = nil
	l.free = append(l.free, s.slot)
	s.registered = false
	l.live--
	s.finishRecv()
}

// arm runs the sweep timer while the loop has sessions.
func (l *recvLoop) arm() {
	want := l.live > 0
	if want == l.armed {
		return
	}
	var spec unix.ItimerSpec
	if want {
		spec.Interval = unix.NsecToTimespec(int64(recvSweep))
		spec.Value = spec.Interval
	}
	if err := unix.TimerfdSettime(l.tfd, 0, &spec, nil); err == nil {
		l.armed = want
	}
}
