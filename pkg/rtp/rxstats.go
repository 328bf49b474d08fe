package rtp

import (
	"strconv"
	"strings"
	"sync/atomic"
)

// rxStats is RFC 3550 appendix A.1/A.8's reception state of a leg: the
// sequence numbers and interarrival jitter of what the peer sends, which
// the leg's RTCP reports and `sip show channelstats` need. The reading
// goroutine (relay or session loop) owns the plain fields and publishes
// them to the atomics every few packets, which is all a report read every
// few seconds needs, so a relayed packet pays a few additions and no
// locked instruction beyond the leg's counters.
type rxStats struct {
	started          bool
	ssrc             uint32
	baseSeq, maxSeq  uint16
	cycles           uint32
	transit          int64
	jitter           int64 // RTP clock units << 4, as appendix A.8 keeps it
	sincePublish     uint8
	lastTS           uint32
	pubSSRC, pubBase atomic.Uint32
	pubExtMax        atomic.Uint32
	pubJitter        atomic.Uint32 // RTP clock units
	pubTS            atomic.Uint32
	pubAt            atomic.Int64
	pubStarted       atomic.Bool
	received         uint64 // packets of the tracked SSRC
	pubReceived      atomic.Uint64
}

// publishEvery is how many packets pass between two publications.
const publishEvery = 8

// observe folds one accepted packet (at least 12 bytes, version 2) into the
// state; clock is the RTP clock rate of the leg's audio.
func (r *rxStats) observe(pkt []byte, now int64, clock uint32) {
	seq := uint16(pkt[2])<<8 | uint16(pkt[3])
	ts := uint32(pkt[4])<<24 | uint32(pkt[5])<<16 | uint32(pkt[6])<<8 | uint32(pkt[7])
	ssrc := uint32(pkt[8])<<24 | uint32(pkt[9])<<16 | uint32(pkt[10])<<8 | uint32(pkt[11])
	if !r.started || ssrc != r.ssrc {
		// A new source (or the first): its own sequence space, as a
		// re-INVITE or a transfer brings.
		r.started, r.ssrc = true, ssrc
		r.baseSeq, r.maxSeq, r.cycles = seq, seq, 0
		r.jitter, r.transit = 0, 0
		r.received = 0
		r.sincePublish = publishEvery - 1
	} else if d := seq - r.maxSeq; d < 0x8000 {
		if seq < r.maxSeq {
			r.cycles += 1 << 16
		}
		r.maxSeq = seq
	}
	r.received++
	if pt := pkt[1] & 0x7f; pt < 96 || pt > 127 || ts != r.lastTS {
		// Jitter of voice only: telephone-event repetitions share one
		// timestamp and would read as transit noise.
		arrival := now / 1000 * int64(clock) / 1000000
		transit := arrival - int64(ts)
		if r.transit != 0 {
			d := transit - r.transit
			if d < 0 {
				d = -d
			}
			if d < int64(clock)*10 {
				r.jitter += d - ((r.jitter + 8) >> 4)
			}
		}
		r.transit = transit
	}
	r.lastTS = ts
	r.sincePublish++
	if r.sincePublish >= publishEvery {
		r.sincePublish = 0
		r.pubSSRC.Store(r.ssrc)
		r.pubBase.Store(uint32(r.baseSeq))
		r.pubExtMax.Store(r.cycles + uint32(r.maxSeq))
		r.pubJitter.Store(uint32(r.jitter >> 4))
		r.pubTS.Store(ts)
		r.pubAt.Store(now)
		r.pubReceived.Store(r.received)
		r.pubStarted.Store(true)
	}
}

// snapshot is what the reporter and the CLI read.
type rxSnapshot struct {
	ok             bool
	ssrc           uint32
	expected, lost int64
	received       uint64
	extMax, jitter uint32
	lastTS         uint32
	lastAt         int64
}

func (r *rxStats) snapshot() rxSnapshot {
	if !r.pubStarted.Load() {
		return rxSnapshot{}
	}
	s := rxSnapshot{
		ok:       true,
		ssrc:     r.pubSSRC.Load(),
		extMax:   r.pubExtMax.Load(),
		jitter:   r.pubJitter.Load(),
		received: r.pubReceived.Load(),
		lastTS:   r.pubTS.Load(),
		lastAt:   r.pubAt.Load(),
	}
	s.expected = int64(s.extMax) - int64(r.pubBase.Load()) + 1
	s.lost = s.expected - int64(s.received)
	if s.lost < 0 {
		s.lost = 0 // duplicates, or packets counted since the publication
	}
	return s
}

// clockRate reads the RTP clock of the first non-event encoding of an SDP
// rtpmap list ("PCMU/8000", "opus/48000/2"); 8000 when none says.
func clockRate(pts []PayloadType) uint32 {
	for _, p := range pts {
		name, rest, ok := strings.Cut(p.Encoding, "/")
		if !ok || strings.EqualFold(name, "telephone-event") {
			continue
		}
		rate, _, _ := strings.Cut(rest, "/")
		if n, err := strconv.Atoi(rate); err == nil && n > 0 {
			return uint32(n)
		}
	}
	return 8000
}
