package call

import (
	"net/netip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"

	"github.com/gostrisk/gostrisk/pkg/sdp"
)

// directrtpsetup=yes (chan_sip's "direct RTP setup"): a call that a SIP
// caller dials to a SIP peer is set up with media phone to phone from the
// first INVITE instead of by re-INVITEs once bridged. The INVITE offers
// the caller's RTP address and codec; when the callee answers, our 200 to
// the caller carries the callee's RTP address. The bridge then finds both
// phones already talking to each other and sends nothing; if the rule no
// longer holds by then (the callee's address is one the caller's
// directmedia ACL denies, say), it brings both back as for any direct
// call, and whatever needs the media in the core (music on hold, a
// feature, a recording) brings it back first (OpenMedia).

// directSetup returns the offer of the INVITE to the callee leg d: when
// directrtpsetup is on and the two phones may talk directly, the caller's
// codec (and its telephone-event) only, and d is marked as sending its
// media to the caller; otherwise offer as it is. The callee's RTP address
// is not known yet, so the rule is checked on what is: both legs allow
// direct media, neither needs us (symmetric RTP, SRTP, NAT with nonat),
// digits travel in the RTP, and the callee's ACL allows the caller.
func (m *Manager) directSetup(caller *inCall, d *dialog, offer []sdp.Format) []sdp.Format {
	g := m.d.General()
	if caller == nil || g == nil || !g.DirectRTPSetup || !caller.directAllowed() || !d.directAllowed() {
		return offer
	}
	if ch := caller.channel(); ch == nil || ch.Tapped() || ch.JitterBuffered() {
		// A recording or a spy listens to the caller (Asterisk's
		// CAN_EARLY_BRIDGE: no audiohooks): the media stays with us.
		return offer
	}
	ci, li := caller.directInfo(), d.directInfo()
	// The callee takes the codec we offer it: the caller's.
	li.remote, li.codec, li.event = ci.remote, ci.codec, ci.event
	// The caller's ACL is for the callee's address, which comes with the
	// answer: directAnswer checks it then.
	ci.acl = sipconf.ACL{}
	if ok, _ := directVerdict(ci, li); !ok {
		return offer
	}
	caller.mu.Lock()
	if len(caller.codecs) == 0 {
		caller.mu.Unlock()
		return offer
	}
	codec, dtmf := caller.codecs[0], caller.dtmf
	caller.mu.Unlock()
	allowed := false
	for _, f := range offer {
		if f.Name() == codec.Name() {
			allowed = true
		}
	}
	if !allowed {
		return offer // the callee may not use the caller's codec
	}
	out := []sdp.Format{codec}
	if dtmf != nil {
		out = append(out, *dtmf)
	}
	d.direct.mu.Lock()
	d.direct.to = ci.remote
	d.direct.mu.Unlock()
	return out
}

// offerBody is the SDP of our INVITE: our own address, or the caller's
// when directSetup chose direct media.
func (d *dialog) offerBody(formats []sdp.Format) ([]byte, error) {
	to, direct := d.isDirect()
	if !direct {
		return d.buildSDP(formats, sdp.SendRecv)
	}
	d.mu.Lock()
	sess, proto := d.sess, d.proto
	d.mu.Unlock()
	if sess == nil {
		return nil, errNoSession
	}
	return sess.Build(sdp.Stream{Addr: to.Addr(), Port: int(to.Port()), Formats: formats,
		Direction: sdp.SendRecv, Proto: proto})
}

// directAnswer is the caller's 200 of a call set up with directrtpsetup:
// the answered leg o sends its media to the caller, and when the rule
// holds now that its address is known, the caller is told to send its
// own to o's phone (ok true, body with o's address); otherwise ok is
// false and the caller is answered with our address as usual.
func (c *inCall) directAnswer(o *outCall, formats []sdp.Format, dir sdp.Direction) ([]byte, bool) {
	if o == nil || !o.directWith(c.dialog) {
		return nil, false
	}
	ci, oi := c.directInfo(), o.directInfo()
	if ok, _ := directVerdict(ci, oi); !ok {
		return nil, false
	}
	c.mu.Lock()
	sess, proto := c.sess, c.proto
	c.mu.Unlock()
	if sess == nil {
		return nil, false
	}
	body, err := sess.Build(sdp.Stream{Addr: oi.remote.Addr(), Port: int(oi.remote.Port()), Formats: formats,
		Direction: dir, Proto: proto})
	if err != nil {
		return nil, false
	}
	c.direct.mu.Lock()
	c.direct.to = oi.remote
	c.direct.mu.Unlock()
	return body, true
}

// directWith reports whether d's phone sends its media straight to
// other's phone now.
func (d *dialog) directWith(other *dialog) bool {
	to, ok := d.isDirect()
	if !ok {
		return false
	}
	other.mu.Lock()
	leg := other.leg
	other.mu.Unlock()
	if leg == nil {
		return false
	}
	r, _ := leg.Remote()
	return r.IsValid() && r == to
}

// alreadyDirect reports whether a leg's phone already sends to dst, so
// startDirect has nothing to tell it.
func (d *dialog) alreadyDirect(dst netip.AddrPort) bool {
	to, ok := d.isDirect()
	return ok && to == dst
}
