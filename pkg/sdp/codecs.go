package sdp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/media"
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

// relayed names the media formats gostrisk can relay, in the order
// LookupCodec and codecFor try them, with the fmtp Asterisk sends for each:
// annexb=no for G.729 because Asterisk never does VAD/CNG. Their payload
// type, rtpmap encoding and clock rate come from pkg/media's list (G.722
// advertises 8000 Hz on the wire for historical reasons, RFC 3551).
var relayed = []struct{ name, fmtp string }{
	{"ulaw", ""},
	{"alaw", ""},
	{"gsm", ""},
	{"g722", ""},
	{"g729", "annexb=no"},
}

// staticTypes are the RFC 3551 static payload types an offer may list
// without rtpmap that the parser resolves through pkg/media. Other static
// types (DVI4, LPC, video) stay unresolved, as they always have been here:
// resolving them changes what a parsed offer carries, a separate decision.
var staticTypes = []uint8{0, 3, 4, 8, 9, 18}

// comfortNoise is RFC 3389 CN, resolved by its static type too; it is an RTP
// payload, not a media format, so pkg/media does not list it.
var comfortNoise = Format{PT: 13, Encoding: "CN", ClockRate: 8000}

// codecs and staticRTPMap are filled from pkg/media's one list.
var (
	codecs       = relayedCodecs()
	staticRTPMap = staticFormats()
)

// fromMedia is a media format's SDP form under its static payload type.
func fromMedia(f *media.Format) Format {
	return Format{PT: uint8(f.RTPPayload), Encoding: f.RTPEncoding, ClockRate: uint32(f.RTPClockRate), Channels: f.RTPChannels}
}

func relayedCodecs() []Codec {
	out := make([]Codec, 0, len(relayed))
	for _, r := range relayed {
		f, ok := media.Lookup(r.name)
		if !ok || f.RTPPayload == media.NoPayloadType {
			panic("sdp: relayed format " + r.name + " has no static payload type in pkg/media")
		}
		sf := fromMedia(f)
		sf.Fmtp = r.fmtp
		out = append(out, Codec{Name: f.Name, Format: sf})
	}
	return out
}

func staticFormats() map[uint8]Format {
	out := map[uint8]Format{comfortNoise.PT: comfortNoise}
	for _, pt := range staticTypes {
		f, ok := media.LookupPayloadType(pt)
		if !ok {
			panic("sdp: no format in pkg/media for static payload type " + strconv.Itoa(int(pt)))
		}
		out[pt] = fromMedia(f)
	}
	return out
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
