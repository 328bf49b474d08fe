package sdp

import (
	"bytes"
	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
)

func fixedSession() *Session {
	s := NewSession("", "Asterisk PBX 18.26.4")
	s.id, s.version = 1804289383, 1804289383
	return s
}

func fixedKey() []byte {
	k := make([]byte, 30)
	for i := range k {
		k[i] = byte(i * 7)
	}
	return k
}

func mustFormats(t *testing.T, names ...string) []Format {
	t.Helper()
	f, err := OfferFormats(names)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name+".sdp"), string(got))
}

func TestBuildGolden(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	videoOffer, err := Parse([]byte("v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n" +
		"m=video 5002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\nm=audio 5000 RTP/AVP 0\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		stream Stream
	}{
		{"offer-alaw-ulaw", Stream{Addr: lo, Port: 10000,
			Formats: append(mustFormats(t, "alaw", "ulaw"), TelephoneEvent)}},
		{"offer-all-codecs", Stream{Addr: netip.MustParseAddr("203.0.113.7"), Port: 17228,
			Formats: append(mustFormats(t, "ulaw", "alaw", "gsm", "g722", "g729"), TelephoneEvent)}},
		{"answer-srtp", Stream{Addr: lo, Port: 10002, Formats: mustFormats(t, "ulaw"),
			Crypto: &Crypto{Tag: 1, Suite: SuiteAES128SHA1_80, Key: fixedKey()}}},
		{"hold-sendonly", Stream{Addr: lo, Port: 10004, Formats: mustFormats(t, "ulaw"), Direction: SendOnly}},
		{"ice-host", Stream{Addr: lo, Port: 10006, Formats: mustFormats(t, "ulaw"),
			ICE: &ICE{Ufrag: "abcdEFGH", Pwd: "0123456789abcdefghijklmn", Candidates: []Candidate{
				HostCandidate(netip.MustParseAddrPort("127.0.0.1:10006"), 1),
				HostCandidate(netip.MustParseAddrPort("127.0.0.1:10007"), 2),
			}}}},
		{"ipv6", Stream{Addr: netip.MustParseAddr("2001:db8::5"), Port: 10008, Formats: mustFormats(t, "g722")}},
		{"declined-video", Stream{Addr: lo, Port: 10010, Formats: mustFormats(t, "ulaw"),
			Declined: videoOffer.Declined()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, err := fixedSession().Build(tc.stream)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, body)
			// What we write must read back to the same stream.
			d, err := Parse(body)
			if err != nil {
				t.Fatalf("own SDP does not parse: %v", err)
			}
			if d.Audio == nil || d.Audio.Port != tc.stream.Port || d.Audio.Direction != tc.stream.Direction ||
				len(d.Audio.Formats) != len(tc.stream.Formats) {
				t.Fatalf("round trip: %+v", d.Audio)
			}
		})
	}
}

func TestSessionVersionIncrements(t *testing.T) {
	s := fixedSession()
	st := Stream{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10000, Formats: mustFormats(t, "ulaw")}
	var versions []uint64
	for i := 0; i < 3; i++ {
		body, err := s.Build(st)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		if d.SessionID != 1804289383 || d.Username != "root" {
			t.Fatalf("o= identity changed: %+v", d)
		}
		versions = append(versions, d.SessionVersion)
		if !bytes.Equal(s.Last(), body) {
			t.Fatal("Last() is not the body just built")
		}
		st.Direction = SendOnly // re-INVITE for hold
	}
	if versions[0] != 1804289383 || versions[1] != versions[0]+1 || versions[2] != versions[1]+1 {
		t.Errorf("versions %v", versions)
	}
}

func TestBuildErrors(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	f := mustFormats(t, "ulaw")
	for name, st := range map[string]Stream{
		"no addr":    {Port: 1000, Formats: f},
		"no port":    {Addr: lo, Formats: f},
		"no formats": {Addr: lo, Port: 1000},
		"overlap": {Addr: lo, Port: 1000, Formats: f, Declined: []DeclinedMedia{
			{Position: 5, Media: &Media{Type: "video", Proto: "RTP/AVP"}}}},
	} {
		if _, err := fixedSession().Build(st); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestOfferFormatsUnknown(t *testing.T) {
	f, err := OfferFormats([]string{"ulaw", "opus", "ULAW", "alaw"})
	if err == nil || !strings.Contains(err.Error(), "opus") {
		t.Errorf("err = %v", err)
	}
	if len(f) != 2 || f[0].Encoding != "PCMU" || f[1].Encoding != "PCMA" {
		t.Errorf("formats %+v", f)
	}
}

func TestNewICECredentials(t *testing.T) {
	u1, p1 := NewICECredentials()
	u2, _ := NewICECredentials()
	if len(u1) != 8 || len(p1) != 24 || u1 == u2 {
		t.Errorf("ufrag %q pwd %q / %q", u1, p1, u2)
	}
	if c := HostCandidate(netip.MustParseAddrPort("192.168.1.10:4000"), 1); c.Priority != 2130706431 {
		t.Errorf("priority %d", c.Priority)
	}
}
