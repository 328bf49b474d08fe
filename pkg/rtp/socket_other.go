//go:build !linux

package rtp

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
)

// Socket is a leg's bound RTP socket. Outside Linux it is a plain
// *net.UDPConn read by one goroutine per bridged direction.
type Socket struct {
	conn  *net.UDPConn
	local netip.AddrPort

	once     sync.Once
	closeErr error
}

func listenSocket(ip netip.Addr, port int) (*Socket, error) {
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
	if err != nil {
		return nil, fmt.Errorf("rtp: bind: %w", err)
	}
	return &Socket{conn: conn, local: conn.LocalAddr().(*net.UDPAddr).AddrPort()}, nil
}

// LocalAddr is the address the socket is bound to.
func (s *Socket) LocalAddr() netip.AddrPort { return s.local }

// Close closes the socket once.
func (s *Socket) Close() error {
	s.once.Do(func() {
		if err := s.conn.Close(); err != nil {
			s.closeErr = fmt.Errorf("rtp: close %s: %w", s.local, err)
		}
	})
	return s.closeErr
}

// linkState is empty outside Linux: sockets are never connected there.
type linkState struct{}

func (s *linkState) forget() {}

func (l *Leg) unlinkLocked() {}
