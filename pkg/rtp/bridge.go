package rtp

import (
	"errors"
	"net/netip"
	"sync"

	"github.com/pion/rtp"
)

// ErrLegBusy is returned when a leg is already part of a bridge.
var ErrLegBusy = errors.New("rtp: leg already bridged")

// bufSize fits any UDP payload on an Ethernet path plus the SRTP tag and
// MKI that encryption adds.
const bufSize = 1500 + 64

// Bridge relays media between two legs until Close. The legs stay open
// afterwards and can be bridged again.
type Bridge struct {
	a, b   *Leg
	ab, ba *pump

	// mu orders starting the relay against stopping it (Close, or Close
	// of one of the legs), which may race with NewBridge.
	mu        sync.Mutex
	state     relayState
	relay     relayHandle // platform part, valid while state is relayRunning
	closeOnce sync.Once
}

type relayState int

const (
	relayNew relayState = iota
	relayRunning
	relayStopped
)

// NewBridge starts relaying a<->b.
func NewBridge(a, b *Leg) (*Bridge, error) {
	if a == b {
		return nil, errors.New("rtp: cannot bridge a leg to itself")
	}
	br := &Bridge{a: a, b: b, ab: newPump(a, b), ba: newPump(b, a)}
	okA, closedA := a.attach(br)
	if !okA {
		return nil, ErrLegBusy
	}
	okB, closedB := b.attach(br)
	if !okB {
		a.detach(br)
		return nil, ErrLegBusy
	}
	br.mu.Lock()
	defer br.mu.Unlock()
	if closedA || closedB || br.state == relayStopped {
		// Nothing can be relayed through a closed socket (a leg may have
		// been closed since attach, which stopped the bridge already); the
		// bridge exists so the caller's Close still pairs with this call.
		br.state = relayStopped
		return br, nil
	}
	h, err := startRelay(br)
	if err != nil {
		a.detach(br)
		b.detach(br)
		return nil, err
	}
	br.relay, br.state = h, relayRunning
	return br, nil
}

// Close stops both directions and returns once the relay no longer
// touches either leg; the legs keep their ports and are free for another
// bridge.
func (br *Bridge) Close() error {
	br.closeOnce.Do(func() {
		br.stopRelay()
		br.a.detach(br)
		br.b.detach(br)
	})
	return nil
}

// stopRelay ends the relay once; later calls wait for the first to finish.
func (br *Bridge) stopRelay() {
	br.mu.Lock()
	defer br.mu.Unlock()
	if br.state == relayRunning {
		br.relay.stop()
	}
	br.state = relayStopped
}

// pump is one direction's state: everything the hot path needs is
// preallocated here, and only the goroutine relaying that direction
// touches it.
type pump struct {
	src, dst *Leg
	lastFrom *[]PayloadType
	lastTo   *[]PayloadType
	identity bool
	ioState
	table ptTable // last: read only when payload types differ
}

// scratch is the working memory of one relaying goroutine, shared by
// all the pumps it serves rather than held per pump: with thousands of
// calls, per-pump buffers would be cold in the cache for every packet.
type scratch struct {
	in, out []byte
	hdr     rtp.Header
	scratchIO
}

func newScratch() *scratch {
	return &scratch{in: make([]byte, bufSize), out: make([]byte, bufSize)}
}

func newPump(src, dst *Leg) *pump {
	p := &pump{src: src, dst: dst}
	p.table.build(nil, nil)
	p.identity = true
	p.initIO()
	return p
}

// forward relays one received packet, which lies in sc.in. Packets that
// fail checks are dropped silently (and counted).
func (p *pump) forward(pkt []byte, from netip.AddrPort, now int64, sc *scratch) {
	src, dst := p.src, p.dst
	if !src.accept(pkt, from, now) {
		return
	}
	if st := src.srtp.Load(); st != nil {
		plain, err := st.dec.DecryptRTP(pkt[:0], pkt, &sc.hdr)
		if err != nil {
			src.dropped.Add(1)
			return
		}
		pkt = plain
	}
	p.remap(pkt)
	if st := dst.srtp.Load(); st != nil {
		enc, err := st.enc.EncryptRTP(sc.out[:0], pkt, &sc.hdr)
		if err != nil {
			return
		}
		pkt = enc
	}
	t := dst.target.Load()
	if t == nil || len(pkt) == 0 {
		return
	}
	// Counted before sending so that whoever receives the packet already
	// sees it in the stats; a failed send takes it back.
	n := uint64(len(pkt))
	dst.packetsOut.Add(1)
	dst.bytesOut.Add(n)
	if !p.send(pkt, t, sc) {
		dst.packetsOut.Add(^uint64(0))
		dst.bytesOut.Add(^(n - 1))
	}
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
