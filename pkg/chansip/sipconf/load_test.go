package sipconf

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

const referenceDir = "../../../tests/testdata/reference-conf"

func loadDir(t *testing.T, dir string) (*Config, confparse.Diagnostics) {
	t.Helper()
	sip, d := confparse.Load("sip.conf", confparse.Options{Dir: dir})
	if d.HasErrors() {
		t.Fatalf("sip.conf: %v", d)
	}
	users, d := confparse.Load("users.conf", confparse.Options{Dir: dir})
	if d.HasErrors() {
		t.Fatalf("users.conf: %v", d)
	}
	return Load(sip, users)
}

func parse(t *testing.T, sip, users string) (*Config, confparse.Diagnostics) {
	t.Helper()
	s, d := confparse.Parse("sip.conf", []byte(sip), confparse.Options{})
	if d.HasErrors() {
		t.Fatalf("sip.conf: %v", d)
	}
	var u *confparse.Config
	if users != "" {
		u, d = confparse.Parse("users.conf", []byte(users), confparse.Options{})
		if d.HasErrors() {
			t.Fatalf("users.conf: %v", d)
		}
	}
	return Load(s, u)
}

func TestLoadReference(t *testing.T) {
	c, diags := loadDir(t, referenceDir)
	if diags.HasErrors() {
		t.Fatalf("errors: %v", diags)
	}
	g := c.General
	if g.Context != "default" || g.UDPBind != netip.MustParseAddrPort("127.0.0.1:5060") ||
		g.DefaultExpiry != 1800 || g.AllowGuest || !g.AlwaysAuthReject || g.Codecs.String() != "(alaw|ulaw)" ||
		g.NAT.ForceRportString() != "Auto (No)" || g.NAT.ComediaString() != "No" {
		t.Errorf("general = %+v", g)
	}
	if len(c.Peers) != 3 {
		t.Fatalf("got %d peers, want 3", len(c.Peers))
	}
	p := c.Peer("6000")
	if p == nil || p.Type != TypeFriend || !p.Dynamic || p.Codecs.String() != "(alaw|ulaw)" ||
		p.DefaultUser != "asadek" || p.CallerIDName != "Sadek Adel" || p.Secret != "test" || p.Context != "work" ||
		p.File != "sip.conf" || p.Line != 27 {
		t.Errorf("6000 = %+v", p)
	}
	tr := c.Peer("trunk-ovh")
	if tr == nil || tr.Type != TypePeer || tr.Dynamic || tr.Addr != netip.MustParseAddrPort("127.0.0.1:5070") ||
		tr.Insecure != (Insecure{Port: true, Invite: true}) || tr.Insecure.String() != "port,invite" ||
		tr.NAT != (NAT{ForceRport: true, Comedia: true}) || tr.Qualify != 2000 || tr.FromDomain != "sip-domain.io" ||
		tr.FromDomainPort != 5060 || tr.AuthUser != "0033972124831" || tr.Context != "ovh-sip" {
		t.Errorf("trunk-ovh = %+v", tr)
	}
	if c.Peer("TRUNK-OVH") != tr {
		t.Error("peer lookup must be case-insensitive, as chan_sip's")
	}
	if len(c.Registrations) != 1 {
		t.Fatalf("registrations = %d", len(c.Registrations))
	}
	r := c.Registrations[0]
	if r.User != "0033972124831" || r.Secret != "secretpw" || r.HostPort() != "127.0.0.1:5070" ||
		r.Extension != "0033972124831" || r.Expiry != 1800 || r.File != "sip.conf" || r.Line != 11 {
		t.Errorf("registration = %+v", r)
	}
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	want := []string{
		"sip.conf:18: warning: The 'username' field for sip peers has been deprecated in favor of the term 'defaultuser'",
		"sip.conf:25: warning: !!! PLEASE NOTE: Setting 'nat' for a peer/user that differs from the  global setting can make",
		"sip.conf:25: warning: !!! the name of that peer/user discoverable by an attacker. Replies for non-existent peers/users",
		"sip.conf:25: warning: !!! will be sent to a different port than replies for an existing peer/user. If at all possible,",
		"sip.conf:25: warning: !!! use the global 'nat' setting and do not set 'nat' per peer/user.",
		"sip.conf:25: warning: !!! (config category='trunk-ovh' global force_rport='No' peer/user force_rport='Yes')",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var order []string
	for _, p := range c.HashOrder() {
		order = append(order, p.Name)
	}
	if strings.Join(order, ",") != "6001,6000,trunk-ovh" {
		t.Errorf("hash order = %v", order)
	}
}
