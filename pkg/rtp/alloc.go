package rtp

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
)

// ErrPortsExhausted is returned when every port pair of the range is in use
// or cannot be bound; the error is an *ExhaustedError.
var ErrPortsExhausted = errors.New("rtp: no free RTP port pair in range")

// ExhaustedError is ErrPortsExhausted with what an admin needs to act on
// it: the range as configured, how much of it gostrisk holds (calls up,
// and calls whose sockets the relay has not let go of yet) and, when
// ports looked free but would not bind, why.
type ExhaustedError struct {
	Start, End int // rtpstart and rtpend as given to NewAllocator
	Pairs      int // even/odd pairs in the range
	InUse      int // pairs handed out and not yet returned
	IP         netip.Addr
	BindErr    error // last bind failure of a pair not handed out, if any
}

func (e *ExhaustedError) Error() string {
	if e.BindErr != nil {
		return fmt.Sprintf("%v (%d-%d on %s, last bind error: %v)", ErrPortsExhausted, e.Start, e.End, e.IP, e.BindErr)
	}
	return fmt.Sprintf("%v (%d-%d on %s)", ErrPortsExhausted, e.Start, e.End, e.IP)
}

// Is makes errors.Is(err, ErrPortsExhausted) hold.
func (e *ExhaustedError) Is(target error) bool { return target == ErrPortsExhausted }

// Allocator hands out even RTP ports (RTCP on port+1) from a fixed range.
// Free ports wait in a FIFO ring so a port just released is the last to be
// reused, which keeps late packets of a finished call away from a new one.
type Allocator struct {
	start, end int
	// confStart is rtpstart as configured, before rounding up to even.
	confStart int

	mu    sync.Mutex
	ring  []uint16 // free even ports; head..head+n wraps around
	head  int
	n     int
	inUse map[int]bool
}

// NewAllocator prepares the even ports in [start, end]. An odd start is
// rounded up, and a pair needs port+1 inside the range too.
func NewAllocator(start, end int) (*Allocator, error) {
	confStart := start
	if start&1 == 1 {
		start++
	}
	if start < 1 || end > 65535 || start+1 > end {
		return nil, fmt.Errorf("rtp: port range %d-%d holds no even/odd pair", start, end)
	}
	a := &Allocator{start: start, end: end, confStart: confStart, inUse: make(map[int]bool)}
	for p := start; p+1 <= end; p += 2 {
		a.ring = append(a.ring, uint16(p))
	}
	a.n = len(a.ring)
	return a, nil
}

// Range returns the even ports' bounds as configured.
func (a *Allocator) Range() (start, end int) { return a.start, a.end }

// Free returns how many pairs are not handed out.
func (a *Allocator) Free() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

func (a *Allocator) take() (int, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n == 0 {
		return 0, false
	}
	p := int(a.ring[a.head])
	a.head = (a.head + 1) % len(a.ring)
	a.n--
	a.inUse[p] = true
	return p, true
}

func (a *Allocator) give(p int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.inUse[p] {
		return
	}
	delete(a.inUse, p)
	a.ring[(a.head+a.n)%len(a.ring)] = uint16(p)
	a.n++
}

// PortPair is a bound RTP socket and, when asked for, its RTCP neighbour.
type PortPair struct {
	RTP  *Socket
	RTCP *Socket // nil when the pair was bound without RTCP
	Port int

	alloc *Allocator
	once  sync.Once
	// refs counts the owner (until Close) and each bridge whose relay may
	// still read or write the sockets: the descriptors close, and the port
	// goes back to the allocator, when the last of them lets go, so a
	// relay finishing its work in the background never touches a
	// descriptor number that a new socket has taken.
	refs atomic.Int32
}

// Allocate binds the next free even port on ip (and port+1 when withRTCP).
// Ports another program holds are skipped and go back to the ring; after
// one full turn without success it gives up with ErrPortsExhausted.
func (a *Allocator) Allocate(ip netip.Addr, withRTCP bool) (*PortPair, error) {
	a.mu.Lock()
	tries := a.n
	a.mu.Unlock()
	var lastErr error
	for i := 0; i < tries; i++ {
		p, ok := a.take()
		if !ok {
			break
		}
		rtpConn, err := listenSocket(ip, p)
		if err != nil {
			lastErr = err
			a.give(p)
			continue
		}
		var rtcpConn *Socket
		if withRTCP {
			rtcpConn, err = listenSocket(ip, p+1)
			if err != nil {
				lastErr = err
				_ = rtpConn.Close()
				a.give(p)
				continue
			}
		}
		pp := &PortPair{RTP: rtpConn, RTCP: rtcpConn, Port: p, alloc: a}
		pp.refs.Store(1)
		return pp, nil
	}
	a.mu.Lock()
	inUse := len(a.ring) - a.n
	a.mu.Unlock()
	return nil, &ExhaustedError{Start: a.confStart, End: a.end, Pairs: len(a.ring), InUse: inUse, IP: ip, BindErr: lastErr}
}

// Close gives up the owner's hold on the sockets: they close, and the port
// returns to the allocator, at once unless a relay still holds them, else
// when it lets go. It is safe to call more than once.
func (pp *PortPair) Close() error {
	var err error
	pp.once.Do(func() { err = pp.release() })
	return err
}

// hold keeps the sockets open until a matching release. Only a holder may
// take another hold.
func (pp *PortPair) hold() { pp.refs.Add(1) }

// release drops one hold; the last one closes the sockets and frees the
// port.
func (pp *PortPair) release() error {
	if pp.refs.Add(-1) != 0 {
		return nil
	}
	err := pp.RTP.Close()
	if pp.RTCP != nil {
		if e := pp.RTCP.Close(); err == nil {
			err = e
		}
	}
	pp.alloc.give(pp.Port)
	return err
}
