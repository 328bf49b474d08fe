package rtp

import (
	"encoding/binary"
	"errors"
	"time"
)

// RTCP packet types (RFC 3550 section 12.1).
const (
	rtcpSR   = 200
	rtcpRR   = 201
	rtcpSDES = 202
)

// ReportBlock is one reception report of an SR or RR (RFC 3550 6.4.1):
// what the reporter measured of the stream whose SSRC it names.
type ReportBlock struct {
	SSRC         uint32
	FractionLost uint8  // of the last interval, in 1/256
	CumLost      int32  // 24-bit signed on the wire
	ExtHighest   uint32 // cycles << 16 | highest sequence number
	Jitter       uint32 // RTP clock units
	LSR          uint32 // middle 32 bits of the last SR's NTP time, 0 if none
	DLSR         uint32 // 1/65536 s since that SR
}

// SenderInfo is the sender section of an SR.
type SenderInfo struct {
	NTP         uint64 // NTP timestamp, 32.32 fixed point
	RTPTime     uint32
	PacketCount uint32
	OctetCount  uint32
}

// Report is what one received compound RTCP packet said: an SR or RR,
// its report blocks; other packet types are skipped.
type Report struct {
	SSRC   uint32
	SR     bool
	Sender SenderInfo
	Blocks []ReportBlock
}

// ErrNotRTCP is returned for a datagram that is not a version-2 compound
// RTCP packet starting with an SR or RR.
var ErrNotRTCP = errors.New("rtp: not an RTCP SR/RR packet")

// ParseRTCP reads the first SR or RR of a compound packet. It checks the
// lengths of every packet it walks, so a truncated or hostile datagram is
// an error, never a panic.
func ParseRTCP(b []byte) (Report, error) {
	var r Report
	for len(b) >= 4 {
		if b[0]>>6 != 2 {
			return r, ErrNotRTCP
		}
		count := int(b[0] & 0x1f)
		pt := b[1]
		size := (int(binary.BigEndian.Uint16(b[2:4])) + 1) * 4
		if size > len(b) {
			return r, ErrNotRTCP
		}
		p := b[:size]
		b = b[size:]
		if pt != rtcpSR && pt != rtcpRR {
			continue
		}
		if len(p) < 8 {
			return r, ErrNotRTCP
		}
		r.SSRC = binary.BigEndian.Uint32(p[4:8])
		body := p[8:]
		if pt == rtcpSR {
			if len(body) < 20 {
				return r, ErrNotRTCP
			}
			r.SR = true
			r.Sender = SenderInfo{
				NTP:         binary.BigEndian.Uint64(body[0:8]),
				RTPTime:     binary.BigEndian.Uint32(body[8:12]),
				PacketCount: binary.BigEndian.Uint32(body[12:16]),
				OctetCount:  binary.BigEndian.Uint32(body[16:20]),
			}
			body = body[20:]
		}
		if len(body) < count*24 {
			return r, ErrNotRTCP
		}
		for i := 0; i < count; i++ {
			rb := body[i*24:]
			lost := int32(binary.BigEndian.Uint32(rb[4:8]) & 0xffffff)
			if lost&0x800000 != 0 {
				lost -= 1 << 24
			}
			r.Blocks = append(r.Blocks, ReportBlock{
				SSRC:         binary.BigEndian.Uint32(rb[0:4]),
				FractionLost: rb[4],
				CumLost:      lost,
				ExtHighest:   binary.BigEndian.Uint32(rb[8:12]),
				Jitter:       binary.BigEndian.Uint32(rb[12:16]),
				LSR:          binary.BigEndian.Uint32(rb[16:20]),
				DLSR:         binary.BigEndian.Uint32(rb[20:24]),
			})
		}
		return r, nil
	}
	return r, ErrNotRTCP
}

// AppendRTCP appends a compound packet: an SR when sender is not nil,
// else an RR, with at most one report block, then an SDES with the CNAME
// (RFC 3550 6.1 requires both in every compound packet).
func AppendRTCP(b []byte, ssrc uint32, sender *SenderInfo, block *ReportBlock, cname string) []byte {
	n := 0
	if block != nil {
		n = 1
	}
	pt, words := byte(rtcpRR), 1+6*n
	if sender != nil {
		pt, words = rtcpSR, 1+5+6*n
	}
	b = append(b, 0x80|byte(n), pt, byte(words>>8), byte(words))
	b = binary.BigEndian.AppendUint32(b, ssrc)
	if sender != nil {
		b = binary.BigEndian.AppendUint64(b, sender.NTP)
		b = binary.BigEndian.AppendUint32(b, sender.RTPTime)
		b = binary.BigEndian.AppendUint32(b, sender.PacketCount)
		b = binary.BigEndian.AppendUint32(b, sender.OctetCount)
	}
	if block != nil {
		b = binary.BigEndian.AppendUint32(b, block.SSRC)
		b = binary.BigEndian.AppendUint32(b, uint32(block.FractionLost)<<24|uint32(block.CumLost)&0xffffff)
		b = binary.BigEndian.AppendUint32(b, block.ExtHighest)
		b = binary.BigEndian.AppendUint32(b, block.Jitter)
		b = binary.BigEndian.AppendUint32(b, block.LSR)
		b = binary.BigEndian.AppendUint32(b, block.DLSR)
	}
	if len(cname) > 255 {
		cname = cname[:255]
	}
	// SDES: one chunk, CNAME item, a null item and padding to a word.
	chunk := 4 + 2 + len(cname) + 1
	chunk = (chunk + 3) &^ 3
	b = append(b, 0x81, rtcpSDES, byte(chunk/4>>8), byte(chunk/4))
	b = binary.BigEndian.AppendUint32(b, ssrc)
	b = append(b, 1, byte(len(cname)))
	b = append(b, cname...)
	for pad := chunk - 4 - 2 - len(cname); pad > 0; pad-- {
		b = append(b, 0)
	}
	return b
}

// ntpEpochOffset is the seconds from 1900 (NTP's epoch) to 1970.
const ntpEpochOffset = 2208988800

// NTPTime converts a wall-clock time to NTP's 32.32 fixed point.
func NTPTime(t time.Time) uint64 {
	ns := t.UnixNano()
	sec := uint64(ns/1e9) + ntpEpochOffset
	frac := uint64(ns%1e9) << 32 / 1e9
	return sec<<32 | frac
}

// ntpMiddle is the middle 32 bits of an NTP timestamp, the unit of LSR
// (and, as 1/65536 s, of DLSR and round-trip arithmetic).
func ntpMiddle(ntp uint64) uint32 { return uint32(ntp >> 16) }

// RoundTrip is RFC 3550 6.4.1's round trip: the arrival's NTP middle bits
// minus the LSR and DLSR of the block. ok is false without an LSR, or when
// the result is negative (clocks or a bogus report).
func RoundTrip(arrival time.Time, b ReportBlock) (time.Duration, bool) {
	if b.LSR == 0 {
		return 0, false
	}
	a := ntpMiddle(NTPTime(arrival))
	d := int64(a) - int64(b.LSR) - int64(b.DLSR)
	if a < b.LSR {
		d += 1 << 32
	}
	if d < 0 {
		return 0, false
	}
	return time.Duration(d * int64(time.Second) >> 16), true
}
