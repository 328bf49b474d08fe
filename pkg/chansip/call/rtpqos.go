package call

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// qosTotals keeps what the sessions a dialog closed measured, so that
// CHANNEL(rtpqos) still counts them once the leg is back in the relay.
type qosTotals struct {
	packetsIn, packetsOut, lost uint64
	ssrc, remoteSSRC            uint32
	jitter                      float64
}

func (q *qosTotals) add(st rtp.SessionStats) {
	q.packetsIn += st.PacketsIn
	q.packetsOut += st.PacketsOut
	q.lost += st.Lost
	if st.SSRC != 0 {
		q.ssrc = st.SSRC
	}
	if st.RemoteSSRC != 0 {
		q.remoteSSRC = st.RemoteSSRC
		q.jitter = st.Jitter
	}
}

// rtpQoS answers CHANNEL(rtpqos,<type>,<field>) as chan_sip does, for the
// audio stream (video and text have none here: empty, as chan_sip says of
// a stream a dialog lacks). Figures are what gostrisk measures: packets
// counted on the leg (relayed and terminated), losses and RFC 3550
// jitter measured while the core terminated the leg's media, and the
// SSRCs seen. gostrisk sends no RTCP, so what only the far end's RTCP
// reports could tell (remote loss and jitter, round trip) is 0, as in
// Asterisk before the first report arrives.
func (d *dialog) rtpQoS(args string) (string, bool) {
	kind, field, _ := strings.Cut(args, ",")
	if strings.TrimSpace(kind) != "audio" {
		return "", true
	}
	d.mu.Lock()
	leg, q := d.leg, d.qos
	var live *rtp.Session
	if d.stream != nil {
		live = d.stream.sess
	}
	d.mu.Unlock()
	if leg == nil {
		return "", true
	}
	ls := leg.Stats()
	rx, tx := ls.PacketsIn+q.packetsIn, ls.PacketsOut+q.packetsOut
	lost, ssrc, themSSRC, jitter := q.lost, q.ssrc, q.remoteSSRC, q.jitter
	if live != nil {
		st := live.Stats()
		rx += st.PacketsIn
		tx += st.PacketsOut
		lost += st.Lost
		ssrc = st.SSRC
		if st.RemoteSSRC != 0 {
			themSSRC, jitter = st.RemoteSSRC, st.Jitter
		}
	}
	// The names of chan_sip's lookup table: integers with %u, doubles
	// (seconds) with %f.
	switch strings.TrimSpace(field) {
	case "local_ssrc":
		return fmt.Sprint(ssrc), true
	case "remote_ssrc":
		return fmt.Sprint(themSSRC), true
	case "local_lostpackets", "rxploss":
		return fmt.Sprint(lost), true
	case "local_count", "rxcount":
		return fmt.Sprint(rx), true
	case "remote_count", "txcount":
		return fmt.Sprint(tx), true
	case "local_jitter", "rxjitter", "local_maxjitter", "local_minjitter", "local_normdevjitter":
		return fmt.Sprintf("%f", jitter), true
	case "local_stdevjitter":
		return fmt.Sprintf("%f", 0.0), true
	case "remote_lostpackets", "txploss":
		return "0", true
	case "remote_jitter", "txjitter", "rtt", "maxrtt", "minrtt", "normdevrtt", "stdevrtt",
		"remote_maxjitter", "remote_minjitter", "remote_normdevjitter", "remote_stdevjitter":
		return fmt.Sprintf("%f", 0.0), true
	case "all", "":
		return fmt.Sprintf("ssrc=%d;themssrc=%d;lp=%d;rxjitter=%f;rxcount=%d;txjitter=%f;txcount=%d;rlp=%d;rtt=%f",
			ssrc, themSSRC, lost, jitter, rx, 0.0, tx, 0, 0.0), true
	case "all_jitter":
		return fmt.Sprintf("minrxjitter=%f;maxrxjitter=%f;avgrxjitter=%f;stdevrxjitter=%f;reported_minjitter=%f;reported_maxjitter=%f;reported_avgjitter=%f;reported_stdevjitter=%f;",
			jitter, jitter, jitter, 0.0, 0.0, 0.0, 0.0, 0.0), true
	case "all_loss":
		return fmt.Sprintf("minrxlost=%f;maxrxlost=%f;avgrxlost=%f;stdevrxlost=%f;reported_minlost=%f;reported_maxlost=%f;reported_avglost=%f;reported_stdevlost=%f;",
			float64(lost), float64(lost), float64(lost), 0.0, 0.0, 0.0, 0.0, 0.0), true
	case "all_rtt":
		return fmt.Sprintf("minrtt=%f;maxrtt=%f;avgrtt=%f;stdevrtt=%f;", 0.0, 0.0, 0.0, 0.0), true
	}
	return "", false
}
