package rtp

import (
	"encoding/binary"
	"errors"
	"time"
)

// TelephoneEvent is the 4-byte payload of an RFC 4733 (formerly RFC 2833)
// telephone-event packet.
type TelephoneEvent struct {
	Event    uint8  // 0-9 digits, 10 '*', 11 '#', 12-15 'A'-'D'; other codes are tones and flash
	End      bool   // E bit: the last packets of the event
	Volume   uint8  // power level in -dBm0, 0-63
	Duration uint16 // in timestamp units since the event's timestamp
}

// telephoneEventLen is the payload size of one event.
const telephoneEventLen = 4

var errShortEvent = errors.New("rtp: telephone-event payload shorter than 4 bytes")

// ParseTelephoneEvent decodes the first event of an RFC 4733 payload.
// Trailing bytes (a sender that pads, or redundant events) are ignored, as
// Asterisk does.
func ParseTelephoneEvent(payload []byte) (TelephoneEvent, error) {
	if len(payload) < telephoneEventLen {
		return TelephoneEvent{}, errShortEvent
	}
	return TelephoneEvent{
		Event:    payload[0],
		End:      payload[1]&0x80 != 0,
		Volume:   payload[1] & 0x3f,
		Duration: binary.BigEndian.Uint16(payload[2:4]),
	}, nil
}

// AppendTelephoneEvent appends the event's 4-byte payload to b.
func AppendTelephoneEvent(b []byte, ev TelephoneEvent) []byte {
	flags := ev.Volume & 0x3f
	if ev.End {
		flags |= 0x80
	}
	return append(b, ev.Event, flags, byte(ev.Duration>>8), byte(ev.Duration))
}

const dtmfDigits = "0123456789*#ABCD"

// EventDigit maps an event code to its DTMF digit; false for codes that
// are not digits (flash, fax and call-progress tones).
func EventDigit(event uint8) (rune, bool) {
	if int(event) < len(dtmfDigits) {
		return rune(dtmfDigits[event]), true
	}
	return 0, false
}

// DigitEvent maps a DTMF digit to its event code; false for anything else.
// Lower-case a-d are accepted, as SIP INFO senders use both.
func DigitEvent(d rune) (uint8, bool) {
	if d >= 'a' && d <= 'd' {
		d -= 'a' - 'A'
	}
	for i := 0; i < len(dtmfDigits); i++ {
		if rune(dtmfDigits[i]) == d {
			return uint8(i), true
		}
	}
	return 0, false
}

// eventDuration converts an event's duration field to time at the
// telephone-event clock rate.
func eventDuration(units uint16, clock int) time.Duration {
	if clock <= 0 {
		clock = 8000
	}
	return time.Duration(int64(units) * int64(time.Second) / int64(clock))
}

// dtmfReceiver turns a stream of telephone-event packets into one
// DTMFBegin and one DTMFEnd per event. An event is known by its RTP
// timestamp: its continuation packets repeat it, a new key press gets a
// new one, and the (usually three) end packets are counted once.
type dtmfReceiver struct {
	have    bool
	ts      uint32
	digit   rune
	ended   bool
	lastSeq uint16
	dur     uint16
}

// dtmfReport is what one event packet means for the reader, in order:
// end the previous digit (it never sent an end packet), begin a new one,
// end the current one.
type dtmfReport struct {
	endPrev  bool
	prev     rune
	prevDur  uint16
	begin    bool
	end      bool
	digit    rune
	duration uint16
}

// packet updates the state with one event packet and says what to report.
func (d *dtmfReceiver) packet(seq uint16, ts uint32, ev TelephoneEvent, digit rune) dtmfReport {
	if d.have && ts == d.ts {
		if int16(seq-d.lastSeq) > 0 {
			d.lastSeq = seq
		}
		if d.ended {
			return dtmfReport{} // a retransmitted end packet
		}
		if ev.Duration > d.dur {
			d.dur = ev.Duration
		}
		if ev.End {
			d.ended = true
			return dtmfReport{end: true, digit: d.digit, duration: d.dur}
		}
		return dtmfReport{}
	}
	if d.have && int16(seq-d.lastSeq) <= 0 {
		return dtmfReport{} // a straggler of an earlier event
	}
	var r dtmfReport
	if d.have && !d.ended {
		r.endPrev, r.prev, r.prevDur = true, d.digit, d.dur
	}
	*d = dtmfReceiver{have: true, ts: ts, digit: digit, ended: ev.End, lastSeq: seq, dur: ev.Duration}
	r.digit, r.duration = digit, ev.Duration
	// A digit whose begin was lost is reported by its end alone, as a
	// digit known from SIP INFO is.
	r.begin, r.end = !ev.End, ev.End
	return r
}
