package chansip

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is chan_sip's outbound MWI ("mwi =>" in [general]): gostrisk
// SUBSCRIBEs to message-summary at a remote voicemail server, answers its
// digest challenge, re-subscribes every mwiexpiry seconds, and keeps the
// counts its NOTIFYs carry as mailbox "box@SIP_Remote", which a peer's
// mailbox= may name. A peer's unsolicited_mailbox= feeds the same store.
// Without those, the only cost is a map lookup per NOTIFY.

// RemoteMWIContext is the context chan_sip files remote mailboxes under.
const RemoteMWIContext = "SIP_Remote"

// mwiRetry is how long a subscription that got no answer waits before it
// tries again: registertimeout, as for an outbound registration.
func (r *remoteMWI) retryAfter() time.Duration {
	if n := r.d.cfg.Load().General.RegisterTimeout; n > 0 {
		return time.Duration(n) * time.Second
	}
	return 20 * time.Second
}

// remoteMWI runs the subscriptions of the running configuration and
// holds the counts; it is the mailbox provider of SIP_Remote. It owns the
// goroutines carrying SUBSCRIBE transactions; close stops them.
type remoteMWI struct {
	d      *Driver
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	subs     []*mwiOutSub
	byCallID map[string]*mwiOutSub
	counts   map[string]pbx.MailboxCounts // lower-case "box@sip_remote"
	closed   bool
}

// mwiOutSub is one "mwi =>" line's subscription dialog.
type mwiOutSub struct {
	conf *sipconf.MWISub
	key  string

	// Guarded by remoteMWI.mu.
	subscribed bool
	callID     string
	fromTag    string
	toTag      string
	cseq       uint32
	authTries  int
	gen        int // answers and timers of older generations are stale
	timer      *time.Timer
	stopped    bool
}

func mwiKey(c *sipconf.MWISub) string {
	return fmt.Sprintf("%s|%s|%s|%s|%d|%s", c.User, c.Secret, c.AuthUser, c.Host, c.Port, c.Mailbox)
}

// startRemoteMWI subscribes the mwi lines of cfg, when there are any.
func (d *Driver) startRemoteMWI(ctx context.Context, cfg *sipconf.Config) {
	ctx, cancel := context.WithCancel(ctx)
	r := &remoteMWI{d: d, ctx: ctx, cancel: cancel, byCallID: map[string]*mwiOutSub{}, counts: map[string]pbx.MailboxCounts{}}
	d.remoteMWI.Store(r)
	if eng := d.opts.Engine; eng != nil {
		eng.SetContextMailboxProvider(RemoteMWIContext, r)
	}
	r.apply(cfg)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		<-ctx.Done()
		r.close()
	}()
}

// MailboxCounts implements pbx.MailboxProvider for "box@SIP_Remote": the
// counts of the last NOTIFY; unknown before the first one.
func (r *remoteMWI) MailboxCounts(mailbox string) (pbx.MailboxCounts, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.counts[strings.ToLower(mailbox)]
	return c, ok
}

// apply subscribes the lines of cfg, keeping the dialogs of lines that
// did not change.
func (r *remoteMWI) apply(cfg *sipconf.Config) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	old := map[string][]*mwiOutSub{}
	for _, s := range r.subs {
		old[s.key] = append(old[s.key], s)
	}
	var next, fresh []*mwiOutSub
	for _, c := range cfg.General.MWI {
		k := mwiKey(c)
		if ss := old[k]; len(ss) > 0 {
			ss[0].conf = c
			next, old[k] = append(next, ss[0]), ss[1:]
			continue
		}
		s := &mwiOutSub{conf: c, key: k}
		next = append(next, s)
		fresh = append(fresh, s)
	}
	for _, ss := range old {
		for _, s := range ss {
			r.stopLocked(s)
		}
	}
	r.subs = next
	for _, s := range fresh {
		r.subscribeLocked(s, "", "")
	}
	r.mu.Unlock()
}

func (r *remoteMWI) stopLocked(s *mwiOutSub) {
	s.stopped = true
	s.gen++
	if s.timer != nil {
		s.timer.Stop()
	}
	delete(r.byCallID, s.callID)
}

// close stops every timer and transaction.
func (r *remoteMWI) close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	for _, s := range r.subs {
		r.stopLocked(s)
	}
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
	if eng := r.d.opts.Engine; eng != nil {
		eng.SetContextMailboxProvider(RemoteMWIContext, nil)
	}
}

// state is "sip show mwi"'s Subscribed column for each line of the
// running configuration.
func (r *remoteMWI) subscribed(c *sipconf.MWISub) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.subs {
		if s.conf == c {
			return s.subscribed
		}
	}
	return false
}

// subscribeLocked sends a SUBSCRIBE: a new dialog when there is none, a
// refresh inside the dialog otherwise (__sip_subscribe_mwi_do).
func (r *remoteMWI) subscribeLocked(s *mwiOutSub, authName, authValue string) {
	if s.stopped || r.closed {
		return
	}
	if s.callID == "" {
		s.callID = fmt.Sprintf("%08x%08x%08x%08x", newID(), newID(), newID(), newID())
		s.fromTag = newTag()
		s.cseq = 101
		r.byCallID[s.callID] = s
	}
	if authName == "" {
		s.authTries = 0
	}
	s.cseq++
	s.gen++
	gen := s.gen
	msg := mwiSubscribeMsg{conf: s.conf, callID: s.callID, fromTag: s.fromTag, toTag: s.toTag, cseq: s.cseq,
		expiry: r.d.cfg.Load().General.MWIExpiry, authName: authName, authValue: authValue}
	r.armLocked(s, r.retryAfter(), func() {
		r.d.log.Notice("   -- MWI subscription to %s@%s timed out, trying again", s.conf.User, s.conf.Host)
		s.toTag, s.subscribed = "", false
		r.forgetDialogLocked(s)
		r.subscribeLocked(s, "", "")
	})
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if res := r.transmit(msg); res != nil {
			r.onResponse(s, gen, res)
		}
	}()
}

// forgetDialogLocked drops the dialog so the next SUBSCRIBE starts anew.
func (r *remoteMWI) forgetDialogLocked(s *mwiOutSub) {
	delete(r.byCallID, s.callID)
	s.callID, s.toTag = "", ""
}

// armLocked runs f (under the lock, unless the subscription moved on)
// after d.
func (r *remoteMWI) armLocked(s *mwiOutSub, d time.Duration, f func()) {
	if s.timer != nil {
		s.timer.Stop()
	}
	gen := s.gen
	s.timer = time.AfterFunc(d, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if s.stopped || r.closed || gen != s.gen {
			return
		}
		f()
	})
}

// onResponse is handle_response_subscribe for MWI.
func (r *remoteMWI) onResponse(s *mwiOutSub, gen int, res *sip.Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.stopped || gen != s.gen {
		return
	}
	log := r.d.log
	switch code := res.StatusCode; {
	case code >= 200 && code < 300:
		if to := res.To(); to != nil {
			if tag, ok := to.Params.Get("tag"); ok {
				s.toTag = tag
			}
		}
		s.subscribed = true
		s.authTries = 0
		// chan_sip re-subscribes after mwiexpiry; a server granting less
		// is refreshed in time for its own expiry.
		expiry := r.d.cfg.Load().General.MWIExpiry
		if v := headerValue(res, "Expires"); v != "" {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 && n < expiry {
				expiry = n
			}
		}
		s.gen++
		r.armLocked(s, time.Duration(expiry)*time.Second, func() { r.subscribeLocked(s, "", "") })
		return
	case code == 401 || code == 407:
		challengeHdr, authHdr := "WWW-Authenticate", "Authorization"
		if code == 407 {
			challengeHdr, authHdr = "Proxy-Authenticate", "Proxy-Authorization"
		}
		if s.authTries < 2 {
			user := s.conf.AuthUser
			if user == "" {
				user = s.conf.User
			}
			value, err := digest.Answer(headerValue(res, challengeHdr), "SUBSCRIBE", mwiRequestURI(s.conf), user, s.conf.Secret, 1)
			if err == nil {
				s.authTries++
				s.toTag = ""
				r.subscribeLocked(s, authHdr, value)
				return
			}
		}
		log.Notice("Failed to authenticate on SUBSCRIBE to '<sip:%s@%s>;tag=%s'", mwiFromUser(s.conf), s.conf.Host, s.fromTag)
	case code == 403:
		log.Warning("Authentication failed while trying to subscribe for MWI.")
	case code == 404:
		log.Warning("Subscription failed for MWI. The remote side said that a mailbox may not have been configured.")
	case code == 481:
		log.Warning("Subscription failed for MWI. The remote side said that our dialog did not exist.")
	case code == 400 || code == 414 || code == 493 || code == 500 || code == 501:
		log.Warning("Subscription failed for MWI. The remote side may have suffered a heart attack.")
	default:
		// chan_sip leaves other answers to the next re-subscription.
		s.gen++
		r.armLocked(s, time.Duration(r.d.cfg.Load().General.MWIExpiry)*time.Second, func() { r.subscribeLocked(s, "", "") })
		return
	}
	// A failed subscription is dropped until the next reload, as chan_sip
	// drops its dialog.
	s.subscribed = false
	s.gen++
	if s.timer != nil {
		s.timer.Stop()
	}
	r.forgetDialogLocked(s)
}

// handleRemoteMWI takes a message-summary NOTIFY of one of our
// subscriptions (by Call-ID), or one a peer with unsolicited_mailbox=
// sends unasked (found by its address): the first figures of Voice-Message become
// the new and old counts of "box@SIP_Remote", as chan_sip publishes
// them; a NOTIFY without them gets 489. false: not ours.
func (d *Driver) handleRemoteMWI(req *sip.Request, tx sip.ServerTransaction) bool {
	r := d.remoteMWI.Load()
	if r == nil || !strings.EqualFold(eventName(req), "message-summary") {
		return false
	}
	id := req.CallID()
	if id == nil {
		return false
	}
	callID, _, _ := strings.Cut(id.Value(), "@")
	r.mu.Lock()
	s := r.byCallID[callID]
	if s == nil {
		s = r.byCallID[id.Value()]
	}
	r.mu.Unlock()
	var box string
	if s != nil {
		box = s.conf.Mailbox
	} else if src, err := parseHostPort(req.Source()); err == nil {
		// Not a subscription of ours: a peer's unsolicited_mailbox.
		if p := d.peerAtAddr(d.cfg.Load(), src); p != nil {
			box = p.UnsolicitedMailbox
		}
	}
	if box == "" {
		return false
	}
	c, ok := parseVoiceMessage(string(req.Body()))
	if !ok {
		d.respond(req, tx, 489, "Bad event", nil)
		return true
	}
	mailbox := box + "@" + RemoteMWIContext
	r.mu.Lock()
	r.counts[strings.ToLower(mailbox)] = c
	r.mu.Unlock()
	d.respond(req, tx, 200, "OK", nil)
	if eng := d.opts.Engine; eng != nil {
		eng.PublishMessageWaiting(mailbox)
	}
	return true
}

// parseVoiceMessage reads "Voice-Message: new/old ..." of a
// message-summary body (chan_sip's get_content_line, then atoi of each
// figure: the urgent counts in parentheses are not read).
func parseVoiceMessage(body string) (pbx.MailboxCounts, bool) {
	for _, line := range strings.Split(body, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "Voice-Message") {
			continue
		}
		value = strings.TrimSpace(value)
		if value == "" {
			return pbx.MailboxCounts{}, false
		}
		counts, _, _ := strings.Cut(value, " ")
		newS, oldS, _ := strings.Cut(counts, "/")
		return pbx.MailboxCounts{New: atoiPrefix(newS), Old: atoiPrefix(oldS)}, true
	}
	return pbx.MailboxCounts{}, false
}

// mwiSubscribeMsg is one SUBSCRIBE as the subscription decides it.
type mwiSubscribeMsg struct {
	conf                   *sipconf.MWISub
	callID, fromTag, toTag string
	cseq                   uint32
	expiry                 int
	authName, authValue    string
}

func mwiFromUser(c *sipconf.MWISub) string {
	if c.AuthUser != "" {
		return c.AuthUser
	}
	return c.User
}

// mwiRequestURI is sip:user@host[:port], the digest uri too.
func mwiRequestURI(c *sipconf.MWISub) string {
	uri := "sip:" + c.User + "@" + sipconf.URIHost(c.Host)
	if c.Port != 0 && c.Port != sipconf.StandardSIPPort {
		uri += ":" + strconv.Itoa(c.Port)
	}
	return uri
}

// transmit resolves the server, sends the SUBSCRIBE and waits for its
// final answer; nil when there was none.
func (r *remoteMWI) transmit(m mwiSubscribeMsg) *sip.Response {
	d := r.d
	dst, err := r.resolve(m.conf)
	if err != nil {
		d.log.Warning("Unable to subscribe to MWI at %s: %v", m.conf.Host, err)
		return nil
	}
	if d.client == nil {
		return nil
	}
	local := d.advertisedAddr(dst.Addr())
	req, err := buildMWISubscribe(m, local, d.cfg.Load().General.EffectiveUserAgent(d.opts.Version))
	if err != nil {
		d.log.Warning("MWI subscription to %s: %v", m.conf.Host, err)
		return nil
	}
	req.SetDestination(dst.String())
	d.debugTransmit(req, false)
	tx, err := d.client.TransactionRequest(r.ctx, req)
	if err != nil {
		d.log.Warning("Cannot send SUBSCRIBE for MWI to %s: %v", dst, err)
		return nil
	}
	defer tx.Terminate()
	return finalResponse(r.ctx, tx)
}

// resolve finds the server: an address as written, else its A record.
func (r *remoteMWI) resolve(c *sipconf.MWISub) (netip.AddrPort, error) {
	port := c.Port
	if port == 0 {
		port = sipconf.StandardSIPPort
	}
	if a, err := netip.ParseAddr(c.Host); err == nil {
		return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
	}
	ctx, cancel := context.WithTimeout(r.ctx, dnsTimeout)
	defer cancel()
	addrs, err := r.d.resolver().LookupNetIP(ctx, r.d.cfg.Load().General.LookupNetwork(), c.Host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("resolve %s: %w", c.Host, err)
	}
	first, ok := sipconf.FirstAddr(addrs)
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("resolve %s: no address", c.Host)
	}
	return netip.AddrPortFrom(first, uint16(port)), nil
}

// buildMWISubscribe is the SUBSCRIBE of initreqprep/reqprep for an MWI
// dialog: Event message-summary, Accept simple-message-summary, Expires.
func buildMWISubscribe(m mwiSubscribeMsg, local netip.AddrPort, userAgent string) (*sip.Request, error) {
	uri := mwiRequestURI(m.conf)
	var ruri sip.Uri
	if err := sip.ParseUri(uri, &ruri); err != nil {
		return nil, fmt.Errorf("subscribe uri %q: %w", uri, err)
	}
	req := sip.NewRequest(sip.SUBSCRIBE, ruri)
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP",
		Host: local.Addr().String(), Port: int(local.Port()), Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	via.Params.Add("rport", "")
	req.AppendHeader(via)
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	from := mwiFromUser(m.conf)
	req.AppendHeader(sip.NewHeader("From", "<sip:"+from+"@"+hostOnly(local)+">;tag="+m.fromTag))
	to := "<" + uri + ">"
	if m.toTag != "" {
		to += ";tag=" + m.toTag
	}
	req.AppendHeader(sip.NewHeader("To", to))
	req.AppendHeader(sip.NewHeader("Contact", "<sip:"+from+"@"+hostPort(local)+">"))
	callid := sip.CallIDHeader(m.callID + "@" + hostOnly(local))
	req.AppendHeader(&callid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: m.cseq, MethodName: sip.SUBSCRIBE})
	req.AppendHeader(sip.NewHeader("User-Agent", userAgent))
	if m.authName != "" {
		req.AppendHeader(sip.NewHeader(m.authName, m.authValue))
	}
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(m.expiry)))
	req.AppendHeader(sip.NewHeader("Event", "message-summary"))
	req.AppendHeader(sip.NewHeader("Accept", "application/simple-message-summary"))
	req.SetBody(nil)
	return req, nil
}
