package rtp

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// ErrLegBusy is returned when a leg is already part of a bridge.
var ErrLegBusy = errors.New("rtp: leg already bridged")

// bufSize fits any UDP payload on an Ethernet path plus the SRTP tag and
// MKI that encryption adds.
const bufSize = 1500 + 64

// Bridge relays media between two legs until Close. It owns one goroutine
// per direction; the legs stay open afterwards and can be bridged again.
type Bridge struct {
	a, b    *Leg
	closing atomic.Bool
	wg      sync.WaitGroup
	once    sync.Once
}

// NewBridge starts relaying a<->b.
func NewBridge(a, b *Leg) (*Bridge, error) {
	if a == b {
		return nil, errors.New("rtp: cannot bridge a leg to itself")
	}
	if !a.bridged.CompareAndSwap(false, true) {
		return nil, ErrLegBusy
	}
	if !b.bridged.CompareAndSwap(false, true) {
		a.bridged.Store(false)
		return nil, ErrLegBusy
	}
	br := &Bridge{a: a, b: b}
	br.wg.Add(2)
	go br.run(newPump(a, b))
	go br.run(newPump(b, a))
	return br, nil
}

// Close stops both directions and waits for them. It unblocks the readers
// with a past deadline rather than closing the sockets, so the legs keep
// their ports.
func (br *Bridge) Close() error {
	br.once.Do(func() {
		br.closing.Store(true)
		past := time.Unix(1, 0)
		_ = br.a.pp.RTP.SetReadDeadline(past)
		_ = br.b.pp.RTP.SetReadDeadline(past)
		br.wg.Wait()
		_ = br.a.pp.RTP.SetReadDeadline(time.Time{})
		_ = br.b.pp.RTP.SetReadDeadline(time.Time{})
		br.a.bridged.Store(false)
		br.b.bridged.Store(false)
	})
	return nil
}

func (br *Bridge) run(p *pump) {
	defer br.wg.Done()
	for {
		err := p.step()
		if err == nil {
			continue
		}
		if br.closing.Load() || errors.Is(err, net.ErrClosed) {
			return
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			// A transient read error (ICMP port unreachable surfacing as
			// ECONNREFUSED on some systems) must not end the call.
			continue
		}
	}
}

// pump is one direction's state: everything the hot path needs is
// preallocated here.
type pump struct {
	src, dst *Leg
	in, out  []byte
	hdr      rtp.Header
	table    ptTable
	lastFrom *[]PayloadType
	lastTo   *[]PayloadType
	identity bool
}

func newPump(src, dst *Leg) *pump {
	p := &pump{src: src, dst: dst, in: make([]byte, bufSize), out: make([]byte, bufSize)}
	p.table.build(nil, nil)
	p.identity = true
	return p
}

// step relays one packet. Packets that fail checks are dropped silently
// (and counted); only socket errors are returned.
func (p *pump) step() error {
	n, from, err := p.src.pp.RTP.ReadFromUDPAddrPort(p.in)
	if err != nil {
		return err
	}
	p.forward(p.in[:n], from, time.Now().UnixNano())
	return nil
}

func (p *pump) forward(pkt []byte, from netip.AddrPort, now int64) {
	src, dst := p.src, p.dst
	if !src.accept(pkt, from, now) {
		return
	}
	if st := src.srtp.Load(); st != nil {
		plain, err := st.dec.DecryptRTP(pkt[:0], pkt, &p.hdr)
		if err != nil {
			src.dropped.Add(1)
			return
		}
		pkt = plain
	}
	p.remap(pkt)
	if st := dst.srtp.Load(); st != nil {
		enc, err := st.enc.EncryptRTP(p.out[:0], pkt, &p.hdr)
		if err != nil {
			return
		}
		pkt = enc
	}
	t := dst.target.Load()
	if t == nil {
		return
	}
	if _, err := dst.pp.RTP.WriteToUDPAddrPort(pkt, *t); err != nil {
		return
	}
	dst.packetsOut.Add(1)
	dst.bytesOut.Add(uint64(len(pkt)))
}

// remap rewrites the payload type when the legs disagree on its number,
// keeping the marker bit.
func (p *pump) remap(pkt []byte) {
	from, to := p.src.payloads.Load(), p.dst.payloads.Load()
	if from != p.lastFrom || to != p.lastTo {
		p.table.build(from, to)
		p.lastFrom, p.lastTo = from, to
		p.identity = true
		for i, v := range p.table {
			if int(v) != i {
				p.identity = false
				break
			}
		}
	}
	if p.identity {
		return
	}
	pt := pkt[1] & 0x7f
	pkt[1] = pkt[1]&0x80 | p.table[pt]
}
