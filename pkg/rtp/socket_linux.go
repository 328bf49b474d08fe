//go:build linux

package rtp

import (
	"fmt"
	"net/netip"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Socket is a leg's bound RTP socket. On Linux it is a bare non-blocking
// file descriptor that Go's network poller never sees: the relay engine
// watches it in its own epoll set, so an arriving packet wakes one engine
// instead of the runtime's poller plus a goroutine per direction.
type Socket struct {
	fd     int
	family int
	local  netip.AddrPort

	once     sync.Once
	closeErr error
}

// listenSocket binds a UDP socket on ip:port. An IPv4 address, 0.0.0.0
// included, gets an IPv4 socket (as chan_sip bound to 0.0.0.0 has IPv4
// media only); an IPv6 address or no address at all gets a dual-stack
// IPv6 socket, as net.ListenUDP("udp", ...) would.
func listenSocket(ip netip.Addr, port int) (*Socket, error) {
	family := unix.AF_INET6
	if ip.Is4() || ip.Is4In6() {
		ip = ip.Unmap()
		family = unix.AF_INET
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return nil, fmt.Errorf("rtp: socket: %w", err)
	}
	var sa unix.Sockaddr
	if family == unix.AF_INET {
		if ip.IsUnspecified() {
			// The relay needs to know which of our addresses a peer's
			// datagrams arrive at before it connects the socket (tryLink).
			if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_PKTINFO, 1); err != nil {
				_ = unix.Close(fd)
				return nil, fmt.Errorf("rtp: IP_PKTINFO: %w", err)
			}
		}
		sa = &unix.SockaddrInet4{Port: port, Addr: ip.As4()}
	} else {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
			_ = unix.Close(fd)
			return nil, fmt.Errorf("rtp: dual-stack socket: %w", err)
		}
		var a16 [16]byte
		if ip.Is6() {
			a16 = ip.As16()
		}
		sa = &unix.SockaddrInet6{Port: port, Addr: a16}
	}
	if err := unix.Bind(fd, sa); err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("rtp: bind %s: %w", netip.AddrPortFrom(ip, uint16(port)), err)
	}
	local := netip.AddrPortFrom(ip, uint16(port))
	if !ip.IsValid() {
		local = netip.AddrPortFrom(netip.IPv6Unspecified(), uint16(port))
	}
	return &Socket{fd: fd, family: family, local: local}, nil
}

// LocalAddr is the address the socket is bound to.
func (s *Socket) LocalAddr() netip.AddrPort { return s.local }

// Close closes the descriptor once. The caller makes sure no relay engine
// still watches it (Leg.Close detaches its bridge first), because the
// number may be handed to a new socket right away.
func (s *Socket) Close() error {
	s.once.Do(func() {
		if err := unix.Close(s.fd); err != nil {
			s.closeErr = fmt.Errorf("rtp: close %s: %w", s.local, err)
		}
	})
	return s.closeErr
}

// rawAddr is a preallocated source or destination address for the raw
// recvfrom/sendto calls, so the hot path builds no unix.Sockaddr.
type rawAddr struct {
	sa  unix.RawSockaddrAny
	len uint32
}

// addrPort decodes what recvfrom stored. Zones of link-local IPv6 sources
// are dropped: attaching one would allocate, and RTP peers are not reached
// through link-local addresses.
func (r *rawAddr) addrPort() netip.AddrPort {
	switch r.sa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&r.sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), netToHost16(sa.Port))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&r.sa))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), netToHost16(sa.Port))
	}
	return netip.AddrPort{}
}

// set stores ap as a destination for a socket of the given family; false
// when the family cannot reach it (an IPv6 peer from an IPv4 socket).
func (r *rawAddr) set(ap netip.AddrPort, family int) bool {
	r.sa = unix.RawSockaddrAny{}
	addr := ap.Addr()
	if family == unix.AF_INET {
		addr = addr.Unmap()
		if !addr.Is4() {
			return false
		}
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&r.sa))
		sa.Family = unix.AF_INET
		sa.Port = hostToNet16(ap.Port())
		sa.Addr = addr.As4()
		r.len = unix.SizeofSockaddrInet4
		return true
	}
	sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&r.sa))
	sa.Family = unix.AF_INET6
	sa.Port = hostToNet16(ap.Port())
	sa.Addr = addr.As16() // an IPv4 target becomes ::ffff:a.b.c.d
	r.len = unix.SizeofSockaddrInet6
	return true
}

// netToHost16 reads a port stored in network byte order whatever the
// host's byte order is.
func netToHost16(v uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&v))
	return uint16(b[0])<<8 | uint16(b[1])
}

func hostToNet16(v uint16) uint16 {
	var r uint16
	b := (*[2]byte)(unsafe.Pointer(&r))
	b[0], b[1] = byte(v>>8), byte(v)
	return r
}

// recvFrom reads one datagram without blocking. It is a raw system call:
// the socket is non-blocking, so there is nothing for the scheduler to
// hand off, and unix.Recvfrom would allocate a Sockaddr per packet.
func recvFrom(fd int, buf []byte, from *rawAddr) (int, unix.Errno) {
	from.len = unix.SizeofSockaddrAny
	n, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), unix.MSG_DONTWAIT,
		uintptr(unsafe.Pointer(&from.sa)), uintptr(unsafe.Pointer(&from.len)))
	return int(n), e
}

// sendTo writes one datagram without blocking; a full send buffer drops
// the packet, as a congested network would.
func sendTo(fd int, pkt []byte, to *rawAddr) unix.Errno {
	_, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd),
		uintptr(unsafe.Pointer(&pkt[0])), uintptr(len(pkt)), unix.MSG_DONTWAIT,
		uintptr(unsafe.Pointer(&to.sa)), uintptr(to.len))
	return e
}

// recvFromTo is recvFrom that also reports the local address the datagram
// was sent to (IP_PKTINFO, enabled on wildcard IPv4 sockets); dst is left
// invalid when the kernel gives none. m is the caller's preallocated
// message header, so the call allocates nothing.
func recvFromTo(fd int, buf []byte, from *rawAddr, m *pktinfoMsg, dst *netip.Addr) (int, unix.Errno) {
	m.iov.Base = &buf[0]
	m.iov.SetLen(len(buf))
	m.hdr.Name = (*byte)(unsafe.Pointer(&from.sa))
	m.hdr.Namelen = unix.SizeofSockaddrAny
	m.hdr.Iov = &m.iov
	m.hdr.Iovlen = 1
	m.hdr.Control = &m.ctl[0]
	m.hdr.SetControllen(len(m.ctl))
	n, _, e := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&m.hdr)), unix.MSG_DONTWAIT)
	if e != 0 {
		return 0, e
	}
	from.len = m.hdr.Namelen
	*dst = pktinfoDst(m.ctl[:m.hdr.Controllen])
	return int(n), 0
}

// pktinfoMsg is recvFromTo's preallocated message header and control
// buffer.
type pktinfoMsg struct {
	hdr unix.Msghdr
	iov unix.Iovec
	ctl [64]byte
}

// send writes one datagram to the peer the socket fd is connected to.
func send(fd int, pkt []byte) unix.Errno {
	_, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd),
		uintptr(unsafe.Pointer(&pkt[0])), uintptr(len(pkt)), unix.MSG_DONTWAIT, 0, 0)
	return e
}
