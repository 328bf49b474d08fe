package chansip

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// Unauthenticated sessions, as chan_sip keeps them (its tcpauthtimeout and
// tcpauthlimit): a connection a client opened to our TCP or TLS listener
// is unauthenticated until a request on it authenticates, that is a
// REGISTER or a new INVITE the registrar or the INVITE code accepts
// (connAuthenticated). Until then it is closed tcpauthtimeout seconds
// after it was accepted, whatever it sends, and while tcpauthlimit such
// connections are open, a new one is closed as soon as it is accepted.
// The count is shared by TCP and TLS; connections we open are not
// counted.
//
// An authenticated connection has no time limit, in chan_sip as here: it
// stays open as long as the phone keeps it. chan_sip turns TCP keep-alive
// on so that the kernel notices a peer that went away; Go does the same
// for every accepted connection (probes after 15 s of silence), so a dead
// phone's connection is closed within a few minutes.

// Session states of an accepted connection.
const (
	connUnauthenticated uint32 = iota
	connAuthenticated
	connGone // closed or timed out before authenticating
)

// configure gives the tracker the driver's log and configuration; the
// settings are read at each accept, so a reload applies to new
// connections. Call it before the listeners serve.
func (ct *connTracker) configure(log Logger, general func() *sipconf.General) {
	ct.log, ct.general = log, general
}

// authSettings are tcpauthtimeout and tcpauthlimit now; chan_sip's
// defaults stand in for a configuration that sets neither (one not made
// by sipconf.Load, which fills them in).
func (ct *connTracker) authSettings() (time.Duration, int) {
	timeout, limit := sipconf.DefaultTCPAuthTimeout, sipconf.DefaultTCPAuthLimit
	if ct.general != nil {
		g := ct.general()
		if g.TCPAuthTimeout > 0 {
			timeout = g.TCPAuthTimeout
		}
		if g.TCPAuthLimit > 0 {
			limit = g.TCPAuthLimit
		}
	}
	return time.Duration(timeout) * time.Second, limit
}

func (ct *connTracker) logger() Logger {
	if ct.log == nil {
		return discard{}
	}
	return ct.log
}

// admit applies tcpauthlimit to a connection just accepted and starts its
// tcpauthtimeout; nil means it was refused (and closed).
func (ct *connTracker) admit(c net.Conn, remote netip.AddrPort, transport string) *trackedConn {
	timeout, limit := ct.authSettings()
	if n := ct.unauth.Add(1); n > int64(limit) {
		ct.unauth.Add(-1)
		c.Close()
		if more, ok := ct.refusals.note(time.Now()); ok {
			ct.logger().Warning("SIP %s connection from %s refused: %d unauthenticated TCP/TLS connections are open (tcpauthlimit)%s",
				transport, remote, limit, more)
		}
		return nil
	}
	tc := &trackedConn{Conn: c, t: ct, remote: remote, transport: transport}
	tc.timer.Store(time.AfterFunc(timeout, func() {
		if tc.settle(connGone) {
			ct.logger().Debug(2, "SIP %s server timed out: %s did not authenticate within %s (tcpauthtimeout)", transport, remote, timeout)
			tc.Close()
		}
	}))
	return tc
}

// settle moves an unauthenticated connection to state, once: it reports
// whether this call did it. The connection then no longer counts against
// tcpauthlimit.
func (c *trackedConn) settle(state uint32) bool {
	if !c.state.CompareAndSwap(connUnauthenticated, state) {
		return false
	}
	if t := c.timer.Load(); t != nil {
		t.Stop()
	}
	c.t.unauth.Add(-1)
	return true
}

// authenticated marks the connection from remote authenticated, if one
// is open and was not yet.
func (ct *connTracker) authenticated(remote netip.AddrPort) {
	ct.mu.RLock()
	c := ct.m[remote]
	ct.mu.RUnlock()
	if c != nil && c.settle(connAuthenticated) {
		ct.logger().Debug(2, "SIP %s session from %s authenticated", c.transport, remote)
	}
}

// connAuthenticated is what the registrar and the INVITE code call once a
// request passed authentication (chan_sip's req->authenticated): the TCP
// or TLS connection it came on, if it is one our listeners accepted, is
// then free of tcpauthtimeout and no longer counts against tcpauthlimit.
// transport is the request's ("UDP", "TCP", "TLS"), src its source.
func (d *Driver) connAuthenticated(transport string, src netip.AddrPort) {
	if transport != "TCP" && transport != "TLS" {
		return
	}
	d.mu.Lock()
	tp := d.tp
	d.mu.Unlock()
	if tp != nil {
		tp.conns.authenticated(src)
	}
}

// refusalLog keeps refusals by tcpauthlimit from flooding the log: the
// first of a run is logged, then at most one line a minute, which counts
// the refusals it did not log.
type refusalLog struct {
	mu      sync.Mutex
	last    time.Time
	skipped int
}

const refusalLogEvery = time.Minute

// note records a refusal at now; ok says whether to log it, more is what
// to add to the line about the ones not logged.
func (r *refusalLog) note(now time.Time) (more string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.last.IsZero() && now.Sub(r.last) < refusalLogEvery {
		r.skipped++
		return "", false
	}
	if r.skipped > 0 {
		more = fmt.Sprintf("; %d more refused since the last such line", r.skipped)
	}
	r.last, r.skipped = now, 0
	return more, true
}
