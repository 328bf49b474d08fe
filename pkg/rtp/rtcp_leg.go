package rtp

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// rtcpPort is a leg's RTCP endpoint (RFC 3550 section 6), terminated per
// leg as Asterisk, a B2BUA, does: each leg sends its own SR (or RR while it
// has sent nothing) every rtcpinterval about what it sends and receives on
// that leg, and reads the peer's reports, which give the far end's view:
// its losses and jitter of what we send, and the round trip.
//
// It runs on a Go UDP socket and one goroutine per leg that sleeps in the
// runtime poller until a report arrives or the next one is due: a report
// every few seconds costs nothing in the relay's or sessions' per-packet
// loops, which only keep the sequence and jitter state (rxstats.go).
// The goroutine's owner is the leg: Leg.Close closes the socket, which ends
// it.
type rtcpPort struct {
	leg      *Leg
	addr     netip.AddrPort
	interval time.Duration

	// mu guards the lazy bind against the leg's close; conn is set once,
	// before run starts, and read by run and send only.
	mu     sync.Mutex
	conn   *net.UDPConn
	timer  *time.Timer
	closed bool

	ssrc  uint32 // ours while the leg has sent no RTP
	cname string
	done  chan struct{}

	// The last SR received (middle NTP bits, arrival), for LSR/DLSR.
	lastSR   atomic.Uint32
	lastSRAt atomic.Int64
	// source is where the peer's RTCP comes from: reports go there once
	// known (NAT moves it away from the RTP port + 1).
	source atomic.Pointer[netip.AddrPort]

	sent, received                atomic.Uint64
	remoteLost                    atomic.Int64
	remoteFraction                atomic.Uint32
	remoteJitter                  atomic.Uint32 // RTP clock units
	rtt                           atomic.Int64  // ns; -1: none yet
	remotePackets, remoteSSRCSeen atomic.Uint32

	// rttSum and jitterSum are the round trips and the far end's jitter
	// reports seen, for rtpqos' min/max/average/deviation fields.
	sumMu             sync.Mutex
	rttSum, jitterSum running

	// observer hears of every report sent and received (the manager's
	// RTCPSent/RTCPReceived); nil: nobody listens.
	observer atomic.Pointer[func(RTCPEvent)]

	// The previous report's expected/received, reporter-owned, for the
	// fraction lost of an interval.
	prevExpected int64
	prevReceived uint64
}

// rtcpBindDelay is how long a leg waits before it binds its RTCP port. A
// report is due only after an interval (seconds), and most of a PBX's
// legs that end sooner (a call refused, rung and cancelled, answered and
// hung up at once) then cost a timer instead of a socket and a goroutine
// each; a far end's report sent before the bind meets a closed port, as
// RTCP's unreliable transport allows. Tests set it to 0.
var rtcpBindDelay = time.Second

func startRTCP(l *Leg, ip netip.Addr, port int, interval time.Duration) (*rtcpPort, error) {
	r := &rtcpPort{
		leg: l, interval: interval, addr: netip.AddrPortFrom(ip, uint16(port)),
		ssrc: rand.Uint32(), done: make(chan struct{}),
	}
	r.cname = fmt.Sprintf("%08x@gostrisk", r.ssrc)
	r.rtt.Store(-1)
	if rtcpBindDelay <= 0 {
		if err := r.bind(); err != nil {
			return nil, err
		}
		return r, nil
	}
	r.mu.Lock()
	r.timer = time.AfterFunc(rtcpBindDelay, func() { _ = r.bind() })
	r.mu.Unlock()
	return r, nil
}

// bind opens the port and starts its goroutine, unless the leg closed
// first; a port another program holds leaves the leg without RTCP.
func (r *rtcpPort) bind() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(r.addr))
	if err != nil {
		r.closed = true
		close(r.done)
		return fmt.Errorf("rtp: RTCP port %d: %w", r.addr.Port(), err)
	}
	r.conn = conn
	go r.run()
	return nil
}

func (r *rtcpPort) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
	}
	if r.conn == nil {
		close(r.done) // never bound: no goroutine to end
		return
	}
	_ = r.conn.Close()
}

// run reads reports until the socket closes, and sends one whenever the
// interval has passed (the read deadline wakes it).
func (r *rtcpPort) run() {
	defer close(r.done)
	buf := make([]byte, 1500)
	out := make([]byte, 0, 128)
	// The first report goes out after a random part of an interval, so legs
	// set up together do not report together (RFC 3550 6.3.5's spirit).
	next := time.Now().Add(r.interval/2 + rand.N(r.interval/2+1))
	for {
		_ = r.conn.SetReadDeadline(next)
		n, from, err := r.conn.ReadFromUDPAddrPort(buf)
		switch {
		case err == nil:
			r.handle(buf[:n], from, time.Now())
		case errors.Is(err, net.ErrClosed):
			return
		case isTimeout(err):
			now := time.Now()
			out = r.send(out[:0], now)
			next = now.Add(r.interval)
		default:
			// An ICMP error from a closed far port: keep going.
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// handle takes one received datagram: only SR/RR count; what is not RTCP
// is ignored.
func (r *rtcpPort) handle(pkt []byte, from netip.AddrPort, now time.Time) {
	if r.leg.srtp.Load() != nil {
		return // SRTCP: its report blocks are encrypted, and not done here
	}
	rep, err := ParseRTCP(pkt)
	if err != nil {
		return
	}
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if t, ok := r.leg.Remote(); ok && t.Addr() != from.Addr() {
		// Only the host the media goes to may report, and redirect our
		// reports (its NAT may change the port, not the address).
		return
	}
	if s := r.source.Load(); s == nil || *s != from {
		r.source.Store(&from)
	}
	r.received.Add(1)
	r.remoteSSRCSeen.Store(rep.SSRC)
	if rep.SR {
		r.lastSR.Store(ntpMiddle(rep.Sender.NTP))
		r.lastSRAt.Store(now.UnixNano())
		r.remotePackets.Store(rep.Sender.PacketCount)
	}
	var b ReportBlock
	if len(rep.Blocks) == 0 {
		if fn := r.observer.Load(); fn != nil {
			(*fn)(RTCPEvent{Report: rep, Addr: from, RTT: -1, Clock: r.leg.clock.Load()})
		}
		return
	}
	b = rep.Blocks[0]
	r.remoteLost.Store(int64(b.CumLost))
	r.remoteFraction.Store(uint32(b.FractionLost))
	r.remoteJitter.Store(b.Jitter)
	rtt, ok := RoundTrip(now, b)
	clock := r.leg.clock.Load()
	if clock == 0 {
		clock = 8000
	}
	r.sumMu.Lock()
	r.jitterSum.add(float64(b.Jitter) / float64(clock))
	if ok {
		r.rtt.Store(int64(rtt))
		r.rttSum.add(rtt.Seconds())
	}
	r.sumMu.Unlock()
	if fn := r.observer.Load(); fn != nil {
		(*fn)(RTCPEvent{Report: rep, Addr: from, RTT: rtt, Clock: r.leg.clock.Load()})
	}
}

// send builds and sends the leg's report; out is reused.
func (r *rtcpPort) send(out []byte, now time.Time) []byte {
	l := r.leg
	to, ok := r.target()
	if !ok || l.srtp.Load() != nil {
		// An SRTP phone expects SRTCP, which is not done: sending it
		// reports in clear would leak and be refused.
		return out
	}
	ssrc := r.ssrc
	var sender *SenderInfo
	if txSSRC, ts, ok := l.txSource(now); ok && l.packetsOut.Load() > 0 {
		ssrc = txSSRC
		sender = &SenderInfo{
			NTP:         NTPTime(now),
			RTPTime:     ts,
			PacketCount: uint32(l.packetsOut.Load()),
			OctetCount:  uint32(l.bytesOut.Load() - 12*l.packetsOut.Load()),
		}
	}
	var block *ReportBlock
	if rx := l.rx.snapshot(); rx.ok {
		b := ReportBlock{
			SSRC:       rx.ssrc,
			CumLost:    int32(min(rx.lost, 0x7fffff)),
			ExtHighest: rx.extMax,
			Jitter:     rx.jitter,
		}
		expInt := rx.expected - r.prevExpected
		lostInt := expInt - int64(rx.received-r.prevReceived)
		if expInt > 0 && lostInt > 0 {
			b.FractionLost = uint8(min(lostInt*256/expInt, 255))
		}
		r.prevExpected, r.prevReceived = rx.expected, rx.received
		if lsr := r.lastSR.Load(); lsr != 0 {
			b.LSR = lsr
			b.DLSR = uint32(now.Sub(time.Unix(0, r.lastSRAt.Load())) * 65536 / time.Second)
		}
		block = &b
	}
	out = AppendRTCP(out, ssrc, sender, block, r.cname)
	if _, err := r.conn.WriteToUDPAddrPort(out, to); err == nil {
		r.sent.Add(1)
		if fn := r.observer.Load(); fn != nil {
			ev := RTCPEvent{Sent: true, Addr: to, Report: Report{SSRC: ssrc, SR: sender != nil}, Clock: l.clock.Load()}
			if sender != nil {
				ev.Report.Sender = *sender
			}
			if block != nil {
				ev.Report.Blocks = []ReportBlock{*block}
			}
			(*fn)(ev)
		}
	}
	return out
}

// target is where reports go: the source of the peer's RTCP once one came,
// else the RTP address's port + 1 (no a=rtcp or rtcp-mux handling: what
// chan_sip's peers use).
func (r *rtcpPort) target() (netip.AddrPort, bool) {
	if s := r.source.Load(); s != nil {
		return *s, true
	}
	t, ok := r.leg.Remote()
	if !ok || t.Port() == 0 || t.Port() == 65535 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(t.Addr(), t.Port()+1), true
}

// txSource names the stream the leg sends: a session's own SSRC and
// timestamp, or, in the relay, the SSRC the other leg receives (the relay
// passes SSRCs through) with its timestamp carried forward to now.
func (l *Leg) txSource(now time.Time) (uint32, uint32, bool) {
	l.mu.Lock()
	br, sess := l.bridge, l.session
	l.mu.Unlock()
	if sess != nil {
		return sess.SSRC(), sess.txTS.Load(), true
	}
	if br == nil {
		return 0, 0, false
	}
	other := br.a
	if other == l {
		other = br.b
	}
	rx := other.rx.snapshot()
	if !rx.ok {
		return 0, 0, false
	}
	clock := int64(other.clock.Load())
	if clock == 0 {
		clock = 8000
	}
	elapsed := now.UnixNano() - rx.lastAt
	return rx.ssrc, rx.lastTS + uint32(elapsed/1000*clock/1000000), true
}

// RTCPStats is what a leg's RTCP exchange measured.
type RTCPStats struct {
	Enabled        bool
	Sent, Received uint64        // reports
	RemoteSSRC     uint32        // the SSRC the peer reports with
	RemoteLost     int64         // cumulative, as the peer counts what we send
	RemoteFraction float64       // of the last interval, 0..1
	RemoteJitter   float64       // seconds, the peer's jitter of what we send
	RTT            time.Duration // -1: no report with an LSR yet
	// Over all reports: round trips and the far end's jitter, in seconds.
	RTTStats, RemoteJitterStats Summary
}

// Summary is the minimum, maximum, mean and standard deviation of a
// series of figures (zero while N is 0).
type Summary struct {
	N                      int
	Min, Max, Mean, StdDev float64
}

// running keeps a Summary with Welford's update.
type running struct {
	n              int
	min, max, mean float64
	m2             float64
}

func (r *running) add(v float64) {
	r.n++
	if r.n == 1 || v < r.min {
		r.min = v
	}
	if r.n == 1 || v > r.max {
		r.max = v
	}
	d := v - r.mean
	r.mean += d / float64(r.n)
	r.m2 += d * (v - r.mean)
}

func (r *running) summary() Summary {
	if r.n == 0 {
		return Summary{}
	}
	return Summary{N: r.n, Min: r.min, Max: r.max, Mean: r.mean, StdDev: math.Sqrt(r.m2 / float64(r.n))}
}

// RTCPStats returns the leg's RTCP figures; Enabled is false without RTCP.
func (l *Leg) RTCPStats() RTCPStats {
	r := l.rtcp
	if r == nil {
		return RTCPStats{RTT: -1}
	}
	clock := l.clock.Load()
	if clock == 0 {
		clock = 8000
	}
	r.sumMu.Lock()
	rttSum, jitSum := r.rttSum.summary(), r.jitterSum.summary()
	r.sumMu.Unlock()
	return RTCPStats{
		RTTStats:          rttSum,
		RemoteJitterStats: jitSum,
		Enabled:           true,
		Sent:              r.sent.Load(),
		Received:          r.received.Load(),
		RemoteSSRC:        r.remoteSSRCSeen.Load(),
		RemoteLost:        r.remoteLost.Load(),
		RemoteFraction:    float64(r.remoteFraction.Load()) / 256,
		RemoteJitter:      float64(r.remoteJitter.Load()) / float64(clock),
		RTT:               time.Duration(r.rtt.Load()),
	}
}

// RxQuality is RFC 3550's view of what the leg receives: the tracked
// source, packets expected and lost by sequence number, and interarrival
// jitter in seconds. It covers relayed and terminated media alike.
type RxQuality struct {
	SSRC     uint32
	Expected int64
	Lost     int64
	Jitter   float64
}

// RxQuality returns the leg's reception figures (zero before any packet).
func (l *Leg) RxQuality() RxQuality {
	rx := l.rx.snapshot()
	if !rx.ok {
		return RxQuality{}
	}
	clock := l.clock.Load()
	if clock == 0 {
		clock = 8000
	}
	return RxQuality{SSRC: rx.ssrc, Expected: rx.expected, Lost: rx.lost, Jitter: float64(rx.jitter) / float64(clock)}
}

// RTCPEvent is one report the leg sent (Sent, Addr its destination) or
// received (Addr its source, RTT the round trip it gave, -1 if none).
// Clock is the leg's RTP clock rate, for jitter in seconds.
type RTCPEvent struct {
	Sent   bool
	Addr   netip.AddrPort
	Report Report
	RTT    time.Duration
	Clock  uint32
}

// SetRTCPObserver makes fn hear of the leg's RTCP reports, on the leg's
// RTCP goroutine (fn must not block); nil stops it. Without RTCP it does
// nothing.
func (l *Leg) SetRTCPObserver(fn func(RTCPEvent)) {
	if l.rtcp == nil {
		return
	}
	if fn == nil {
		l.rtcp.observer.Store(nil)
		return
	}
	l.rtcp.observer.Store(&fn)
}
