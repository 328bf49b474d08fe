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

	"github.com/gostrisk/gostrisk/pkg/asthash"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is chan_sip's handle_request_subscribe: SUBSCRIBE for the
// dialog and presence packages (BLF keys, RFC 4235 / 3863) and for
// message-summary (MWI, RFC 3842), authenticated as chan_sip does
// (check_peer_ok: the peer named by the From user, digest unless
// insecure=invite), with NOTIFY on every state change.

// Bounds: a device may watch many keys, but not without limit, and the
// table as a whole is bounded so a flood of dialogs cannot take the memory.
const (
	maxSubsPerPeer = 128
	maxSubsTotal   = 20000
)

// expiryGrace is chan_sip's margin before a subscription that was not
// refreshed is destroyed (sip_scheddestroy(expiry + 10 s)); a variable so
// tests need not wait for it.
var expiryGrace = 10 * time.Second

type subKey struct{ callID, theirTag string }

// subscription is one accepted SUBSCRIBE dialog.
type subscription struct {
	key      subKey
	seq      uint64 // creation order, for the listing
	kind     subKind
	owner    string // peer name, or "guest:<ip>" (the per-peer bound)
	peer     string // "" for a guest
	username string
	exten    string
	context  string
	mailbox  string
	ourTag   string
	fromHdr  string // the SUBSCRIBE's To header value: our From
	toHdr    string // the SUBSCRIBE's From header value: our To
	mfrom    string
	mto      string
	domain   string // the subscriber's From domain (notifycid targets)
	target   sip.Uri
	dest     netip.AddrPort
	tport    string
	routes   []string // the dialog's route set (subroute.go)

	wake   chan struct{}
	cancel context.CancelFunc

	mu       sync.Mutex
	expiry   int
	deadline time.Time
	state    pbx.ExtensionState
	presence pbx.PresenceInfo // the hint's presence provider's, for PIDF
	version  uint32
	cseq     uint32
	dirty    bool
	final    string // "" while active; else the terminated reason
	stop     func() // ends the hint watch
}

// subscriptions is the driver's table of accepted subscriptions.
type subscriptions struct {
	mu      sync.Mutex
	byKey   map[subKey]*subscription
	perPeer map[string]int
	mwi     map[string]*subscription // peer -> its one MWI subscription
	seq     uint64
	ctx     context.Context
	wg      *sync.WaitGroup
}

func newSubscriptions() *subscriptions {
	return &subscriptions{byKey: map[subKey]*subscription{}, perPeer: map[string]int{}, mwi: map[string]*subscription{}}
}

// routeSubscriptions takes SUBSCRIBE (called before the server serves).
func (d *Driver) routeSubscriptions() {
	d.serve(sip.SUBSCRIBE, d.handleSubscribe) // allow.go: listed in Allow
}

// startSubscriptions gives the table its lifetime: the notifiers run
// under ctx and stop with the driver.
func (d *Driver) startSubscriptions(ctx context.Context) {
	d.subs.mu.Lock()
	d.subs.ctx = ctx
	d.subs.wg = &d.wg
	d.subs.mu.Unlock()
	d.startMWI(ctx)
}

// eventName is the Event header without its parameters.
func eventName(req *sip.Request) string {
	h := req.GetHeader("Event")
	if h == nil {
		if h = req.GetHeader("o"); h == nil {
			return ""
		}
	}
	ev, _, _ := strings.Cut(h.Value(), ";")
	return strings.TrimSpace(ev)
}

// acceptValues lists every Accept header's value (each header whole, as
// chan_sip's strstr looks into it).
func acceptValues(req *sip.Request) []string {
	var out []string
	for _, h := range req.GetHeaders("Accept") {
		out = append(out, h.Value())
	}
	return out
}

func (d *Driver) handleSubscribe(req *sip.Request, tx sip.ServerTransaction) {
	if d.rejectMalformed(req, tx) {
		return
	}
	eng := d.opts.Engine
	src, err := parseHostPort(req.Source())
	if err != nil || eng == nil {
		return
	}
	cfg := d.cfg.Load()
	g := &cfg.General
	if !g.AllowSubscribe {
		d.respond(req, tx, 403, "Forbidden (policy)", nil)
		return
	}
	from := req.From()
	callID := req.CallID()
	if from == nil || callID == nil {
		d.respond(req, tx, 400, "Bad Request", nil)
		return
	}
	theirTag, _ := from.Params.Get("tag")
	key := subKey{string(*callID), theirTag}
	d.subs.mu.Lock()
	existing := d.subs.byKey[key]
	d.subs.mu.Unlock()
	// A SUBSCRIBE with a To tag belongs to a dialog: ours, with our tag
	// (a refresh), or none we know (481). Without one it is new, or the
	// retransmission of one we took.
	if to := req.To(); to != nil && to.Params.Has("tag") {
		tag, _ := to.Params.Get("tag")
		if existing == nil || tag != existing.ourTag {
			d.respond(req, tx, 481, "Subscription does not exist", nil)
			return
		}
	}
	event := eventName(req)
	if event == "" {
		d.log.Debug(2, "Received SIP subscribe for unknown event package: <none>")
		d.respond(req, tx, 489, "Bad Event", nil)
		return
	}
	if existing != nil {
		d.refreshSubscription(existing, req, tx, cfg)
		return
	}
	peer, ok := d.authSubscribe(cfg, req, tx, src)
	if !ok {
		return
	}
	allow, context := g.AllowSubscribe, g.Context
	subContext := g.SubscribeContext
	if peer != nil {
		allow, context, subContext = peer.AllowSubscribe, peer.Context, peer.SubscribeContext
	}
	if !allow {
		d.respond(req, tx, 403, "Forbidden (policy)", nil)
		return
	}
	if subContext != "" {
		context = subContext
	}
	s := &subscription{key: key, context: context, exten: req.Recipient.User, dest: src,
		tport: transportName(req.Transport()), wake: make(chan struct{}, 1)}
	// The User column of "sip show subscriptions" is chan_sip's
	// p->username (the peer's username=/defaultuser=), else the caller
	// number (the From user).
	s.username = from.Address.User
	if peer != nil {
		s.peer, s.owner = peer.Name, peer.Name
		if peer.DefaultUser != "" {
			s.username = peer.DefaultUser
		}
	} else {
		s.owner = "guest:" + src.Addr().String()
	}
	switch event {
	case "presence", "dialog":
		if !d.subscribeState(s, req, tx, eng) {
			return
		}
	case "message-summary":
		if !d.subscribeMWI(s, req, tx, peer) {
			return
		}
	default:
		d.log.Debug(2, "Received SIP subscribe for unknown event package: %s", event)
		d.respond(req, tx, 489, "Bad Event", nil)
		return
	}
	expiry, ok := d.subscriptionExpiry(req, tx, cfg, s)
	if !ok {
		return
	}
	if !d.prepareDialog(s, req, src) {
		d.respond(req, tx, 400, "Bad Request", nil)
		return
	}
	s.expiry = expiry
	if !d.subs.add(s, expiry == 0) {
		d.respond(req, tx, 503, "Service Unavailable", nil)
		return
	}
	if s.kind != subMWI && expiry > 0 {
		stop, ok := eng.WatchExtension(s.context, s.exten, func(c pbx.ExtensionStateChange) { d.stateChanged(s, c) })
		if !ok {
			d.log.Notice("Got SUBSCRIBE for extension %s@%s from %s, but there is no hint for that extension.", s.exten, s.context, src.Addr())
			d.subs.remove(s)
			d.respond(req, tx, 404, "Not found", nil)
			return
		}
		s.mu.Lock()
		s.stop = stop
		s.mu.Unlock()
	}
	if s.kind != subMWI {
		st, _ := eng.ExtensionState(s.context, s.exten)
		pres, _ := eng.HintPresence(s.context, s.exten)
		s.mu.Lock()
		s.state = st
		s.presence = pres
		s.mu.Unlock()
	}
	d.connAuthenticated(s.tport, src)
	d.respond(req, tx, 200, "OK", d.subscribeOKHeaders(s, src, expiry))
	d.subs.start(d, s, expiry)
}

// authSubscribe authenticates a new SUBSCRIBE as chan_sip's check_peer_ok
// does for it: the peer is the one the From user names (any device type);
// its digest is checked unless insecure=invite. Without such a peer the
// subscriber is a guest when allowguest is on. ok is false when an answer
// (challenge or refusal) was sent.
func (d *Driver) authSubscribe(cfg *sipconf.Config, req *sip.Request, tx sip.ServerTransaction, src netip.AddrPort) (*sipconf.Peer, bool) {
	g := &cfg.General
	fromHeader := ""
	if h := req.GetHeader("From"); h != nil {
		fromHeader = h.Value()
	}
	r := &regRequest{req: req, tx: tx, src: src, transport: transportName(req.Transport()), toHeader: fromHeader}
	var peer *sipconf.Peer
	if from := req.From(); from != nil && from.Address.User != "" {
		peer = cfg.Peer(from.Address.User)
	}
	if peer == nil {
		if g.AllowGuest {
			if !g.ACL.Allows(src.Addr()) {
				d.respond(req, tx, 403, "Forbidden", nil)
				return nil, false
			}
			return nil, true
		}
		d.log.Notice("Failed to authenticate device %s for SUBSCRIBE, code = %d", fromHeader, authSecretFailed.code())
		d.inviteReject(cfg, r)
		return nil, false
	}
	if !g.ACL.Allows(src.Addr()) || !peer.ACL.Allows(src.Addr()) {
		d.log.Notice("Failed to authenticate device %s for SUBSCRIBE, code = %d", fromHeader, authACLFailed.code())
		d.inviteReject(cfg, r)
		return nil, false
	}
	if peer.Insecure.Invite {
		return peer, true
	}
	r.name = peer.Name
	switch res := d.checkAuth(cfg, peer, r); res {
	case authOK:
		return peer, true
	case authChallengeSent:
		return nil, false
	default:
		d.log.Notice("Failed to authenticate device %s for SUBSCRIBE, code = %d", fromHeader, res.code())
		d.respond(req, tx, 403, "Forbidden", nil)
		return nil, false
	}
}

// subscribeState checks a presence/dialog SUBSCRIBE: the extension must
// have a hint in the subscription context, and an Accept header must name
// a body chan_sip can write.
func (d *Driver) subscribeState(s *subscription, req *sip.Request, tx sip.ServerTransaction, eng *pbx.Engine) bool {
	if _, ok := eng.ExtensionState(s.context, s.exten); !ok || s.exten == "" {
		d.respond(req, tx, 404, "Not Found", nil)
		return false
	}
	accepts := acceptValues(req)
	if len(accepts) == 0 {
		d.log.Warning("SUBSCRIBE failure: no Accept header: pvt: stateid: -1, laststate: 0, dialogver: 0, subscribecont: '%s', subscribeuri: ''", s.context)
		d.respond(req, tx, 489, "Bad Event", nil)
		return false
	}
	ua := ""
	if h := req.GetHeader("User-Agent"); h != nil {
		ua = h.Value()
	}
	unknown := ""
	for _, a := range accepts {
		switch {
		case strings.Contains(a, "application/pidf+xml"):
			s.kind = subPIDF
			if strings.Contains(ua, "Polycom") {
				s.kind = subXPIDF // old Polycom firmware claims pidf but reads xpidf
			}
		case strings.Contains(a, "application/dialog-info+xml"):
			s.kind = subDialogInfo
		case strings.Contains(a, "application/cpim-pidf+xml"):
			s.kind = subCPIMPIDF
		case strings.Contains(a, "application/xpidf+xml"):
			s.kind = subXPIDF
		default:
			unknown = a
		}
		if s.kind != subNone {
			return true
		}
	}
	d.log.Warning("SUBSCRIBE failure: unrecognized format:'%s' pvt: subscribed: 0, stateid: -1, laststate: 0,dialogver: 0, subscribecont: '%s', subscribeuri: ''", unknown, s.context)
	reason := "Bad Event"
	if unknown != "" {
		reason = "Bad Event (format " + unknown + ")"
	}
	d.respond(req, tx, 489, reason, nil)
	return false
}

// subscribeMWI checks a message-summary SUBSCRIBE: only a known peer with
// a mailbox may subscribe, and only to chan_sip's one body format.
func (d *Driver) subscribeMWI(s *subscription, req *sip.Request, tx sip.ServerTransaction, peer *sipconf.Peer) bool {
	accepts := acceptValues(req)
	found := false
	for _, a := range accepts {
		if strings.TrimSpace(a) == "application/simple-message-summary" {
			found = true
		}
	}
	if len(accepts) > 0 && !found {
		d.respond(req, tx, 406, "Not Acceptable", nil)
		return false
	}
	if peer == nil {
		d.respond(req, tx, 404, "Not found", nil)
		return false
	}
	if peer.Mailbox == "" {
		d.log.Notice("Received SIP subscribe for peer without mailbox: %s", peer.Name)
		d.respond(req, tx, 404, "Not found (no mailbox)", nil)
		return false
	}
	s.kind, s.mailbox = subMWI, peer.Mailbox
	return true
}

// subscriptionExpiry reads Expires as chan_sip does: missing is the
// default expiry, more than submaxexpiry is cut down, less than
// subminexpiry (but not 0) is refused with 423.
func (d *Driver) subscriptionExpiry(req *sip.Request, tx sip.ServerTransaction, cfg *sipconf.Config, s *subscription) (int, bool) {
	g := &cfg.General
	expiry := g.DefaultExpiry
	if h := req.GetHeader("Expires"); h != nil {
		expiry = atoiPrefix(h.Value())
	}
	if expiry > g.SubMaxExpiry {
		expiry = g.SubMaxExpiry
	} else if expiry < g.SubMinExpiry && expiry > 0 {
		d.respond(req, tx, 423, "Interval too small", []sip.Header{sip.NewHeader("Min-Expires", strconv.Itoa(g.SubMinExpiry))})
		d.log.Warning("Received subscription for extension \"%s\" context \"%s\" with Expire header less than 'subminexpire' limit. Received \"Expire: %d\" min is %d",
			s.exten, s.context, expiry, g.SubMinExpiry)
		return 0, false
	}
	if expiry < 0 {
		expiry = 0
	}
	return expiry, true
}

// atoiPrefix is C's atoi: leading blanks, an optional sign, digits; 0 when
// none (a bad Expires is 0, as chan_sip reads it).
func atoiPrefix(s string) int {
	s = strings.TrimSpace(s)
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n < 1<<30 {
			n = n*10 + int(s[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// prepareDialog records the dialog's addresses: NOTIFYs go to the
// Contact, over the transport and to the address the SUBSCRIBE came from.
func (d *Driver) prepareDialog(s *subscription, req *sip.Request, src netip.AddrPort) bool {
	c := req.Contact()
	from, to := req.GetHeader("From"), req.GetHeader("To")
	if c == nil || from == nil || to == nil {
		return false
	}
	s.target = c.Address
	s.fromHdr, s.toHdr = to.Value(), from.Value()
	s.ourTag = d.regs.nonces.dialogTag(req)
	s.mfrom = uriNoParams(req.From().Address)
	s.mto = uriNoParams(req.To().Address)
	s.domain = sipconf.URIHost(req.From().Address.Host) // a URI's host: IPv6 in brackets
	s.cseq = 101
	s.routes = d.subscriptionRoutes(req, s.peer)
	return true
}

// uriNoParams is remove_uri_parameters: scheme, user, host and port.
func uriNoParams(u sip.Uri) string {
	v := u
	v.UriParams, v.Headers = nil, nil
	return v.String()
}

// subscribeOKHeaders are the 200's Expires and Contact.
func (d *Driver) subscribeOKHeaders(s *subscription, src netip.AddrPort, expiry int) []sip.Header {
	us := d.advertisedAddr(src.Addr())
	return []sip.Header{
		sip.NewHeader("Expires", strconv.Itoa(expiry)),
		sip.NewHeader("Contact", "<sip:"+s.exten+"@"+hostPort(us)+">"),
	}
}

// refreshSubscription is a SUBSCRIBE in an existing subscription dialog:
// a new expiry (0 ends it) and, as RFC 3265 asks, a NOTIFY every time.
func (d *Driver) refreshSubscription(s *subscription, req *sip.Request, tx sip.ServerTransaction, cfg *sipconf.Config) {
	expiry, ok := d.subscriptionExpiry(req, tx, cfg, s)
	if !ok {
		return
	}
	src, _ := parseHostPort(req.Source())
	s.mu.Lock()
	s.expiry = expiry
	s.deadline = time.Now().Add(time.Duration(expiry)*time.Second + expiryGrace)
	if expiry == 0 {
		s.final = "timeout"
	}
	s.dirty = true
	s.mu.Unlock()
	d.respond(req, tx, 200, "OK", d.subscribeOKHeaders(s, src, expiry))
	s.poke()
}

// stateChanged is the hint watcher's callback (the devstate module's
// goroutine): it records the state and wakes the notifier.
func (d *Driver) stateChanged(s *subscription, c pbx.ExtensionStateChange) {
	s.mu.Lock()
	if c.Presence != nil {
		// A presence change: only PIDF bodies carry it.
		s.presence = *c.Presence
		if s.kind != subPIDF {
			s.mu.Unlock()
			return
		}
	} else if c.Removed {
		s.final = "noresource"
		d.log.Verbose(2, "Extension state: Watcher for hint %s removed. Notify User %s", s.exten, s.username)
	} else {
		s.state = c.State
		d.log.Verbose(2, "Extension Changed %s[%s] new state %s for Notify User %s ", s.exten, s.context, c.State.Text(), s.username)
	}
	s.dirty = true
	s.mu.Unlock()
	s.poke()
}

func (s *subscription) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// add puts s in the table unless its owner or the table is full; a new
// MWI subscription replaces the peer's previous one (one per peer, as
// chan_sip keeps peer->mwipvt).
func (t *subscriptions) add(s *subscription, ending bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !ending && (t.perPeer[s.owner] >= maxSubsPerPeer || len(t.byKey) >= maxSubsTotal) {
		return false
	}
	t.seq++
	s.seq = t.seq
	t.byKey[s.key] = s
	t.perPeer[s.owner]++
	if s.kind == subMWI {
		if old := t.mwi[s.peer]; old != nil && old != s {
			old.mu.Lock()
			old.final = "replaced" // dropped quietly, as chan_sip unlinks the old dialog
			old.mu.Unlock()
			old.poke()
		}
		t.mwi[s.peer] = s
	}
	return true
}

func (t *subscriptions) remove(s *subscription) {
	t.mu.Lock()
	if t.byKey[s.key] == s {
		delete(t.byKey, s.key)
		if t.perPeer[s.owner]--; t.perPeer[s.owner] <= 0 {
			delete(t.perPeer, s.owner)
		}
		if s.kind == subMWI && t.mwi[s.peer] == s {
			delete(t.mwi, s.peer)
		}
	}
	t.mu.Unlock()
	s.mu.Lock()
	stop := s.stop
	s.stop = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// start runs s's notifier, which sends the first NOTIFY at once.
func (t *subscriptions) start(d *Driver, s *subscription, expiry int) {
	t.mu.Lock()
	ctx, wg := t.ctx, t.wg
	t.mu.Unlock()
	if ctx == nil {
		ctx = context.Background()
	}
	s.mu.Lock()
	s.deadline = time.Now().Add(time.Duration(expiry)*time.Second + expiryGrace)
	if expiry == 0 {
		s.final = "timeout"
	}
	s.dirty = true
	s.mu.Unlock()
	ctx, s.cancel = context.WithCancel(ctx)
	if wg != nil {
		wg.Add(1)
	}
	go func() {
		if wg != nil {
			defer wg.Done()
		}
		defer s.cancel()
		d.runSubscription(ctx, s)
	}()
	s.poke()
}

// runSubscription sends s's NOTIFYs (each waits notifyTimeout, Timer F,
// for its answer; one that gets none ends the subscription, RFC 6665
// 4.2.2), one at a time: while one waits for
// its answer, later changes collapse into the next (chan_sip's
// STATECHANGEQUEUE). It ends with the subscription: expired, refreshed
// with Expires 0, its hint removed, or a NOTIFY refused or unanswered.
func (d *Driver) runSubscription(ctx context.Context, s *subscription) {
	defer d.subs.remove(s)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		wait := time.Until(s.deadline)
		s.mu.Unlock()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			s.mu.Lock()
			if time.Until(s.deadline) <= 0 {
				s.final, s.dirty = "timeout", true
			}
			s.mu.Unlock()
		case <-s.wake:
		}
		s.mu.Lock()
		if !s.dirty {
			s.mu.Unlock()
			continue
		}
		s.dirty = false
		final := s.final
		s.mu.Unlock()
		if final == "replaced" {
			return
		}
		if !d.sendSubscriptionNotify(ctx, s, final) || final != "" {
			return
		}
	}
}

// subscriptionRows are the table's entries for "sip show subscriptions",
// in chan_sip's dialog table order (bucket of the Call-ID, then age).
func (d *Driver) subscriptionRows() []*subscription {
	d.subs.mu.Lock()
	out := make([]*subscription, 0, len(d.subs.byKey))
	for _, s := range d.subs.byKey {
		out = append(out, s)
	}
	d.subs.mu.Unlock()
	sortSubs(out)
	return out
}

func sortSubs(subs []*subscription) {
	bucket := func(s *subscription) int { return asthash.Bucket(s.key.callID, 563) }
	for i := 1; i < len(subs); i++ {
		for j := i; j > 0; j-- {
			a, b := subs[j-1], subs[j]
			if bucket(a) < bucket(b) || bucket(a) == bucket(b) && a.seq < b.seq {
				break
			}
			subs[j-1], subs[j] = b, a
		}
	}
}

// writeSubscriptions is "sip show subscriptions" (chan_sip's FORMAT3 and
// FORMAT4 lines).
func (d *Driver) writeSubscriptions(w func(format string, args ...any)) {
	w("%-15.15s  %-15.15s  %-15.15s  %-15.15s  %-13.13s  %-15.15s %-10.10s %-6.6s\n",
		"Peer", "User", "Call ID", "Extension", "Last state", "Type", "Mailbox", "Expiry")
	rows := d.subscriptionRows()
	for _, s := range rows {
		s.mu.Lock()
		ext, last, mailbox := s.exten+"@"+s.context, s.state.Text(), "<none>"
		if s.kind == subMWI {
			ext, last, mailbox = "--", "<none>", s.mailbox
		}
		w("%-15.15s  %-15.15s  %-15.15s  %-15.15s  %-13.13s  %-15.15s %-10.10s %-6.6d\n",
			s.dest.Addr().String(), s.username, s.key.callID, ext, last, subTypes[s.kind].text, mailbox, s.expiry)
		s.mu.Unlock()
	}
	ess := "s"
	if len(rows) == 1 {
		ess = ""
	}
	w("%d active SIP subscription%s\n", len(rows), ess)
}

// String names a subscription in logs.
func (s *subscription) String() string {
	return fmt.Sprintf("%s %s@%s (%s)", subTypes[s.kind].event, s.exten, s.context, s.key.callID)
}
