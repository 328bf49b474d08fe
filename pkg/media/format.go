package media

import (
	"strings"
	"time"
)

// Kind is the media type of a format, as `core show codecs` names it.
type Kind uint8

// The media types Asterisk 18 registers codecs for.
const (
	Audio Kind = iota + 1
	Video
	Image
	Text
)

func (k Kind) String() string {
	switch k {
	case Audio:
		return "audio"
	case Video:
		return "video"
	case Image:
		return "image"
	case Text:
		return "text"
	}
	return "unknown"
}

// NoPayloadType marks a format without a static RTP payload type (RFC 3551):
// it gets a dynamic one (96-127) in SDP, or is not carried over RTP at all.
const NoPayloadType = -1

// Format is one media format the program knows, under Asterisk's name.
type Format struct {
	// ID is the format's position in Asterisk's codec registry (1-based), the
	// ID column of `core show codecs`; allow=all appends in this order.
	ID   int
	Name string // sip.conf allow= name: "ulaw", "slin16"
	// Codec is the name of the codec behind the format when it differs from
	// Name: every slinNN format is codec "slin", speex16/32 are "speex".
	// `core show codecs` prints it in its NAME column, Name in FORMAT.
	Codec       string
	Kind        Kind
	Description string // as `core show codecs` prints it
	// SampleRate is the rate of the decoded audio in Hz (G.722: 16000); 0
	// for video, image and text formats, as in Asterisk's codec registry.
	SampleRate int

	RTPPayload   int    // static payload type, or NoPayloadType
	RTPEncoding  string // rtpmap encoding name, "" when not carried over RTP
	RTPClockRate int    // rtpmap clock rate (G.722 says 8000, RFC 3551)
	RTPChannels  int    // rtpmap channels when not 1 (opus: 2)

	// Packetisation limits and default, in milliseconds, as Asterisk's codec
	// registry gives them (allow=ulaw:30 is checked against Min/Max).
	MinMS, MaxMS, DefaultMS int
}

// Samples is the number of samples d of audio holds at the format's rate.
func (f *Format) Samples(d time.Duration) int {
	return int(int64(f.SampleRate) * int64(d) / int64(time.Second))
}

// Duration is how long n samples last at the format's rate.
func (f *Format) Duration(samples int) time.Duration {
	if f.SampleRate == 0 {
		return 0
	}
	return time.Duration(int64(samples) * int64(time.Second) / int64(f.SampleRate))
}

func (f *Format) String() string { return f.Name }

// CodecName is the codec's own name, the NAME column of `core show codecs`.
func (f *Format) CodecName() string {
	if f.Codec != "" {
		return f.Codec
	}
	return f.Name
}

// formats is the one list, in Asterisk 18's codec registry order (the order
// of its built-in codec registrations, which `core show codecs` numbers).
var formats = []*Format{
	{Name: "codec2", Kind: Audio, Description: "Codec 2", SampleRate: 8000, RTPPayload: NoPayloadType, RTPEncoding: "CODEC2", RTPClockRate: 8000, MinMS: 20, MaxMS: 300, DefaultMS: 20},
	{Name: "g723", Kind: Audio, Description: "G.723.1", SampleRate: 8000, RTPPayload: 4, RTPEncoding: "G723", RTPClockRate: 8000, MinMS: 30, MaxMS: 300, DefaultMS: 30},
	{Name: "ulaw", Kind: Audio, Description: "G.711 u-law", SampleRate: 8000, RTPPayload: 0, RTPEncoding: "PCMU", RTPClockRate: 8000, MinMS: 10, MaxMS: 150, DefaultMS: 20},
	{Name: "alaw", Kind: Audio, Description: "G.711 a-law", SampleRate: 8000, RTPPayload: 8, RTPEncoding: "PCMA", RTPClockRate: 8000, MinMS: 10, MaxMS: 150, DefaultMS: 20},
	{Name: "gsm", Kind: Audio, Description: "GSM", SampleRate: 8000, RTPPayload: 3, RTPEncoding: "GSM", RTPClockRate: 8000, MinMS: 20, MaxMS: 300, DefaultMS: 20},
	{Name: "g726", Kind: Audio, Description: "G.726 RFC3551", SampleRate: 8000, RTPPayload: NoPayloadType, RTPEncoding: "G726-32", RTPClockRate: 8000, MinMS: 10, MaxMS: 300, DefaultMS: 20},
	{Name: "g726aal2", Kind: Audio, Description: "G.726 AAL2", SampleRate: 8000, RTPPayload: NoPayloadType, RTPEncoding: "AAL2-G726-32", RTPClockRate: 8000, MinMS: 10, MaxMS: 300, DefaultMS: 20},
	{Name: "adpcm", Kind: Audio, Description: "Dialogic ADPCM", SampleRate: 8000, RTPPayload: 5, RTPEncoding: "DVI4", RTPClockRate: 8000, MinMS: 10, MaxMS: 300, DefaultMS: 20},
	slinFormat("slin", "", 8000),
	slinFormat("slin12", " (12kHz)", 12000),
	slinFormat("slin16", " (16kHz)", 16000),
	slinFormat("slin24", " (24kHz)", 24000),
	slinFormat("slin32", " (32kHz)", 32000),
	slinFormat("slin44", " (44kHz)", 44100),
	slinFormat("slin48", " (48kHz)", 48000),
	slinFormat("slin96", " (96kHz)", 96000),
	slinFormat("slin192", " (192kHz)", 192000),
	{Name: "lpc10", Kind: Audio, Description: "LPC10", SampleRate: 8000, RTPPayload: 7, RTPEncoding: "LPC", RTPClockRate: 8000, MinMS: 20, MaxMS: 20, DefaultMS: 20},
	{Name: "g729", Kind: Audio, Description: "G.729A", SampleRate: 8000, RTPPayload: 18, RTPEncoding: "G729", RTPClockRate: 8000, MinMS: 10, MaxMS: 230, DefaultMS: 20},
	{Name: "speex", Kind: Audio, Description: "SpeeX", SampleRate: 8000, RTPPayload: NoPayloadType, RTPEncoding: "speex", RTPClockRate: 8000, MinMS: 10, MaxMS: 60, DefaultMS: 20},
	{Name: "speex16", Codec: "speex", Kind: Audio, Description: "SpeeX 16khz", SampleRate: 16000, RTPPayload: NoPayloadType, RTPEncoding: "speex", RTPClockRate: 16000, MinMS: 10, MaxMS: 60, DefaultMS: 20},
	{Name: "speex32", Codec: "speex", Kind: Audio, Description: "SpeeX 32khz", SampleRate: 32000, RTPPayload: NoPayloadType, RTPEncoding: "speex", RTPClockRate: 32000, MinMS: 10, MaxMS: 60, DefaultMS: 20},
	{Name: "ilbc", Kind: Audio, Description: "iLBC", SampleRate: 8000, RTPPayload: NoPayloadType, RTPEncoding: "iLBC", RTPClockRate: 8000, MinMS: 30, MaxMS: 30, DefaultMS: 30},
	{Name: "g722", Kind: Audio, Description: "G722", SampleRate: 16000, RTPPayload: 9, RTPEncoding: "G722", RTPClockRate: 8000, MinMS: 10, MaxMS: 150, DefaultMS: 20},
	{Name: "siren7", Kind: Audio, Description: "ITU G.722.1 (Siren7, licensed from Polycom)", SampleRate: 16000, RTPPayload: NoPayloadType, RTPEncoding: "G7221", RTPClockRate: 16000, MinMS: 20, MaxMS: 80, DefaultMS: 20},
	{Name: "siren14", Kind: Audio, Description: "ITU G.722.1 Annex C, (Siren14, licensed from Polycom)", SampleRate: 32000, RTPPayload: NoPayloadType, RTPEncoding: "G7221", RTPClockRate: 32000, MinMS: 20, MaxMS: 80, DefaultMS: 20},
	{Name: "testlaw", Kind: Audio, Description: "G.711 test-law", SampleRate: 8000, RTPPayload: NoPayloadType, MinMS: 10, MaxMS: 150, DefaultMS: 20},
	{Name: "g719", Kind: Audio, Description: "ITU G.719", SampleRate: 48000, RTPPayload: NoPayloadType, RTPEncoding: "G719", RTPClockRate: 48000, MinMS: 20, MaxMS: 80, DefaultMS: 20},
	{Name: "opus", Kind: Audio, Description: "Opus Codec", SampleRate: 48000, RTPPayload: NoPayloadType, RTPEncoding: "opus", RTPClockRate: 48000, RTPChannels: 2, MinMS: 20, MaxMS: 60, DefaultMS: 20},
	{Name: "jpeg", Kind: Image, Description: "JPEG image", RTPPayload: 26, RTPEncoding: "JPEG", RTPClockRate: 90000},
	{Name: "png", Kind: Image, Description: "PNG Image", RTPPayload: NoPayloadType},
	{Name: "h261", Kind: Video, Description: "H.261 video", RTPPayload: 31, RTPEncoding: "H261", RTPClockRate: 90000},
	{Name: "h263", Kind: Video, Description: "H.263 video", RTPPayload: 34, RTPEncoding: "H263", RTPClockRate: 90000},
	{Name: "h263p", Kind: Video, Description: "H.263+ video", RTPPayload: NoPayloadType, RTPEncoding: "H263-1998", RTPClockRate: 90000},
	{Name: "h264", Kind: Video, Description: "H.264 video", RTPPayload: NoPayloadType, RTPEncoding: "H264", RTPClockRate: 90000},
	{Name: "h265", Kind: Video, Description: "H.265 video", RTPPayload: NoPayloadType, RTPEncoding: "H265", RTPClockRate: 90000},
	{Name: "mpeg4", Kind: Video, Description: "MPEG4 video", RTPPayload: NoPayloadType, RTPEncoding: "MP4V-ES", RTPClockRate: 90000},
	{Name: "vp8", Kind: Video, Description: "VP8 video", RTPPayload: NoPayloadType, RTPEncoding: "VP8", RTPClockRate: 90000},
	{Name: "vp9", Kind: Video, Description: "VP9 video", RTPPayload: NoPayloadType, RTPEncoding: "VP9", RTPClockRate: 90000},
	{Name: "red", Kind: Text, Description: "T.140 Realtime Text with redundancy", RTPPayload: NoPayloadType, RTPEncoding: "red", RTPClockRate: 1000},
	{Name: "t140", Kind: Text, Description: "Passthrough T.140 Realtime Text", RTPPayload: NoPayloadType, RTPEncoding: "t140", RTPClockRate: 1000},
	{Name: "t38", Kind: Image, Description: "T.38 UDPTL Fax", RTPPayload: NoPayloadType},
}

func slinFormat(name, suffix string, rate int) *Format {
	return &Format{Name: name, Codec: "slin", Kind: Audio, Description: "16 bit Signed Linear PCM" + suffix,
		SampleRate: rate, RTPPayload: NoPayloadType, RTPEncoding: "L16", RTPClockRate: rate,
		MinMS: 10, MaxMS: 70, DefaultMS: 20}
}

// The formats gostrisk encodes and decodes itself.
var (
	ULaw   = mustLookup("ulaw")
	ALaw   = mustLookup("alaw")
	SLin   = mustLookup("slin")
	SLin16 = mustLookup("slin16")
	GSM    = mustLookup("gsm")
	G722   = mustLookup("g722")
)

func init() {
	for i, f := range formats {
		f.ID = i + 1
	}
}

func mustLookup(name string) *Format {
	f, ok := Lookup(name)
	if !ok {
		panic("media: no format " + name)
	}
	return f
}

// Formats returns every known format in registry order. The slice is a copy;
// the formats are shared and must not be modified.
func Formats() []*Format { return append([]*Format(nil), formats...) }

// Lookup finds a format by its Asterisk name, case-insensitively.
func Lookup(name string) (*Format, bool) {
	for _, f := range formats {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return nil, false
}

// LookupRTP finds the format an rtpmap names (encoding name compared
// case-insensitively, as RFC 4855 says MIME subtypes are). Several formats
// share "L16" or "speex" and are told apart by their clock rate.
func LookupRTP(encoding string, clockRate int) (*Format, bool) {
	for _, f := range formats {
		if f.RTPEncoding != "" && strings.EqualFold(f.RTPEncoding, encoding) && f.RTPClockRate == clockRate {
			return f, true
		}
	}
	return nil, false
}

// LookupPayloadType finds the format of a static RTP payload type (RFC 3551),
// for an SDP offer that lists it without an rtpmap.
func LookupPayloadType(pt uint8) (*Format, bool) {
	for _, f := range formats {
		if f.RTPPayload == int(pt) {
			return f, true
		}
	}
	return nil, false
}
