package call

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/rtp"
	"github.com/gostrisk/gostrisk/pkg/sdp"
)

// A SIP leg is a pbx.MediaDriver: when the core wants to hear or speak on
// the channel (an application, a translating bridge, music on hold) the
// leg leaves any relay and an RTP session terminates its media here.

// mediaFormat maps a negotiated SDP format to the program's format.
func mediaFormat(f sdp.Format) *media.Format {
	if mf, ok := media.LookupRTP(f.Encoding, int(f.ClockRate)); ok {
		return mf
	}
	return nil
}

// NativeFormat is the voice format in use on the leg, nil before the
// negotiation or when the codec is not one gostrisk can decode.
func (d *dialog) NativeFormat() *media.Format {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.codecs) == 0 {
		return nil
	}
	return mediaFormat(d.codecs[0])
}

// dtmfSetting is the mode SIPDtmfMode set, else the peer's dtmfmode, or
// [general]'s for a guest.
func (d *dialog) dtmfSetting() sipconf.DTMFMode {
	d.mu.Lock()
	set, ok := d.dtmfSet, d.dtmfSetOK
	d.mu.Unlock()
	if ok {
		return set
	}
	if d.peer != nil {
		return d.peer.DTMFMode
	}
	if g := d.m.d.General(); g != nil {
		return g.DTMFMode
	}
	return sipconf.DTMFRFC2833
}

// DTMFMode is how digits travel to and from the far end. dtmfmode=auto is
// RFC 2833 when the far end negotiated telephone-event and inband when it
// did not, as chan_sip decides; rfc2833 stays rfc2833 without
// telephone-event (chan_sip then sends no digits to that peer).
func (d *dialog) DTMFMode() string {
	mode := d.dtmfSetting()
	d.mu.Lock()
	te := d.dtmf != nil
	d.mu.Unlock()
	switch mode {
	case sipconf.DTMFInfo:
		return "info"
	case sipconf.DTMFShortInfo:
		return "shortinfo"
	case sipconf.DTMFInband:
		return "inband"
	case sipconf.DTMFRFC2833:
		return "rfc2833"
	}
	if te {
		return "rfc2833"
	}
	return "inband"
}

// SetDTMFMode changes the dialog's DTMF mode, as chan_sip's SIPDtmfMode
// does: info, shortinfo, rfc2833 or inband. Sending follows at once; a
// core media session already open keeps the inband detection it was
// opened with (on or off) until the next one.
func (d *dialog) SetDTMFMode(mode string) error {
	var m sipconf.DTMFMode
	switch strings.ToLower(mode) {
	case "info":
		m = sipconf.DTMFInfo
	case "shortinfo":
		m = sipconf.DTMFShortInfo
	case "rfc2833":
		m = sipconf.DTMFRFC2833
	case "inband":
		m = sipconf.DTMFInband
	default:
		return fmt.Errorf("I don't know about this dtmf mode: %s", mode)
	}
	d.mu.Lock()
	d.dtmfSet, d.dtmfSetOK = m, true
	d.mu.Unlock()
	return nil
}

// OpenMedia takes the leg out of its relay and terminates its RTP in a
// session the core reads and writes.
func (d *dialog) OpenMedia() (pbx.MediaStream, error) {
	// Direct media: the phone's RTP must come back to us first.
	d.mediaBack()
	d.mu.Lock()
	if d.released || d.leg == nil {
		d.mu.Unlock()
		return nil, pbx.ErrNoMedia
	}
	if st := d.stream; st != nil {
		d.mu.Unlock()
		return st, nil
	}
	if len(d.codecs) == 0 {
		d.mu.Unlock()
		return nil, fmt.Errorf("call: %s has no negotiated codec yet", d.callID)
	}
	link, leg, codec, te := d.link, d.leg, d.codecs[0], d.dtmf
	d.mu.Unlock()
	f := mediaFormat(codec)
	if f == nil {
		return nil, fmt.Errorf("call: %s uses %s, which gostrisk cannot decode", d.callID, codec.Name())
	}
	if link != nil {
		link.close()
	}
	cfg := rtp.SessionConfig{Format: f, PT: codec.PT, DTMFPT: -1}
	if te != nil {
		cfg.DTMFPT = int(te.PT)
	}
	sess, err := leg.StartSession(cfg)
	if err != nil {
		return nil, fmt.Errorf("call: terminate media of %s: %w", d.callID, err)
	}
	st := newSIPStream(d, sess, f)
	d.mu.Lock()
	if d.stream != nil || d.released {
		// Another goroutine won, or the call ended meanwhile.
		other := d.stream
		d.mu.Unlock()
		_ = st.Close()
		if other == nil {
			return nil, pbx.ErrNoMedia
		}
		return other, nil
	}
	d.stream = st
	d.mu.Unlock()
	d.m.watchRTP(st.stop, d)
	return st, nil
}

// closeStream ends the core's session on the leg, if any.
func (d *dialog) closeStream() {
	d.mu.Lock()
	st := d.stream
	d.mu.Unlock()
	if st != nil {
		_ = st.Close()
	}
}

// sipStream is the MediaStream of a SIP leg: the RTP session, plus the
// DTMF modes RTP does not carry (SIP INFO, inband tones).
type sipStream struct {
	d      *dialog
	sess   *rtp.Session
	format *media.Format
	frames <-chan media.Frame
	stop   chan struct{}
	once   sync.Once

	// inband DTMF: detection of the far end's tones and generation of ours.
	inband *inbandDTMF
}

func newSIPStream(d *dialog, sess *rtp.Session, f *media.Format) *sipStream {
	st := &sipStream{d: d, sess: sess, format: f, frames: sess.Frames(), stop: make(chan struct{})}
	if d.DTMFMode() == "inband" {
		st.inband = newInbandDTMF(f)
		st.frames = st.inband.detect(sess.Frames(), st.stop)
	}
	return st
}

func (s *sipStream) Frames() <-chan media.Frame { return s.frames }

func (s *sipStream) Flush() { s.sess.Flush() }

func (s *sipStream) Drain() { s.sess.Drain() }

// DeliverVoice passes a digits-only reader's wish to the session, unless
// digits come inband: then the voice is needed here to find them.
func (s *sipStream) DeliverVoice(on bool) {
	if s.inband == nil {
		s.sess.DeliverVoice(on)
	}
}

func (s *sipStream) Close() error {
	var err error
	s.once.Do(func() {
		close(s.stop)
		err = s.sess.Close()
		st := s.sess.Stats()
		s.d.mu.Lock()
		if s.d.stream == s {
			s.d.stream = nil
		}
		s.d.qos.add(st)
		s.d.mu.Unlock()
	})
	return err
}

// WriteFrame sends voice through the session and a digit the way the far
// end takes digits.
func (s *sipStream) WriteFrame(fr media.Frame) error {
	switch fr.Kind {
	case media.Voice:
		return s.sess.WriteFrame(fr)
	case media.DTMFBegin, media.DTMFEnd:
		switch s.d.DTMFMode() {
		case "rfc2833":
			return s.sess.WriteFrame(fr)
		case "info", "shortinfo":
			if fr.Kind == media.DTMFEnd {
				s.d.sendInfoDTMF(fr.Digit, fr.Duration)
			}
			return nil
		case "inband":
			if fr.Kind == media.DTMFEnd && s.inband != nil {
				return s.inband.play(s.sess, fr.Digit, fr.Duration)
			}
			return nil
		}
	}
	return nil
}

// --- SIP INFO DTMF ---

// sendInfoDTMF sends a digit in a SIP INFO, application/dtmf-relay
// (Signal and Duration in ms) for dtmfmode=info or application/dtmf (the
// digit alone) for shortinfo, as chan_sip does.
func (d *dialog) sendInfoDTMF(digit rune, dur time.Duration) {
	m := d.m
	if d.isEnded() {
		return
	}
	if dur <= 0 {
		dur = 100 * time.Millisecond
	}
	req := d.newRequest(sip.INFO)
	if d.dtmfSetting() == sipconf.DTMFShortInfo {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf"))
		req.SetBody([]byte(string(digit)))
	} else {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
		req.SetBody([]byte("Signal=" + string(digit) + "\r\nDuration=" + strconv.Itoa(int(dur/time.Millisecond)) + "\r\n"))
	}
	d.setLast("Tx: INFO")
	m.goTracked(func() {
		ctx, cancel := context.WithTimeout(m.ctx, 64*m.d.T1)
		defer cancel()
		tx, err := m.d.Client.TransactionRequest(ctx, req)
		if err != nil {
			m.log.Warning("Unable to send INFO on %s: %v\n", d.callID, err)
			return
		}
		defer tx.Terminate()
		for {
			select {
			case res := <-tx.Responses():
				if !res.IsProvisional() {
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

// infoDuration reads the Duration= line of a dtmf-relay body (ms), 250 ms
// when absent as chan_sip assumes.
func infoDuration(body string) time.Duration {
	for _, line := range strings.Split(body, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "duration") {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 && n < 60000 {
				return time.Duration(n) * time.Millisecond
			}
		}
	}
	return 250 * time.Millisecond
}

// errNoTranslation: the leg's codec has no path to signed linear, so
// inband DTMF cannot be heard or played on it.
var errNoTranslation = errors.New("no translation to signed linear")

// ChannelItem answers chan_sip's CHANNEL() items: peerip (the far end's
// signalling address), recvip (where its requests came from: the same
// here, the address a message arrived from), from and uri (the dialog's
// far-end identity and request target), useragent and peername.
func (d *dialog) ChannelItem(item string) (string, bool) {
	if rest, ok := strings.CutPrefix(item, "rtpqos,"); ok {
		return d.rtpQoS(rest) // takes d.mu itself
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch item {
	case "peerip", "recvip":
		if d.addr.IsValid() {
			return d.addr.Addr().String(), true
		}
		return "", true
	case "from":
		return d.remoteURI.String(), true
	case "uri":
		return d.target.String(), true
	case "useragent":
		return d.remoteUA, true
	case "peername":
		return d.peerName, true

	case "callgroup", "pickupgroup":
		// The channel's groups are its peer's, printed as Asterisk
		// prints a group set ("1, 3, 4"); a guest has none.
		if d.peerName == "" || d.m == nil || d.m.d.Peer == nil {
			return "", true
		}
		p := d.m.d.Peer(d.peerName)
		if p == nil {
			return "", true
		}
		if item == "callgroup" {
			return sipconf.GroupString(p.CallGroup), true
		}
		return sipconf.GroupString(p.PickupGroup), true
	}
	return "", false
}
