package media

import (
	"testing"
	"time"
)

// The names chan_sip accepts in allow= (pkg/chansip/sipconf's list, in
// Asterisk 18's registry order) are exactly the formats, in the same order.
func TestFormatsCoverSipConf(t *testing.T) {
	sipconf := []string{
		"codec2", "g723", "ulaw", "alaw", "gsm", "g726", "g726aal2", "adpcm",
		"slin", "slin12", "slin16", "slin24", "slin32", "slin44", "slin48", "slin96", "slin192",
		"lpc10", "g729", "speex", "speex16", "speex32", "ilbc", "g722", "siren7", "siren14",
		"testlaw", "g719", "opus", "jpeg", "png", "h261", "h263", "h263p", "h264", "h265",
		"mpeg4", "vp8", "vp9", "red", "t140", "t38",
	}
	all := Formats()
	if len(all) != len(sipconf) {
		t.Fatalf("%d formats, sip.conf knows %d", len(all), len(sipconf))
	}
	for i, name := range sipconf {
		if all[i].Name != name || all[i].ID != i+1 {
			t.Errorf("format %d is %s (ID %d), want %s (ID %d)", i, all[i].Name, all[i].ID, name, i+1)
		}
		if all[i].Description == "" || all[i].Kind == 0 {
			t.Errorf("%s has no description or kind", name)
		}
		if all[i].Kind == Audio && (all[i].SampleRate == 0 || all[i].DefaultMS == 0) {
			t.Errorf("audio format %s has no sample rate or framing", name)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, c := range []struct {
		name, want string
		id         int
		desc       string
		rate       int
	}{
		{"ulaw", "ulaw", 3, "G.711 u-law", 8000},
		{"ULAW", "ulaw", 3, "G.711 u-law", 8000},
		{"Alaw", "alaw", 4, "G.711 a-law", 8000},
		{"gsm", "gsm", 5, "GSM", 8000},
		{"slin", "slin", 9, "16 bit Signed Linear PCM", 8000},
		{"slin16", "slin16", 11, "16 bit Signed Linear PCM (16kHz)", 16000},
		{"g722", "g722", 24, "G722", 16000},
		{"g729", "g729", 19, "G.729A", 8000},
		{"h263", "h263", 33, "H.263 video", 0},
		{"pcmu", "", 0, "", 0}, // an rtpmap name, not an Asterisk one
		{"", "", 0, "", 0},
	} {
		f, ok := Lookup(c.name)
		if c.want == "" {
			if ok {
				t.Errorf("Lookup(%q) found %s", c.name, f)
			}
			continue
		}
		if !ok || f.Name != c.want || f.ID != c.id || f.Description != c.desc || f.SampleRate != c.rate {
			t.Errorf("Lookup(%q) = %+v, %v; want %s ID %d %q %d Hz", c.name, f, ok, c.want, c.id, c.desc, c.rate)
		}
	}
}

func TestCodecName(t *testing.T) {
	for name, want := range map[string]string{
		"ulaw": "ulaw", "slin": "slin", "slin16": "slin", "slin192": "slin",
		"speex": "speex", "speex32": "speex", "g722": "g722", "h264": "h264",
	} {
		if got := mustLookup(name).CodecName(); got != want {
			t.Errorf("%s.CodecName() = %q, want %q", name, got, want)
		}
	}
}

func TestLookupRTP(t *testing.T) {
	for _, c := range []struct {
		enc  string
		rate int
		want string
	}{
		{"PCMU", 8000, "ulaw"},
		{"pcma", 8000, "alaw"},
		{"GSM", 8000, "gsm"},
		{"G722", 8000, "g722"}, // RFC 3551's 8000 for a 16 kHz codec
		{"G722", 16000, ""},
		{"G729", 8000, "g729"},
		{"L16", 8000, "slin"},
		{"L16", 16000, "slin16"},
		{"speex", 16000, "speex16"},
		{"opus", 48000, "opus"},
		{"telephone-event", 8000, ""}, // DTMF is not a format
		{"CN", 8000, ""},              // nor comfort noise
	} {
		f, ok := LookupRTP(c.enc, c.rate)
		switch {
		case c.want == "" && ok:
			t.Errorf("LookupRTP(%s/%d) = %s, want none", c.enc, c.rate, f)
		case c.want != "" && (!ok || f.Name != c.want):
			t.Errorf("LookupRTP(%s/%d) = %v, %v; want %s", c.enc, c.rate, f, ok, c.want)
		}
	}
}

// Static payload types of RFC 3551 that pkg/sdp resolves without rtpmap.
func TestLookupPayloadType(t *testing.T) {
	for _, c := range []struct {
		pt   uint8
		want string
	}{
		{0, "ulaw"}, {3, "gsm"}, {4, "g723"}, {5, "adpcm"}, {7, "lpc10"}, {8, "alaw"},
		{9, "g722"}, {18, "g729"}, {26, "jpeg"}, {31, "h261"}, {34, "h263"},
		{13, ""}, {96, ""}, {101, ""}, {127, ""},
	} {
		f, ok := LookupPayloadType(c.pt)
		switch {
		case c.want == "" && ok:
			t.Errorf("LookupPayloadType(%d) = %s, want none", c.pt, f)
		case c.want != "" && (!ok || f.Name != c.want):
			t.Errorf("LookupPayloadType(%d) = %v, %v; want %s", c.pt, f, ok, c.want)
		}
	}
}

func TestFormatTiming(t *testing.T) {
	for _, c := range []struct {
		f       *Format
		d       time.Duration
		samples int
	}{
		{ULaw, 20 * time.Millisecond, 160},
		{SLin16, 20 * time.Millisecond, 320},
		{SLin, 30 * time.Millisecond, 240},
	} {
		if got := c.f.Samples(c.d); got != c.samples {
			t.Errorf("%s.Samples(%v) = %d, want %d", c.f, c.d, got, c.samples)
		}
		if got := c.f.Duration(c.samples); got != c.d {
			t.Errorf("%s.Duration(%d) = %v, want %v", c.f, c.samples, got, c.d)
		}
	}
}

func TestFrame(t *testing.T) {
	for _, c := range []struct {
		fr   Frame
		str  string
		size time.Duration
	}{
		{VoiceFrame(ULaw, make([]byte, 160), 320), "VOICE ulaw 160 samples ts=320", 20 * time.Millisecond},
		{VoiceFrame(SLin16, make([]byte, 640), 0), "VOICE slin16 320 samples ts=0", 20 * time.Millisecond},
		{VoiceFrame(SLin, make([]byte, 321), 0), "VOICE slin 160 samples ts=0", 20 * time.Millisecond},
		{Frame{Kind: DTMFBegin, Digit: '5'}, "DTMF_BEGIN 5", 0},
		{Frame{Kind: DTMFEnd, Digit: '#', Duration: 120 * time.Millisecond}, "DTMF_END # 120ms", 0},
		{Frame{Kind: Control, Control: Hold}, "CONTROL HOLD", 0},
		{Frame{Kind: Control, Control: Progress}, "CONTROL PROGRESS", 0},
		{Frame{Kind: Control, Control: 200}, "CONTROL ControlType(200)", 0},
	} {
		if got := c.fr.String(); got != c.str {
			t.Errorf("String() = %q, want %q", got, c.str)
		}
		if got := c.fr.Length(); got != c.size {
			t.Errorf("%s: Length() = %v, want %v", c.str, got, c.size)
		}
	}
	for r, want := range map[rune]bool{'0': true, '9': true, '*': true, '#': true, 'A': true, 'D': true, 'E': false, 'a': false, ' ': false} {
		if IsDTMFDigit(r) != want {
			t.Errorf("IsDTMFDigit(%q) = %v", r, !want)
		}
	}
}
