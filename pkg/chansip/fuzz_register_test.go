package chansip

import (
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// FuzzRegisterLine feeds the "register =>" parser arbitrary lines: it must
// never panic, and what it accepts must be a usable registration (a host,
// a port in range, a transport chan_sip registers over).
func FuzzRegisterLine(f *testing.F) {
	for _, s := range []string{
		"0033972124831:pw@sip-domain.io/0033972124831",
		"0033972124831:secretpw@127.0.0.1:5070/0033972124831",
		"name@namedomain:pass:authuser@domain/extension",
		"tls://name@namedomain:pass:authuser@domain/extension~111",
		"peer?tcp://name@namedomain:pass:authuser@domain:1234/extension~111",
		"name@namedomain:4321:pass:authuser@domain",
		"trunk?user:p@ss@[::1]:5080/100~3600",
		"user@[2001:db8::1]",
		`"user":"sec"@host`,
		"@", "?@", "a@[", "a@[::1", "a@h:0", "a@h:99999", "a@h~-1", "ws://a@h", "a@h/", "::@h",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := sipconf.ParseRegister(line)
		if err != nil {
			if r != nil {
				t.Fatalf("ParseRegister(%q) returned both %+v and %v", line, r, err)
			}
			return
		}
		if r.Host == "" {
			t.Fatalf("ParseRegister(%q): accepted without a host: %+v", line, r)
		}
		if r.Port < 1 || r.Port > 65535 {
			t.Fatalf("ParseRegister(%q): port %d out of range", line, r.Port)
		}
		if r.DomainPort < 0 || r.DomainPort > 65535 {
			t.Fatalf("ParseRegister(%q): domain port %d out of range", line, r.DomainPort)
		}
		if r.Expiry < 0 {
			t.Fatalf("ParseRegister(%q): negative expiry %d", line, r.Expiry)
		}
		switch r.Transport {
		case sipconf.UDP, sipconf.TCP, sipconf.TLS:
		default:
			t.Fatalf("ParseRegister(%q): transport %v", line, r.Transport)
		}
		if r.Extension == "" {
			t.Fatalf("ParseRegister(%q): empty extension (chan_sip uses \"s\")", line)
		}
		// The "sip show registry" columns are derived from these fields;
		// they must render without panicking.
		if hp := r.HostPort(); !strings.Contains(hp, ":") {
			t.Fatalf("ParseRegister(%q): HostPort %q has no port", line, hp)
		}
		_ = r.DisplayUser()
	})
}
