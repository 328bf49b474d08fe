package chansip

import (
	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
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
	req := d.subDialogRequest(s, cseq)
	for _, h := range headers {
		req.AppendHeader(h)
	}
	req.SetBody(body)
	call.ApplyRoutes(req, s.routes, s.target) // subroute.go
	return d.sendNotify(req, s.dest)
}
