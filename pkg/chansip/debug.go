package chansip

import (
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// debugFilter is "sip set debug": off, on for everyone, or limited to one
// address (with port when one was given) or one peer's address.
type debugFilter struct {
	all  bool
	addr netip.Addr
	port uint16 // 0 = any port

	// nat remembers, per destination, whether the last message the
	// driver built for it went out the NAT way (debugTransmit), so the
	// socket's printout (debugSent) can say "(NAT)"; kept only while this
	// filter is the current one.
	nat sync.Map // netip.AddrPort -> bool
}

func (f *debugFilter) match(a netip.AddrPort) bool {
	switch {
	case f.all:
		return true
	case !f.addr.IsValid():
		return false
	}
	return f.addr == a.Addr().Unmap() && (f.port == 0 || f.port == a.Port())
}

func (f *debugFilter) on() bool { return f.all || f.addr.IsValid() }

// readHook sees every packet before sipgo parses it, which is what
// chan_sip prints: the bytes as read.
func (d *Driver) readHook(props sip.TransportReadProps, data []byte) ([]byte, error) {
	if props.Transport == "UDP" {
		// Over TCP and TLS a read is a piece of a stream, which may end
		// between the CR and the LF of a line or start inside a body;
		// dropping it would cut the stream, so there the framer and the
		// parsed requests are checked instead (tcp_frame.go,
		// Driver.handler). Returning an error instead of no bytes would
		// stop sipgo's UDP reader.
		if bareLineBreak(data) {
			// A lone CR or LF in the headers would be echoed into our
			// answers (header injection).
			return nil, nil
		}
		if why := badHead(data); why != "" {
			d.log.Debug(3, "Skipping packet - %s", why)
			return nil, nil
		}
		if marked, ok := markBareIPv6URI(data); ok {
			// Answered 400 by the handler (urisyntax.go).
			d.observeRead(props, data)
			d.debugRead(props, data)
			return marked, nil
		}
	}
	d.observeRead(props, data)
	d.debugRead(props, data)
	if d.handleFast(props, data) {
		return nil, nil
	}
	return data, nil
}

// debugRead prints a packet as read when "sip set debug" covers its source.
func (d *Driver) debugRead(props sip.TransportReadProps, data []byte) {
	f := d.debug.Load()
	if !f.on() {
		return
	}
	var src netip.AddrPort
	switch a := props.RemoteAddr.(type) {
	case *net.UDPAddr:
		src = a.AddrPort()
	case *net.TCPAddr:
		src = a.AddrPort()
	}
	src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
	if f.match(src) && len(strings.TrimSpace(string(data))) > 0 {
		d.log.Verbose(0, "\n<--- SIP read from %s:%s --->\n%s\n<------------->", transportName(props.Transport), src, string(data))
	}
}

// debugTransmit records an outgoing message (sip show history) and, when
// debugging covers its destination, prints it; over UDP the socket itself
// prints every datagram it sends (debugSent), including those of calls and
// retransmissions, and this only notes whether the message went the NAT
// way.
func (d *Driver) debugTransmit(msg sip.Message, nat bool) {
	d.observeTransmit(msg)
	f := d.debug.Load()
	if !f.on() {
		return
	}
	dst, err := parseHostPort(msg.Destination())
	if err != nil || !f.match(dst) {
		return
	}
	if strings.EqualFold(msg.Transport(), "UDP") {
		f.nat.Store(dst, nat)
		return
	}
	printTransmit(d.log, dst, nat, msg.String())
}

// debugSent prints a datagram the SIP UDP socket sent, when debugging
// covers its destination.
func (d *Driver) debugSent(b []byte, addr net.Addr) {
	f := d.debug.Load()
	if !f.on() {
		return
	}
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return
	}
	dst := ua.AddrPort()
	dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	if !f.match(dst) || len(strings.TrimSpace(string(b))) == 0 {
		return
	}
	nat, _ := f.nat.Load(dst)
	printTransmit(d.log, dst, nat == true, string(b))
}

func printTransmit(log Logger, dst netip.AddrPort, nat bool, msg string) {
	mode := "no NAT"
	if nat {
		mode = "NAT"
	}
	log.Verbose(0, "\n<--- Transmitting (%s) to %s --->\n%s\n<------------>", mode, dst, msg)
}

// tracedPacketConn is the SIP UDP socket as sipgo and the fast path use
// it: every datagram written goes past sent first.
type tracedPacketConn struct {
	net.PacketConn
	sent func(b []byte, addr net.Addr)
}

func (c *tracedPacketConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	c.sent(b, addr)
	return c.PacketConn.WriteTo(b, addr)
}
