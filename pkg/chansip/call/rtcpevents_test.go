package call

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/rtp"
)

func TestRTCPFields(t *testing.T) {
	at := time.Unix(1528531551, 953682000)
	block := rtp.ReportBlock{SSRC: 0x48b6c7e3, FractionLost: 2, CumLost: 5, ExtHighest: 1<<16 | 15431, Jitter: 12, LSR: 77, DLSR: 32768}
	tests := []struct {
		name string
		ev   rtp.RTCPEvent
		want string
	}{
		{"sent SR", rtp.RTCPEvent{Sent: true, Addr: netip.MustParseAddrPort("10.0.0.1:15001"),
			Report: rtp.Report{SSRC: 913, SR: true, Sender: rtp.SenderInfo{NTP: rtp.NTPTime(at), RTPTime: 1600, PacketCount: 10, OctetCount: 1600},
				Blocks: []rtp.ReportBlock{block}}},
			"SSRC=913|PT=200(SR)|To=10.0.0.1:15001|ReportCount=1|SentNTP=1528531551.953682|SentRTP=1600|SentPackets=10|SentOctets=1600|" +
				"Report0SourceSSRC=0x48b6c7e3|Report0FractionLost=2|Report0CumulativeLost=5|Report0HighestSequence=15431|" +
				"Report0SequenceNumberCycles=1|Report0IAJitter=12|Report0LSR=77|Report0DLSR=0.5000"},
		{"received RR", rtp.RTCPEvent{Addr: netip.MustParseAddrPort("10.0.0.2:4001"), RTT: 25 * time.Millisecond,
			Report: rtp.Report{SSRC: 7}},
			"SSRC=7|PT=201(RR)|From=10.0.0.2:4001|RTT=0.0250|ReportCount=0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var parts []string
			for _, f := range rtcpFields(tc.ev) {
				parts = append(parts, f.Key+"="+f.Value)
			}
			if got := strings.Join(parts, "|"); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
