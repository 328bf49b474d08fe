package call

import (
	"context"

	"github.com/emiago/sipgo/sip"
)

// A proxy between gostrisk and the callee may fork the INVITE, and more
// than one phone may answer. The call keeps the first 2xx; each later 2xx
// with another To tag is a second dialog the call does not want: RFC 3261
// 13.2.2.4 has the UAC acknowledge it, then end it with a BYE, so that
// phone stops ringing-then-talking to nobody and stops retransmitting its
// 200 for 32 s.

// isOtherFork says whether a 2xx came from another branch than the one
// the call took (its To tag is not the dialog's).
func (o *outCall) isOtherFork(res *sip.Response) bool {
	to := res.To()
	if to == nil {
		return false
	}
	tag, _ := to.Params.Get("tag")
	o.mu.Lock()
	defer o.mu.Unlock()
	return tag != "" && o.remoteTag != "" && tag != o.remoteTag
}

// endFork acknowledges a forked 2xx and hangs that dialog up; a
// retransmission of that 2xx is acknowledged again, the BYE goes once.
func (o *outCall) endFork(res *sip.Response, inviteCSeq uint32) {
	ack := o.forkRequest(sip.ACK, res, inviteCSeq)
	if err := o.m.d.Client.WriteRequest(ack); err != nil {
		o.m.log.Warning("Unable to ACK a forked answer on %s: %v\n", o.callID, err)
	}
	tag, _ := res.To().Params.Get("tag")
	o.mu.Lock()
	seen := o.forksEnded[tag]
	if o.forksEnded == nil {
		o.forksEnded = map[string]bool{}
	}
	o.forksEnded[tag] = true
	o.mu.Unlock()
	if seen {
		return
	}
	bye := o.forkRequest(sip.BYE, res, inviteCSeq+1)
	m := o.m
	m.goTracked(func() {
		ctx, cancel := context.WithTimeout(m.ctx, 64*m.d.T1)
		defer cancel()
		tx, err := m.d.Client.TransactionRequest(ctx, bye)
		if err != nil {
			m.log.Warning("Unable to send BYE to a forked answer on %s: %v\n", o.callID, err)
			return
		}
		defer tx.Terminate()
		for {
			select {
			case r := <-tx.Responses():
				if !r.IsProvisional() {
					return
				}
			case <-tx.Done():
				return
			case <-ctx.Done():
				return
			}
		}
	})
}

// forkRequest builds a request in the forked dialog: the call's own
// request with the fork's tag and, as its target, the fork's Contact.
func (o *outCall) forkRequest(method sip.RequestMethod, res *sip.Response, cseq uint32) *sip.Request {
	req := o.newRequest(method)
	o.mu.Lock()
	o.localCSeq-- // not a request of the call's own dialog
	o.mu.Unlock()
	req.CSeq().SeqNo = cseq
	if to := req.To(); to != nil {
		tag, _ := res.To().Params.Get("tag")
		to.Params = sip.NewParams()
		to.Params.Add("tag", tag)
	}
	if c := res.Contact(); c != nil {
		req.Recipient = *c.Address.Clone()
	}
	return req
}
