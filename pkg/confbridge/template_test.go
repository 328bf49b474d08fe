package confbridge

import (
	"strings"
	"testing"
)

// TestTemplates: template= starts a bridge or user profile from another
// one (its own options then apply on top); a missing template is a
// warning at its line and the profile starts from the defaults.
func TestTemplates(t *testing.T) {
	cfg, diags := Load(parse(t, `[b1]
type=bridge
max_members=5
sound_join=hello
[b2]
type=bridge
template=b1
sound_leave=bye
[u1]
type=user
admin=yes
[u2]
type=user
template=u1
[u3]
type=user
template=nosuch
`))
	b2 := cfg.Bridges["b2"]
	if b2.Name != "b2" || b2.MaxMembers != 5 || b2.Sounds["sound_join"] != "hello" || b2.Sounds["sound_leave"] != "bye" {
		t.Errorf("b2 = %+v", b2)
	}
	if _, leaked := cfg.Bridges["b1"].Sounds["sound_leave"]; leaked {
		t.Error("b2's sound_leave changed its template b1")
	}
	if u2 := cfg.Users["u2"]; u2.Name != "u2" || !u2.Admin {
		t.Errorf("u2 = %+v", u2)
	}
	if cfg.Users["u3"].Admin {
		t.Error("u3 took options from a template that does not exist")
	}
	if len(diags) != 1 || diags[0].Line != 17 || !strings.Contains(diags[0].Message, "user profile template 'nosuch' does not exist") {
		t.Errorf("diagnostics %v", diags)
	}
}
