package chansip

import (
	"slices"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Flow control for requests over TCP and TLS.
//
// sipgo reads a connection as fast as the peer writes and starts a
// goroutine for every request it parses, which then waits for the
// transaction layer and our handler. Over UDP the kernel drops what the
// readers cannot take, but a peer that pipelines requests over TCP is read
// without limit: an OPTIONS flood over 200 connections for 15 s left
// 100,000 goroutines waiting (most of them for the lock of sipgo's
// connection pool) and 3 GB resident, still growing after the flood had
// ended. chan_sip serves a TCP connection on one thread, a request at a
// time. Here a connection may have connWindow requests in progress and
// all connections together flowLimit; beyond that, the connection's reader
// waits until one of them is finished, so it stops reading the socket
// and TCP pushes back on the sender.
//
// A request counts from the moment sipgo has parsed it (admit, called on
// the reading goroutine) until our handler returns (track), or until the
// handler hands a new call to the call manager, which runs it for as long
// as the call rings (detach). A request no handler takes within flowLease
// (sipgo answered it itself: a CANCEL matched to a pending INVITE, a
// malformed request) stops counting then.

const (
	connWindow = 16
	flowLimit  = 1024
	flowLease  = 2 * time.Second
)

// flowKey names a connection as sipgo names a request's origin.
type flowKey struct{ transport, source string }

type flowConn struct {
	key    flowKey
	n      int           // requests counted
	wake   chan struct{} // its reader waits on it (capacity 1)
	queued bool          // in flowControl.queue
}

type flowEntry struct {
	c       *flowConn
	at      time.Time
	started bool
}

// earlyState is what a handler did to a request before admit saw it:
// sipgo starts the goroutine before it calls the message hook, so on
// another CPU the handler can start, or even finish, first.
type earlyState int

const (
	earlyStarted earlyState = iota + 1
	earlyDetached
	earlyDone
)

type earlyMark struct {
	state earlyState
	at    time.Time
}

type flowControl struct {
	window, limit int
	lease         time.Duration
	now           func() time.Time

	mu       sync.Mutex
	entries  map[*sip.Request]*flowEntry
	detached map[*sip.Request]struct{}
	early    map[*sip.Request]earlyMark
	conns    map[flowKey]*flowConn
	total    int
	queue    []*flowConn // readers waiting for the global limit, oldest first
	swept    time.Time
	closed   bool
}

func newFlowControl() *flowControl {
	return &flowControl{
		window: connWindow, limit: flowLimit, lease: flowLease, now: time.Now,
		entries:  make(map[*sip.Request]*flowEntry),
		detached: make(map[*sip.Request]struct{}),
		early:    make(map[*sip.Request]earlyMark),
		conns:    make(map[flowKey]*flowConn),
	}
}

// flowed reports whether req is subject to flow control: only requests
// of connection-oriented transports are (see the top of this file).
func flowed(req *sip.Request) bool { return sip.IsReliable(req.Transport()) }

// admit is the transport layer's message hook: it counts a request sipgo
// has just dispatched and, when its connection or all connections have
// too many in progress, holds the reading goroutine until that is no
// longer so.
func (f *flowControl) admit(msg sip.Message) {
	req, ok := msg.(*sip.Request)
	if !ok || !flowed(req) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	now := f.now()
	started := false
	if m, ok := f.early[req]; ok {
		delete(f.early, req)
		switch m.state {
		case earlyDone:
			return
		case earlyDetached:
			f.detached[req] = struct{}{}
			return
		}
		started = true
	}
	k := flowKey{req.Transport(), req.Source()}
	c := f.conns[k]
	if c == nil {
		c = &flowConn{key: k, wake: make(chan struct{}, 1)}
		f.conns[k] = c
	}
	f.entries[req] = &flowEntry{c: c, at: now, started: started}
	c.n++
	f.total++
	for !f.closed && (c.n >= f.window || f.total >= f.limit) {
		if f.sweep(f.now()) {
			continue
		}
		if c.n < f.window && !c.queued {
			// Held by the global limit: wait in line, so that every
			// connection gets its turn as requests finish.
			c.queued = true
			f.queue = append(f.queue, c)
		}
		t := time.NewTimer(f.lease / 4)
		f.mu.Unlock()
		select {
		case <-c.wake:
		case <-t.C:
		}
		t.Stop()
		f.mu.Lock()
	}
	if c.queued {
		// Woken by its own requests' end: out of the line, or a release
		// would wake it in vain instead of a connection still waiting.
		f.queue = slices.DeleteFunc(f.queue, func(q *flowConn) bool { return q == c })
		c.queued = false
	}
	if c.n == 0 && f.conns[c.key] == c {
		// Its requests ended while it waited in line (release keeps a
		// queued connection).
		delete(f.conns, c.key)
	}
}

// sweep stops counting requests that no handler took within the lease,
// and forgets early marks as old; it reports whether it released any. It
// looks at most four times a lease, as only waiting readers call it.
func (f *flowControl) sweep(now time.Time) bool {
	if now.Sub(f.swept) < f.lease/4 {
		return false
	}
	f.swept = now
	released := false
	for req, e := range f.entries {
		if !e.started && now.Sub(e.at) >= f.lease {
			f.release(req, e)
			released = true
		}
	}
	for req, m := range f.early {
		if now.Sub(m.at) >= f.lease {
			delete(f.early, req)
		}
	}
	return released
}

// release stops counting req and wakes whoever may proceed now. f.mu is
// held.
func (f *flowControl) release(req *sip.Request, e *flowEntry) {
	delete(f.entries, req)
	c := e.c
	c.n--
	f.total--
	signal(c)
	for f.total < f.limit && len(f.queue) > 0 {
		q := f.queue[0]
		f.queue[0] = nil
		f.queue = f.queue[1:]
		q.queued = false
		signal(q)
		if q != c {
			break
		}
	}
	if c.n == 0 && !c.queued {
		delete(f.conns, c.key)
	}
}

func signal(c *flowConn) {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// start marks req as taken by a handler: it is counted until the handler
// returns.
func (f *flowControl) start(req *sip.Request) {
	if !flowed(req) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.entries[req]; ok {
		e.started = true
		return
	}
	f.mark(req, earlyStarted)
}

// mark notes what a handler did to a request admit has not seen yet (or
// has stopped counting after the lease). Marks admit never takes are
// forgotten after a lease; waiting readers sweep, and so does mark, as
// nobody may be waiting.
func (f *flowControl) mark(req *sip.Request, s earlyState) {
	if f.closed {
		return
	}
	now := f.now()
	f.early[req] = earlyMark{state: s, at: now}
	if now.Sub(f.swept) >= f.lease {
		f.sweep(now)
	}
}

// done ends req's count when its handler returns.
func (f *flowControl) done(req *sip.Request) {
	if !flowed(req) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.entries[req]; ok {
		f.release(req, e)
		return
	}
	if _, ok := f.detached[req]; ok {
		delete(f.detached, req)
		return
	}
	f.mark(req, earlyDone)
}

// detach ends req's count while its handler goes on: a new call handed
// to the call manager runs on the handler's goroutine until it is
// answered or given up, and a few ringing calls must not stop the
// connection's other requests (their CANCELs among them).
func (f *flowControl) detach(req *sip.Request) {
	if !flowed(req) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.entries[req]; ok {
		f.release(req, e)
		f.detached[req] = struct{}{}
		return
	}
	if _, ok := f.detached[req]; ok {
		return
	}
	f.mark(req, earlyDetached)
}

// track wraps a request handler so that its requests are counted until
// it returns.
func (f *flowControl) track(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if !flowed(req) {
			h(req, tx)
			return
		}
		f.start(req)
		defer f.done(req)
		h(req, tx)
	}
}

// close releases every waiting reader for good: the driver stops.
func (f *flowControl) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for _, c := range f.conns {
		signal(c)
	}
	for _, c := range f.queue {
		signal(c)
	}
}

// flowStats is what is in progress, for tests.
type flowStats struct {
	total, conns, detached, early int
}

func (f *flowControl) stats() flowStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return flowStats{total: f.total, conns: len(f.conns), detached: len(f.detached), early: len(f.early)}
}
