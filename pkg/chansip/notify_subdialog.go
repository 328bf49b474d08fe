package chansip

import (
	"github.com/emiago/sipgo/sip"
)

// byCallID is the active subscription whose dialog has callID, or nil.
// chan_sip keeps every dialog, calls and subscriptions alike, in one
// table keyed by Call-ID, which is what SIPnotify's Call-ID searches.
func (t *subscriptions) byCallID(callID string) *subscription {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, s := range t.byKey {
		if k.callID != callID {
			continue
		}
		s.mu.Lock()
		ended := s.final != ""
		s.mu.Unlock()
		if !ended {
			return s
		}
	}
	return nil
}

// notifyInSubscription sends SIPnotify's NOTIFY inside the SUBSCRIBE
// dialog s: its route (the subscriber's Contact), tags and next CSeq,
// with headers (Date, Subscription-State, the action's own) and body in
// place of the subscription's Event and state body. The subscription
// itself goes on: its next NOTIFY takes the CSeq after this one.
func (d *Driver) notifyInSubscription(s *subscription, headers []sip.Header, body []byte) error {
	s.mu.Lock()
	s.cseq++
	cseq := s.cseq
	s.mu.Unlock()
	us := d.advertisedAddr(s.dest.Addr())
	req := sip.NewRequest(sip.NOTIFY, s.target)
	req.SetDestination(s.dest.String())
	tp := s.tport
	if tp == "" {
		tp = "UDP"
	} else if tp != "UDP" {
		req.SetTransport(tp)
	}
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: tp,
		Host: us.Addr().String(), Port: int(us.Port()), Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	via.Params.Add("rport", "")
	req.AppendHeader(via)
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.AppendHeader(sip.NewHeader("From", withTag(s.fromHdr, s.ourTag)))
	req.AppendHeader(sip.NewHeader("To", s.toHdr))
	user := s.exten
	if s.kind == subMWI {
		user = s.peer
	}
	req.AppendHeader(sip.NewHeader("Contact", "<sip:"+user+"@"+hostPort(us)+">"))
	callid := sip.CallIDHeader(s.key.callID)
	req.AppendHeader(&callid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: sip.NOTIFY})
	req.AppendHeader(sip.NewHeader("User-Agent", d.cfg.Load().General.EffectiveUserAgent(d.opts.Version)))
	for _, h := range headers {
		req.AppendHeader(h)
	}
	req.SetBody(body)
	return d.sendNotify(req, s.dest)
}
