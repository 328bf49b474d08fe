package rtp

import (
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// LegOptions are the per-peer media settings of one call leg.
type LegOptions struct {
	// Strict is rtp.conf's strictrtp. Probation is how many in-sequence
	// packets a source other than the signalled address must send before
	// it is trusted (Asterisk's "probation"); 0 or 1 trusts the first one.
	Strict    StrictMode
	Probation int

	// Comedia sends to the address the peer's RTP really comes from instead
	// of the one in its SDP (sip.conf nat=comedia).
	Comedia bool

	// OnLearning is called by SetRemote when strict RTP starts learning, so
	// the driver can print Asterisk's verbose line (see LearningMessage).
	OnLearning func(remote netip.AddrPort)
	// OnLocked is called from the relay goroutine once a source is
	// accepted; it must not block.
	OnLocked func(source netip.AddrPort)

	// RTCPInterval is rtp.conf's rtcpinterval: the leg binds port+1 and
	// sends an SR or RR that often, reading the peer's. 0: no RTCP.
	RTCPInterval time.Duration
}

// LearningMessage is the text Asterisk 18 prints at verbose level 4 when
// strict RTP learning restarts, without the "-- " prefix the logger adds.
func LearningMessage(remote netip.AddrPort) string {
	return "Strict RTP learning after remote address set to: " + remote.String()
}

// PayloadType binds a payload type number to an encoding as SDP's rtpmap
// names it ("PCMU/8000", "telephone-event/8000"). Legs that negotiated the
// same encoding under different numbers get the byte rewritten in transit.
type PayloadType struct {
	Encoding string
	PT       uint8
}

// Stats is a snapshot of a leg's counters.
type Stats struct {
	PacketsIn, BytesIn   uint64 // accepted from the peer
	PacketsOut, BytesOut uint64 // sent to the peer
	Dropped              uint64 // rejected: wrong source, not RTP, failed SRTP check
	LastReceived         time.Time
}

type remoteState struct {
	addr netip.AddrPort
}

// Leg is one call leg's media endpoint: a local UDP port pair and what is
// known about the far end. Configuration methods may be called from any
// goroutine while a Bridge relays through the leg.
type Leg struct {
	// What the relay reads or writes for every packet comes first, so a
	// packet touches two of the leg's cache lines rather than four.
	remote   atomic.Pointer[remoteState]
	target   atomic.Pointer[netip.AddrPort]
	locked   atomic.Pointer[netip.AddrPort]
	payloads atomic.Pointer[[]PayloadType]
	srtp     atomic.Pointer[srtpState]
	// link is the socket's connection to the locked source (platform
	// part); linkMu orders SetRemote against the relay making it.
	link linkState
	// Learning progress belongs to whichever goroutine reads the socket
	// (one at a time, enforced by bridge); learnGen detects a new SetRemote.
	learnGen *remoteState

	packetsIn, bytesIn, packetsOut, bytesOut, dropped atomic.Uint64
	lastRx                                            atomic.Int64

	// rx is the reception state RTCP reports (reader-owned, published);
	// clock is the RTP clock rate of the negotiated audio; rtcp is the
	// leg's RTCP endpoint, nil when rtcpinterval is 0 or port+1 was taken.
	rx    rxStats
	clock atomic.Uint32
	rtcp  *rtcpPort

	opts LegOptions
	pp   *PortPair

	candidate netip.AddrPort
	candSeq   uint16
	candCount int

	linkMu sync.Mutex
	// mu guards bridge and closed: which Bridge relays through the leg,
	// and whether Close ran, so a bridge never registers a closed socket
	// and Close detaches the bridge before the descriptor goes away.
	mu     sync.Mutex
	bridge *Bridge
	closed bool
	// prev is the bridge that last had the leg: its relay may still be
	// letting go of the socket when the next bridge starts.
	prev *Bridge
	// session terminates the leg's media instead of a bridge (guarded by
	// mu); prevSess is the last one, whose receive loop may still be
	// letting go of the socket.
	session, prevSess *Session
}

// NewLeg allocates a port pair on ip and wraps it in a Leg. The RTP port
// is the allocator's raw socket, read by the relay or session loops; the
// RTCP port (port+1, reserved by the allocator) is bound only when
// opts.RTCPInterval is set, as a Go socket read by its own goroutine
// (rtcp_leg.go): a report every few seconds does not belong in the
// per-packet loops.
func NewLeg(alloc *Allocator, ip netip.Addr, opts LegOptions) (*Leg, error) {
	pp, err := alloc.Allocate(ip, false)
	if err != nil {
		return nil, err
	}
	l := &Leg{pp: pp, opts: opts}
	if opts.RTCPInterval > 0 {
		// RTCP is an extra; a leg whose port+1 another program holds
		// goes without, as the media itself does not need it.
		l.rtcp, _ = startRTCP(l, ip, pp.Port+1, opts.RTCPInterval)
	}
	return l, nil
}

// LocalAddr is the address and port to advertise in SDP (before NAT).
func (l *Leg) LocalAddr() netip.AddrPort {
	return l.pp.RTP.LocalAddr()
}

// Port is the local RTP port.
func (l *Leg) Port() int { return l.pp.Port }

// SetRemote records the address the peer's SDP asked us to send to. It
// restarts strict RTP learning, as a re-INVITE does in Asterisk.
func (l *Leg) SetRemote(addr netip.AddrPort) {
	addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())
	l.linkMu.Lock()
	l.remote.Store(&remoteState{addr: addr})
	l.target.Store(&addr)
	l.locked.Store(nil)
	l.unlinkLocked()
	l.linkMu.Unlock()
	if l.opts.Strict != StrictOff && l.opts.OnLearning != nil {
		l.opts.OnLearning(addr)
	}
}

// Remote returns the address packets are sent to: the SDP address, or the
// learned source for comedia peers.
func (l *Leg) Remote() (netip.AddrPort, bool) {
	if t := l.target.Load(); t != nil {
		return *t, true
	}
	return netip.AddrPort{}, false
}

// LockedSource returns the source strict RTP accepted, if any yet.
func (l *Leg) LockedSource() (netip.AddrPort, bool) {
	if s := l.locked.Load(); s != nil {
		return *s, true
	}
	return netip.AddrPort{}, false
}

// SetPayloadTypes records the payload types negotiated on this leg.
func (l *Leg) SetPayloadTypes(pts []PayloadType) {
	cp := append([]PayloadType(nil), pts...)
	l.payloads.Store(&cp)
	l.clock.Store(clockRate(cp))
}

// Stats returns the leg's counters.
func (l *Leg) Stats() Stats {
	s := Stats{
		PacketsIn:  l.packetsIn.Load(),
		BytesIn:    l.bytesIn.Load(),
		PacketsOut: l.packetsOut.Load(),
		BytesOut:   l.bytesOut.Load(),
		Dropped:    l.dropped.Load(),
	}
	if ns := l.lastRx.Load(); ns != 0 {
		s.LastReceived = time.Unix(0, ns)
	}
	return s
}

// LastReceived is when the last accepted packet arrived (zero if none);
// the driver compares it with rtptimeout / rtpholdtimeout.
func (l *Leg) LastReceived() time.Time {
	if ns := l.lastRx.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Close releases the port pair. A bridge using the leg stops relaying
// (both ways: nothing can reach a closed leg); the sockets close, and the
// port is free again, once that relay has let go of them. The bridge must
// still be closed to free the other leg.
func (l *Leg) Close() error {
	l.mu.Lock()
	l.closed = true
	br, sess := l.bridge, l.session
	l.mu.Unlock()
	if br != nil {
		br.stopRelay()
	}
	if sess != nil {
		sess.stop()
	}
	// The descriptor's number may be reused as soon as it closes: no later
	// SetRemote may disconnect it, nor the relay connect it.
	l.linkMu.Lock()
	l.link.forget()
	l.linkMu.Unlock()
	if l.rtcp != nil {
		l.rtcp.close()
	}
	return l.pp.Close()
}

// attach makes br the leg's bridge; false when another bridge has it.
// closed reports a leg whose sockets are gone, which the bridge must not
// relay through; prev is the bridge the leg had before.
func (l *Leg) attach(br *Bridge) (ok, closed bool, prev *Bridge) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bridge != nil || l.session != nil {
		return false, l.closed, nil
	}
	l.bridge = br
	return true, l.closed, l.prev
}

// lastSession is the session that had the leg before, if any; a bridge
// waits for it to let go of the socket.
func (l *Leg) lastSession() *Session {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.prevSess
}

// detach frees the leg for another bridge if br still holds it.
func (l *Leg) detach(br *Bridge) {
	l.mu.Lock()
	if l.bridge == br {
		l.bridge = nil
		l.prev = br
	}
	l.mu.Unlock()
}

func (l *Leg) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// accept applies strict RTP / comedia to one received packet and updates
// the counters. It runs on the reading goroutine only.
func (l *Leg) accept(pkt []byte, from netip.AddrPort, now int64) bool {
	if len(pkt) < 12 || pkt[0]>>6 != 2 {
		l.dropped.Add(1)
		return false
	}
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	rs := l.remote.Load()
	if rs != l.learnGen {
		l.learnGen = rs
		l.candCount = 0
	}
	if l.opts.Strict == StrictOff {
		if l.opts.Comedia {
			l.follow(from)
		}
		l.count(pkt, now)
		return true
	}
	if lk := l.locked.Load(); lk != nil {
		if *lk != from {
			l.dropped.Add(1)
			return false
		}
		l.count(pkt, now)
		return true
	}
	seq := uint16(pkt[2])<<8 | uint16(pkt[3])
	expected := rs != nil && rs.addr == from
	if l.opts.Comedia || (expected && l.opts.Strict == StrictYes) || l.opts.Probation <= 1 {
		l.lock(from)
		l.count(pkt, now)
		return true
	}
	if l.candCount > 0 && l.candidate == from && seq == l.candSeq+1 {
		l.candCount++
	} else {
		l.candidate, l.candCount = from, 1
	}
	l.candSeq = seq
	if l.candCount >= l.opts.Probation {
		l.lock(from)
		l.count(pkt, now)
		return true
	}
	l.dropped.Add(1)
	return false
}

func (l *Leg) lock(src netip.AddrPort) {
	l.locked.Store(&src)
	if l.opts.Comedia {
		l.follow(src)
	}
	if l.opts.OnLocked != nil {
		l.opts.OnLocked(src)
	}
}

// follow points the send target at src; it allocates only when the source
// actually moves.
func (l *Leg) follow(src netip.AddrPort) {
	if t := l.target.Load(); t != nil && *t == src {
		return
	}
	l.target.Store(&src)
}

func (l *Leg) count(pkt []byte, now int64) {
	l.packetsIn.Add(1)
	l.bytesIn.Add(uint64(len(pkt)))
	l.lastRx.Store(now)
	clock := l.clock.Load()
	if clock == 0 {
		clock = 8000
	}
	l.rx.observe(pkt, now, clock)
}

// ptTable maps payload type numbers of one leg to those of another.
type ptTable [128]uint8

func (t *ptTable) build(from, to *[]PayloadType) {
	for i := range t {
		t[i] = uint8(i)
	}
	if from == nil || to == nil {
		return
	}
	for _, f := range *from {
		for _, d := range *to {
			if strings.EqualFold(f.Encoding, d.Encoding) && f.PT < 128 && d.PT < 128 {
				t[f.PT] = d.PT
				break
			}
		}
	}
}
