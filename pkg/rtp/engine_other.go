//go:build !linux

package rtp

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// ioState is a pump's portable part: nothing beyond the pump itself.
type ioState struct{}

// scratchIO is empty: the portable relay has no ring.
type scratchIO struct{}

func (p *pump) initIO() {}

// relayHandle is a running bridge's two reader goroutines, one per
// direction, each blocked in the runtime poller between packets.
type relayHandle struct {
	br      *Bridge
	closing *atomic.Bool
	wg      *sync.WaitGroup
}

func startRelay(br *Bridge) (relayHandle, error) {
	h := relayHandle{br: br, closing: new(atomic.Bool), wg: new(sync.WaitGroup)}
	h.wg.Add(2)
	go h.run(br.ab)
	go h.run(br.ba)
	return h, nil
}

// stop unblocks the readers with a past deadline rather than closing the
// sockets, so the legs keep their ports, and waits for both to return:
// here the bridge is let go of before stop returns.
func (h relayHandle) stop() {
	h.closing.Store(true)
	past := time.Unix(1, 0)
	a, b := h.br.a.pp.RTP.conn, h.br.b.pp.RTP.conn
	_ = a.SetReadDeadline(past)
	_ = b.SetReadDeadline(past)
	h.wg.Wait()
	_ = a.SetReadDeadline(time.Time{})
	_ = b.SetReadDeadline(time.Time{})
	h.br.finish()
}

func (h relayHandle) run(p *pump) {
	defer h.wg.Done()
	conn := p.src.pp.RTP.conn
	sc := newScratch()
	for {
		n, from, err := conn.ReadFromUDPAddrPort(sc.in)
		if err == nil {
			p.forward(sc.in[:n], from, time.Now().UnixNano(), sc)
			continue
		}
		if h.closing.Load() || errors.Is(err, net.ErrClosed) {
			return
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			// A transient read error (ICMP port unreachable surfacing as
			// ECONNREFUSED on some systems) must not end the call.
			continue
		}
	}
}

func (p *pump) send(pkt []byte, t *netip.AddrPort, _ *scratch) bool {
	_, err := p.dst.pp.RTP.conn.WriteToUDPAddrPort(pkt, *t)
	return err == nil
}
