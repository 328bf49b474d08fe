package rtp

import (
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
)

// ErrLegBusy is returned when a leg is already part of a bridge or has a
// session.
var ErrLegBusy = errors.New("rtp: leg already bridged")

// bufSize fits any UDP payload on an Ethernet path plus the SRTP tag and
// MKI that encryption adds.
const bufSize = 1500 + 64

// Bridge relays media between two legs until Close. The legs stay open
// afterwards and can be bridged again.
//
// Starting and stopping the relay do not wait for it: a relay loop takes
// a bridge up, and lets go of it, between two rounds of packets, and call
// set-up and tear-down (thousands a second) must not queue behind it. The
// bridge holds both legs' sockets meanwhile (PortPair.hold), so a leg
// closed in between keeps its descriptor until the relay is done with it.
type Bridge struct {
	a, b   *Leg
	ab, ba *pump

	// mu orders starting the relay against stopping it (Close, or Close
	// of one of the legs), which may race with NewBridge.
	mu        sync.Mutex
	state     relayState
	relay     relayHandle // platform part, valid while state is relayRunning
	held      bool        // set under mu before the relay starts: the bridge holds both legs' sockets
	closeOnce sync.Once

	// released is closed once no relay reads or writes either leg for
	// this bridge any more.
	released   chan struct{}
	finishOnce sync.Once
	err        atomic.Pointer[error]
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
	br := &Bridge{a: a, b: b, released: make(chan struct{})}
	br.ab, br.ba = newPump(br, a, b), newPump(br, b, a)
	okA, closedA, prevA := a.attach(br)
	if !okA {
		return nil, ErrLegBusy
	}
	okB, closedB, prevB := b.attach(br)
	if !okB {
		a.detach(br)
		return nil, ErrLegBusy
	}
	// A leg just out of another bridge may still be in that relay's hands
	// (it lets go in the background); two relays must never read one
	// socket. Legs of a new call have no previous bridge.
	prevA.waitReleased()
	prevB.waitReleased()
	a.lastSession().waitReleased()
	b.lastSession().waitReleased()
	br.mu.Lock()
	defer br.mu.Unlock()
	if closedA || closedB || br.state == relayStopped {
		// Nothing can be relayed through a closed socket (a leg may have
		// been closed since attach, which stopped the bridge already); the
		// bridge exists so the caller's Close still pairs with this call.
		br.state = relayStopped
		br.finish()
		return br, nil
	}
	a.pp.hold()
	b.pp.hold()
	br.held = true
	h, err := startRelay(br)
	if err != nil {
		br.finish()
		a.detach(br)
		b.detach(br)
		return nil, err
	}
	br.relay, br.state = h, relayRunning
	return br, nil
}

// Close stops both directions; the legs keep their ports and are free for
// another bridge at once (which waits, if it must, for this relay to let
// go of them).
func (br *Bridge) Close() error {
	br.closeOnce.Do(func() {
		br.stopRelay()
		br.a.detach(br)
		br.b.detach(br)
	})
	return nil
}

// stopRelay ends the relay once.
func (br *Bridge) stopRelay() {
	br.mu.Lock()
	defer br.mu.Unlock()
	if br.state == relayRunning {
		br.relay.stop()
	} else {
		br.finish()
	}
	br.state = relayStopped
}

// finish is the relay's last word on the bridge, said once: it reads and
// writes neither leg for it any more, so the sockets' holds go.
func (br *Bridge) finish() {
	br.finishOnce.Do(func() {
		if br.held {
			_ = br.a.pp.release()
			_ = br.b.pp.release()
		}
		close(br.released)
	})
}

// fail records why the relay cannot carry the bridge and lets it go.
func (br *Bridge) fail(err error) {
	br.err.CompareAndSwap(nil, &err)
	br.finish()
}

// Err says why the relay stopped carrying the bridge before Close, if it
// did (the relay loop failed); nil otherwise.
func (br *Bridge) Err() error {
	if p := br.err.Load(); p != nil {
		return *p
	}
	return nil
}

// waitReleased returns once no relay touches the bridge's legs for it; a
// nil bridge has nothing to wait for.
func (br *Bridge) waitReleased() {
	if br != nil {
		<-br.released
	}
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
	br    *Bridge // read on removal only
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

func newPump(br *Bridge, src, dst *Leg) *pump {
	p := &pump{src: src, dst: dst, br: br}
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
