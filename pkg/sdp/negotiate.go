package sdp

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Errors of Negotiate; the driver answers 488 Not Acceptable Here to all.
var (
	ErrNoAudio       = errors.New("sdp: offer has no usable audio stream")
	ErrNoCommonCodec = errors.New("sdp: no codec in common")
	ErrNoCrypto      = errors.New("sdp: no acceptable SRTP crypto")
	// ErrNoConnection: no c= line, at session or media level, says where
	// the audio goes (chan_sip: "Insufficient information in SDP (c=)").
	ErrNoConnection = errors.New("sdp: no c= line for the audio stream")
)

// Prefs is what one peer allows, from sip.conf.
type Prefs struct {
	// Codecs in preference order, sip.conf names (disallow/allow result).
	Codecs []string
	// DTMF accepts telephone-event when offered (dtmfmode rfc2833/auto).
	DTMF bool
	// Encryption is encryption=yes: plain RTP offers are refused.
	Encryption bool
	// Prefer names a codec to put first when the offer has it, typically
	// the one the other leg already uses: gostrisk relays without
	// transcoding, so both legs must agree. Asterisk's chan_sip does the
	// same with the calling channel's formats before its own preferences.
	Prefer string
}

// Result is the outcome of negotiating an offer.
type Result struct {
	// Codecs in common, in our preference order, carrying the offerer's
	// payload type numbers; Codecs[0] is the one to send.
	Codecs []Format
	// DTMF is telephone-event with the offerer's payload type, or nil.
	DTMF *Format
	// Remote is where to send RTP; invalid while the peer holds with
	// 0.0.0.0.
	Remote netip.AddrPort
	// Direction for our answer.
	Direction Direction
	// Proto for our answer's m= line.
	Proto string
	// Crypto is the peer's key we accepted (decrypts its packets), nil
	// for plain RTP. Answer with NewCrypto(Crypto.Tag, Crypto.Suite).
	Crypto *Crypto
	// ICE reports that the offer carried ICE credentials.
	ICE bool
	// Ptime the offerer asked for (0 if none).
	Ptime int
}

// Formats is Codecs followed by DTMF, the m= line of the answer.
func (r *Result) Formats() []Format {
	out := append([]Format(nil), r.Codecs...)
	if r.DTMF != nil {
		out = append(out, *r.DTMF)
	}
	return out
}

// Negotiate answers an offer for a peer with the given preferences.
func Negotiate(offer *Description, p Prefs) (*Result, error) {
	m := offer.Audio
	if m == nil || m.Port == 0 {
		return nil, ErrNoAudio
	}
	if !m.Conn {
		return nil, ErrNoConnection
	}
	switch m.Proto {
	case "RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF":
	default:
		if strings.Contains(m.Proto, "TLS") {
			return nil, fmt.Errorf("%w: DTLS-SRTP (%s) is not supported", ErrNoCrypto, m.Proto)
		}
		return nil, fmt.Errorf("%w: transport %q", ErrNoAudio, m.Proto)
	}
	r := &Result{Proto: m.Proto, Direction: m.Direction.Answer(), ICE: m.ICEUfrag != "", Ptime: m.Ptime}
	if remote, ok := m.Remote(); ok {
		r.Remote = remote
	} else if m.Addr.IsValid() && m.Addr.IsUnspecified() && r.Direction == SendRecv {
		// Old-style hold: c=0.0.0.0 with no direction attribute.
		r.Direction = RecvOnly
	}

	order := p.Codecs
	if p.Prefer != "" {
		order = append([]string{p.Prefer}, p.Codecs...)
	}
	seen := map[string]bool{}
	for _, name := range order {
		c, ok := LookupCodec(name)
		if !ok || seen[c.Name] {
			continue
		}
		if name == p.Prefer && !allowed(p.Codecs, c.Name) {
			continue
		}
		seen[c.Name] = true
		for _, f := range m.Formats {
			if oc, ok := codecFor(f); ok && oc.Name == c.Name {
				ans := c.Format
				ans.PT = f.PT
				r.Codecs = append(r.Codecs, ans)
				break
			}
		}
	}
	if len(r.Codecs) == 0 {
		return nil, fmt.Errorf("%w: offered %s, allowed %s", ErrNoCommonCodec,
			formatList(m.Formats), strings.Join(p.Codecs, ","))
	}
	if p.DTMF {
		for _, f := range m.Formats {
			if strings.EqualFold(f.Encoding, TelephoneEvent.Encoding) && f.ClockRate == 8000 {
				te := TelephoneEvent
				te.PT = f.PT
				r.DTMF = &te
				break
			}
		}
	}

	if m.Secure() {
		var reasons []string
		for _, line := range m.Crypto {
			c, err := ParseCrypto(line)
			if err != nil {
				reasons = append(reasons, err.Error())
				continue
			}
			r.Crypto = &c
			break
		}
		if r.Crypto == nil {
			if len(reasons) == 0 {
				reasons = append(reasons, "no a=crypto line")
			}
			return nil, fmt.Errorf("%w: %s", ErrNoCrypto, strings.Join(reasons, "; "))
		}
	} else if p.Encryption {
		return nil, fmt.Errorf("%w: peer requires encryption but the offer is %s", ErrNoCrypto, m.Proto)
	}
	return r, nil
}

func allowed(names []string, codec string) bool {
	for _, n := range names {
		if strings.EqualFold(n, codec) {
			return true
		}
	}
	return false
}

func formatList(fs []Format) string {
	var s []string
	for _, f := range fs {
		if f.Encoding == "" {
			s = append(s, fmt.Sprint(f.PT))
		} else {
			s = append(s, f.Name())
		}
	}
	return strings.Join(s, ",")
}
