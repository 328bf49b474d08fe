package sdp

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	psdp "github.com/pion/sdp/v3"
)

// Direction is a stream's a=sendrecv / sendonly / recvonly / inactive.
type Direction int

const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

func (d Direction) String() string {
	switch d {
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	}
	return "sendrecv"
}

// Answer is the direction to answer an offer with (RFC 3264 section 6.1).
func (d Direction) Answer() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	}
	return d
}

func parseDirection(s string) (Direction, bool) {
	switch s {
	case "sendrecv":
		return SendRecv, true
	case "sendonly":
		return SendOnly, true
	case "recvonly":
		return RecvOnly, true
	case "inactive":
		return Inactive, true
	}
	return SendRecv, false
}

// Media is one m= section as gostrisk needs it.
type Media struct {
	Type    string // "audio", "video", ...
	Port    int
	Proto   string
	Fmts    []string // payload types as written on the m= line
	Formats []Format // resolved RTP formats, in m= order
	Addr    netip.Addr
	// Conn reports that a c= line, at session or media level, gives the
	// stream an address (Addr stays invalid for a host name, which
	// gostrisk does not resolve).
	Conn      bool
	Direction Direction
	Ptime     int
	MaxPtime  int
	Crypto    []string // a=crypto values, in order
	ICEUfrag  string
	ICEPwd    string
	Candidate []string // a=candidate values
	RTCPMux   bool
}

// Secure reports whether the stream asks for SDES SRTP.
func (m *Media) Secure() bool {
	return m.Proto == "RTP/SAVP" || m.Proto == "RTP/SAVPF"
}

// Remote is where to send this stream's RTP; not valid when the peer holds
// with 0.0.0.0 or declined the stream with port 0.
func (m *Media) Remote() (netip.AddrPort, bool) {
	if m.Port <= 0 || m.Port > 65535 || !m.Addr.IsValid() || m.Addr.IsUnspecified() {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(m.Addr, uint16(m.Port)), true
}

// OnHold reports whether the peer put the call on hold: a direction without
// its sending side, or the old c=0.0.0.0 form (RFC 2543).
func (m *Media) OnHold() bool {
	return m.Direction == SendOnly || m.Direction == Inactive ||
		(m.Addr.IsValid() && m.Addr.IsUnspecified())
}

// Description is a parsed SDP body.
type Description struct {
	Username       string
	SessionID      uint64
	SessionVersion uint64
	SessionName    string
	Media          []*Media
	// Audio is the first audio stream with a non-zero port, or the first
	// audio stream at all; nil when there is none.
	Audio *Media
}

// ErrParse wraps every SDP syntax problem.
var ErrParse = errors.New("sdp: malformed body")

// Parse reads an SDP body. It never panics: a panic inside the SDP library
// on hostile input is turned into ErrParse.
func Parse(body []byte) (d *Description, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("%w: %v", ErrParse, r)
		}
	}()
	var sd psdp.SessionDescription
	if err := sd.UnmarshalString(string(body)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrParse, err)
	}
	d = &Description{
		Username:       sd.Origin.Username,
		SessionID:      sd.Origin.SessionID,
		SessionVersion: sd.Origin.SessionVersion,
		SessionName:    string(sd.SessionName),
	}
	sessAddr, err := connAddr(sd.ConnectionInformation)
	if err != nil {
		return nil, err
	}
	sessConn := hasConn(sd.ConnectionInformation)
	sessDir := SendRecv
	for _, a := range sd.Attributes {
		if dir, ok := parseDirection(a.Key); ok {
			sessDir = dir
		}
	}
	for _, md := range sd.MediaDescriptions {
		m, err := parseMedia(md, sessAddr, sessConn, sessDir)
		if err != nil {
			return nil, err
		}
		d.Media = append(d.Media, m)
	}
	for _, m := range d.Media {
		if m.Type == "audio" && (d.Audio == nil || (d.Audio.Port == 0 && m.Port != 0)) {
			d.Audio = m
		}
	}
	return d, nil
}

func hasConn(ci *psdp.ConnectionInformation) bool {
	return ci != nil && ci.Address != nil && ci.Address.Address != ""
}

func connAddr(ci *psdp.ConnectionInformation) (netip.Addr, error) {
	if ci == nil || ci.Address == nil {
		return netip.Addr{}, nil
	}
	if ci.NetworkType != "IN" || (ci.AddressType != "IP4" && ci.AddressType != "IP6") {
		return netip.Addr{}, fmt.Errorf("%w: unsupported c= %s %s", ErrParse, ci.NetworkType, ci.AddressType)
	}
	a, err := netip.ParseAddr(ci.Address.Address)
	if err != nil {
		// A host name in c= is legal but gostrisk does not resolve media
		// addresses; the caller sees no address rather than a failure.
		return netip.Addr{}, nil
	}
	return a.Unmap(), nil
}

func parseMedia(md *psdp.MediaDescription, sessAddr netip.Addr, sessConn bool, sessDir Direction) (*Media, error) {
	m := &Media{
		Type:      md.MediaName.Media,
		Port:      md.MediaName.Port.Value,
		Proto:     strings.Join(md.MediaName.Protos, "/"),
		Fmts:      md.MediaName.Formats,
		Addr:      sessAddr,
		Conn:      sessConn || hasConn(md.ConnectionInformation),
		Direction: sessDir,
	}
	if md.ConnectionInformation != nil {
		a, err := connAddr(md.ConnectionInformation)
		if err != nil {
			return nil, err
		}
		if a.IsValid() {
			m.Addr = a
		}
	}
	rtpmaps := map[uint8]Format{}
	fmtps := map[uint8]string{}
	for _, a := range md.Attributes {
		switch a.Key {
		case "rtpmap":
			if f, ok := parseRTPMap(a.Value); ok {
				rtpmaps[f.PT] = f
			}
		case "fmtp":
			ptS, rest, ok := strings.Cut(a.Value, " ")
			if pt, err := strconv.ParseUint(ptS, 10, 7); ok && err == nil {
				fmtps[uint8(pt)] = strings.TrimSpace(rest)
			}
		case "ptime":
			m.Ptime, _ = strconv.Atoi(strings.TrimSpace(a.Value))
		case "maxptime":
			m.MaxPtime, _ = strconv.Atoi(strings.TrimSpace(a.Value))
		case "crypto":
			m.Crypto = append(m.Crypto, a.Value)
		case "ice-ufrag":
			m.ICEUfrag = a.Value
		case "ice-pwd":
			m.ICEPwd = a.Value
		case "candidate":
			m.Candidate = append(m.Candidate, a.Value)
		case "rtcp-mux":
			m.RTCPMux = true
		default:
			if dir, ok := parseDirection(a.Key); ok {
				m.Direction = dir
			}
		}
	}
	if strings.HasPrefix(m.Proto, "RTP/") {
		for _, s := range m.Fmts {
			pt, err := strconv.ParseUint(s, 10, 7)
			if err != nil {
				continue
			}
			f, ok := rtpmaps[uint8(pt)]
			if !ok {
				f, ok = staticRTPMap[uint8(pt)]
			}
			if !ok {
				f = Format{PT: uint8(pt)}
			}
			f.Fmtp = fmtps[uint8(pt)]
			m.Formats = append(m.Formats, f)
		}
	}
	return m, nil
}

// parseRTPMap reads "<pt> <encoding>/<rate>[/<channels>]".
func parseRTPMap(v string) (Format, bool) {
	ptS, enc, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return Format{}, false
	}
	pt, err := strconv.ParseUint(ptS, 10, 7)
	if err != nil {
		return Format{}, false
	}
	parts := strings.Split(strings.TrimSpace(enc), "/")
	if len(parts) < 2 || parts[0] == "" {
		return Format{}, false
	}
	rate, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil {
		return Format{}, false
	}
	f := Format{PT: uint8(pt), Encoding: parts[0], ClockRate: uint32(rate)}
	if len(parts) > 2 {
		f.Channels, _ = strconv.Atoi(parts[2])
	}
	return f, true
}
