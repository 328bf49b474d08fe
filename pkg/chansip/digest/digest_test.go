package digest

import (
	"strings"
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

// TestCheckUnoffered: our challenges offer no qop. An answer in the
// RFC 2069 form is right whatever qop it names (svcrack names qop=auth
// with neither cnonce nor nc and computes that form, as do some old
// phones; chan_sip accepts them), and an answer in the RFC 2617 form over
// the cnonce and nc it names is right too.
func TestCheckUnoffered(t *testing.T) {
	const realm, nonce, uri = "asterisk", "0123456789abcdef0123456789abcdef", "sip:127.0.0.1:5060"
	ha1 := HA1("7000", realm, "right")
	ha2 := md5hex("REGISTER:" + uri)
	plain := md5hex(ha1 + ":" + nonce + ":" + ha2)
	withQop := md5hex(ha1 + ":" + nonce + ":00000001:c0ffee:auth:" + ha2)
	tests := []struct {
		name      string
		c         Credentials
		unoffered bool // CheckUnoffered
		check     bool // Check, which follows the qop the answer names
	}{
		{"RFC 2069", Credentials{Response: plain}, true, true},
		{"RFC 2069, upper-case hex", Credentials{Response: strings.ToUpper(plain)}, true, true},
		{"svcrack: qop=auth named, RFC 2069 computed", Credentials{QOP: "auth", Response: plain}, true, false},
		{"qop=auth named with cnonce and nc, RFC 2069 computed", Credentials{QOP: "auth", CNonce: "c0ffee", NC: "00000001", Response: plain}, true, false},
		{"RFC 2617 qop=auth", Credentials{QOP: "auth", CNonce: "c0ffee", NC: "00000001", Response: withQop}, true, true},
		{"RFC 2617 form without qop named", Credentials{CNonce: "c0ffee", NC: "00000001", Response: withQop}, false, false},
		{"RFC 2617 form, other nc", Credentials{QOP: "auth", CNonce: "c0ffee", NC: "00000002", Response: withQop}, false, false},
		{"wrong response", Credentials{QOP: "auth", Response: md5hex("x")}, false, false},
		{"empty response", Credentials{}, false, false},
	}
	for _, tt := range tests {
		c := tt.c
		c.Username, c.Realm, c.Nonce, c.URI = "7000", realm, nonce, uri
		if got := CheckUnoffered(ha1, "REGISTER", &c); got != tt.unoffered {
			t.Errorf("%s: CheckUnoffered = %v, want %v", tt.name, got, tt.unoffered)
		}
		if got := Check(ha1, "REGISTER", &c); got != tt.check {
			t.Errorf("%s: Check = %v, want %v", tt.name, got, tt.check)
		}
		if CheckUnoffered(HA1("7000", realm, "wrong"), "REGISTER", &c) {
			t.Errorf("%s: accepted with the wrong secret", tt.name)
		}
		if CheckUnoffered(ha1, "INVITE", &c) {
			t.Errorf("%s: accepted for another method", tt.name)
		}
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
