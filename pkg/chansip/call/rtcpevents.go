package call

import (
	"fmt"

	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// AMI event names of RTCP reports (rtp_engine.c's).
const (
	busRTCPSent     = "RTCPSent"
	busRTCPReceived = "RTCPReceived"
)

// watchRTCP makes the leg's RTCP reports manager events of the dialog's
// channel. The leg's RTCP goroutine calls back; the event is built only
// when a manager session reads it.
func (d *dialog) watchRTCP(leg *rtp.Leg) {
	leg.SetRTCPObserver(d.rtcpEvent)
}

func (d *dialog) rtcpEvent(ev rtp.RTCPEvent) {
	eng := d.m.d.Engine
	if eng == nil {
		return
	}
	typ := busRTCPReceived
	if ev.Sent {
		typ = busRTCPSent
	}
	bus := eng.Bus()
	if !bus.Wants(pbx.BusEventType(typ)) {
		return
	}
	ch := d.channel()
	if ch == nil {
		return
	}
	bus.Publish(pbx.BusEvent{Type: pbx.BusEventType(typ), Channel: ch, Fields: rtcpFields(ev)})
}

// rtcpFields are the event's own lines in rtp_engine.c's order: our SSRC
// (or the sender's, received), the packet type, the address, the round
// trip (received only), the sender section of an SR and one group of
// lines per report block.
func rtcpFields(ev rtp.RTCPEvent) []pbx.EventField {
	r := ev.Report
	pt := "201(RR)"
	if r.SR {
		pt = "200(SR)"
	}
	f := []pbx.EventField{{Key: "SSRC", Value: fmt.Sprint(r.SSRC)}, {Key: "PT", Value: pt}}
	if ev.Sent {
		f = append(f, pbx.EventField{Key: "To", Value: ev.Addr.String()})
	} else {
		rtt := 0.0
		if ev.RTT > 0 {
			rtt = ev.RTT.Seconds()
		}
		f = append(f, pbx.EventField{Key: "From", Value: ev.Addr.String()},
			pbx.EventField{Key: "RTT", Value: fmt.Sprintf("%.4f", rtt)})
	}
	f = append(f, pbx.EventField{Key: "ReportCount", Value: fmt.Sprint(len(r.Blocks))})
	if r.SR {
		s := r.Sender
		// NTP time as Unix seconds and microseconds.
		sec := int64(s.NTP>>32) - 2208988800
		usec := (int64(s.NTP&0xffffffff)*1000000 + 1<<31) >> 32 // rounded
		if usec == 1000000 {
			sec, usec = sec+1, 0
		}
		f = append(f,
			pbx.EventField{Key: "SentNTP", Value: fmt.Sprintf("%d.%06d", sec, usec)},
			pbx.EventField{Key: "SentRTP", Value: fmt.Sprint(s.RTPTime)},
			pbx.EventField{Key: "SentPackets", Value: fmt.Sprint(s.PacketCount)},
			pbx.EventField{Key: "SentOctets", Value: fmt.Sprint(s.OctetCount)})
	}
	for i, b := range r.Blocks {
		p := fmt.Sprintf("Report%d", i)
		f = append(f,
			pbx.EventField{Key: p + "SourceSSRC", Value: fmt.Sprintf("0x%.8x", b.SSRC)},
			pbx.EventField{Key: p + "FractionLost", Value: fmt.Sprint(b.FractionLost)},
			pbx.EventField{Key: p + "CumulativeLost", Value: fmt.Sprint(b.CumLost)},
			pbx.EventField{Key: p + "HighestSequence", Value: fmt.Sprint(b.ExtHighest & 0xffff)},
			pbx.EventField{Key: p + "SequenceNumberCycles", Value: fmt.Sprint(b.ExtHighest >> 16)},
			pbx.EventField{Key: p + "IAJitter", Value: fmt.Sprint(b.Jitter)},
			pbx.EventField{Key: p + "LSR", Value: fmt.Sprint(b.LSR)},
			pbx.EventField{Key: p + "DLSR", Value: fmt.Sprintf("%.4f", float64(b.DLSR)/65536)})
	}
	return f
}
