package sdp

import (
	"fmt"
	"strconv"
	"strings"
)

// Format is one payload type of an m= line.
type Format struct {
	PT        uint8
	Encoding  string // as in rtpmap: "PCMU", "telephone-event"
	ClockRate uint32
	Channels  int    // 0 when rtpmap gave none
	Fmtp      string // value after "a=fmtp:<pt> "
}

// Name is the rtpmap encoding name with its rate, "PCMU/8000": the key
// legs compare to map payload types (see rtp.PayloadType).
func (f Format) Name() string {
	return f.Encoding + "/" + strconv.FormatUint(uint64(f.ClockRate), 10)
}

func (f Format) rtpmap() string {
	s := fmt.Sprintf("%d %s/%d", f.PT, f.Encoding, f.ClockRate)
	if f.Channels > 1 {
		s += "/" + strconv.Itoa(f.Channels)
	}
	return s
}

// Codec is an audio codec gostrisk can relay, under its sip.conf name.
type Codec struct {
	Name   string // sip.conf allow= name
	Format Format // static payload type, rtpmap and the fmtp Asterisk sends
}

// TelephoneEvent is the RFC 2833 / 4733 DTMF format gostrisk offers.
var TelephoneEvent = Format{PT: 101, Encoding: "telephone-event", ClockRate: 8000, Fmtp: "0-16"}

// codecs lists what sip.conf can allow. G.722 advertises 8000 Hz on the
// wire for historical reasons (RFC 3551), and Asterisk says annexb=no for
// G.729 because it never does VAD/CNG.
var codecs = []Codec{
	{"ulaw", Format{PT: 0, Encoding: "PCMU", ClockRate: 8000}},
	{"alaw", Format{PT: 8, Encoding: "PCMA", ClockRate: 8000}},
	{"gsm", Format{PT: 3, Encoding: "GSM", ClockRate: 8000}},
	{"g722", Format{PT: 9, Encoding: "G722", ClockRate: 8000}},
	{"g729", Format{PT: 18, Encoding: "G729", ClockRate: 8000, Fmtp: "annexb=no"}},
}

// staticRTPMap resolves static payload types sent without rtpmap, per RFC 3551.
var staticRTPMap = map[uint8]Format{
	0:  {PT: 0, Encoding: "PCMU", ClockRate: 8000},
	3:  {PT: 3, Encoding: "GSM", ClockRate: 8000},
	4:  {PT: 4, Encoding: "G723", ClockRate: 8000},
	8:  {PT: 8, Encoding: "PCMA", ClockRate: 8000},
	9:  {PT: 9, Encoding: "G722", ClockRate: 8000},
	13: {PT: 13, Encoding: "CN", ClockRate: 8000},
	18: {PT: 18, Encoding: "G729", ClockRate: 8000},
}

// LookupCodec finds a codec by its sip.conf name (case-insensitive).
func LookupCodec(name string) (Codec, bool) {
	for _, c := range codecs {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Codec{}, false
}

// codecFor finds which of our codecs an offered format is.
func codecFor(f Format) (Codec, bool) {
	for _, c := range codecs {
		if strings.EqualFold(c.Format.Encoding, f.Encoding) && c.Format.ClockRate == f.ClockRate {
			return c, true
		}
	}
	return Codec{}, false
}

// OfferFormats turns a preference list of sip.conf names into the formats
// of an offer, skipping names gostrisk cannot relay. It returns an error
// naming the first unknown codec so config checks can report it.
func OfferFormats(names []string) ([]Format, error) {
	var out []Format
	var unknown []string
	seen := map[string]bool{}
	for _, n := range names {
		c, ok := LookupCodec(n)
		if !ok {
			unknown = append(unknown, n)
			continue
		}
		if seen[c.Name] {
			continue
		}
		seen[c.Name] = true
		out = append(out, c.Format)
	}
	if len(unknown) > 0 {
		return out, fmt.Errorf("sdp: unsupported codec(s): %s", strings.Join(unknown, ", "))
	}
	return out, nil
}
