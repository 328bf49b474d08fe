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
// SSRCs seen. The remote figures (the far end's loss and jitter of what
// we send, the round trip) come from its RTCP reports to the leg, and are
// 0 until the first one arrives, as in Asterisk. While the leg is relayed
// the leg's own RFC 3550 reception state gives loss and jitter.
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
	rq, rc := leg.RxQuality(), leg.RTCPStats()
	rx, tx := ls.PacketsIn+q.packetsIn, ls.PacketsOut+q.packetsOut
	lost, ssrc, themSSRC, jitter := q.lost, q.ssrc, q.remoteSSRC, q.jitter
	if rq.SSRC != 0 {
		// The leg tracks what it receives whoever reads it; the sessions'
		// own figures count only while they ran.
		themSSRC, jitter = rq.SSRC, rq.Jitter
		if uint64(rq.Lost) > lost {
			lost = uint64(rq.Lost)
		}
	}
	rlp, txJitter, rtt := uint64(0), 0.0, 0.0
	rs, rj := rc.RTTStats, rc.RemoteJitterStats
	if rc.RemoteLost > 0 {
		rlp = uint64(rc.RemoteLost)
	}
	txJitter = rc.RemoteJitter
	if rc.RTT >= 0 {
		rtt = rc.RTT.Seconds()
	}
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
		return fmt.Sprint(rlp), true
	case "remote_jitter", "txjitter":
		return fmt.Sprintf("%f", txJitter), true
	case "remote_maxjitter":
		return fmt.Sprintf("%f", rj.Max), true
	case "remote_minjitter":
		return fmt.Sprintf("%f", rj.Min), true
	case "remote_normdevjitter":
		return fmt.Sprintf("%f", rj.Mean), true
	case "remote_stdevjitter":
		return fmt.Sprintf("%f", rj.StdDev), true
	case "rtt":
		return fmt.Sprintf("%f", rtt), true
	case "maxrtt":
		return fmt.Sprintf("%f", rs.Max), true
	case "minrtt":
		return fmt.Sprintf("%f", rs.Min), true
	case "normdevrtt":
		return fmt.Sprintf("%f", rs.Mean), true
	case "stdevrtt":
		return fmt.Sprintf("%f", rs.StdDev), true
	case "all", "":
		return fmt.Sprintf("ssrc=%d;themssrc=%d;lp=%d;rxjitter=%f;rxcount=%d;txjitter=%f;txcount=%d;rlp=%d;rtt=%f",
			ssrc, themSSRC, lost, jitter, rx, txJitter, tx, rlp, rtt), true
	case "all_jitter":
		return fmt.Sprintf("minrxjitter=%f;maxrxjitter=%f;avgrxjitter=%f;stdevrxjitter=%f;reported_minjitter=%f;reported_maxjitter=%f;reported_avgjitter=%f;reported_stdevjitter=%f;",
			jitter, jitter, jitter, 0.0, rj.Min, rj.Max, rj.Mean, rj.StdDev), true
	case "all_loss":
		return fmt.Sprintf("minrxlost=%f;maxrxlost=%f;avgrxlost=%f;stdevrxlost=%f;reported_minlost=%f;reported_maxlost=%f;reported_avglost=%f;reported_stdevlost=%f;",
			float64(lost), float64(lost), float64(lost), 0.0, float64(rlp), float64(rlp), float64(rlp), 0.0), true
	case "all_rtt":
		return fmt.Sprintf("minrtt=%f;maxrtt=%f;avgrtt=%f;stdevrtt=%f;", rs.Min, rs.Max, rs.Mean, rs.StdDev), true
	}
	return "", false
}
