package sdp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func offer(media string) []byte {
	return []byte("v=0\r\no=phone 42 42 IN IP4 192.168.1.20\r\ns=call\r\nc=IN IP4 192.168.1.20\r\nt=0 0\r\n" +
		strings.ReplaceAll(media, "\n", "\r\n"))
}

func TestNegotiate(t *testing.T) {
	crypto := "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "\n"
	tests := []struct {
		name   string
		media  string
		prefs  Prefs
		err    error
		codecs string // names with PTs: "PCMA/8000:8,PCMU/8000:0"
		dtmf   int    // -1 none
		dir    Direction
		remote string
		crypto bool
		proto  string
	}{
		{name: "our order wins",
			media:  "m=audio 4000 RTP/AVP 0 8 101\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\n",
			prefs:  Prefs{Codecs: []string{"alaw", "ulaw"}, DTMF: true},
			codecs: "PCMA/8000:8,PCMU/8000:0", dtmf: 101, remote: "192.168.1.20:4000", proto: "RTP/AVP"},
		{name: "static types without rtpmap, dynamic dtmf number kept",
			media:  "m=audio 4000 RTP/AVP 18 3 96\na=rtpmap:96 telephone-event/8000\n",
			prefs:  Prefs{Codecs: []string{"ulaw", "gsm", "g729"}, DTMF: true},
			codecs: "GSM/8000:3,G729/8000:18", dtmf: 96, remote: "192.168.1.20:4000", proto: "RTP/AVP"},
		{name: "dtmf not wanted",
			media:  "m=audio 4000 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000\n",
			prefs:  Prefs{Codecs: []string{"ulaw"}},
			codecs: "PCMU/8000:0", dtmf: -1, remote: "192.168.1.20:4000", proto: "RTP/AVP"},
		{name: "rtpmap renames a dynamic codec",
			media:  "m=audio 4000 RTP/AVP 97\na=rtpmap:97 pcmu/8000\n",
			prefs:  Prefs{Codecs: []string{"ulaw"}},
			codecs: "PCMU/8000:97", dtmf: -1, remote: "192.168.1.20:4000", proto: "RTP/AVP"},
		{name: "prefer the other leg's codec",
			media:  "m=audio 4000 RTP/AVP 0 8\n",
			prefs:  Prefs{Codecs: []string{"alaw", "ulaw"}, Prefer: "ulaw"},
			codecs: "PCMU/8000:0,PCMA/8000:8", dtmf: -1, remote: "192.168.1.20:4000", proto: "RTP/AVP"},
		{name: "prefer ignored when not allowed",
			media:  "m=audio 4000 RTP/AVP 0 8\n",
			prefs:  Prefs{Codecs: []string{"alaw"}, Prefer: "ulaw"},
			codecs: "PCMA/8000:8", dtmf: -1, remote: "192.168.1.20:4000", proto: "RTP/AVP"},
		{name: "no common codec",
			media: "m=audio 4000 RTP/AVP 18\n",
			prefs: Prefs{Codecs: []string{"alaw", "ulaw"}}, err: ErrNoCommonCodec},
		{name: "audio declined by offerer",
			media: "m=audio 0 RTP/AVP 0\n",
			prefs: Prefs{Codecs: []string{"ulaw"}}, err: ErrNoAudio},
		{name: "video only",
			media: "m=video 4002 RTP/AVP 96\na=rtpmap:96 H264/90000\n",
			prefs: Prefs{Codecs: []string{"ulaw"}}, err: ErrNoAudio},
		{name: "hold sendonly",
			media:  "m=audio 4000 RTP/AVP 0\na=sendonly\n",
			prefs:  Prefs{Codecs: []string{"ulaw"}},
			codecs: "PCMU/8000:0", dtmf: -1, dir: RecvOnly, remote: "192.168.1.20:4000", proto: "RTP/AVP"},
		{name: "inactive",
			media:  "m=audio 4000 RTP/AVP 0\na=inactive\n",
			prefs:  Prefs{Codecs: []string{"ulaw"}},
			codecs: "PCMU/8000:0", dtmf: -1, dir: Inactive, remote: "192.168.1.20:4000", proto: "RTP/AVP"},
		{name: "old hold c=0.0.0.0",
			media:  "m=audio 4000 RTP/AVP 0\nc=IN IP4 0.0.0.0\n",
			prefs:  Prefs{Codecs: []string{"ulaw"}},
			codecs: "PCMU/8000:0", dtmf: -1, dir: RecvOnly, proto: "RTP/AVP"},
		{name: "srtp accepted without encryption=yes",
			media:  "m=audio 4000 RTP/SAVP 0\n" + crypto,
			prefs:  Prefs{Codecs: []string{"ulaw"}},
			codecs: "PCMU/8000:0", dtmf: -1, remote: "192.168.1.20:4000", crypto: true, proto: "RTP/SAVP"},
		{name: "first acceptable crypto line",
			media: "m=audio 4000 RTP/SAVPF 0\na=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" + key30 + "\n" +
				"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" + key30 + "\n",
			prefs:  Prefs{Codecs: []string{"ulaw"}, Encryption: true},
			codecs: "PCMU/8000:0", dtmf: -1, remote: "192.168.1.20:4000", crypto: true, proto: "RTP/SAVPF"},
		{name: "savp without crypto",
			media: "m=audio 4000 RTP/SAVP 0\n",
			prefs: Prefs{Codecs: []string{"ulaw"}}, err: ErrNoCrypto},
		{name: "savp with only session params",
			media: "m=audio 4000 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + " KDR=3\n",
			prefs: Prefs{Codecs: []string{"ulaw"}}, err: ErrNoCrypto},
		{name: "encryption=yes refuses plain",
			media: "m=audio 4000 RTP/AVP 0\n" + crypto,
			prefs: Prefs{Codecs: []string{"ulaw"}, Encryption: true}, err: ErrNoCrypto},
		{name: "dtls refused",
			media: "m=audio 4000 UDP/TLS/RTP/SAVPF 0\n",
			prefs: Prefs{Codecs: []string{"ulaw"}}, err: ErrNoCrypto},
		{name: "second audio stream used when first declined",
			media:  "m=audio 0 RTP/AVP 0\nm=audio 4008 RTP/AVP 8\n",
			prefs:  Prefs{Codecs: []string{"alaw"}},
			codecs: "PCMA/8000:8", dtmf: -1, remote: "192.168.1.20:4008", proto: "RTP/AVP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(offer(tc.media))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Negotiate(d, tc.prefs)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range r.Codecs {
				got = append(got, f.Name()+":"+itoa(int(f.PT)))
			}
			if strings.Join(got, ",") != tc.codecs {
				t.Errorf("codecs %v, want %s", got, tc.codecs)
			}
			if (tc.dtmf < 0) != (r.DTMF == nil) || (r.DTMF != nil && int(r.DTMF.PT) != tc.dtmf) {
				t.Errorf("dtmf %+v, want %d", r.DTMF, tc.dtmf)
			}
			if r.DTMF != nil && r.DTMF.Fmtp != "0-16" {
				t.Errorf("dtmf fmtp %q", r.DTMF.Fmtp)
			}
			if r.Direction != tc.dir {
				t.Errorf("direction %v, want %v", r.Direction, tc.dir)
			}
			wantRemote := netip.AddrPort{}
			if tc.remote != "" {
				wantRemote = netip.MustParseAddrPort(tc.remote)
			}
			if r.Remote != wantRemote {
				t.Errorf("remote %v, want %v", r.Remote, wantRemote)
			}
			if (r.Crypto != nil) != tc.crypto || r.Proto != tc.proto {
				t.Errorf("crypto %v proto %q", r.Crypto, r.Proto)
			}
			if len(r.Formats()) != len(r.Codecs)+map[bool]int{true: 1, false: 0}[r.DTMF != nil] {
				t.Errorf("Formats() %v", r.Formats())
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestOfferAnswerEndToEnd answers a Parse'd offer with Build and checks the
// answer mirrors the negotiation.
func TestOfferAnswerEndToEnd(t *testing.T) {
	d, err := Parse(offer("m=audio 4000 RTP/SAVP 0 8 101\na=rtpmap:101 telephone-event/8000\n" +
		"a=crypto:5 AES_CM_128_HMAC_SHA1_32 inline:" + key30 + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Negotiate(d, Prefs{Codecs: []string{"alaw", "ulaw"}, DTMF: true})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := NewCrypto(r.Crypto.Tag, r.Crypto.Suite)
	if err != nil {
		t.Fatal(err)
	}
	body, err := fixedSession().Build(Stream{Addr: netip.MustParseAddr("127.0.0.1"), Port: 12000,
		Formats: r.Formats(), Direction: r.Direction, Crypto: &mine, Proto: r.Proto})
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	for _, want := range []string{"m=audio 12000 RTP/SAVP 8 0 101\r\n", "a=crypto:5 AES_CM_128_HMAC_SHA1_32 inline:",
		"a=fmtp:101 0-16\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("answer lacks %q:\n%s", want, s)
		}
	}
}

// Where the audio goes must be said by a c= line, at session or media
// level; c=0.0.0.0 (hold) says it too. Without one chan_sip answers 488
// ("Insufficient information in SDP (c=)").
func TestNegotiateNeedsAConnectionLine(t *testing.T) {
	head := "v=0\r\no=phone 42 42 IN IP4 192.168.1.20\r\ns=call\r\n"
	tests := []struct {
		name   string
		sess   string // session-level lines after s=
		media  string // lines after m=
		err    error
		remote string // "" when none
	}{
		{"session level", "c=IN IP4 192.168.1.20\r\n", "", nil, "192.168.1.20:4000"},
		{"media level", "", "c=IN IP4 192.168.1.21\r\n", nil, "192.168.1.21:4000"},
		{"media level overrides session level", "c=IN IP4 192.168.1.20\r\n", "c=IN IP4 192.168.1.21\r\n", nil, "192.168.1.21:4000"},
		{"hold at session level", "c=IN IP4 0.0.0.0\r\n", "", nil, ""},
		{"hold at media level", "", "c=IN IP4 0.0.0.0\r\n", nil, ""},
		{"IPv6", "c=IN IP6 2001:db8::1\r\n", "", nil, "[2001:db8::1]:4000"},
		{"host name, not resolved", "c=IN IP4 phone.example.com\r\n", "", nil, ""},
		{"none", "", "", ErrNoConnection, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := head + tc.sess + "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n" + tc.media
			d, err := Parse([]byte(body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			res, err := Negotiate(d, Prefs{Codecs: []string{"ulaw"}})
			if !errors.Is(err, tc.err) || (err != nil) != (tc.err != nil) {
				t.Fatalf("Negotiate: %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			got := ""
			if res.Remote.IsValid() {
				got = res.Remote.String()
			}
			if got != tc.remote {
				t.Errorf("remote %q, want %q", got, tc.remote)
			}
		})
	}
}
