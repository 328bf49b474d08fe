// Package kstamp reads the kernel's receive timestamps of UDP datagrams
// (SO_TIMESTAMPNS), so a benchmark's receiver measures when a packet
// arrived, not when its own busy process got round to reading it.
package kstamp

import (
	"net"
	"unsafe"

	"golang.org/x/sys/unix"
)

// OOBSize is enough control-message space for the timestamp.
const OOBSize = 64

// Enable asks the kernel to timestamp the datagrams fd receives.
func Enable(fd int) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
}

// EnableConn is Enable for a Go UDP socket.
func EnableConn(c *net.UDPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = Enable(int(fd)) }); err != nil {
		return err
	}
	return serr
}

// Parse returns the timestamp (ns, CLOCK_REALTIME) of a received
// datagram's control messages.
func Parse(oob []byte) (int64, bool) {
	const hdr = unix.SizeofCmsghdr
	for len(oob) >= hdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		if h.Len < hdr || int(h.Len) > len(oob) {
			return 0, false
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SO_TIMESTAMPNS && int(h.Len) >= hdr+16 {
			ts := (*unix.Timespec)(unsafe.Pointer(&oob[hdr]))
			return ts.Nano(), true
		}
		oob = oob[(int(h.Len)+7)&^7:]
	}
	return 0, false
}
