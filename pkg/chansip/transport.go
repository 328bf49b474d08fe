package chansip

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// quiet is handed to sipgo: its own messages (parse errors of garbage
// packets, mostly) would let any sender flood our logs, and chan_sip
// reports none of them.
var quiet = slog.New(slog.DiscardHandler)

// setupStack builds the sipgo user agent and server with our handlers.
func (d *Driver) setupStack(cfg *sipconf.Config) error {
	uaOpts := []sipgo.UserAgentOption{sipgo.WithUserAgent(cfg.General.EffectiveUserAgent(d.opts.Version))}
	if cfg.General.TLSEnable {
		// Every TLS connection sipgo dials (trunks, peers with
		// transport=tls and no open connection) uses these settings.
		conf, warns := ClientTLSConfig(&cfg.General)
		for _, w := range warns {
			d.log.Warning("%s", w)
		}
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(conf))
	}
	ua, err := sipgo.NewUA(append(uaOpts,
		sipgo.WithUserAgentTransportLayerOptions(
			sip.WithTransportLayerLogger(quiet),
			sip.WithTransportLayerReadFilter(d.readHook),
		),
		sipgo.WithUserAgentTransactionLayerOptions(
			sip.WithTransactionLayerLogger(quiet),
			sip.WithTransactionLayerUnhandledResponseHandler(func(*sip.Response) {}),
		))...,
	)
	if err != nil {
		return fmt.Errorf("chansip: user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(quiet))
	if err != nil {
		ua.Close()
		return fmt.Errorf("chansip: server: %w", err)
	}
	// Requests over TCP and TLS are counted from when sipgo has parsed
	// them until our handler is done with them (flowctl.go).
	ua.TransportLayer().OnMessage(d.flow.admit)
	d.ua, d.srv = ua, srv
	d.serve(sip.REGISTER, d.handleRegister)
	d.serve(sip.OPTIONS, d.handleOptions)
	srv.OnNoRoute(d.handler(d.handleNoRoute))
	return nil
}

// udpReadBuffer is the receive buffer asked for the SIP UDP socket.
const udpReadBuffer = 4 << 20

// transports are the bound sockets.
type transports struct {
	udp     net.PacketConn
	udpAddr netip.AddrPort
	tcp     net.Listener
	tls     net.Listener
	tlsAddr netip.AddrPort
	conns   *connTracker // accepted TCP and TLS connections
	warns   []string     // what the TLS settings could not honour, logged by serve
	once    sync.Once
}

// listen binds UDP (always), TCP (tcpenable=yes) and TLS (tlsenable=yes)
// as [general] says. A TLS certificate that cannot be loaded is a
// start-up error, not a silently disabled listener as in chan_sip: the
// admin asked for TLS and phones would fail without a word.
func listen(g sipconf.General) (*transports, error) {
	t := &transports{conns: newConnTracker()}
	network := "udp"
	if g.UDPBind.Addr().Is4() {
		network = "udp4"
	}
	udp, err := net.ListenPacket(network, g.UDPBind.String())
	if err != nil {
		return nil, fmt.Errorf("chansip: bind UDP %s: %w", g.UDPBind, err)
	}
	t.udp = udp
	if uc, ok := udp.(*net.UDPConn); ok {
		// Bursts of thousands of REGISTERs a second overflow the default
		// socket buffer before one reader drains it; the kernel caps the
		// request at its own maximum.
		uc.SetReadBuffer(udpReadBuffer)
	}
	t.udpAddr = udp.LocalAddr().(*net.UDPAddr).AddrPort()
	if g.TCPEnable {
		tcpNet := "tcp"
		if g.TCPBind.Addr().Is4() {
			tcpNet = "tcp4"
		}
		l, err := net.Listen(tcpNet, g.TCPBind.String())
		if err != nil {
			udp.Close()
			return nil, fmt.Errorf("chansip: bind TCP %s: %w", g.TCPBind, err)
		}
		t.tcp = t.conns.framed(t.conns.listener(l, "TCP"))
	}
	if g.TLSEnable {
		if err := t.listenTLS(&g); err != nil {
			t.close()
			return nil, err
		}
	}
	return t, nil
}

// udpReaders is how many goroutines read the UDP socket: one per CPU the
// process may use, up to 4. REGISTERs are answered on the reading
// goroutine (fastpath.go), so on a multi-core server one reader would
// serialise them; more than a few only contend on the socket.
func udpReaders() int { return min(max(runtime.GOMAXPROCS(0), 1), 4) }

// serve runs the socket readers; they end when close closes the sockets.
func (t *transports) serve(srv *sipgo.Server, wg *sync.WaitGroup, log Logger) {
	for range udpReaders() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.ServeUDP(t.udp); err != nil && !errors.Is(err, net.ErrClosed) {
				log.Error("SIP UDP transport stopped: %v", err)
			}
		}()
	}
	if t.tcp != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.ServeTCP(t.tcp); err != nil && !errors.Is(err, net.ErrClosed) {
				log.Error("SIP TCP transport stopped: %v", err)
			}
		}()
	}
	for _, w := range t.warns {
		log.Warning("%s", w)
	}
	if t.tls != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.ServeTLS(t.tls); err != nil && !errors.Is(err, net.ErrClosed) {
				log.Error("SIP TLS transport stopped: %v", err)
			}
		}()
	}
}

func (t *transports) close() {
	t.once.Do(func() {
		t.udp.Close()
		if t.tcp != nil {
			t.tcp.Close()
		}
		if t.tls != nil {
			t.tls.Close()
		}
		// Accepted connections are sipgo's to close (its transport layer
		// closes them with the user agent); closing them here as well
		// makes Stop independent of that order.
		t.conns.closeAll()
	})
}

// LocalAddr is the bound UDP address (useful when bindport=0).
func (d *Driver) LocalAddr() netip.AddrPort {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tp == nil {
		return netip.AddrPort{}
	}
	return d.tp.udpAddr
}

// ourAddrFor is the address a peer at dst sees us at: the bound address,
// or when bound to the wildcard, the one the kernel routes from.
func (d *Driver) ourAddrFor(dst netip.AddrPort) netip.AddrPort {
	return routedAddr(d.LocalAddr(), dst)
}

// routedAddr is ourAddrFor for a socket bound to local. It takes no lock:
// startCalls runs under d.mu and hands it to the call layer.
func routedAddr(local, dst netip.AddrPort) netip.AddrPort {
	if !local.Addr().IsUnspecified() {
		return local
	}
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(dst))
	if err != nil {
		return local
	}
	defer c.Close()
	a := c.LocalAddr().(*net.UDPAddr).AddrPort()
	return netip.AddrPortFrom(a.Addr().Unmap(), local.Port())
}

// parseHostPort reads "1.2.3.4:5060" / "[::1]:5060" as sipgo gives sources.
func parseHostPort(s string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// transportName is chan_sip's upper-case transport name.
func transportName(network string) string {
	return strings.ToUpper(network)
}
