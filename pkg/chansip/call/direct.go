package call

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/sdp"
)

// Direct media (chan_sip's directmedia=yes, its default): once two SIP
// legs are bridged natively, each phone is re-INVITEd with the other
// phone's RTP address so the media flows between them and not through
// gostrisk. The relay between the two legs keeps running, idle: media that
// still reaches us (a phone that ignores the re-INVITE, a leg we did not
// re-INVITE) is passed on as before. Whenever the core needs the media
// again (the bridge leaves native for hold, a tap or a DTMF feature; the
// bridge ends and the survivor goes back to the dialplan) the phones are
// re-INVITEd back to our address before it is used.

// directState is a leg's direct-media state, inside the dialog.
type directState struct {
	// symmetric: nat=comedia (or auto_comedia with NAT seen): we learn the
	// phone's address from its RTP, so its media must come to us.
	symmetric bool
	// natSeen: the phone's Via showed NAT (for directmedia=nonat).
	natSeen bool
	// inviteAcked, on an incoming leg, is closed by the ACK of our 2xx to
	// its INVITE: no re-INVITE may start before it (RFC 3261 14.1: no new
	// INVITE transaction while one is in progress), or a late ACK lands
	// after our re-INVITE's.
	inviteAcked <-chan struct{}

	mu sync.Mutex
	// to is where the phone was last told to send its media when that is
	// not us; invalid while the media comes to us.
	to netip.AddrPort
	// busy is set while we have a re-INVITE (or UPDATE) of our own
	// pending on the dialog: the far end's re-INVITE then gets 491.
	busy bool
}

// directLeg is what one leg brings to the decision, gathered from its
// dialog so the rule itself (directVerdict) is a pure function.
type directLeg struct {
	name      string
	allowed   bool // directmedia is not no
	mode      sipconf.DirectMediaMode
	outbound  bool
	symmetric bool
	natSeen   bool
	secure    bool
	dtmf      string
	codec     string // name/rate/PT of the codec in use
	event     string // PT of telephone-event, "" without
	acl       sipconf.ACL
	remote    netip.AddrPort // the phone's RTP address
}

// directVerdict says whether legs a and b may exchange media directly, and
// when not, why (for the debug log). It follows chan_sip's RTP glue:
// both legs must allow it, neither may need us for its media (symmetric
// RTP, SRTP, NAT with nonat), digits must travel as RFC 2833 events in
// the RTP itself, the phones must use the same codec with the same payload
// types, and each leg's directmedia ACL must allow the other phone.
func directVerdict(a, b directLeg) (bool, string) {
	for _, p := range [][2]*directLeg{{&a, &b}, {&b, &a}} {
		l, o := p[0], p[1]
		switch {
		case !l.allowed:
			return false, l.name + " has directmedia=no"
		case l.symmetric:
			return false, l.name + " uses symmetric RTP (nat=comedia)"
		case l.mode.NoNAT && l.natSeen:
			return false, l.name + " is behind NAT (directmedia=nonat)"
		case l.secure:
			return false, l.name + " uses SRTP"
		case l.dtmf != "rfc2833":
			return false, l.name + " sends DTMF as " + l.dtmf
		case !l.remote.IsValid() || l.remote.Addr().IsUnspecified() || l.remote.Port() == 0:
			return false, l.name + " has no RTP address"
		case !l.acl.Allows(o.remote.Addr()):
			return false, "directmedia ACL on " + l.name
		}
	}
	if a.codec == "" || a.codec != b.codec || a.event != b.event {
		return false, "the phones' codecs or payload types differ"
	}
	if a.remote.Addr().Unmap().Is4() != b.remote.Addr().Unmap().Is4() {
		// An IPv4 phone cannot send to an IPv6 one: the relay, which
		// has a socket of each family, bridges them.
		return false, "the phones' RTP addresses are of different IP families"
	}
	return true, ""
}

// directAllowed is the cheap first test: the leg's directmedia setting
// and symmetric RTP, read without locks (both are fixed for the dialog).
func (d *dialog) directAllowed() bool {
	if d.direct.symmetric {
		return false
	}
	if d.peer != nil {
		return d.peer.DirectMedia
	}
	g := d.m.d.General()
	return g != nil && g.DirectMedia
}

// directInfo gathers the leg's facts for directVerdict.
func (d *dialog) directInfo() directLeg {
	g := d.m.d.General()
	l := directLeg{name: d.callID, outbound: d.outbound, dtmf: d.DTMFMode()}
	switch {
	case d.peer != nil:
		l.allowed, l.mode, l.acl = d.peer.DirectMedia, d.peer.DirectMediaMode, d.peer.DirectMediaACL
		if l.acl.Empty() && g != nil {
			l.acl = g.DirectMediaACL
		}
	case g != nil:
		l.allowed, l.mode, l.acl = g.DirectMedia, g.DirectMediaMode, g.DirectMediaACL
	}
	l.symmetric, l.natSeen = d.direct.symmetric, d.direct.natSeen
	d.mu.Lock()
	leg := d.leg
	l.secure = d.localCrypto != nil || d.remoteCrypto != nil
	if len(d.codecs) > 0 {
		c := d.codecs[0]
		l.codec = c.Name() + "/" + itoa(int(c.PT))
	}
	if d.dtmf != nil {
		l.event = itoa(int(d.dtmf.PT))
	}
	d.mu.Unlock()
	if leg != nil {
		l.remote, _ = leg.Remote()
	}
	return l
}

func itoa(n int) string { return strconv.Itoa(n) }

// errNoSession: the leg never negotiated SDP.
var errNoSession = errors.New("call: no SDP session on the leg")

// isClosed reports whether the relay was stopped (the bridge left).
func (k *mediaLink) isClosed() bool {
	select {
	case <-k.stop:
		return true
	default:
		return false
	}
}

// isDirect reports whether the phone sends its media elsewhere than to us.
func (d *dialog) isDirect() (netip.AddrPort, bool) {
	d.direct.mu.Lock()
	defer d.direct.mu.Unlock()
	return d.direct.to, d.direct.to.IsValid()
}

// directBusy reports whether a re-INVITE of ours is pending on the dialog
// (glare: the far end's own re-INVITE gets 491).
func (d *dialog) directBusy() bool {
	d.direct.mu.Lock()
	defer d.direct.mu.Unlock()
	return d.direct.busy
}

// startDirect re-INVITEs both phones towards each other when the rule
// allows it, from a goroutine the Manager owns: the relay link carries the
// media meanwhile. It returns at once.
func (m *Manager) startDirect(a, b *dialog, k *mediaLink) {
	if !a.directAllowed() || !b.directAllowed() {
		// directmedia=no (or comedia): nothing to gather. A leg a
		// former bridge left direct was brought back by link.
		return
	}
	ia, ib := a.directInfo(), b.directInfo()
	ok, why := directVerdict(ia, ib)
	if !ok {
		// Asterisk says nothing at normal verbosity either; why is kept
		// for the unit tests of the rule.
		_ = why
		mediaBackBoth(a, b)
		return
	}
	m.goTracked(func() {
		var wg sync.WaitGroup
		for _, p := range [][2]directLeg{{ia, ib}, {ib, ia}} {
			l, o := p[0], p[1]
			d := a
			if l.name == b.callID {
				d = b
			}
			if l.mode.Outgoing && !l.outbound {
				// directmedia=outgoing: the incoming leg is left to
				// re-INVITE itself; we do not race it.
				continue
			}
			if d.alreadyDirect(o.remote) {
				// Set up direct from the start (directrtpsetup).
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if acked := d.direct.inviteAcked; acked != nil {
					select {
					case <-acked:
					case <-k.stop:
						return
					case <-time.After(64 * m.d.T1):
						return // never ACKed: the call is being torn down
					case <-m.ctx.Done():
						return
					}
				}
				if k.isClosed() {
					return
				}
				d.moveMedia(o.remote, l.mode.Update)
			}()
		}
		wg.Wait()
	})
}

// moveMedia tells the phone to send its media to dst (another phone), or
// back to us when dst is invalid, with a re-INVITE (UPDATE with
// directmedia=update) carrying a new SDP version. A 491 is retried after
// RFC 3261's random wait; any other failure leaves the media where it was.
func (d *dialog) moveMedia(dst netip.AddrPort, update bool) bool {
	if d.isEnded() {
		return false
	}
	if acked := d.direct.inviteAcked; acked != nil {
		// RFC 3261 14.1: not before the ACK of our 2xx to the phone's
		// INVITE (a caller answered straight to the callee's address by
		// directrtpsetup may be brought back at once).
		select {
		case <-acked:
		case <-time.After(64 * d.m.d.T1):
			return false
		case <-d.m.ctx.Done():
			return false
		}
	}
	var body []byte
	var err error
	if dst.IsValid() {
		body, err = d.directSDP(dst)
	} else {
		body, err = d.buildSDP(d.currentFormats(), sdp.SendRecv)
	}
	if err != nil {
		d.m.log.Warning("Unable to build SDP for media re-INVITE on %s: %v\n", d.callID, err)
		return false
	}
	method := sip.INVITE
	if update {
		method = sip.UPDATE
	}
	d.direct.mu.Lock()
	d.direct.busy = true
	d.direct.mu.Unlock()
	defer func() {
		d.direct.mu.Lock()
		d.direct.busy = false
		d.direct.mu.Unlock()
	}()
	for attempt := 0; attempt < 3; attempt++ {
		code := d.sendMediaRequest(method, body)
		switch {
		case code >= 200 && code < 300:
			d.direct.mu.Lock()
			d.direct.to = dst
			d.direct.mu.Unlock()
			return true
		case code == 491:
			// RFC 3261 14.1: the owner of the Call-ID (we are for an
			// outbound leg) waits 2.1 to 4 s, the other side 0 to 2 s.
			wait := time.Duration(rand.IntN(200)) * 10 * time.Millisecond
			if d.outbound {
				wait = 2100*time.Millisecond + time.Duration(rand.IntN(190))*10*time.Millisecond
			}
			select {
			case <-time.After(wait):
			case <-d.m.ctx.Done():
				return false
			}
			if d.isEnded() {
				return false
			}
		default:
			// A refused or unanswered re-INVITE changes nothing on the
			// phone (RFC 3261 14.1): the media stays where it was.
			return false
		}
	}
	return false
}

// directSDP is our SDP with another phone's RTP address and the codecs
// the leg uses now.
func (d *dialog) directSDP(dst netip.AddrPort) ([]byte, error) {
	d.mu.Lock()
	sess, proto := d.sess, d.proto
	d.mu.Unlock()
	if sess == nil {
		return nil, errNoSession
	}
	return sess.Build(sdp.Stream{
		Addr:      dst.Addr(),
		Port:      int(dst.Port()),
		Formats:   d.currentFormats(),
		Direction: sdp.SendRecv,
		Proto:     proto,
	})
}

// sendMediaRequest sends the re-INVITE or UPDATE and returns the final
// status (0 when nothing came back); a 2xx to INVITE is ACKed.
func (d *dialog) sendMediaRequest(method sip.RequestMethod, body []byte) int {
	m := d.m
	req := d.newRequest(method)
	req.AppendHeader(&sip.ContactHeader{Address: d.contactURI(d.localURI.User)})
	req.AppendHeader(sip.NewHeader("Allow", m.allow()))
	req.AppendHeader(sip.NewHeader("Supported", m.supportedValue(d.peer)))
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)
	d.setLast("Tx: " + string(method))
	opt := sipgo.ClientRequestAddVia
	if req.Via() != nil {
		opt = sipgo.ClientRequestBuild
	}
	ctx, cancel := context.WithTimeout(m.ctx, 64*m.d.T1+time.Second)
	defer cancel()
	tx, err := m.d.Client.TransactionRequest(ctx, req, opt)
	if err != nil {
		m.log.Warning("Unable to send %s on %s: %v\n", method, d.callID, err)
		return 0
	}
	defer tx.Terminate()
	res, err := finalResponse(ctx, tx)
	if err != nil {
		return 0
	}
	if method == sip.INVITE && res.IsSuccess() {
		ack := d.newRequest(sip.ACK)
		d.mu.Lock()
		d.localCSeq--
		d.mu.Unlock()
		ack.CSeq().SeqNo = req.CSeq().SeqNo
		if err := m.d.Client.WriteRequest(ack); err != nil {
			m.log.Warning("Unable to send ACK on %s: %v\n", d.callID, err)
		}
		d.setLast("Tx: ACK")
	}
	if res.IsSuccess() {
		// The answer names where the phone wants its media now; we relay
		// to it should media come to us after all.
		if desc, err := sdp.Parse(res.Body()); err == nil && desc.Audio != nil {
			if r, ok := desc.Audio.Remote(); ok && !r.Addr().IsUnspecified() {
				d.mu.Lock()
				leg := d.leg
				d.mu.Unlock()
				if leg != nil && !d.direct.symmetric {
					leg.SetRemote(r)
				}
			}
		}
	}
	return res.StatusCode
}

// mediaBack re-INVITEs the leg's phone back to our address if it was sent
// elsewhere, and waits for the answer: the core or a relay is about to
// need its media. It does nothing (and costs a lock) on a local leg.
func (d *dialog) mediaBack() {
	if _, ok := d.isDirect(); !ok {
		return
	}
	update := false
	if d.peer != nil {
		update = d.peer.DirectMediaMode.Update
	}
	if !d.moveMedia(netip.AddrPort{}, update) {
		// Whatever the phone does now, we stop counting on it being
		// direct: the next bridge starts from scratch.
		d.direct.mu.Lock()
		d.direct.to = netip.AddrPort{}
		d.direct.mu.Unlock()
	}
}

// mediaBackBoth brings both legs' media back in parallel.
func mediaBackBoth(a, b *dialog) {
	var wg sync.WaitGroup
	for _, d := range []*dialog{a, b} {
		if _, ok := d.isDirect(); !ok || d.isEnded() {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.mediaBack()
		}()
	}
	wg.Wait()
}
