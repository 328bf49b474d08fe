package sipconf

import (
	"errors"
	"testing"
)

func TestParseRegister(t *testing.T) {
	tests := []struct {
		in   string
		want Register
	}{
		{"0033972124831:pw@sip-domain.io/0033972124831",
			Register{Transport: UDP, User: "0033972124831", Secret: "pw", Host: "sip-domain.io", Port: 5060, Extension: "0033972124831"}},
		{"0033972124831:secretpw@127.0.0.1:5070/0033972124831",
			Register{Transport: UDP, User: "0033972124831", Secret: "secretpw", Host: "127.0.0.1", Port: 5070, Extension: "0033972124831"}},
		{"name@domain", Register{Transport: UDP, User: "name", Host: "domain", Port: 5060, Extension: "s"}},
		{"name@namedomain:pass:authuser@domain/extension",
			Register{Transport: UDP, User: "name", Domain: "namedomain", Secret: "pass", AuthUser: "authuser", Host: "domain", Port: 5060, Extension: "extension"}},
		{"tcp://name@namedomain:pass:authuser@domain/extension",
			Register{Transport: TCP, User: "name", Domain: "namedomain", Secret: "pass", AuthUser: "authuser", Host: "domain", Port: 5060, Extension: "extension"}},
		{"tls://name@namedomain:pass:authuser@domain/extension~111",
			Register{Transport: TLS, User: "name", Domain: "namedomain", Secret: "pass", AuthUser: "authuser", Host: "domain", Port: 5061, Extension: "extension", Expiry: 111}},
		{"peer?tcp://name@namedomain:pass:authuser@domain:1234/extension~111",
			Register{Peer: "peer", Transport: TCP, User: "name", Domain: "namedomain", Secret: "pass", AuthUser: "authuser", Host: "domain", Port: 1234, Extension: "extension", Expiry: 111}},
		{"name@namedomain:4321:pass:authuser@domain",
			Register{Transport: UDP, User: "name", Domain: "namedomain", DomainPort: 4321, Secret: "pass", AuthUser: "authuser", Host: "domain", Port: 5060, Extension: "s"}},
		{"name@namedomain:4321::@domain",
			Register{Transport: UDP, User: "name", Domain: "namedomain", DomainPort: 4321, Host: "domain", Port: 5060, Extension: "s"}},
		{"trunk?user:p@ss@[::1]:5080/100~3600",
			Register{Peer: "trunk", Transport: UDP, User: "user", Secret: "p@ss", Host: "::1", Port: 5080, Extension: "100", Expiry: 3600}},
		{"user@[2001:db8::1]", Register{Transport: UDP, User: "user", Host: "2001:db8::1", Port: 5060, Extension: "s"}},
		{`"user":"sec"@host`, Register{Transport: UDP, User: "user", Secret: "sec", Host: "host", Port: 5060, Extension: "s"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRegister(tt.in)
			if err != nil {
				t.Fatalf("ParseRegister(%q): %v", tt.in, err)
			}
			if *got != tt.want {
				t.Errorf("ParseRegister(%q)\n got %+v\nwant %+v", tt.in, *got, tt.want)
			}
		})
	}
}

func TestParseRegisterErrors(t *testing.T) {
	for _, in := range []string{
		"", "nohost", "user@", "@host", "peer?name:pass:authuser:1234/extension~111",
		"user@host:abc", "user@host:70000", "sctp://user@host", "tcp:/user@host",
		"user@host~soon", "user@host~0", "user@[::1", "user@[::1]x", "user@host/ext~-5",
	} {
		if r, err := ParseRegister(in); err == nil {
			t.Errorf("ParseRegister(%q) = %+v, want an error", in, *r)
		}
	}
	if _, err := ParseRegister("nohost"); !errors.Is(err, ErrRegisterFormat) {
		t.Errorf("missing host: got %v, want ErrRegisterFormat", err)
	}
}

func TestRegisterDisplay(t *testing.T) {
	r, err := ParseRegister("name@namedomain:4321:pass:authuser@[::1]:5070")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.HostPort(), "[::1]:5070"; got != want {
		t.Errorf("HostPort = %q, want %q", got, want)
	}
	if got, want := r.DisplayUser(), "name@namedomain:4321"; got != want {
		t.Errorf("DisplayUser = %q, want %q", got, want)
	}
}
