package call

import (
	"errors"
	"net/netip"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/sdp"
)

// A phone's in-dialog offer (a re-INVITE, or an UPDATE with SDP: RFC 3311)
// changes the leg's media the same way whichever method carries it: the
// relay follows the new address, a change of direction is hold or resume
// for the core, and while the phone talks straight to another phone
// (direct media) the other phone is told where it moved.

// offerAnswer is what taking an offer decided: our answer and what is left
// to do once it is sent.
type offerAnswer struct {
	body []byte
	// pass: the phone's direction changed (hold or resume), passDir is the
	// new one; the core is told after the answer.
	pass    bool
	passDir sdp.Direction
	// follow is the other phone of a direct call, to re-INVITE to the
	// moved phone's new address (to); back is the other phone brought back
	// to us because the phones may no longer talk directly.
	follow *dialog
	to     netip.AddrPort
	back   *dialog
	// recodec: the offer moved the leg to another voice codec; the core
	// reopens its media in it and a bridge translates (codecchange.go).
	recodec bool
}

// mediaMark is the part of a leg's media a move changes.
type mediaMark struct {
	remote netip.AddrPort
	codec  string
}

func (d *dialog) mediaMark() mediaMark {
	var mk mediaMark
	d.mu.Lock()
	leg := d.leg
	if len(d.codecs) > 0 {
		mk.codec = d.codecs[0].Name() + "/" + itoa(int(d.codecs[0].PT))
	}
	d.mu.Unlock()
	if leg != nil {
		mk.remote, _ = leg.Remote()
	}
	return mk
}

// takeOffer applies the SDP offer of an in-dialog request (none: the
// media stays as it is) and builds our answer. A refusal comes back as
// code and reason, the media unchanged or partly changed as a re-INVITE
// answered 488 leaves it in chan_sip.
func (m *Manager) takeOffer(d *dialog, req *sip.Request) (*offerAnswer, int, string) {
	oa := &offerAnswer{passDir: sdp.SendRecv}
	dir := sdp.SendRecv
	moved := false
	if body := req.Body(); len(body) > 0 {
		desc, err := sdp.Parse(body)
		if err != nil {
			return nil, 488, "Not acceptable here"
		}
		written := unforceAVP(desc, d.peer)
		d.mu.Lock()
		var names []string
		for _, f := range d.codecs {
			names = append(names, codecName(f))
		}
		before := d.theirDir
		d.mu.Unlock()
		prefs := m.prefsFor(d.peer)
		prefs.Codecs = midCallCodecs(names, prefs.Codecs)
		res, err := sdp.Negotiate(desc, prefs)
		if err != nil {
			switch {
			case errors.Is(err, sdp.ErrNoConnection):
				m.log.Warning("Insufficient information in SDP (c=)...\n")
			case cryptoError(err):
				m.log.Warning("Matched device setup to use SRTP, but request was not!\n")
			}
			return nil, 488, "Not acceptable here"
		}
		if res.Crypto != nil {
			if err := d.answerCrypto(res.Crypto); err != nil {
				m.log.Warning("Can't provide secure audio requested in SDP offer\n")
				return nil, 488, "Not acceptable here"
			}
		} else if err := d.dropCrypto(); err != nil {
			return nil, 500, "Server Internal Error"
		}
		mark := d.mediaMark()
		was := d.NativeFormat()
		d.applyMedia(res, desc.Audio)
		oa.recodec = d.NativeFormat() != was
		d.mu.Lock()
		d.proto = written
		after := d.theirDir
		d.mu.Unlock()
		dir = res.Direction
		oa.pass, oa.passDir = after != before, after
		moved = d.mediaMark() != mark
	}
	var err error
	to, direct := d.isDirect()
	switch {
	case direct && !oa.pass && moved:
		oa.body, err = m.directMoved(d, to, oa)
	case direct && !oa.pass:
		// The phone still talks to the other phone: the answer keeps
		// that address, as chan_sip answers with the redirected one.
		oa.body, err = d.directSDP(to)
	default:
		if direct {
			// Hold or resume while direct: our answer brings the
			// phone's media back to us, where the bridge needs it.
			d.direct.mu.Lock()
			d.direct.to = netip.AddrPort{}
			d.direct.mu.Unlock()
		}
		oa.body, err = d.buildSDP(d.answerFormats(""), dir)
	}
	if err != nil {
		return nil, 500, "Server Internal Error"
	}
	return oa, 0, ""
}

// directMoved answers a phone of a direct call whose address or codec
// changed: when the two phones may still talk directly (the same rule as
// at the start, directVerdict) the answer keeps the other phone's address
// and the other phone is re-INVITEd to the new one; otherwise the answer
// brings this phone back to us and the other phone follows, so the relay
// carries the call.
func (m *Manager) directMoved(d *dialog, to netip.AddrPort, oa *offerAnswer) ([]byte, error) {
	d.mu.Lock()
	k := d.link
	d.mu.Unlock()
	if k != nil && !k.isClosed() {
		o := k.other(d)
		mine := d.directInfo()
		if ok, _ := directVerdict(mine, o.directInfo()); ok {
			oa.follow, oa.to = o, mine.remote
			return d.directSDP(to)
		}
		oa.back = o
	}
	d.direct.mu.Lock()
	d.direct.to = netip.AddrPort{}
	d.direct.mu.Unlock()
	return d.buildSDP(d.answerFormats(""), sdp.SendRecv)
}

// afterOffer does what an answered offer leaves to do: hold and resume are
// told to the core (its bridge plays music on hold to the other party, as
// chan_sip queues AST_CONTROL_HOLD; the other leg is not re-INVITEd), and
// the other phone of a direct call follows a move.
func (m *Manager) afterOffer(d *dialog, oa *offerAnswer) {
	if oa.recodec {
		d.codecChanged()
	}
	if oa.pass {
		if ch := d.channel(); ch != nil {
			if oa.passDir == sdp.SendRecv {
				ch.Unheld()
			} else {
				ch.Held(d.mohSuggest())
			}
		}
	}
	switch o := oa.follow; {
	case o != nil:
		update := o.peer != nil && o.peer.DirectMediaMode.Update
		m.goTracked(func() {
			if !o.moveMedia(oa.to, update) {
				// The other phone refused: both come back to the relay.
				mediaBackBoth(d, o)
			}
		})
	case oa.back != nil:
		m.goTracked(oa.back.mediaBack)
	}
}

// answerOffer sends the 200 OK with our SDP to a re-INVITE or an UPDATE.
func (m *Manager) answerOffer(d *dialog, req *sip.Request, tx sip.ServerTransaction, body []byte) error {
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	d.mu.Lock()
	tag := d.localTag
	d.mu.Unlock()
	if to := res.To(); to != nil && !to.Params.Has("tag") {
		to.Params.Add("tag", tag)
	}
	res.AppendHeader(sip.NewHeader("Server", m.userAgent()))
	res.AppendHeader(&sip.ContactHeader{Address: d.contactURI(d.localURI.User)})
	d.addSessionHeaders(res)
	res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	res.SetBody(body)
	if req.Method == sip.INVITE {
		return tx.Respond(res)
	}
	return respondStateless(req, tx, res)
}

// confirmed reports whether the dialog's call is answered: an UPDATE with
// SDP is taken only then. In an early dialog chan_sip answers every UPDATE
// (but its own connected-line one) 501, and so do we.
func (d *dialog) confirmed() bool {
	ch := d.channel()
	return ch != nil && ch.State() == pbx.StateUp
}
