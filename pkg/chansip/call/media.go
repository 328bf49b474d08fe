package call

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/rtp"
	"github.com/gostrisk/gostrisk/pkg/sdp"
)

// --- SRTP (SDES) ---

// suiteFor is the crypto suite we offer a peer: _32 with
// encryption_taglen=32, else _80.
func suiteFor(p *sipconf.Peer) string {
	if p != nil && p.EncryptionTagLen == 32 {
		return sdp.SuiteAES128SHA1_32
	}
	return sdp.SuiteAES128SHA1_80
}

// offerProto is the m= profile of our offers to a peer: RTP/SAVP for
// encryption=yes, with an F for avpf=yes; force_avp keeps the AVP names
// even when the stream is keyed, as chan_sip does.
func offerProto(p *sipconf.Peer, secure bool) string {
	avpf := p != nil && p.AVPF
	if secure && !(p != nil && p.ForceAVP) {
		if avpf {
			return "RTP/SAVPF"
		}
		return "RTP/SAVP"
	}
	if avpf {
		return "RTP/AVPF"
	}
	return "RTP/AVP"
}

// unforceAVP lets Negotiate see the keys of a force_avp peer, which sends
// a=crypto on an RTP/AVP(F) line; it returns the profile as written so the
// answer can repeat it.
func unforceAVP(desc *sdp.Description, p *sipconf.Peer) (written string) {
	a := desc.Audio
	if a == nil {
		return ""
	}
	written = a.Proto
	if p == nil || !p.ForceAVP || len(a.Crypto) == 0 {
		return written
	}
	switch a.Proto {
	case "RTP/AVP":
		a.Proto = "RTP/SAVP"
	case "RTP/AVPF":
		a.Proto = "RTP/SAVPF"
	}
	return written
}

// keyLeg installs SRTP on the dialog's leg: local is the key we sent in
// our a=crypto, remote the far end's. It warns once per call when the keys
// travel over signalling anyone on the path can read.
func (d *dialog) keyLeg(local, remote *sdp.Crypto) error {
	d.mu.Lock()
	leg := d.leg
	d.localCrypto, d.remoteCrypto = local, remote
	d.mu.Unlock()
	if leg == nil {
		return fmt.Errorf("call: %s has no media", d.callID)
	}
	err := leg.SetSRTP(&rtp.SRTPParams{
		Suite:            remote.Suite,
		LocalKey:         local.Key,
		RemoteKey:        remote.Key,
		RemoteMKI:        remote.MKI,
		ReplayProtection: d.m.d.RTPConfig.ReplayProtection,
	})
	if err != nil {
		return fmt.Errorf("call: key SRTP of %s: %w", d.callID, err)
	}
	return nil
}

// answerCrypto accepts the key of an offer: our answer carries a fresh key
// under the same tag and suite (RFC 4568 section 5.1.2). The same key is
// kept when a re-INVITE repeats the suite, so the far end's decryption
// context stays valid.
func (d *dialog) answerCrypto(remote *sdp.Crypto) error {
	d.mu.Lock()
	local := d.localCrypto
	d.mu.Unlock()
	if local == nil || local.Suite != remote.Suite || local.Tag != remote.Tag {
		c, err := sdp.NewCrypto(remote.Tag, remote.Suite)
		if err != nil {
			return fmt.Errorf("call: SRTP key for %s: %w", d.callID, err)
		}
		local = &c
	}
	return d.keyLeg(local, remote)
}

// offerCrypto prepares the key of our offer to an encryption=yes peer.
func (d *dialog) offerCrypto() error {
	c, err := sdp.NewCrypto(1, suiteFor(d.peer))
	if err != nil {
		return fmt.Errorf("call: SRTP key for %s: %w", d.callID, err)
	}
	d.mu.Lock()
	d.localCrypto = &c
	d.proto = offerProto(d.peer, true)
	d.mu.Unlock()
	return nil
}

// warnClearKeys logs, once per call, that SDES keys go over a transport
// that does not protect them.
func (d *dialog) warnClearKeys() {
	d.mu.Lock()
	tr, once := d.transport, d.keyWarn
	d.mu.Unlock()
	if strings.EqualFold(tr, "tls") || strings.EqualFold(tr, "wss") {
		return
	}
	if once == nil {
		return
	}
	once.Do(func() {
		who := d.peerName
		if who == "" {
			who = d.addr.String()
		}
		d.m.log.Warning("SRTP keys for '%s' (call %s) are sent over unencrypted %s signalling: anyone on the path can decrypt the media; use transport=tls\n",
			who, d.callID, strings.ToUpper(tr))
	})
}

// iceWanted says whether our SDP to a peer carries ICE (sip.conf
// icesupport, per peer or in [general] for guests).
func (m *Manager) iceWanted(p *sipconf.Peer) bool {
	if p != nil {
		return p.ICESupport
	}
	if g := m.d.General(); g != nil {
		return g.ICESupport
	}
	return false
}

// iceFor returns the dialog's ICE credentials with host candidates for the
// leg's RTP and RTCP ports at host (our local address towards the far
// end), creating the credentials once per dialog.
func (d *dialog) iceFor(host netip.Addr, port int) *sdp.ICE {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.iceUfrag == "" {
		d.iceUfrag, d.icePwd = sdp.NewICECredentials()
	}
	return &sdp.ICE{
		Ufrag: d.iceUfrag, Pwd: d.icePwd,
		Candidates: []sdp.Candidate{
			sdp.HostCandidate(netip.AddrPortFrom(host, uint16(port)), 1),
			sdp.HostCandidate(netip.AddrPortFrom(host, uint16(port+1)), 2),
		},
	}
}

// cryptoError is how Negotiate's SRTP refusals are told apart from codec
// mismatches in the log.
func cryptoError(err error) bool { return errors.Is(err, sdp.ErrNoCrypto) }

// --- media links: early media and bridged calls ---

// mediaLink relays RTP between two SIP legs. It is created for early media
// (183 with SDP) or by Dial's bridge, whichever comes first, and reused by
// the other, since a leg can be in one relay only.
type mediaLink struct {
	a, b *dialog
	br   *rtp.Bridge
	stop chan struct{} // ends the rtptimeout watch
	once sync.Once
}

// other returns the far side of the link as seen from d.
func (k *mediaLink) other(d *dialog) *dialog {
	if k.a == d {
		return k.b
	}
	return k.a
}

// close stops the relay and detaches it from both legs.
func (k *mediaLink) close() {
	k.once.Do(func() {
		close(k.stop)
		_ = k.br.Close()
		if err := k.br.Err(); err != nil {
			k.a.m.log.Warning("RTP of '%s' and '%s' was not relayed: %v\n", k.a.callID, k.b.callID, err)
		}
		for _, d := range []*dialog{k.a, k.b} {
			d.mu.Lock()
			if d.link == k {
				d.link = nil
			}
			d.mu.Unlock()
		}
	})
}

// linkOf returns the dialog's current media link.
func (d *dialog) linkOf() *mediaLink {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.link
}

// peerLeg is the dialog our media is relayed to, nil when none.
func (d *dialog) peerLeg() *dialog {
	if k := d.linkOf(); k != nil {
		return k.other(d)
	}
	return nil
}

// link relays media between a and b, reusing their link when they already
// share one and breaking any other link either is in.
func (m *Manager) link(a, b *dialog) (*mediaLink, error) {
	// A phone still sending to a former partner comes back to us first;
	// one already talking to this partner (directrtpsetup) stays.
	if !a.directWith(b) {
		a.mediaBack()
	}
	if !b.directWith(a) {
		b.mediaBack()
	}
	if k := a.linkOf(); k != nil {
		if k.other(a) == b {
			return k, nil
		}
		k.close()
	}
	if k := b.linkOf(); k != nil {
		k.close()
	}
	a.mu.Lock()
	la := a.leg
	if a.released {
		la = nil
	}
	a.mu.Unlock()
	b.mu.Lock()
	lb := b.leg
	if b.released {
		lb = nil
	}
	b.mu.Unlock()
	if la == nil || lb == nil {
		return nil, fmt.Errorf("call: %s or %s has no media", a.callID, b.callID)
	}
	br, err := rtp.NewBridge(la, lb)
	if err != nil {
		return nil, fmt.Errorf("call: relay media of %s and %s: %w", a.callID, b.callID, err)
	}
	k := &mediaLink{a: a, b: b, br: br, stop: make(chan struct{})}
	a.mu.Lock()
	a.link = k
	a.mu.Unlock()
	b.mu.Lock()
	b.link = k
	b.mu.Unlock()
	m.watchRTP(k.stop, k.a, k.b)
	return k, nil
}

// --- rtptimeout / rtpholdtimeout ---

// rtpTimeouts are a leg's rtptimeout and rtpholdtimeout (the peer's, which
// start from [general]'s, or [general]'s for a guest).
func (d *dialog) rtpTimeouts() (active, hold time.Duration) {
	if p := d.peer; p != nil {
		return time.Duration(p.RTPTimeout) * time.Second, time.Duration(p.RTPHoldTimeout) * time.Second
	}
	if g := d.m.d.General(); g != nil {
		return time.Duration(g.RTPTimeout) * time.Second, time.Duration(g.RTPHoldTimeout) * time.Second
	}
	return 0, 0
}

// watchRTP hangs up a call whose legs stop receiving media, as chan_sip's
// monitor thread does, until stop closes: legs relayed to each other, or a
// leg whose media the core terminates (a caller in an application). Only
// answered channels count, the hold timeout applies while the far end
// holds, and silence is measured from the last packet or from when the
// watch began, whichever is later.
func (m *Manager) watchRTP(stop <-chan struct{}, legs ...*dialog) {
	var shortest time.Duration
	for _, d := range legs {
		act, hold := d.rtpTimeouts()
		for _, t := range []time.Duration{act, hold} {
			if t > 0 && (shortest == 0 || t < shortest) {
				shortest = t
			}
		}
	}
	if shortest == 0 {
		return
	}
	every := min(max(shortest/4, 50*time.Millisecond), time.Second)
	m.goTracked(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		marks := map[*dialog]*rtpMark{}
		for _, d := range legs {
			marks[d] = &rtpMark{}
		}
		for {
			select {
			case <-stop:
				return
			case <-m.ctx.Done():
				return
			case now := <-tick.C:
				for _, d := range legs {
					if m.rtpExpired(d, marks[d], now) {
						return
					}
				}
			}
		}
	})
}

// rtpMark is where silence of one watched leg is counted from.
type rtpMark struct {
	since time.Time // start of the current answered period with the same hold state
	held  bool
}

// rtpExpired checks one leg of a watched link and hangs its channel up when
// its media has been silent too long.
func (m *Manager) rtpExpired(d *dialog, mk *rtpMark, now time.Time) bool {
	ch := d.channel()
	d.mu.Lock()
	// Silence is expected, and rtpholdtimeout applies, whenever the far
	// end's last SDP left out its sending side or ours: hold it started,
	// or hold we passed on to it from the other leg.
	leg, released := d.leg, d.released
	held := d.onHold || d.theirDir != sdp.SendRecv
	d.mu.Unlock()
	_, direct := d.isDirect()
	if ch == nil || leg == nil || released || ch.State() != pbx.StateUp || direct {
		// A direct-media phone sends its RTP to the other phone, not us.
		mk.since = time.Time{}
		return false
	}
	if mk.since.IsZero() || mk.held != held {
		mk.since, mk.held = now, held
	}
	act, hold := d.rtpTimeouts()
	limit := act
	if held {
		limit = hold
	}
	if limit <= 0 {
		return false
	}
	last := leg.LastReceived()
	if last.Before(mk.since) {
		last = mk.since
	}
	silent := now.Sub(last)
	if silent < limit {
		return false
	}
	m.log.Notice("Disconnecting call '%s' for lack of RTP activity in %d seconds\n", ch.Name(), int(silent/time.Second))
	ch.SoftHangup(pbx.CauseNormalClearing)
	return true
}
