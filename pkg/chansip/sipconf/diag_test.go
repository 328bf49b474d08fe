package sipconf

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

func TestDiagnostics(t *testing.T) {
	sip := `[general]
bogus=1
register => nohost
transport=udp,tls
[p1]
type=peer
host=10.0.0.1
port=abc
qualify=maybe
nat=sometimes
dtmfmode=morse
frobnicate=yes
allow=notacodec
permit=10.0.0.0/33
[p2]
type=router
[p3]
host=dynamic
`
	_, diags := parse(t, sip, "")
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	for _, want := range []string{
		"sip.conf:2: warning: Unknown option 'bogus' in [general] of sip.conf, ignored",
		"sip.conf:3: error: invalid value \"nohost\" for option 'register'",
		"sip.conf:4: warning: Cannot use 'tls' transport with tlsenable=no.",
		"sip.conf:8: error: invalid value \"abc\" for option 'port'",
		"sip.conf:9: error: invalid value \"maybe\" for option 'qualify'",
		"sip.conf:10: error: invalid value \"sometimes\" for option 'nat'",
		"sip.conf:11: error: invalid value \"morse\" for option 'dtmfmode'",
		"sip.conf:12: warning: Unknown option 'frobnicate' in [p1] of sip.conf, ignored",
		"sip.conf:13: error: invalid value \"notacodec\" for option 'allow'",
		"sip.conf:14: error: invalid value \"10.0.0.0/33\" for option 'permit'",
		"sip.conf:16: error: Unknown type 'router' for 'p2' in sip.conf",
		"sip.conf:17: warning: Section 'p3' lacks type",
	} {
		found := false
		for _, g := range got {
			if strings.HasPrefix(g, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing diagnostic %q in:\n%s", want, strings.Join(got, "\n"))
		}
	}
}

func TestSeedTLSAndSRTP(t *testing.T) {
	sip := `[general]
context=default
bindaddr=0.0.0.0
externip=144.217.14.63
localnet=192.168.0.0/24
localnet=127.0.0.0/255.0.0.0
nat=yes
tlsenable=yes
tlsbindaddr=0.0.0.0:5061
tlscertfile=/ssl/asterisk.pem
tlsprivatekey=/ssl/asterisk.pem
tlscafile=/ssl/asterisk.crt
tlscipher=ALL
tlsclientmethod=tlsv1
transport=udp,tls
srvlookup=yes
[6000]
type=friend
host=dynamic
transport=tls
encryption=yes
avpf=yes
force_avp=yes
icesupport=yes
setvar=FOO=bar
call-limit=2
`
	c, diags := parse(t, sip, "")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	g := c.General
	if !g.TLSEnable || g.TLSBind != netip.MustParseAddrPort("0.0.0.0:5061") || g.Transports != UDP|TLS ||
		g.PrimaryTransport != UDP || g.TLSClientMethod != "tlsv1" || g.ExternAddr != "144.217.14.63" ||
		len(g.Localnet) != 2 || g.Localnet[1] != netip.MustParsePrefix("127.0.0.0/8") ||
		g.NAT != (NAT{ForceRport: true, Comedia: true}) || g.Codecs.String() != "(ulaw|alaw|gsm|h263)" {
		t.Errorf("general = %+v", g)
	}
	p := c.Peer("6000")
	if p.PrimaryTransport != TLS || p.Transports.List() != "TLS" || !p.Encryption || !p.AVPF || !p.ForceAVP ||
		!p.ICESupport || p.CallLimit != 2 || len(p.SetVars) != 1 || p.SetVars[0] != (Var{"FOO", "bar"}) {
		t.Errorf("6000 = %+v", p)
	}
	if !strings.Contains(diagText(diags), "nat=yes is deprecated") {
		t.Errorf("want the nat=yes deprecation warning, got %v", diags)
	}
}

func TestUsersConf(t *testing.T) {
	users := `[general]
hassip=yes
context=users
host=dynamic
[6100]
fullname=Ann Example
secret=s3cret
registersip=no
hasvoicemail=yes
[trunk]
hassip=no
registersip=yes
host=sip.example.net
username=acct
secret=pw
authuser=auth
contact=100
`
	c, diags := parse(t, "[general]\ncontext=public\n", users)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p := c.Peer("6100")
	if p == nil || p.Type != TypeFriend || !p.Dynamic || p.CallerIDName != "Ann Example" || p.Context != "users" ||
		p.Secret != "s3cret" || p.Source != "users.conf" {
		t.Fatalf("6100 = %+v", p)
	}
	if c.Peer("trunk") != nil {
		t.Error("hassip=no must not build a peer")
	}
	if len(c.Registrations) != 1 {
		t.Fatalf("registrations = %+v", c.Registrations)
	}
	r := c.Registrations[0]
	if r.Peer != "trunk" || r.User != "acct" || r.Secret != "pw" || r.AuthUser != "auth" || r.Host != "sip.example.net" ||
		r.Extension != "100" || r.Expiry != 120 {
		t.Errorf("registration = %+v", r)
	}
}

func TestCodecsApply(t *testing.T) {
	tests := []struct {
		start Codecs
		lines []string // "+x" allow, "-x" disallow
		want  string
	}{
		{Codecs{"alaw", "ulaw"}, []string{"+ulaw"}, "(alaw|ulaw)"},
		{DefaultCodecs, []string{"-all", "+alaw", "+ulaw"}, "(alaw|ulaw)"},
		{DefaultCodecs, []string{"-gsm,h263"}, "(ulaw|alaw)"},
		{nil, []string{"+g722:20,ulaw"}, "(g722|ulaw)"},
		{Codecs{"ulaw"}, []string{"-all"}, "(nothing)"},
	}
	for _, tt := range tests {
		c := tt.start
		for _, l := range tt.lines {
			var err error
			c, err = c.Apply(l[1:], l[0] == '+')
			if err != nil {
				t.Fatal(err)
			}
		}
		if c.String() != tt.want {
			t.Errorf("%v %v = %s, want %s", tt.start, tt.lines, c, tt.want)
		}
	}
}

func diagText(ds confparse.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String() + "\n")
	}
	return b.String()
}

// TestUsersConfUnknown: users.conf options neither chan_sip nor Asterisk's
// other modules read are reported once each (a [general] one too, though
// every user gets it), other modules' options are not.
func TestUsersConfUnknown(t *testing.T) {
	users := `[general]
hasvoicemail=yes
frobnicate=1
[6000]
fullname=Alice
hassip=yes
secret=x
vmsecret=1234
dtmfmode=rfc2833
colour=blue
[6001]
hassip=yes
hasiax=yes
`
	_, diags := parse(t, "[general]\n", users)
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	want := []string{
		"users.conf:3: warning: Unknown option 'frobnicate' in users.conf, ignored (neither chan_sip nor another module reads it)",
		"users.conf:10: warning: Unknown option 'colour' in users.conf, ignored (neither chan_sip nor another module reads it)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
