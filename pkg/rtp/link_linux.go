//go:build linux

package rtp

import (
	"net/netip"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// linkState is the peer a leg's socket is connected to, if any.
//
// Once strict RTP has locked a leg's source and that source is also where
// the leg sends, the relay connect()s the socket to it. The kernel then
// drops datagrams from anyone else (what strict RTP drops anyway) and each
// send reuses the socket's cached route instead of a routing lookup per
// packet, which is most of what an unconnected sendto costs beyond the
// copy. SetRemote undoes it before the leg learns a new source.
type linkState struct {
	// peer is the target pointer the socket was connected for: the hot
	// path sends without an address only while the leg's current target
	// is that very pointer.
	peer atomic.Pointer[netip.AddrPort]
	// done: the leg closed; its descriptor may be gone. Guarded by the
	// leg's linkMu.
	done bool
}

// forget drops the link without a system call, for good: the socket is
// closing.
func (s *linkState) forget() {
	s.peer.Store(nil)
	s.done = true
}

// tryLink connects the leg's socket (fd, the relay's copy of it) to the
// locked source when it is also the send target. arrivedAt is the local
// address the locking datagram was sent to, known for wildcard-bound
// IPv4 sockets: connect() also fixes the socket's local address to the one
// the routing table picks towards the peer, and if that differs from
// where the peer really sends (a host with several addresses) the link
// would cut the media, so it is undone.
func (l *Leg) tryLink(fd int, arrivedAt netip.Addr) {
	l.linkMu.Lock()
	defer l.linkMu.Unlock()
	if l.link.done || l.link.peer.Load() != nil {
		return
	}
	lk, t := l.locked.Load(), l.target.Load()
	if lk == nil || t == nil || *lk != *t {
		return
	}
	sock := l.pp.RTP
	wildcard := sock.local.Addr().IsUnspecified()
	if wildcard && sock.family != unix.AF_INET {
		// A dual-stack socket reports no IPv4 arrival address here.
		return
	}
	var sa rawAddr
	if !sa.set(*t, sock.family) {
		return
	}
	if _, _, e := unix.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa.sa)), uintptr(sa.len)); e != 0 {
		return
	}
	if wildcard {
		local, err := unix.Getsockname(fd)
		in4, ok := local.(*unix.SockaddrInet4)
		if err != nil || !ok || !arrivedAt.IsValid() || netip.AddrFrom4(in4.Addr) != arrivedAt.Unmap() {
			disconnect(fd)
			return
		}
	}
	l.link.peer.Store(t)
}

// unlinkLocked disconnects the socket, so that datagrams from a new source
// reach strict RTP's learning again. The caller holds linkMu.
func (l *Leg) unlinkLocked() {
	if l.link.peer.Load() == nil {
		return
	}
	disconnect(l.pp.RTP.fd)
	l.link.peer.Store(nil)
}

// disconnect dissolves a UDP socket's association (connect to AF_UNSPEC);
// a wildcard-bound socket gets its wildcard local address back.
func disconnect(fd int) {
	sa := unix.RawSockaddr{Family: unix.AF_UNSPEC}
	_, _, _ = unix.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
}
