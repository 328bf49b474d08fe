package chansip

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// listenTLS binds tlsbindaddr with the certificates of [general].
func (t *transports) listenTLS(g *sipconf.General) error {
	conf, warns, err := ServerTLSConfig(g)
	t.warns = append(t.warns, warns...)
	if err != nil {
		return fmt.Errorf("chansip: tlsenable=yes: %w", err)
	}
	network := "tcp"
	if g.TLSBind.Addr().Is4() {
		network = "tcp4"
	}
	l, err := net.Listen(network, g.TLSBind.String())
	if err != nil {
		return fmt.Errorf("chansip: bind TLS %s: %w", g.TLSBind, err)
	}
	a := l.Addr().(*net.TCPAddr).AddrPort()
	t.tlsAddr = netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
	// Tracking sits under the TLS layer so that a connection is counted
	// from accept to close, handshake failures included.
	t.tls = t.conns.framed(tls.NewListener(t.conns.listener(l, "TLS"), conf))
	return nil
}

// TLSAddr is the bound TLS address, invalid when TLS is off.
func (d *Driver) TLSAddr() netip.AddrPort {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tp == nil {
		return netip.AddrPort{}
	}
	return d.tp.tlsAddr
}

// ConnInfo is one open TCP or TLS connection, as "sip show tcp" lists it.
type ConnInfo struct {
	Remote    netip.AddrPort
	Transport string // TCP or TLS
	Client    bool   // we opened it (to a trunk); false: a phone connected to us
}

// connTracker knows the connections our listeners accepted, by remote
// address: sipgo's pool cannot be listed, and it keeps entries under two
// keys per connection.
type connTracker struct {
	mu sync.RWMutex
	m  map[netip.AddrPort]*trackedConn

	// tcpauthtimeout and tcpauthlimit (tcp_auth.go); log and general are
	// set by configure before the listeners serve.
	log      Logger
	general  func() *sipconf.General
	unauth   atomic.Int64 // open connections not yet authenticated
	refusals refusalLog
}

func newConnTracker() *connTracker {
	return &connTracker{m: make(map[netip.AddrPort]*trackedConn)}
}

type trackedConn struct {
	net.Conn
	t         *connTracker
	remote    netip.AddrPort
	transport string
	once      sync.Once
	state     atomic.Uint32              // connUnauthenticated, ...
	timer     atomic.Pointer[time.Timer] // tcpauthtimeout, until authenticated
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.t.mu.Lock()
		if c.t.m[c.remote] == c {
			delete(c.t.m, c.remote)
		}
		c.t.mu.Unlock()
		c.settle(connGone)
	})
	return c.Conn.Close()
}

// transportFor says over which connection-oriented transport a peer at
// addr is connected to us, "" when it is not.
func (ct *connTracker) transportFor(addr netip.AddrPort) string {
	ct.mu.RLock()
	defer ct.mu.RUnlock()
	if c := ct.m[addr]; c != nil {
		return c.transport
	}
	return ""
}

func (ct *connTracker) list() []ConnInfo {
	ct.mu.RLock()
	out := make([]ConnInfo, 0, len(ct.m))
	for _, c := range ct.m {
		out = append(out, ConnInfo{Remote: c.remote, Transport: c.transport})
	}
	ct.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Remote.String() < out[j].Remote.String() })
	return out
}

func (ct *connTracker) closeAll() {
	ct.mu.RLock()
	cs := make([]*trackedConn, 0, len(ct.m))
	for _, c := range ct.m {
		cs = append(cs, c)
	}
	ct.mu.RUnlock()
	for _, c := range cs {
		_ = c.Close()
	}
}

// listener wraps l so that each accepted connection is tracked until it
// is closed, counts as unauthenticated until a request on it
// authenticates (tcp_auth.go), and a failed accept is retried
// (tcp_accept.go): the listener ends only when it is closed.
func (ct *connTracker) listener(l net.Listener, transport string) net.Listener {
	return &trackingListener{Listener: l, t: ct, transport: transport,
		retry: newAcceptRetry(transport, l, ct.logger)}
}

// framed makes the connections l accepts refuse messages chan_sip would
// refuse on a stream (tcp_frame.go). Over TLS it goes above the TLS layer.
func (ct *connTracker) framed(l net.Listener) net.Listener {
	return &framedListener{Listener: l, warn: func(format string, args ...any) { ct.logger().Warning(format, args...) }}
}

type trackingListener struct {
	net.Listener
	t         *connTracker
	transport string
	retry     *acceptRetry
}

func (l *trackingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if l.retry.failed(err) {
				continue
			}
			return nil, net.ErrClosed
		}
		l.retry.accepted()
		ra, ok := c.RemoteAddr().(*net.TCPAddr)
		if !ok {
			return c, nil
		}
		ap := ra.AddrPort()
		tc := l.t.admit(c, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), l.transport)
		if tc == nil {
			continue // over tcpauthlimit: closed already
		}
		l.t.mu.Lock()
		l.t.m[tc.remote] = tc
		l.t.mu.Unlock()
		return tc, nil
	}
}

func (l *trackingListener) Close() error {
	l.retry.close()
	return l.Listener.Close()
}

// ListenAddr is where we listen for a transport ("UDP", "TCP", "TLS"),
// what a Contact or Via for that transport names; ok is false when that
// listener is off.
func (d *Driver) ListenAddr(transport string) (netip.AddrPort, bool) {
	d.mu.Lock()
	tp := d.tp
	d.mu.Unlock()
	if tp == nil {
		return netip.AddrPort{}, false
	}
	switch transport {
	case "UDP", "udp":
		return tp.udpAddr, true
	case "TLS", "tls":
		return tp.tlsAddr, tp.tls != nil
	case "TCP", "tcp":
		if a, ok := tp.tcpAddr(); ok {
			return a, true
		}
	}
	return netip.AddrPort{}, false
}

func (t *transports) tcpAddr() (netip.AddrPort, bool) {
	if t.tcp == nil {
		return netip.AddrPort{}, false
	}
	a, ok := t.tcp.Addr().(*net.TCPAddr)
	if !ok {
		return netip.AddrPort{}, false
	}
	ap := a.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
}
