package digest

import (
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Credentials
		err  bool
	}{
		{in: `Digest username="6000", realm="asterisk", nonce="abc", uri="sip:127.0.0.1", response="0123", algorithm=MD5`,
			want: Credentials{Username: "6000", Realm: "asterisk", Nonce: "abc", URI: "sip:127.0.0.1", Response: "0123", Algorithm: "MD5"}},
		{in: `digest username="a\"b",nonce="n",response="r",qop=auth,nc=00000001,cnonce="c"`,
			want: Credentials{Username: `a"b`, Nonce: "n", Response: "r", QOP: "auth", NC: "00000001", CNonce: "c"}},
		{in: `Basic dXNlcjpwYXNz`, err: true},
		{in: `Digest username="6000"`, err: true},
		{in: `Digest username="6000, nonce="x"`, err: true},
		{in: ``, err: true},
		{in: `Digest =`, err: true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.err {
			if err == nil {
				t.Errorf("Parse(%q) = %+v, want error", tt.in, got)
			}
			continue
		}
		if err != nil || *got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckRFC2617Vector(t *testing.T) {
	// RFC 2617 section 3.5 example (qop=auth).
	c := &Credentials{Username: "Mufasa", Realm: "testrealm@host.com", Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		URI: "/dir/index.html", QOP: "auth", NC: "00000001", CNonce: "0a4f113b", Response: "6629fae49393a05397450978507c4ef1"}
	if !Check(HA1("Mufasa", "testrealm@host.com", "Circle Of Life"), "GET", c) {
		t.Fatal("RFC 2617 vector rejected")
	}
	c.Response = "6629fae49393a05397450978507c4ef2"
	if Check(HA1("Mufasa", "testrealm@host.com", "Circle Of Life"), "GET", c) {
		t.Fatal("wrong response accepted")
	}
}

func TestAnswerRoundTrip(t *testing.T) {
	for _, qop := range []string{"", `, qop="auth"`} {
		ch := Challenge("asterisk", "abcdef", false) + qop
		auth, err := Answer(ch, "REGISTER", "sip:127.0.0.1", "6000", "test", 1)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(auth)
		if err != nil {
			t.Fatal(err)
		}
		if !Check(HA1("6000", "asterisk", "test"), "REGISTER", c) {
			t.Errorf("answer to %q not accepted: %s", ch, auth)
		}
		if Check(HA1("6000", "asterisk", "wrong"), "REGISTER", c) {
			t.Error("wrong secret accepted")
		}
	}
	if _, err := Answer(`Digest realm="x", nonce="y", algorithm=SHA-256`, "REGISTER", "sip:x", "u", "p", 1); err == nil {
		t.Error("SHA-256 challenge answered with MD5")
	}
}

func BenchmarkVerify(b *testing.B) {
	ha1 := HA1("6000", "asterisk", "test")
	auth, _ := Answer(Challenge("asterisk", "0123456789abcdef", false), "REGISTER", "sip:127.0.0.1", "6000", "test", 1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c, _ := Parse(auth)
		if !Check(ha1, "REGISTER", c) {
			b.Fatal("rejected")
		}
	}
}
