package chansip

import (
	"context"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// sendSubscriptionNotify sends one NOTIFY of s's current state (final:
// the reason of a terminating one) and waits for its answer; false when
// the subscription must end (refused, unanswered, or ctx done).
func (d *Driver) sendSubscriptionNotify(ctx context.Context, s *subscription, final string) bool {
	cfg := d.cfg.Load()
	g := &cfg.General
	s.mu.Lock()
	s.cseq++
	cseq := s.cseq
	state := s.state
	presence := s.presence
	version := s.version
	if s.kind != subMWI {
		s.version++
	}
	s.mu.Unlock()
	subState := "active"
	switch final {
	case "timeout":
		subState = "terminated;reason=timeout"
	case "noresource":
		subState = "terminated;reason=noresource"
	}
	var body string
	switch s.kind {
	case subMWI:
		c := d.mailboxCounts(s.mailbox)
		us := d.advertisedAddr(s.dest.Addr())
		domain := g.FromDomain
		if p := cfg.Peer(s.peer); p != nil && p.FromDomain != "" {
			domain = p.FromDomain
		}
		if domain == "" {
			domain = sipconf.URIHost(us.Addr().String())
		}
		vmexten := g.VMExten
		if p := cfg.Peer(s.peer); p != nil && p.VMExten != "" {
			vmexten = p.VMExten
		}
		body = mwiBody(c, vmexten, domain, us.Port(), s.tport, false)
		d.noteMessagesSent(s.peer, c)
	default:
		if state == pbx.ExtOnHold && !g.NotifyHold {
			state = pbx.ExtInUse // without notifyhold chan_sip does not report holds
		}
		n := notifyState{state: state, exten: s.exten, mfrom: s.mfrom, mto: s.mto, version: version,
			full: true, ringing: g.NotifyRinging, callID: s.key.callID, presence: presence}
		n.allAway = d.hintAllUnavailable(s.context, s.exten)
		if g.NotifyCID && state.Code() > 0 && state.Code()&8 != 0 {
			n.callerID = d.ringingParty(s)
		}
		body = stateBody(s.kind, n)
	}
	req := d.buildSubNotify(s, cseq, subState, body)
	if req == nil {
		return false
	}
	d.debugTransmit(req, false)
	tctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	tx, err := d.client.TransactionRequest(tctx, req)
	if err != nil {
		d.log.Debug(1, "NOTIFY for %s: %v", s, err)
		return false
	}
	defer tx.Terminate()
	res := finalResponse(tctx, tx)
	if res == nil {
		return false
	}
	if res.StatusCode >= 300 {
		// 481 and any other refusal end the subscription: the
		// subscriber no longer knows it (RFC 6665 4.2.2).
		d.log.Debug(2, "NOTIFY for %s answered %d: subscription ended", s, res.StatusCode)
		return false
	}
	return true
}

// buildSubNotify makes the in-dialog NOTIFY: to the subscriber's Contact,
// From its To (with our tag), To its From, in chan_sip's header order.
func (d *Driver) buildSubNotify(s *subscription, cseq uint32, subState, body string) *sip.Request {
	req := d.subDialogRequest(s, cseq)
	req.AppendHeader(sip.NewHeader("Subscription-State", subState))
	req.AppendHeader(sip.NewHeader("Event", subTypes[s.kind].event))
	req.AppendHeader(sip.NewHeader("Content-Type", subTypes[s.kind].mediaType))
	req.SetBody([]byte(body))
	call.ApplyRoutes(req, s.routes, s.target) // subroute.go
	return req
}

// subDialogRequest starts a NOTIFY inside subscription s's dialog with
// cseq: the headers every such NOTIFY has, up to User-Agent; the caller
// adds its own and the body.
func (d *Driver) subDialogRequest(s *subscription, cseq uint32) *sip.Request {
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
	return req
}

// withTag adds ;tag= to a From/To header value that has none.
func withTag(h, tag string) string {
	if strings.Contains(strings.ToLower(h), ";tag=") {
		return h
	}
	return h + ";tag=" + tag
}

// hintAllUnavailable: every device of the hint is UNAVAILABLE, which
// chan_sip reports as "Not online" whatever the aggregate says.
func (d *Driver) hintAllUnavailable(context, exten string) bool {
	eng := d.opts.Engine
	hf, ok := eng.Plan().(pbx.HintFinder)
	if !ok {
		return false
	}
	h, ok := hf.Hint(context, exten)
	if !ok {
		return false
	}
	devs, _ := pbx.HintDevices(strings.ReplaceAll(h, "${EXTEN}", exten))
	if len(devs) == 0 {
		return false
	}
	for _, dev := range devs {
		if eng.DeviceState(dev) != pbx.DeviceUnavailable {
			return false
		}
	}
	return true
}

// ringingParty finds the ringing channel of the hint's devices (the
// youngest, as chan_sip's find_ringing_channel) and returns its caller
// and connected party for notifycid.
func (d *Driver) ringingParty(s *subscription) *ringingParty {
	eng := d.opts.Engine
	hf, ok := eng.Plan().(pbx.HintFinder)
	if !ok {
		return nil
	}
	h, ok := hf.Hint(s.context, s.exten)
	if !ok {
		return nil
	}
	devs, _ := pbx.HintDevices(strings.ReplaceAll(h, "${EXTEN}", s.exten))
	var best *pbx.Channel
	for _, c := range eng.Channels() {
		if c.State() != pbx.StateRinging {
			continue
		}
		dev := pbx.DeviceOfChannel(c.Name())
		for _, want := range devs {
			if strings.EqualFold(dev, want) && (best == nil || c.Created().After(best.Created())) {
				best = c
			}
		}
	}
	if best == nil {
		return nil
	}
	caller, conn := best.CallerID(), best.Connected()
	return &ringingParty{callerNum: caller.Num, callerName: caller.Name,
		connectedNum: conn.Num, connectedName: conn.Name, domain: s.domain}
}

// mailboxCounts adds the counts of a peer's mailboxes ("100@default,101").
func (d *Driver) mailboxCounts(mailboxes string) pbx.MailboxCounts {
	var sum pbx.MailboxCounts
	eng := d.opts.Engine
	if eng == nil {
		return sum
	}
	for _, mb := range strings.Split(mailboxes, ",") {
		if mb = strings.TrimSpace(mb); mb == "" {
			continue
		}
		if c, ok := eng.MailboxCounts(mb); ok {
			sum.New += c.New
			sum.Old += c.Old
			sum.UrgentNew += c.UrgentNew
			sum.UrgentOld += c.UrgentOld
		}
	}
	return sum
}
