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

	"golang.org/x/sys/unix"
)

// maxEngines caps how many relay loops share the bridges; each is one
// goroutine, so more than GOMAXPROCS of them buys nothing.
const maxEngines = 8

// batchEvents is how many ready sockets one epoll_wait hands back.
const batchEvents = 256

// yieldRounds is how many busy epoll rounds the loop runs before it
// yields the processor.
const yieldRounds = 8

// ctlSlot tags the eventfd in the epoll set, wakeSlot the io_uring
// loop's eventfd; data sockets carry their slot index, which is never
// negative.
const (
	ctlSlot  = -1
	wakeSlot = -2
)

// engine relays every bridge assigned to it from one goroutine. Its epoll
// set holds each bridged leg's RTP socket (level-triggered EPOLLIN, the
// slot index as user data) and an eventfd for control requests. The epoll
// descriptor itself is handed to Go's network poller, so the goroutine
// sleeps in the runtime like any network reader and wakes once per burst
// of traffic, not once per packet and direction.
type engine struct {
	epfd int
	evfd int
	file *os.File // epfd, as Go's poller sees it
	rc   syscall.RawConn
	done chan struct{}

	mu    sync.Mutex
	queue []*engineReq // guarded by mu
	dead  bool         // guarded by mu: the loop has exited

	bridges  int         // guarded by pool.mu
	idle     *time.Timer // guarded by pool.mu: stops the engine once idle for engineLinger
	stopping bool        // guarded by pool.mu: out of the pool, being stopped

	// Owned by the loop goroutine.
	slots  []*pump
	free   []int32
	events []unix.EpollEvent
	ctlBuf [8]byte
	io     *ioScratch
	ul     *uringLoop // set while the io_uring loop runs
	// onUring tells other goroutines (tests) which loop runs.
	onUring atomic.Bool
	err     error
}

type reqKind int

const (
	reqAdd reqKind = iota
	reqRemove
	reqQuit
)

type engineReq struct {
	kind reqKind
	br   *Bridge
	done chan struct{} // reqQuit only: closed once the loop has ended
}

// ioState is a pump's Linux part: the descriptors it reads and writes
// (copied here so the hot path does not chase leg -> port pair -> socket
// pointers through cold cache lines), raw addresses for recvfrom/sendto,
// and the pump's place in its engine.
type ioState struct {
	srcFD, dstFD int
	dstFamily    int
	// wildcardSrc: the source socket is a wildcard IPv4 one, whose
	// arrival address tryLink needs; read with recvFromTo until linked.
	wildcardSrc bool
	toOK        bool
	registered  bool
	slot        int32
	// linkChecked is the locked source tryLink last saw, so it runs once
	// per lock rather than per packet.
	linkChecked *netip.AddrPort
	lastTarget  *netip.AddrPort
	arrivedAt   netip.Addr
	ring        pumpRing
	to          rawAddr // for sendto when the socket is not linked
}

// initIO copies what the hot path needs from the legs' sockets.
func (p *pump) initIO() {
	src, dst := p.src.pp.RTP, p.dst.pp.RTP
	p.srcFD, p.dstFD, p.dstFamily = src.fd, dst.fd, dst.family
	p.wildcardSrc = src.family == unix.AF_INET && src.local.Addr().IsUnspecified()
}

// relayHandle ties a running bridge to its engine.
type relayHandle struct {
	e  *engine
	br *Bridge
}

// pool hands bridges to the least loaded engine, starting engines on
// demand and stopping each once it has had no bridge for engineLinger, so
// no goroutine outlives the bridges that need it by long. The linger is
// what keeps a busy server from starting and stopping an engine for
// every short call (calls without media come and go by the thousand a
// second, often with no other bridge up).
var pool struct {
	mu      sync.Mutex
	engines []*engine
}

// startRelay hands br to an engine without waiting for the loop to take
// it up: the loop registers it between two rounds of packets, and until
// then its legs' datagrams wait in their sockets.
func startRelay(br *Bridge) (relayHandle, error) {
	e, err := acquireEngine()
	if err != nil {
		return relayHandle{}, err
	}
	if !e.request(&engineReq{kind: reqAdd, br: br}) {
		releaseEngine(e)
		return relayHandle{}, e.deadErr()
	}
	return relayHandle{e: e, br: br}, nil
}

// stop asks the engine to take both legs out of its set and returns; the
// engine calls br.finish once it no longer reads or writes their sockets.
func (h relayHandle) stop() {
	if !h.e.request(&engineReq{kind: reqRemove, br: h.br}) {
		// The loop has ended, and let go of every bridge it had.
		h.br.finish()
	}
	releaseEngine(h.e)
}

func acquireEngine() (*engine, error) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	limit := min(runtime.GOMAXPROCS(0), maxEngines)
	var best *engine
	for _, e := range pool.engines {
		if e.isDead() {
			// Its bridges hold it until they close; new ones go elsewhere.
			continue
		}
		if best == nil || e.bridges < best.bridges {
			best = e
		}
	}
	if best == nil || (best.bridges > 0 && len(pool.engines) < limit) {
		e, err := newEngine()
		if err != nil {
			if best == nil {
				return nil, err
			}
		} else {
			pool.engines = append(pool.engines, e)
			best = e
		}
	}
	best.bridges++
	return best, nil
}

// engineLinger is how long an engine without bridges waits for a new
// one before it stops.
var engineLinger = 5 * time.Second

func releaseEngine(e *engine) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	e.bridges--
	if e.bridges > 0 {
		return
	}
	if e.idle == nil {
		e.idle = time.AfterFunc(engineLinger, func() { stopIdleEngine(e) })
	} else {
		e.idle.Reset(engineLinger)
	}
}

// stopIdleEngine takes e out of the pool if it still has no bridge, then
// stops it without holding the pool's lock: stopping waits for the loop,
// and new bridges must not wait for that.
func stopIdleEngine(e *engine) {
	pool.mu.Lock()
	if e.bridges > 0 || e.stopping {
		pool.mu.Unlock()
		return
	}
	e.stopping = true
	for i, x := range pool.engines {
		if x == e {
			pool.engines = append(pool.engines[:i], pool.engines[i+1:]...)
			break
		}
	}
	pool.mu.Unlock()
	e.stop()
}

func newEngine() (*engine, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("rtp: epoll_create1: %w", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		_ = unix.Close(epfd)
		return nil, fmt.Errorf("rtp: eventfd: %w", err)
	}
	fail := func(err error) (*engine, error) {
		_ = unix.Close(evfd)
		_ = unix.Close(epfd)
		return nil, err
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: ctlSlot}); err != nil {
		return fail(fmt.Errorf("rtp: epoll_ctl eventfd: %w", err))
	}
	// Non-blocking, so os.NewFile registers it with the runtime poller.
	if err := unix.SetNonblock(epfd, true); err != nil {
		return fail(fmt.Errorf("rtp: epoll fd non-blocking: %w", err))
	}
	f := os.NewFile(uintptr(epfd), "rtp-relay-epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		_ = unix.Close(evfd)
		return nil, fmt.Errorf("rtp: epoll raw conn: %w", err)
	}
	e := &engine{
		epfd: epfd, evfd: evfd, file: f, rc: rc, done: make(chan struct{}),
		events: make([]unix.EpollEvent, batchEvents),
		io:     &ioScratch{scratch: *newScratch()},
	}
	go e.run()
	return e, nil
}

// request queues req for the loop; false when the loop has ended. Only
// the request that finds the queue empty writes the eventfd: the loop
// reads the counter before it takes the queue, so it sees every request
// queued behind that one in the same or the next round.
func (e *engine) request(req *engineReq) bool {
	e.mu.Lock()
	if e.dead {
		e.mu.Unlock()
		return false
	}
	wake := len(e.queue) == 0
	e.queue = append(e.queue, req)
	e.mu.Unlock()
	if !wake {
		return true
	}
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	for {
		_, err := unix.Write(e.evfd, one[:])
		if err != unix.EINTR {
			// EAGAIN means the counter is already huge: the loop is
			// awake anyway. Other errors surface as a dead loop.
			break
		}
	}
	return true
}

func (e *engine) isDead() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dead
}

func (e *engine) deadErr() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return fmt.Errorf("rtp: relay engine stopped: %w", e.err)
}

// stop ends the loop (it has no bridges left) and frees its descriptors.
func (e *engine) stop() {
	req := &engineReq{kind: reqQuit, done: make(chan struct{})}
	if e.request(req) {
		<-req.done
	}
	<-e.done
	_ = e.file.Close()
	_ = unix.Close(e.evfd)
}

func (e *engine) run() {
	defer close(e.done)
	var err error
	uring := useUring.Load()
	if uring {
		err = e.runUring()
	}
	if !uring || errors.Is(err, errUringUnsupported) {
		err = e.rc.Read(func(uintptr) bool { return e.drain() })
		if err == nil {
			err = e.err
		}
	}
	e.mu.Lock()
	e.dead = true
	if e.err == nil {
		e.err = err
	}
	if e.err == nil {
		e.err = errors.New("loop ended")
	}
	q := e.queue
	e.queue = nil
	e.mu.Unlock()
	// The loop (and an io_uring ring with it) is gone: nothing reads or
	// writes the sockets of the bridges it had, or of those still queued.
	for _, p := range e.slots {
		if p != nil {
			p.br.finish()
		}
	}
	for _, r := range q {
		if r.kind == reqQuit {
			close(r.done)
		} else {
			r.br.finish()
		}
	}
}

// drain relays until no socket is ready; true ends the loop. Sockets are
// level-triggered, so one packet per ready socket per round is enough:
// a socket with more queued comes back in the next round, and a round
// that returns nothing means every socket was read dry.
func (e *engine) drain() bool {
	for round := 1; ; round++ {
		if round%yieldRounds == 0 {
			// Under sustained load the loop never runs dry; let the SIP
			// goroutines in between rounds rather than at the runtime's
			// 10 ms forced preemption.
			runtime.Gosched()
		}
		n, err := unix.EpollWait(e.epfd, e.events, 0)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			e.err = fmt.Errorf("rtp: epoll_wait: %w", err)
			return true
		}
		if n == 0 {
			return false
		}
		now := time.Now().UnixNano()
		ctl := false
		for i := range n {
			slot := e.events[i].Fd
			if slot == ctlSlot {
				ctl = true
				continue
			}
			e.slots[slot].relayOne(now, e.io)
		}
		// Requests run after the round's packets, so no event of this
		// round can name a slot that a removal just freed or reused.
		if ctl && e.control() {
			return true
		}
	}
}

// scratchIO is the io_uring loop's part of a scratch: the buffer the
// packet being forwarded lies in, and whether a queued send now holds it.
type scratchIO struct {
	ring   *uringLoop
	bid    uint16
	queued bool
}

// ioScratch is an engine's scratch plus what its system calls fill in.
type ioScratch struct {
	scratch
	from rawAddr
	msg  pktinfoMsg
}

// relayOne reads one datagram from the pump's source leg and forwards it.
func (p *pump) relayOne(now int64, sc *ioScratch) {
	src := p.src
	var n int
	var errno unix.Errno
	if p.wildcardSrc && src.link.peer.Load() == nil {
		n, errno = recvFromTo(p.srcFD, sc.in, &sc.from, &sc.msg, &p.arrivedAt)
	} else {
		n, errno = recvFrom(p.srcFD, sc.in, &sc.from)
	}
	if errno != 0 {
		// EAGAIN (another reader cannot exist, but a level-triggered
		// wake-up may be stale) or a reported ICMP error: not fatal.
		return
	}
	p.forward(sc.in[:n], sc.from.addrPort(), now, &sc.scratch)
	if lk := src.locked.Load(); lk != p.linkChecked {
		p.linkChecked = lk
		if lk != nil {
			src.tryLink(p.srcFD, p.arrivedAt)
		}
	}
}

// send writes pkt to the destination leg's peer: through the connected
// socket when it is linked to exactly this target, else with sendto and
// a raw address rebuilt only when the target changes.
func (p *pump) send(pkt []byte, t *netip.AddrPort, sc *scratch) bool {
	if sc.ring != nil {
		return sc.ring.queueSend(p, pkt, t, sc)
	}
	if p.dst.link.peer.Load() == t {
		return send(p.dstFD, pkt) == 0
	}
	if t != p.lastTarget {
		p.lastTarget = t
		p.toOK = p.to.set(*t, p.dstFamily)
	}
	return p.toOK && sendTo(p.dstFD, pkt, &p.to) == 0
}

// control runs queued requests; true when the loop must end.
func (e *engine) control() bool {
	_, _ = unix.Read(e.evfd, e.ctlBuf[:])
	e.mu.Lock()
	q := e.queue
	e.queue = nil
	e.mu.Unlock()
	quit := false
	for _, r := range q {
		switch r.kind {
		case reqAdd:
			if err := e.add(r.br); err != nil {
				r.br.fail(err)
			}
		case reqRemove:
			if ul := e.ul; ul != nil {
				ul.remove(r.br)
				continue
			}
			e.unregister(r.br.ab)
			e.unregister(r.br.ba)
			r.br.finish()
		case reqQuit:
			quit = true
			close(r.done)
		}
	}
	return quit
}

func (e *engine) add(br *Bridge) error {
	if ul := e.ul; ul != nil {
		// A ring that cannot take the receives ends the loop (ul.err),
		// which lets go of every bridge once the ring is closed.
		ul.register(br.ab)
		ul.register(br.ba)
		return nil
	}
	for _, p := range []*pump{br.ab, br.ba} {
		if err := e.register(p); err != nil {
			e.unregister(br.ab)
			return err
		}
	}
	return nil
}

// register adds the pump's source socket to the epoll set under a free
// slot.
func (e *engine) register(p *pump) error {
	slot := e.takeSlot()
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: slot}
	if err := unix.EpollCtl(e.epfd, unix.EPOLL_CTL_ADD, p.src.pp.RTP.fd, &ev); err != nil {
		e.free = append(e.free, slot)
		return fmt.Errorf("rtp: watch %s: %w", p.src.LocalAddr(), err)
	}
	e.slots[slot] = p
	p.slot, p.registered = slot, true

	return nil
}

// takeSlot returns a free slot index, reusing freed ones first.
func (e *engine) takeSlot() int32 {
	if n := len(e.free); n > 0 {
		slot := e.free[n-1]
		e.free = e.free[:n-1]
		return slot
	}
	e.slots = append(e.slots, nil)
	return int32(len(e.slots) - 1)
}

// unregister takes the pump's socket out of the epoll set; after it the
// loop never touches that socket again, so its owner may close it.
func (e *engine) unregister(p *pump) {
	if !p.registered {
		return
	}
	_ = unix.EpollCtl(e.epfd, unix.EPOLL_CTL_DEL, p.src.pp.RTP.fd, nil)
	e.slots[p.slot] = nil
	e.free = append(e.free, p.slot)
	p.registered = false
}
