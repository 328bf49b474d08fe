package chansip

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// Accept back-off, as net/http's Server does it: a failed accept is
// retried after 5 ms, doubling up to 1 s while the failures go on.
const (
	acceptRetryMin = 5 * time.Millisecond
	acceptRetryMax = time.Second
)

// acceptRetry keeps a listener serving through failed accepts. The usual
// cause is running out of file descriptors (EMFILE/ENFILE) under a flood
// of connections: sipgo's accept loop returns on the first error, which
// would end the listener for good, and chan_sip's logs an ERROR per
// attempt in a tight loop. Here the loop waits and retries, and the log
// gets one WARNING when a run of failures starts and one NOTICE when
// accepting works again.
type acceptRetry struct {
	name   string // "TCP" or "TLS"
	addr   netip.AddrPort
	log    func() Logger
	closed chan struct{}
	once   sync.Once

	// Owned by the one goroutine that calls Accept (sipgo's serve loop).
	delay    time.Duration
	failures int
	since    time.Time
}

func newAcceptRetry(name string, l net.Listener, log func() Logger) *acceptRetry {
	r := &acceptRetry{name: name, log: log, closed: make(chan struct{})}
	if a, ok := l.Addr().(*net.TCPAddr); ok {
		ap := a.AddrPort()
		r.addr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return r
}

// close wakes a waiting accept: the listener is being closed.
func (r *acceptRetry) close() { r.once.Do(func() { close(r.closed) }) }

// failed handles an accept error: it waits before the next attempt and
// reports false when the listener is closed, the only way it ends.
func (r *acceptRetry) failed(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	select {
	case <-r.closed:
		return false
	default:
	}
	if r.failures == 0 {
		r.since = time.Now()
		r.delay = acceptRetryMin
		if fdExhausted(err) {
			r.log().Warning("SIP %s listener on %s cannot accept connections: %v; raise maxfiles in asterisk.conf or the service's LimitNOFILE (retrying)", r.name, r.addr, err)
		} else {
			r.log().Warning("SIP %s listener on %s cannot accept connections: %v (retrying)", r.name, r.addr, err)
		}
	} else {
		r.delay = min(2*r.delay, acceptRetryMax)
	}
	r.failures++
	t := time.NewTimer(r.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.closed:
		return false
	}
}

// accepted ends a run of failures, if one was going on.
func (r *acceptRetry) accepted() {
	if r.failures == 0 {
		return
	}
	r.log().Notice("SIP %s listener on %s accepting connections again (%d failed attempts in %s)",
		r.name, r.addr, r.failures, time.Since(r.since).Round(time.Millisecond))
	r.failures = 0
}

// fdExhausted says whether err means the process or the system has no
// file descriptor left.
func fdExhausted(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}
