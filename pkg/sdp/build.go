package sdp

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"sync"

	psdp "github.com/pion/sdp/v3"
)

// Defaults chan_sip writes into every SDP it sends.
const (
	DefaultUsername = "root"
	DefaultPtime    = 20
	DefaultMaxPtime = 150
)

// Session is our side of one dialog's SDP: a fixed o= identity whose
// version goes up with every new body, as RFC 3264 section 8 requires.
type Session struct {
	Username    string // o= user, sip.conf sdpowner (default "root")
	SessionName string // s=, sip.conf sdpsession ("Asterisk PBX <version>")

	mu      sync.Mutex
	id      uint64
	version uint64
	built   bool
	last    []byte
}

// NewSession starts a dialog's SDP identity with a random session id; the
// first version equals the id, as chan_sip does.
func NewSession(username, sessionName string) *Session {
	var b [4]byte
	_, _ = rand.Read(b[:])
	id := uint64(binary.BigEndian.Uint32(b[:]) >> 1) // chan_sip keeps it a positive int
	if id == 0 {
		id = 1
	}
	if username == "" {
		username = DefaultUsername
	}
	return &Session{Username: username, SessionName: sessionName, id: id, version: id}
}

// ID and Version of the o= line last built (Version is the next one's
// predecessor before the first Build).
func (s *Session) ID() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

func (s *Session) Version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// Last returns the body last built, for retransmissions of the same
// response, which must not bump the version.
func (s *Session) Last() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// ICE holds the credentials and candidates to advertise (rtp.conf
// icesupport=yes and a peer that does ICE).
type ICE struct {
	Ufrag, Pwd string
	Candidates []Candidate
}

// NewICECredentials returns a random ufrag (8 chars) and pwd (24 chars),
// above RFC 8445's minimum entropy.
func NewICECredentials() (ufrag, pwd string) {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	pick := func(n int) string {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		for i := range b {
			b[i] = alphabet[int(b[i])%len(alphabet)]
		}
		return string(b)
	}
	return pick(8), pick(24)
}

// Candidate is one a=candidate line.
type Candidate struct {
	Foundation string
	Component  int // 1 RTP, 2 RTCP
	Priority   uint32
	Addr       netip.AddrPort
	Type       string // "host"
}

// HostCandidate builds a host candidate with the RFC 8445 recommended
// priority (type preference 126, local preference 65535).
func HostCandidate(addr netip.AddrPort, component int) Candidate {
	prio := uint32(126)<<24 | uint32(65535)<<8 | uint32(256-component)
	return Candidate{
		Foundation: "H" + strconv.FormatUint(uint64(binary.BigEndian.Uint32(addr.Addr().AsSlice()[len(addr.Addr().AsSlice())-4:])), 16),
		Component:  component,
		Priority:   prio,
		Addr:       addr,
		Type:       "host",
	}
}

func (c Candidate) String() string {
	return fmt.Sprintf("%s %d UDP %d %s %d typ %s", c.Foundation, c.Component, c.Priority,
		c.Addr.Addr(), c.Addr.Port(), c.Type)
}

// Stream describes our audio stream for an offer or an answer.
type Stream struct {
	Addr      netip.Addr // advertised address: external address behind NAT
	Port      int
	Formats   []Format // codecs then telephone-event, in the order to list them
	Direction Direction
	Crypto    *Crypto // our key; the m= line says RTP/SAVP when set
	Proto     string  // overrides the profile, e.g. RTP/SAVPF from Result.Proto
	Ptime     int     // 0 means DefaultPtime
	MaxPtime  int     // 0 means DefaultMaxPtime
	ICE       *ICE
	// Declined lists the offer's other m= sections, answered with port 0
	// so the answer has as many m= lines as the offer. Position is the
	// index in the offer; the audio stream takes the remaining slot.
	Declined []DeclinedMedia
}

// DeclinedMedia is an offered stream gostrisk refuses.
type DeclinedMedia struct {
	Position int
	Media    *Media
}

// Declined returns every m= section of an offer other than its audio
// stream, for Stream.Declined.
func (d *Description) Declined() []DeclinedMedia {
	var out []DeclinedMedia
	for i, m := range d.Media {
		if m != d.Audio {
			out = append(out, DeclinedMedia{Position: i, Media: m})
		}
	}
	return out
}

// Build renders the next SDP body of this dialog.
func (s *Session) Build(st Stream) ([]byte, error) {
	if !st.Addr.IsValid() {
		return nil, fmt.Errorf("sdp: no address to advertise")
	}
	if st.Port <= 0 || st.Port > 65535 {
		return nil, fmt.Errorf("sdp: bad RTP port %d", st.Port)
	}
	if len(st.Formats) == 0 {
		return nil, fmt.Errorf("sdp: no formats to offer")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	version := s.version
	if s.built {
		version++
	}
	addrType, addr := "IP4", st.Addr.Unmap()
	if addr.Is6() {
		addrType = "IP6"
	}
	sd := &psdp.SessionDescription{
		Origin: psdp.Origin{
			Username: s.Username, SessionID: s.id, SessionVersion: version,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: addr.String(),
		},
		SessionName: psdp.SessionName(s.SessionName),
		ConnectionInformation: &psdp.ConnectionInformation{
			NetworkType: "IN", AddressType: addrType, Address: &psdp.Address{Address: addr.String()},
		},
		TimeDescriptions: []psdp.TimeDescription{{Timing: psdp.Timing{}}},
	}
	audio := audioSection(st)
	for i := 0; i < len(st.Declined)+1; i++ {
		var dm *DeclinedMedia
		for j := range st.Declined {
			if st.Declined[j].Position == i {
				dm = &st.Declined[j]
			}
		}
		if dm == nil {
			if audio != nil {
				sd.MediaDescriptions = append(sd.MediaDescriptions, audio)
				audio = nil
				continue
			}
			return nil, fmt.Errorf("sdp: declined media positions overlap")
		}
		sd.MediaDescriptions = append(sd.MediaDescriptions, declinedSection(dm.Media))
	}
	if audio != nil {
		return nil, fmt.Errorf("sdp: declined media positions leave no slot for audio")
	}
	body, err := sd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("sdp: marshal: %w", err)
	}
	s.version, s.built, s.last = version, true, body
	return body, nil
}

func audioSection(st Stream) *psdp.MediaDescription {
	proto := st.Proto
	switch {
	case proto == "" && st.Crypto != nil:
		proto = "RTP/SAVP"
	case proto == "":
		proto = "RTP/AVP"
	}
	md := &psdp.MediaDescription{
		MediaName: psdp.MediaName{Media: "audio", Port: psdp.RangedPort{Value: st.Port}, Protos: splitProto(proto)},
	}
	for _, f := range st.Formats {
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(int(f.PT)))
	}
	for _, f := range st.Formats {
		md.Attributes = append(md.Attributes, psdp.NewAttribute("rtpmap", f.rtpmap()))
		if f.Fmtp != "" {
			md.Attributes = append(md.Attributes, psdp.NewAttribute("fmtp", fmt.Sprintf("%d %s", f.PT, f.Fmtp)))
		}
	}
	ptime, maxptime := st.Ptime, st.MaxPtime
	if ptime == 0 {
		ptime = DefaultPtime
	}
	if maxptime == 0 {
		maxptime = DefaultMaxPtime
	}
	md.Attributes = append(md.Attributes,
		psdp.NewAttribute("ptime", strconv.Itoa(ptime)),
		psdp.NewAttribute("maxptime", strconv.Itoa(maxptime)))
	if st.ICE != nil {
		md.Attributes = append(md.Attributes,
			psdp.NewAttribute("ice-ufrag", st.ICE.Ufrag),
			psdp.NewAttribute("ice-pwd", st.ICE.Pwd))
		for _, c := range st.ICE.Candidates {
			md.Attributes = append(md.Attributes, psdp.NewAttribute("candidate", c.String()))
		}
	}
	md.Attributes = append(md.Attributes, psdp.NewPropertyAttribute(st.Direction.String()))
	if st.Crypto != nil {
		md.Attributes = append(md.Attributes, psdp.NewAttribute("crypto", st.Crypto.String()))
	}
	return md
}

func declinedSection(m *Media) *psdp.MediaDescription {
	fmts := m.Fmts
	if len(fmts) == 0 {
		fmts = []string{"0"}
	}
	return &psdp.MediaDescription{
		MediaName: psdp.MediaName{Media: m.Type, Port: psdp.RangedPort{Value: 0}, Protos: splitProto(m.Proto), Formats: fmts},
	}
}

func splitProto(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}
