package manager

import (
	"testing"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// TestConfigAndCLI loads a manager.conf with good and bad lines and
// checks the diagnostics and the "manager show" outputs against golden
// files.
func TestConfigAndCLI(t *testing.T) {
	const conf = `[general]
enabled = yes
port = 5039
bindaddr = 127.0.0.1
webenabled = yes
timestampevents = yes
channelvars = CRM_ID,ACCOUNT
authtimeout = zero
frobnicate = 1

[admin]
secret = x
read = system,call,bogus
write = all
permit = 10.0.0.0/8
deny = nonsense
eventfilter = !Event: Newexten
eventfilter = (
setvar = A=1
writetimeout = 50
acl = office

[panel]
secret = y
read = call
write = none
displayconnects = no
`
	pc, d := confparse.Parse("manager.conf", []byte(conf), confparse.Options{})
	if d.HasErrors() {
		t.Fatal(d)
	}
	cfg, diags := Load(pc)
	var out string
	for _, dg := range diags {
		out += dg.String() + "\n"
	}
	goldenfile.Check(t, "testdata/config-diags.txt", out)
	goldenfile.Check(t, "testdata/show-settings.txt", ShowSettings(cfg))
	goldenfile.Check(t, "testdata/show-users.txt", ShowUsers(cfg))
	goldenfile.Check(t, "testdata/show-user-admin.txt", ShowUser(cfg, "admin")+ShowUser(cfg, "nobody"))
	m := New(Options{Log: &logLines{}}, cfg)
	goldenfile.Check(t, "testdata/show-commands.txt", m.ShowCommands())
}

func TestParsePerm(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Perm
		str     string
		unknown int
	}{
		{"system,call", PermSystem | PermCall, "system,call,all", 0},
		{"all", PermAll, "system,call,log,verbose,command,agent,user,config,dtmf,reporting,cdr,dialplan,originate,agi,cc,aoc,test,security,message,all", 0},
		{"none", 0, "<none>", 0},
		{" Call , X ", PermCall, "call,all", 1},
		{"", 0, "<none>", 0},
	} {
		got, unk := ParsePerm(tc.in)
		if got != tc.want || got.String() != tc.str || len(unk) != tc.unknown {
			t.Errorf("ParsePerm(%q) = %v %q %v", tc.in, got, got.String(), unk)
		}
	}
}
