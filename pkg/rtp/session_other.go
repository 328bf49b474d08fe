//go:build !linux

package rtp

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// recvIO is empty outside Linux: a goroutine per session reads its conn.
type recvIO struct{}

// sendIO is empty: sends go through the conn.
type sendIO struct{}

func (s *Session) initIO() {}

func (s *Session) link() {}

func (s *Session) sendTo(pkt []byte, t *netip.AddrPort) bool {
	_, err := s.leg.pp.RTP.conn.WriteToUDPAddrPort(pkt, *t)
	return err == nil
}

// recvLoop is the portable receive side: one goroutine per session,
// blocked in the runtime poller, woken every recvSweep to let overdue
// jitter-buffer packets go.
type recvLoop struct {
	mu       sync.Mutex
	stopping map[*Session]chan struct{}
}

const recvSweep = 10 * time.Millisecond

func newRecvLoop() (*recvLoop, error) {
	return &recvLoop{stopping: map[*Session]chan struct{}{}}, nil
}

func (l *recvLoop) isDead() bool { return false }

func (l *recvLoop) add(s *Session) error {
	quit := make(chan struct{})
	l.mu.Lock()
	l.stopping[s] = quit
	l.mu.Unlock()
	go l.read(s, quit)
	return nil
}

func (l *recvLoop) remove(s *Session) {
	l.mu.Lock()
	quit := l.stopping[s]
	delete(l.stopping, s)
	l.mu.Unlock()
	if quit != nil {
		close(quit)
		_ = s.leg.pp.RTP.conn.SetReadDeadline(time.Unix(1, 0))
	}
}

func (l *recvLoop) stop() {}

func (l *recvLoop) read(s *Session, quit chan struct{}) {
	conn := s.leg.pp.RTP.conn
	buf := make([]byte, bufSize)
	var hdr rtp.Header
	defer func() {
		_ = conn.SetReadDeadline(time.Time{})
		s.finishRecv()
	}()
	for {
		select {
		case <-quit:
			return
		default:
		}
		_ = conn.SetReadDeadline(time.Now().Add(recvSweep))
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		now := time.Now().UnixNano()
		if err == nil {
			s.receive(buf[:n], from, now, &hdr)
			continue
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			s.tick(now)
		}
	}
}
