package rtp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/pion/rtp"
)

// SessionConfig is what a terminating session needs to know about the leg's
// negotiated media.
type SessionConfig struct {
	Format *media.Format // voice format negotiated on the leg
	PT     uint8         // its payload type on this leg
	DTMFPT int           // telephone-event payload type on this leg, -1 when not negotiated
	Ptime  time.Duration // packetisation; 0 means 20 ms
}

// Errors of the session API.
var (
	ErrSessionClosed = errors.New("rtp: session closed")
	ErrNoDTMF        = errors.New("rtp: telephone-event not negotiated on this leg")
)

// sendQueueLen is how many voice frames WriteFrame queues before it blocks
// the writer: 100 ms at 20 ms ptime, enough to absorb a producer's
// scheduling hiccups; Flush drops them, so a prompt cut by a key stops at
// once all the same.
const sendQueueLen = 5

// sendLowWater is how far the queue drains before a blocked writer is
// woken: it then refills sendQueueLen-sendLowWater frames in one go, so a
// playing channel's goroutine wakes every third frame instead of every
// one (with 2,000 playbacks those wake-ups were a tenth of the process),
// and still has sendLowWater frames (40 ms) of slack to be scheduled in.
const sendLowWater = 2

// maxTimestampSkew is how late, in RTP timestamp units, a frame written
// after its talkspurt ran dry may come and still carry that talkspurt on
// (no marker, no timestamp jump): Asterisk's MAX_TIMESTAMP_SKEW, the
// distance between a frame's predicted timestamp and the clock's within
// which it keeps the predicted one (80 ms at 8 kHz).
const maxTimestampSkew = 640

// dtmfOrderWait bounds how long a digit waits for the voice packets the
// pacer's ring still holds; they leave within its pass unless the machine
// stalls, and a digit is not held back longer than that.
const dtmfOrderWait = 100 * time.Millisecond

// framesCap is the capacity of the Frames channel: a second of 20 ms
// frames. A reader further behind loses the oldest.
const framesCap = 50

// dtmfInterval is how often a held digit is repeated (RFC 4733 2.5.1.2
// suggests 50 ms); dtmfEndPackets how many times the end is sent.
const (
	dtmfInterval   = 50 * time.Millisecond
	dtmfEndPackets = 3
	dtmfVolume     = 10 // -10 dBm0, what Asterisk sends
	// dtmfDefault is the length of a digit known only by its end (SIP
	// INFO without a duration).
	dtmfDefault = 100 * time.Millisecond
)

// SessionStats is a snapshot of a session's counters.
type SessionStats struct {
	PacketsIn, BytesIn   uint64 // RTP packets of the session's payload types accepted from the peer
	PacketsOut, BytesOut uint64 // packets sent (voice and telephone-event)
	Late                 uint64 // voice packets that came after their place was passed: dropped
	Duplicates           uint64 // voice packets received twice: dropped
	Lost                 uint64 // sequence numbers never received
	OtherPT              uint64 // packets of payload types not negotiated: counted and dropped
	Malformed            uint64 // not parseable as RTP, or a malformed telephone-event
	Overflow             uint64 // received frames dropped because the reader was behind
	Suppressed           uint64 // voice frames not sent because a digit was being sent
	Flushed              uint64 // queued voice frames dropped by Flush
	Dropped              uint64 // rejected by the leg (wrong source, not RTP, failed SRTP check): the leg's counter
	MaxPacingError       time.Duration
	LastReceived         time.Time
	SSRC, RemoteSSRC     uint32  // ours, and the last seen from the peer (0: none yet)
	Jitter               float64 // RFC 3550 interarrival jitter of what we receive, in seconds
}

// Session terminates RTP on a leg: the core reads the peer's audio and
// DTMF as frames and writes its own, sent with the session's SSRC,
// sequence numbers and timestamps. See the package documentation.
type Session struct {
	leg    *Leg
	cfg    SessionConfig
	eng    *sessEngine
	frames chan media.Frame
	// released is closed once neither the receive loop nor the pacer
	// touches the leg's socket for this session any more.
	released  chan struct{}
	closeOnce sync.Once

	// Receive side, owned by the receive loop.
	jb      jitterBuffer
	dtmfRx  dtmfReceiver
	rxTS0   uint32
	rxSSRC  uint32
	rxStart bool
	// RFC 3550 interarrival jitter (section 6.4.1 and A.8), in RTP clock
	// units: the last packet's relative transit time and the estimate.
	rxTransit   int64
	rxJitter    float64
	haveTransit bool
	slab        []byte
	tsMul       uint32 // sample rate / RTP clock rate (G.722: 2)
	maxHold     int64  // ns a held packet waits for a missing one
	// linkChecked is the locked source the receive loop last saw.
	linkChecked *netip.AddrPort
	recvIO      // platform part

	// Send side, guarded by mu.
	mu     sync.Mutex
	closed bool
	queue  [sendQueueLen]media.Frame
	qHead  int
	qLen   int
	// space is signalled when a queued frame leaves or the session
	// closes: blocked writers look again.
	space sync.Cond
	// dtmfWaiting counts DTMF writers waiting for the queued voice to go
	// out (a digit keeps its place after the voice written before it);
	// meanwhile voice writers wait too, so the digit is not starved.
	dtmfWaiting int
	inWheel     bool
	txInflight  atomic.Int32 // sends on the pacer's ring not yet reaped (see writeDTMF)
	dueTick     int64        // guarded by the pacer's mu
	ssrc        uint32
	seq         uint16
	running     bool  // a talkspurt is being sent: nextSlot is its next frame's slot
	spurted     bool  // some talkspurt has been sent
	nextSlot    int64 // pacer clock
	idleFrom    int64 // pacer clock: where the last talkspurt's timeline stopped
	nextTS      uint32
	marker      bool
	dtmfTx      dtmfSender
	sendIO      // platform part
	// underrun: the last talkspurt stopped only because its writer was
	// late with a frame, not for a Flush or a digit; a frame written
	// within maxTimestampSkew of the missed slot carries it on.
	underrun bool

	packetsIn, bytesIn, packetsOut, bytesOut          atomic.Uint64
	otherPT, malformed, overflow, suppressed, flushed atomic.Uint64
	// noVoice: received voice is counted and dropped, not handed to
	// Frames (a reader that wants only digits: Playback, WaitExten).
	noVoice   atomic.Bool
	maxPacing atomic.Int64
	// rxSSRCSeen and jitterBits publish the receive loop's figures to
	// Stats (float64 bits of the jitter in seconds).
	rxSSRCSeen atomic.Uint32
	jitterBits atomic.Uint64
	// txTS is the timestamp of the last packet sent, for RTCP SRs.
	txTS atomic.Uint32
}

// dtmfSender is the digit being sent, guarded by the session's mu.
type dtmfSender struct {
	active bool
	event  uint8
	ts     uint32 // the event's RTP timestamp
	start  int64  // pacer clock when it began
	next   int64  // pacer clock of the next repetition
	endAt  int64  // non-zero: end the digit on its own then (a DTMFEnd without begin)
	hdr    rtp.Header
	buf    [128]byte
	out    [128]byte
}

// sendScratch is the pacer's working memory for building voice packets.
type sendScratch struct {
	buf []byte
	out []byte
	hdr rtp.Header
	tx  *txRing // the pacer's send ring, nil where sends go one by one
}

func newSendScratch() sendScratch {
	return sendScratch{buf: make([]byte, bufSize), out: make([]byte, bufSize)}
}

// StartSession makes the leg a terminating endpoint until the session's
// Close. It fails while a Bridge holds the leg, and NewBridge fails while
// the session runs.
func (l *Leg) StartSession(cfg SessionConfig) (*Session, error) {
	if cfg.Format == nil || cfg.Format.SampleRate <= 0 || cfg.Format.RTPClockRate <= 0 {
		return nil, errors.New("rtp: session needs an audio format carried over RTP")
	}
	if cfg.PT > 127 || cfg.DTMFPT > 127 {
		return nil, fmt.Errorf("rtp: payload types %d/%d out of range", cfg.PT, cfg.DTMFPT)
	}
	if cfg.Ptime <= 0 {
		cfg.Ptime = 20 * time.Millisecond
	}
	s := &Session{
		leg:      l,
		cfg:      cfg,
		frames:   make(chan media.Frame, framesCap),
		released: make(chan struct{}),
		ssrc:     rand.Uint32(),
		seq:      uint16(rand.Uint32()),
		nextTS:   rand.Uint32(),
		maxHold:  int64(2 * cfg.Ptime),
		tsMul:    1,
	}
	s.space.L = &s.mu
	if r := cfg.Format.SampleRate / cfg.Format.RTPClockRate; r > 1 && r*cfg.Format.RTPClockRate == cfg.Format.SampleRate {
		s.tsMul = uint32(r)
	}
	l.mu.Lock()
	switch {
	case l.closed:
		l.mu.Unlock()
		return nil, errors.New("rtp: session on a closed leg")
	case l.bridge != nil || l.session != nil:
		l.mu.Unlock()
		return nil, ErrLegBusy
	}
	l.session = s
	prevBr, prevSess := l.prev, l.prevSess
	l.mu.Unlock()
	// One reader per socket: a relay or session that had the leg may
	// still be letting go of it.
	prevBr.waitReleased()
	prevSess.waitReleased()
	l.pp.hold()
	s.initIO()
	e, err := acquireSessEngine()
	if err == nil {
		s.eng = e
		err = e.recv.add(s)
		if err != nil {
			releaseSessEngine(e)
		}
	}
	if err != nil {
		_ = l.pp.release()
		close(s.released)
		l.detachSession(s)
		return nil, err
	}
	return s, nil
}

// detachSession frees the leg for a bridge or another session.
func (l *Leg) detachSession(s *Session) {
	l.mu.Lock()
	if l.session == s {
		l.session = nil
		l.prevSess = s
	}
	l.mu.Unlock()
}

// waitReleased returns once the session no longer touches its leg's
// socket; a nil session has nothing to wait for.
func (s *Session) waitReleased() {
	if s != nil {
		<-s.released
	}
}

// Frames delivers what the peer sends: voice in the session's format,
// reordered by the jitter buffer, and DTMF from telephone-events. It is
// closed when the session closes. A reader that falls behind loses the
// oldest frames, never the receive loop's time.
func (s *Session) Frames() <-chan media.Frame { return s.frames }

// Config returns the session's configuration, Ptime filled in.
func (s *Session) Config() SessionConfig { return s.cfg }

// WriteFrame queues a voice frame for the pacer or sends DTMF. It blocks
// while sendQueueLen voice frames wait, so a producer reading a file is
// paced by it. The frame's payload belongs to the session afterwards.
func (s *Session) WriteFrame(fr media.Frame) error {
	switch fr.Kind {
	case media.Voice:
		if fr.Format != nil && fr.Format != s.cfg.Format {
			return fmt.Errorf("rtp: session sends %s, frame is %s", s.cfg.Format.Name, fr.Format.Name)
		}
		return s.writeVoice(fr)
	case media.DTMFBegin, media.DTMFEnd:
		if s.cfg.DTMFPT < 0 {
			return ErrNoDTMF
		}
		ev, ok := DigitEvent(fr.Digit)
		if !ok {
			return fmt.Errorf("rtp: %q is not a DTMF digit", fr.Digit)
		}
		return s.writeDTMF(fr, ev)
	}
	// Control frames mean nothing on the wire.
	return nil
}

func (s *Session) writeVoice(fr media.Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.closed && (s.qLen >= sendQueueLen || s.dtmfWaiting > 0) {
		s.space.Wait()
	}
	if s.closed {
		return ErrSessionClosed
	}
	s.queue[(s.qHead+s.qLen)%sendQueueLen] = fr
	s.qLen++
	if !s.running {
		s.startSpurt()
	}
	return nil
}

// startSpurt begins a talkspurt: the first frame goes out in the quietest
// millisecond of the next ptime, not before the last talkspurt's timeline
// ended, and the RTP timestamp jumps by the time that passed in between.
// A frame that only missed its slot (a real-time writer's jitter) instead
// goes out at once and carries the talkspurt on. The caller holds mu.
func (s *Session) startSpurt() {
	p := s.eng.pacer
	now := p.now()
	if s.underrun {
		s.underrun = false
		if (now-s.idleFrom)*int64(s.cfg.Format.RTPClockRate) < maxTimestampSkew*int64(time.Second) {
			// A frame bridge, a conference or music on hold writes one
			// frame per ptime as its source delivers them, a few
			// milliseconds either way (more on a busy machine), and the
			// pacer looks at the queue up to half a tick early. Ending
			// the talkspurt there would mark and shift the timeline at
			// every late frame, which a phone's jitter buffer plays as
			// choppy audio. Instead, as Asterisk keeps the predicted
			// timestamp while the clock's is within its skew, the frame
			// keeps its timestamp, no marker, and the slots move later
			// by its lateness, so the next frames, as late, find their
			// slot ready.
			slot := max(now, s.idleFrom)
			s.running, s.nextSlot = true, slot
			if !s.inWheel {
				s.inWheel = true
				p.schedule(s, slot)
			}
			return
		}
	}
	earliest := now
	if s.spurted && s.idleFrom > earliest {
		earliest = s.idleFrom
	}
	slot := p.quietSlot(earliest, s.cfg.Ptime)
	if s.spurted {
		gap := slot - s.idleFrom
		s.nextTS += uint32(gap * int64(s.cfg.Format.RTPClockRate) / int64(time.Second))
	}
	s.spurted, s.running, s.marker, s.nextSlot = true, true, true, slot
	if !s.inWheel {
		s.inWheel = true
		p.schedule(s, slot)
	}
}

func (s *Session) writeDTMF(fr media.Frame, ev uint8) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.eng.pacer
	var heldFrom time.Time
	s.dtmfWaiting++
	for {
		for !s.closed && s.qLen > 0 {
			s.space.Wait()
		}
		// The digit's packets go out from here, at once: the pacer's
		// last packets, queued on its ring and submitted at the end of
		// its pass, must leave first. Their completions say they have.
		if s.closed || s.txInflight.Load() == 0 {
			break
		}
		if heldFrom.IsZero() {
			heldFrom = time.Now()
		} else if time.Since(heldFrom) > dtmfOrderWait {
			break
		}
		s.mu.Unlock()
		time.Sleep(pacerTick / 2)
		s.mu.Lock()
	}
	s.dtmfWaiting--
	s.space.Broadcast()
	if s.closed {
		return ErrSessionClosed
	}
	// Voice after the digit starts a new talkspurt past the digit's
	// timestamp, never the one the digit interrupted.
	s.underrun = false
	now := p.now()
	d := &s.dtmfTx
	if fr.Kind == media.DTMFEnd && d.active && d.event == ev && d.endAt == 0 {
		s.endDigit(now, nil)
		return nil
	}
	if d.active {
		// A new digit while one is held: the old one ends first.
		s.endDigit(now, nil)
	}
	if !s.spurted {
		// The digit starts the timeline: voice sent later gets timestamps
		// past it.
		s.spurted, s.idleFrom = true, now
	}
	*d = dtmfSender{active: true, event: ev, ts: s.timelineTS(now), start: now, next: now + int64(dtmfInterval)}
	if fr.Kind == media.DTMFEnd {
		// Known only by its end (SIP INFO): sent as a whole digit of its
		// duration.
		dur := fr.Duration
		if dur <= 0 {
			dur = dtmfDefault
		}
		d.endAt = now + int64(dur)
	}
	s.sendEvent(TelephoneEvent{Event: ev, Volume: dtmfVolume}, true, nil)
	wake := d.next
	if d.endAt != 0 && d.endAt < wake {
		wake = d.endAt
	}
	if !s.inWheel {
		s.inWheel = true
		p.schedule(s, wake)
	}
	return nil
}

// timelineTS is the RTP timestamp of the present moment on the session's
// timeline: the next voice frame's while a talkspurt runs, else the last
// one's advanced by the silence since. The caller holds mu.
func (s *Session) timelineTS(now int64) uint32 {
	if s.running || !s.spurted || now <= s.idleFrom {
		return s.nextTS
	}
	return s.nextTS + uint32((now-s.idleFrom)*int64(s.cfg.Format.RTPClockRate)/int64(time.Second))
}

// eventUnits is the digit's duration so far in timestamp units.
func (s *Session) eventUnits(now int64) uint16 {
	u := (now - s.dtmfTx.start) * int64(s.cfg.Format.RTPClockRate) / int64(time.Second)
	return uint16(min(max(u, 0), 0xffff))
}

// endDigit sends the held digit's end packets and lets voice go again,
// starting a new talkspurt. The caller holds mu.
func (s *Session) endDigit(now int64, tx *txRing) {
	d := &s.dtmfTx
	ev := TelephoneEvent{Event: d.event, End: true, Volume: dtmfVolume, Duration: s.eventUnits(now)}
	for range dtmfEndPackets {
		s.sendEvent(ev, false, tx)
	}
	d.active = false
	s.marker = true
}

// sendEvent sends one telephone-event packet with the digit's timestamp,
// through the pacer's ring when tx is not nil (in the pacer, whose ring
// submits at the end of its pass: the packet must leave in order with
// the voice).
// The caller holds mu.
func (s *Session) sendEvent(ev TelephoneEvent, marker bool, tx *txRing) {
	d := &s.dtmfTx
	pkt := s.header(d.buf[:0], uint8(s.cfg.DTMFPT), marker, d.ts)
	pkt = AppendTelephoneEvent(pkt, ev)
	s.transmit(pkt, d.out[:0], &d.hdr, tx)
}

// header appends an RTP header with the session's SSRC and next sequence
// number. The caller holds mu.
func (s *Session) header(b []byte, pt uint8, marker bool, ts uint32) []byte {
	m := pt & 0x7f
	if marker {
		m |= 0x80
	}
	b = append(b, 0x80, m, byte(s.seq>>8), byte(s.seq))
	s.seq++
	s.txTS.Store(ts) // the RTP time of the leg's next RTCP SR
	b = binary.BigEndian.AppendUint32(b, ts)
	return binary.BigEndian.AppendUint32(b, s.ssrc)
}

// transmit encrypts pkt when the leg has SRTP and sends it to the leg's
// target, through the pacer's ring when tx is not nil. The caller holds
// mu; out is where an encrypted copy may go.
func (s *Session) transmit(pkt, out []byte, hdr *rtp.Header, tx *txRing) {
	l := s.leg
	if st := l.srtp.Load(); st != nil {
		enc, err := st.enc.EncryptRTP(out, pkt, hdr)
		if err != nil {
			return
		}
		pkt = enc
	}
	t := l.target.Load()
	if t == nil {
		return
	}
	// Counted before sending, so whoever receives the packet already sees
	// it in the stats; a failed send takes it back.
	n := uint64(len(pkt))
	l.packetsOut.Add(1)
	l.bytesOut.Add(n)
	s.packetsOut.Add(1)
	s.bytesOut.Add(n)
	if tx.queue(s, pkt, t) {
		return // a failure shows in its completion
	}
	if !s.sendTo(pkt, t) {
		s.uncount(n)
	}
}

// uncount takes a packet of n bytes that could not be sent back out of
// the counters.
func (s *Session) uncount(n uint64) {
	l := s.leg
	l.packetsOut.Add(^uint64(0))
	l.bytesOut.Add(^(n - 1))
	s.packetsOut.Add(^uint64(0))
	s.bytesOut.Add(^(n - 1))
}

// service is the pacer's visit at the session's slot: send the voice
// frame due, repeat or end a held digit, and book the next visit. now is
// the pacer's clock at this pass.
func (s *Session) service(p *pacer, sc *sendScratch, now int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inWheel = false
	if s.closed {
		return
	}
	d := &s.dtmfTx
	if d.active {
		switch {
		case d.endAt != 0 && now >= d.endAt:
			s.endDigit(now, sc.tx)
		case now >= d.next:
			s.sendEvent(TelephoneEvent{Event: d.event, Volume: dtmfVolume, Duration: s.eventUnits(now)}, false, sc.tx)
			d.next += int64(dtmfInterval)
			if d.next <= now {
				d.next = now + int64(dtmfInterval)
			}
		}
	}
	if s.running && now+int64(pacerTick)/2 >= s.nextSlot {
		s.sendVoice(now, sc)
	}
	wake := int64(-1)
	if s.running {
		wake = s.nextSlot
	}
	if d.active {
		w := d.next
		if d.endAt != 0 && d.endAt < w {
			w = d.endAt
		}
		if wake < 0 || w < wake {
			wake = w
		}
	}
	if wake >= 0 {
		s.inWheel = true
		p.schedule(s, wake)
	}
}

// sendVoice sends (or, while a digit is held, drops) the frame due at
// nextSlot; with none queued the talkspurt ends. The caller holds mu.
func (s *Session) sendVoice(now int64, sc *sendScratch) {
	if s.qLen == 0 {
		s.running = false
		s.idleFrom = s.nextSlot
		s.underrun = true
		return
	}
	fr := s.queue[s.qHead]
	s.queue[s.qHead] = media.Frame{}
	s.qHead = (s.qHead + 1) % sendQueueLen
	s.qLen--
	if s.qLen <= sendLowWater || s.dtmfWaiting > 0 {
		// Writers wait for a full queue to drain to the low-water mark,
		// a digit for an empty one.
		s.space.Broadcast()
	}
	if e := now - s.nextSlot; e > s.maxPacing.Load() {
		s.maxPacing.Store(e)
	}
	if s.dtmfTx.active {
		// Asterisk sends no voice while it sends a digit; the frame's
		// time passes all the same.
		s.suppressed.Add(1)
	} else {
		pkt := s.header(sc.buf[:0], s.cfg.PT, s.marker, s.nextTS)
		pkt = append(pkt, fr.Payload...)
		s.marker = false
		s.transmit(pkt, sc.out[:0], &sc.hdr, sc.tx)
	}
	samples, dur := s.frameLength(fr)
	s.nextTS += uint32(samples)
	s.nextSlot += int64(dur)
	if behind := now - s.nextSlot; behind > int64(s.cfg.Ptime) {
		// The process stalled for more than a frame: carry on from now
		// rather than sending the backlog in a burst, and move the
		// timestamps on by the time lost, so they keep following the
		// clock (the far end sees a short gap, marked).
		s.nextSlot = now
		s.nextTS += uint32(behind * int64(s.cfg.Format.RTPClockRate) / int64(time.Second))
		s.marker = true
	}
}

// frameLength is a frame's length in RTP timestamp units and in time: from
// its sample count when known, else one ptime.
func (s *Session) frameLength(fr media.Frame) (units int64, dur time.Duration) {
	f := s.cfg.Format
	if fr.Samples > 0 {
		return int64(fr.Samples) * int64(f.RTPClockRate) / int64(f.SampleRate), f.Duration(fr.Samples)
	}
	return int64(s.cfg.Ptime) * int64(f.RTPClockRate) / int64(time.Second), s.cfg.Ptime
}

// DeliverVoice says whether Frames carries received voice; off, voice is
// still accepted and counted (rtptimeout, strict RTP) but only DTMF is
// handed over, which spares the reader a wake-up per packet.
func (s *Session) DeliverVoice(on bool) { s.noVoice.Store(!on) }

// Drain waits until the voice frames written so far have been taken by the
// pacer (the last one sent), or the session is closed or flushed. It
// waits a queue's length at most: about 100 ms, more when the process
// stalls.
func (s *Session) Drain() {
	s.mu.Lock()
	defer s.mu.Unlock()
	// sendVoice broadcasts space from the low-water mark down, so the
	// empty queue is seen; Flush and stop broadcast too.
	for !s.closed && s.qLen > 0 {
		s.space.Wait()
	}
}

// Flush drops the queued voice frames (a prompt interrupted by a key);
// what is written next starts a new talkspurt.
func (s *Session) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.qLen > 0 {
		s.queue[s.qHead] = media.Frame{}
		s.qHead = (s.qHead + 1) % sendQueueLen
		s.qLen--
		s.flushed.Add(1)
	}
	if s.running {
		s.running = false
		s.idleFrom = s.nextSlot
	}
	// What is written next follows a cut: a new talkspurt, marked.
	s.underrun = false
	s.space.Broadcast()
}

// Close stops the session. Writers blocked in WriteFrame return
// ErrSessionClosed, Frames is closed once the receive loop has let go of
// the socket, and the leg may be bridged (or get a new session) at once:
// NewBridge waits for that release if it must.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		s.leg.detachSession(s)
	})
	return nil
}

// stop ends sending and asks the receive loop to let go; it does not wait.
func (s *Session) stop() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for s.qLen > 0 {
		s.queue[s.qHead] = media.Frame{}
		s.qHead = (s.qHead + 1) % sendQueueLen
		s.qLen--
	}
	s.space.Broadcast()
	s.mu.Unlock()
	// From here the pacer skips the session (it checks closed under mu),
	// so only the receive loop still reads the socket.
	s.eng.recv.remove(s)
}

// finishRecv is the receive loop's last word on the session: it reads the
// socket no more.
func (s *Session) finishRecv() {
	close(s.frames)
	_ = s.leg.pp.release()
	close(s.released)
	releaseSessEngine(s.eng)
}

// Stats returns the session's counters.
func (s *Session) Stats() SessionStats {
	st := SessionStats{
		PacketsIn:      s.packetsIn.Load(),
		BytesIn:        s.bytesIn.Load(),
		PacketsOut:     s.packetsOut.Load(),
		BytesOut:       s.bytesOut.Load(),
		Late:           s.jb.late.Load(),
		Duplicates:     s.jb.dups.Load(),
		Lost:           s.jb.lost.Load(),
		OtherPT:        s.otherPT.Load(),
		Malformed:      s.malformed.Load(),
		Overflow:       s.overflow.Load(),
		Suppressed:     s.suppressed.Load(),
		Flushed:        s.flushed.Load(),
		MaxPacingError: time.Duration(s.maxPacing.Load()),
		LastReceived:   s.leg.LastReceived(),
		Dropped:        s.leg.dropped.Load(),
		SSRC:           s.ssrc,
		RemoteSSRC:     s.rxSSRCSeen.Load(),
		Jitter:         math.Float64frombits(s.jitterBits.Load()),
	}
	return st
}

// updateJitter folds one voice packet's arrival into the interarrival
// jitter estimate: J += (|D| - J) / 16, D the change in relative transit.
func (s *Session) updateJitter(ts uint32, now int64) {
	clock := int64(s.cfg.Format.RTPClockRate)
	if clock <= 0 {
		return
	}
	arrival := now / 1000 * clock / 1000000 // ns -> clock units, no overflow for years
	transit := arrival - int64(ts)
	if s.haveTransit {
		d := transit - s.rxTransit
		if d < 0 {
			d = -d
		}
		if d < int64(clock)*10 { // a wrap or a new timeline, not jitter
			s.rxJitter += (float64(d) - s.rxJitter) / 16
			s.jitterBits.Store(math.Float64bits(s.rxJitter / float64(clock)))
		}
	}
	s.rxTransit, s.haveTransit = transit, true
}

// SSRC is the synchronisation source the session sends with.
func (s *Session) SSRC() uint32 { return s.ssrc }

// receive handles one datagram read from the leg's socket; it runs on the
// receive loop only. buf is the loop's and is not kept.
func (s *Session) receive(pkt []byte, from netip.AddrPort, now int64, hdr *rtp.Header) {
	l := s.leg
	if !l.accept(pkt, from, now) {
		return
	}
	if lk := l.locked.Load(); lk != s.linkChecked {
		// Once strict RTP locks the peer that is also the target, connect
		// the socket to it, as the relay does: sends then skip the route
		// lookup, most of what an unconnected sendto costs.
		s.linkChecked = lk
		if lk != nil {
			s.link()
		}
	}
	if st := l.srtp.Load(); st != nil {
		plain, err := st.dec.DecryptRTP(pkt[:0], pkt, hdr)
		if err != nil {
			l.dropped.Add(1)
			return
		}
		pkt = plain
	}
	h, payload, ok := parseRTP(pkt)
	if !ok {
		s.malformed.Add(1)
		return
	}
	switch {
	case h.pt == s.cfg.PT:
		s.packetsIn.Add(1)
		s.bytesIn.Add(uint64(len(pkt)))
		if h.ssrc != s.rxSSRC || !s.rxStart {
			s.rxStart, s.rxSSRC, s.rxTS0 = true, h.ssrc, h.ts
			s.haveTransit = false
			s.rxSSRCSeen.Store(h.ssrc)
		}
		s.updateJitter(h.ts, now)
		fr := media.Frame{
			Kind:      media.Voice,
			Format:    s.cfg.Format,
			Samples:   samplesOf(s.cfg.Format, len(payload)),
			Timestamp: (h.ts - s.rxTS0) * s.tsMul,
		}
		if !s.noVoice.Load() {
			// Left nil for a digits-only reader: the frame still goes
			// through the jitter buffer (its loss and order counts) but
			// emit drops it, so the copy (3 % of a process with 2,000
			// playing channels) is not made.
			fr.Payload = s.copyPayload(payload)
		}
		s.jb.push(h.ssrc, h.seq, fr, now, s.emit)
	case s.cfg.DTMFPT >= 0 && int(h.pt) == s.cfg.DTMFPT:
		ev, err := ParseTelephoneEvent(payload)
		if err != nil {
			s.malformed.Add(1)
			return
		}
		digit, ok := EventDigit(ev.Event)
		if !ok {
			// Flash and tones: not digits a channel reads.
			s.otherPT.Add(1)
			return
		}
		s.packetsIn.Add(1)
		s.bytesIn.Add(uint64(len(pkt)))
		r := s.dtmfRx.packet(h.seq, h.ts, ev, digit)
		clock := s.cfg.Format.RTPClockRate
		if r.endPrev {
			s.emit(media.Frame{Kind: media.DTMFEnd, Digit: r.prev, Duration: eventDuration(r.prevDur, clock)})
		}
		if r.begin {
			s.emit(media.Frame{Kind: media.DTMFBegin, Digit: r.digit})
		}
		if r.end {
			s.emit(media.Frame{Kind: media.DTMFEnd, Digit: r.digit, Duration: eventDuration(r.duration, clock)})
		}
	default:
		s.otherPT.Add(1)
	}
}

// tick lets held packets go when the one they wait for is overdue; the
// receive loop calls it every few milliseconds.
func (s *Session) tick(now int64) {
	s.jb.flushOld(now, s.maxHold, s.emit)
}

// emit hands a frame to the reader without ever waiting: when the channel
// is full the oldest frame makes room.
func (s *Session) emit(fr media.Frame) {
	if fr.Kind == media.Voice && (fr.Payload == nil || s.noVoice.Load()) {
		// The reader wants digits only (DeliverVoice), or wanted them
		// when this frame came in.
		return
	}
	for {
		select {
		case s.frames <- fr:
			return
		default:
		}
		select {
		case <-s.frames:
			s.overflow.Add(1)
		default:
		}
	}
}

// slabSize is the chunk received payloads are carved from: one allocation
// per two dozen G.711 frames instead of one per packet.
const slabSize = 4096

// copyPayload copies a received payload into memory the reader owns.
func (s *Session) copyPayload(p []byte) []byte {
	n := len(p)
	if n > slabSize/4 {
		return append([]byte(nil), p...)
	}
	if cap(s.slab)-len(s.slab) < n {
		s.slab = make([]byte, 0, slabSize)
	}
	off := len(s.slab)
	s.slab = append(s.slab, p...)
	return s.slab[off : off+n : off+n]
}

// samplesOf counts the samples (at the format's sample rate) in a payload
// of n bytes for the codecs whose framing is fixed; 0 for the others.
func samplesOf(f *media.Format, n int) int {
	switch f.RTPEncoding {
	case "PCMU", "PCMA":
		return n
	case "L16":
		return n / 2
	case "G722":
		return 2 * n
	case "GSM":
		return n / 33 * 160
	}
	return 0
}

// rtpHeader is the part of a received header the session uses.
type rtpHeader struct {
	pt     uint8
	marker bool
	seq    uint16
	ts     uint32
	ssrc   uint32
}

// parseRTP reads an RTP header (CSRCs, extension and padding skipped)
// without allocating.
func parseRTP(pkt []byte) (h rtpHeader, payload []byte, ok bool) {
	if len(pkt) < 12 || pkt[0]>>6 != 2 {
		return h, nil, false
	}
	hl := 12 + 4*int(pkt[0]&0x0f)
	if pkt[0]&0x10 != 0 {
		if len(pkt) < hl+4 {
			return h, nil, false
		}
		hl += 4 + 4*int(binary.BigEndian.Uint16(pkt[hl+2:]))
	}
	end := len(pkt)
	if pkt[0]&0x20 != 0 {
		pad := int(pkt[end-1])
		if pad == 0 {
			return h, nil, false
		}
		end -= pad
	}
	if hl > end {
		return h, nil, false
	}
	h = rtpHeader{
		pt:     pkt[1] & 0x7f,
		marker: pkt[1]&0x80 != 0,
		seq:    binary.BigEndian.Uint16(pkt[2:]),
		ts:     binary.BigEndian.Uint32(pkt[4:]),
		ssrc:   binary.BigEndian.Uint32(pkt[8:]),
	}
	return h, pkt[hl:end], true
}

// sessEngine is one pacer and one receive loop; sessions are spread over
// up to GOMAXPROCS of them.
type sessEngine struct {
	pacer    *pacer
	recv     *recvLoop
	sessions int         // guarded by sessPool.mu
	idle     *time.Timer // guarded by sessPool.mu
	stopping bool        // guarded by sessPool.mu
}

// maxSessEngines caps the pacer/receive-loop pairs; more than GOMAXPROCS
// of them buys nothing.
const maxSessEngines = 4

// sessLinger is how long an engine without sessions waits for a new one
// before its goroutines stop (calls come and go by the second).
var sessLinger = 5 * time.Second

// sessPool starts engines with the first session and stops each once it
// has had none for sessLinger, like the relay's pool.
var sessPool struct {
	mu      sync.Mutex
	engines []*sessEngine
}

func acquireSessEngine() (*sessEngine, error) {
	sessPool.mu.Lock()
	defer sessPool.mu.Unlock()
	limit := min(runtime.GOMAXPROCS(0), maxSessEngines)
	var best *sessEngine
	for _, e := range sessPool.engines {
		if e.recv.isDead() {
			continue
		}
		if best == nil || e.sessions < best.sessions {
			best = e
		}
	}
	if best == nil || (best.sessions > 0 && len(sessPool.engines) < limit) {
		r, err := newRecvLoop()
		if err != nil {
			if best == nil {
				return nil, err
			}
		} else {
			best = &sessEngine{pacer: newPacer(), recv: r}
			sessPool.engines = append(sessPool.engines, best)
		}
	}
	best.sessions++
	return best, nil
}

func releaseSessEngine(e *sessEngine) {
	sessPool.mu.Lock()
	defer sessPool.mu.Unlock()
	e.sessions--
	if e.sessions > 0 {
		return
	}
	if e.idle == nil {
		e.idle = time.AfterFunc(sessLinger, func() { stopIdleSessEngine(e) })
	} else {
		e.idle.Reset(sessLinger)
	}
}

func stopIdleSessEngine(e *sessEngine) {
	sessPool.mu.Lock()
	if e.sessions > 0 || e.stopping {
		sessPool.mu.Unlock()
		return
	}
	e.stopping = true
	for i, x := range sessPool.engines {
		if x == e {
			sessPool.engines = append(sessPool.engines[:i], sessPool.engines[i+1:]...)
			break
		}
	}
	sessPool.mu.Unlock()
	e.recv.stop()
	e.pacer.stop()
}
