package sipshow

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// The reference setup (testdata/conf is a copy of the reference conf/),
// and the runtime states of the reference transcripts.
func referenceConfig(t *testing.T) *sipconf.Config {
	t.Helper()
	sip, d := confparse.Load("sip.conf", confparse.Options{Dir: "testdata/conf"})
	if d.HasErrors() {
		t.Fatal(d)
	}
	users, d := confparse.Load("users.conf", confparse.Options{Dir: "testdata/conf"})
	if d.HasErrors() {
		t.Fatal(d)
	}
	c, d := sipconf.Load(sip, users)
	if d.HasErrors() {
		t.Fatal(d)
	}
	return c
}

var now = time.Date(2026, 11, 22, 11, 50, 0, 0, time.UTC)

func registered6000(expireIn int) PeerState {
	return PeerState{
		Addr:        netip.MustParseAddrPort("127.0.0.1:5061"),
		Expires:     now.Add(time.Duration(expireIn)*time.Second + 500*time.Millisecond),
		UserAgent:   "SIPp-reg-6000",
		FullContact: "sip:6000@127.0.0.1:5061;transport=UDP",
	}
}

var (
	trunkDown = PeerState{LastMs: -1}
	trunkUp   = PeerState{LastMs: 1}
)

func TestGolden(t *testing.T) {
	cfg := referenceConfig(t)
	requestSent := []RegistryState{{State: RegRequestSent}}
	registeredAt := func(hms string) []RegistryState {
		rt, err := time.Parse("2006-01-02 15:04:05", "2026-11-22 "+hms)
		if err != nil {
			t.Fatal(err)
		}
		return []RegistryState{{State: RegRegistered, Refresh: 1785, RegTime: rt}}
	}
	tests := []struct {
		golden   string
		cmd      string
		peers    map[string]PeerState
		registry []RegistryState
	}{
		{"sip-show-peers.txt", "peers", map[string]PeerState{"trunk-ovh": trunkDown}, nil},
		{"sip-show-peers.after-register-6000.txt", "peers", map[string]PeerState{"6000": registered6000(3600), "trunk-ovh": trunkDown}, nil},
		{"sip-show-peers.with-trunk-uas.txt", "peers", map[string]PeerState{"6000": registered6000(3600), "trunk-ovh": trunkUp}, nil},
		{"sip-show-peers.after-sip-reload.txt", "peers", map[string]PeerState{"6000": registered6000(3600), "trunk-ovh": trunkUp}, nil},
		{"sip-show-peers.during-call-6001-to-6000.txt", "peers", map[string]PeerState{"6000": registered6000(3600), "trunk-ovh": trunkUp}, nil},
		{"sip-show-peer-6000.txt", "peer 6000", nil, nil},
		{"sip-show-peer-6001.txt", "peer 6001", nil, nil},
		{"sip-show-peer-6000.after-register-6000.txt", "peer 6000", map[string]PeerState{"6000": registered6000(3609)}, nil},
		{"sip-show-peer-6000-load.txt", "peer 6000 load", map[string]PeerState{"6000": registered6000(3439)}, nil},
		{"sip-show-peer-trunk-ovh.txt", "peer trunk-ovh", map[string]PeerState{"trunk-ovh": trunkDown}, nil},
		{"sip-show-peer-trunk-ovh.with-trunk-uas.txt", "peer trunk-ovh", map[string]PeerState{"trunk-ovh": trunkUp}, nil},
		{"sip-show-users.txt", "users", nil, nil},
		{"sip-show-users.after-register-6000.txt", "users", map[string]PeerState{"6000": registered6000(3600)}, nil},
		{"sip-show-user-6000.txt", "user 6000", nil, nil},
		{"sip-show-registry.txt", "registry", nil, requestSent},
		{"sip-show-registry.after-register-6000.txt", "registry", nil, requestSent},
		{"sip-show-registry.with-trunk-uas.txt", "registry", nil, registeredAt("11:49:36")},
		{"sip-show-registry.after-sip-reload.txt", "registry", nil, registeredAt("11:49:49")},
		{"sip-show-inuse.txt", "inuse", nil, nil},
		{"sip-show-inuse.during-call-6001-to-6000.txt", "inuse", map[string]PeerState{"6000": {InUse: 1}, "6001": {InUse: 1}}, nil},
		{"sip-show-settings.txt", "settings", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", tt.golden))
			if err != nil {
				t.Fatal(err)
			}
			v := &View{Config: cfg, Peers: tt.peers, Registry: tt.registry, Now: now, Location: time.UTC, Version: "18.26.4"}
			var buf bytes.Buffer
			if err := v.Run(&buf, strings.Fields(tt.cmd)); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("sip show %s differs from %s:\n%s", tt.cmd, tt.golden, diff(got, string(want)))
			}
		})
	}
}

// diff reports the first differing line, with visible line ends.
func diff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n got  " + gl + "$\n want " + wl + "$"
		}
	}
	return "(same lines, different length)"
}

func TestNotFoundAndUsage(t *testing.T) {
	v := &View{Config: referenceConfig(t), Now: now}
	tests := []struct {
		cmd  string
		want string
		err  error
	}{
		{"peer nosuch", "Peer nosuch not found.\n", nil},
		{"user trunk-ovh", "User trunk-ovh not found.\n\n", nil},
		{"peer", "", ErrUsage},
		{"peers like", "", ErrUsage},
		{"peers unlike x", "", ErrUsage},
		{"peers like (", "", ErrUsage},
		{"registry extra", "", ErrUsage},
		{"settings x", "", ErrUsage},
		{"nosuch", "", ErrUsage},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		err := v.Run(&buf, strings.Fields(tt.cmd))
		if !errors.Is(err, tt.err) || buf.String() != tt.want {
			t.Errorf("sip show %s = %q, %v; want %q, %v", tt.cmd, buf.String(), err, tt.want, tt.err)
		}
	}
}

func TestLikeAndInuseAll(t *testing.T) {
	v := &View{Config: referenceConfig(t), Now: now, Peers: map[string]PeerState{"trunk-ovh": trunkDown}}
	var buf bytes.Buffer
	if err := v.Run(&buf, []string{"peers", "like", "^60"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "trunk-ovh") || !strings.Contains(out, "6000/asadek") ||
		!strings.HasSuffix(out, "2 sip peers [Monitored: 0 online, 0 offline Unmonitored: 0 online, 2 offline]\n") {
		t.Errorf("peers like ^60:\n%s", out)
	}
	buf.Reset()
	if err := v.Run(&buf, []string{"users", "like", "1$"}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 2 || !strings.Contains(buf.String(), "6001 ") {
		t.Errorf("users like 1$:\n%s", buf.String())
	}
	buf.Reset()
	if err := v.Run(&buf, []string{"inuse", "all"}); err != nil {
		t.Fatal(err)
	}
	want := "* Peer name               In use          Limit           \n" +
		"6001                      0/0/0           N/A             \n" +
		"6000                      0/0/0           N/A             \n" +
		"trunk-ovh                 0/0/0           N/A             \n"
	if buf.String() != want {
		t.Errorf("inuse all:\n%q\nwant\n%q", buf.String(), want)
	}
}
