package sdp

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseOffer feeds arbitrary bodies through Parse and, when they parse,
// through Negotiate and Build: none of them may panic.
func FuzzParseOffer(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.sdp"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add(offer("m=audio 4000 RTP/SAVP 0 8 101\na=rtpmap:101 telephone-event/8000\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|2^20|1:4\n"))
	f.Add(offer("m=audio 4000 RTP/AVP 0\nc=IN IP4 0.0.0.0\na=sendonly\nm=video 0 RTP/AVP 31\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := Parse(body)
		if err != nil {
			return
		}
		r, err := Negotiate(d, Prefs{Codecs: []string{"ulaw", "alaw", "gsm", "g722", "g729"}, DTMF: true})
		if err != nil {
			return
		}
		_, _ = fixedSession().Build(Stream{Addr: d.Audio.Addr, Port: 10000, Formats: r.Formats(),
			Direction: r.Direction, Proto: r.Proto, Declined: d.Declined()})
	})
}
