package confbridge

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// TestSectionCommands: the list and show commands of bridge profiles,
// user profiles and menus, their misses and their completion.
func TestSectionCommands(t *testing.T) {
	l := newLab(t, "[u2]\ntype=user\n[u1]\ntype=user\nadmin=yes\n[b]\ntype=bridge\nmax_members=5\n[m]\ntype=menu\n1=toggle_mute\n")
	reg := cli.NewRegistry()
	if err := l.m.RegisterCLI(reg); err != nil {
		t.Fatal(err)
	}
	cfg := l.m.Config()
	for _, tc := range []struct {
		line, want string
	}{
		{"confbridge show profile users", "--------- User Profiles -----------\ndefault_user\nu1\nu2\n"},
		{"confbridge show profile bridges", "--------- Bridge Profiles -----------\nb\ndefault_bridge\n"},
		{"confbridge show menus", "--------- Menus -----------\ndefault_menu\nm\n"},
		{"confbridge show profile user U1", ShowUserProfile(cfg.Users["u1"])},
		{"confbridge show profile bridge b", ShowBridgeProfile(cfg.Bridges["b"])},
		{"confbridge show menu m", ShowMenu(cfg.Menus["m"])},
		{"confbridge show profile user nope", "No conference user profile named 'nope' found!\n"},
		{"confbridge show profile bridge nope", "No conference bridge profile named 'nope' found!\n"},
		{"confbridge show menu nope", "No conference menu named 'nope' found!\n"},
	} {
		var b bytes.Buffer
		if err := reg.Execute(nil, tc.line, &b); err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		if b.String() != tc.want {
			t.Errorf("%s:\n%q\nwant\n%q", tc.line, b.String(), tc.want)
		}
	}
	var b bytes.Buffer
	_ = reg.Execute(nil, "confbridge show menu m extra", &b)
	if !strings.Contains(b.String(), "Usage: confbridge show menu") {
		t.Errorf("extra word: %q, want the usage", b.String())
	}
	if got := reg.Complete("confbridge show profile user u"); strings.Join(got, " ") != "u1 u2" {
		t.Errorf("completion: %v", got)
	}
}
