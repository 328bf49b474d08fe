package call

import (
	"math/rand/v2"
	"strconv"

	"github.com/emiago/sipgo/sip"
)

// The far end's requests in a dialog carry increasing CSeq numbers. chan_sip
// keeps the highest it has seen and refuses a request with a lower one
// ("Ignoring too old SIP packet"): 500 Server error, with a Retry-After of
// 1 to 10 s for an INVITE (RFC 3261 14.2). That is also what makes a
// re-INVITE or BYE captured earlier in a call useless to replay in it.
//
// A request with the last number seen repeats the last request. sipgo's
// transaction absorbs retransmissions for as long as the sender's own
// transaction can retransmit (64*T1), except where this package ends it
// at once to save its memory: BYE and INFO are answered statelessly, so
// their retransmissions come here again and are answered the same way,
// without acting twice. An INVITE's transaction does last that long, so
// an INVITE with the last number that reaches us is no retransmission but
// a replay, refused as a too old one.
//
// ACK and CANCEL reuse their INVITE's number and are not counted.

// cseqOrder says how the CSeq of a request from the far end compares with
// the last one seen in the dialog: -1 older, 0 the same, 1 newer (then it
// becomes the last one).
func (d *dialog) cseqOrder(req *sip.Request) int {
	cs := req.CSeq()
	if cs == nil {
		return 1 // the driver answers 400 before: nothing to order
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case d.remoteCSeq == 0 || cs.SeqNo > d.remoteCSeq:
		d.remoteCSeq = cs.SeqNo
		return 1
	case cs.SeqNo == d.remoteCSeq:
		return 0
	}
	return -1
}

// countsCSeq reports whether a method takes a CSeq number of its own.
func countsCSeq(m sip.RequestMethod) bool {
	return m != sip.ACK && m != sip.CANCEL
}

// refuseOutOfOrder answers a request that comes after a newer one, as
// chan_sip does.
func (m *Manager) refuseOutOfOrder(d *dialog, req *sip.Request, tx sip.ServerTransaction) {
	d.setLast("Rx: " + req.Method.String())
	res := sip.NewResponseFromRequest(req, 500, "Server error", nil)
	res.AppendHeader(sip.NewHeader("Server", m.userAgent()))
	var err error
	if req.Method == sip.INVITE {
		// The transaction retransmits the 500 until the ACK, and takes it.
		res.AppendHeader(sip.NewHeader("Retry-After", strconv.Itoa(1+rand.IntN(10))))
		err = tx.Respond(res)
	} else {
		err = respondStateless(req, tx, res)
	}
	if err != nil {
		m.log.Warning("Unable to send 500 Server error for %s: %v\n", req.Method, err)
	}
}
