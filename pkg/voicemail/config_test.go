package voicemail

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

func parse(t *testing.T, text string) (*Config, confparse.Diagnostics) {
	t.Helper()
	cfg, diags := confparse.Parse("voicemail.conf", []byte(text), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return Load(cfg)
}

const sampleConf = `[general]
format=wav49|gsm|wav|gsm
serveremail=pbx@example.com
attach=yes
maxmsg=50
maxsecs=180
minsecs=2
maxsilence=10
silencethreshold=200
maxlogins=5
skipms=2000
emailsubject=[PBX]: New message ${VM_MSGNUM} in mailbox ${VM_MAILBOX}
emailbody=Dear ${VM_NAME}:\n\n\tyou have a ${VM_DUR} long message
emaildateformat=%A, %d %B %Y at %H:%M:%S
mailcmd=/usr/bin/true
pollmailboxes=yes
pollfreq=5
vm-password=custom/pass
bogus=1

[zonemessages]
eastern=America/New_York|'vm-received' Q 'digits/at' IMp
european=Europe/Paris|'vm-received' a d b 'digits/at' HM
broken=

[default]
6000 => 1234,Alice Martin,alice@example.com,,tz=european|attach=no|delete=yes
6001 => 4321,Bob,bob@example.com,bob@pager.example.com,saycid=yes|frobnicate=1

[other]
100 => 0000,Carol
`

func TestLoad(t *testing.T) {
	c, diags := parse(t, sampleConf)
	g := c.General
	if got, want := strings.Join(g.Formats, "|"), "wav49|gsm|wav"; got != want {
		t.Errorf("formats %q, want %q", got, want)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"serveremail", g.Defaults.ServerEmail, "pbx@example.com"},
		{"maxmsg", g.Defaults.MaxMsg, 50},
		{"maxsecs", g.Defaults.MaxSecs, 180},
		{"minsecs", g.Defaults.MinSecs, 2},
		{"maxsilence", g.MaxSilence, 10 * time.Second},
		{"silencethreshold", g.SilenceThreshold, 200},
		{"maxlogins", g.MaxLogins, 5},
		{"skipms", g.SkipMS, 2000},
		{"emailbody", g.Defaults.EmailBody, "Dear ${VM_NAME}:\n\n\tyou have a ${VM_DUR} long message"},
		{"mailcmd", g.MailCmd, "/usr/bin/true"},
		{"poll", g.PollMailboxes, true},
		{"pollfreq", g.PollFreq, 5 * time.Second},
		{"prompt", g.Prompts["vm-password"], "custom/pass"},
		{"charset default", g.Charset, DefaultCharset},
		{"users", len(c.Users), 3},
		{"zones", len(c.Zones), 2},
	}
	for _, k := range checks {
		if k.got != k.want {
			t.Errorf("%s = %v, want %v", k.name, k.got, k.want)
		}
	}
	a := c.Lookup("", "6000")
	if a == nil || a.FullName != "Alice Martin" || a.Email != "alice@example.com" || a.Attach || !a.Delete || a.Zone != "european" || a.MaxMsg != 50 {
		t.Errorf("6000 = %+v", a)
	}
	if b := c.LookupID("6001@default"); b == nil || b.Pager != "bob@pager.example.com" || !b.SayCID || !b.Attach {
		t.Errorf("6001 = %+v", b)
	}
	if c.Lookup("", "100") != nil || c.Lookup("other", "100") == nil {
		t.Error("100 must be found in [other] only")
	}
	if loc := c.Location(a); loc.String() != "Europe/Paris" {
		t.Errorf("location %v", loc)
	}
	want := []string{
		"voicemail.conf:19: Unknown option 'bogus' in [general] section of voicemail.conf",
		"voicemail.conf:24: Invalid timezone definition at line 24",
		"voicemail.conf:28: Unknown option 'frobnicate' for mailbox 6001@default in voicemail.conf",
	}
	var got []string
	for _, d := range diags {
		got = append(got, d.File+":"+itoa(d.Line)+": "+d.Message)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadMissingAndDefaults(t *testing.T) {
	c, diags := Load(nil)
	if !c.Missing || len(diags) != 0 || len(c.Users) != 0 {
		t.Fatalf("missing file: %+v %v", c, diags)
	}
	c, _ = parse(t, "[default]\n1 => 1\n")
	u := c.Lookup("default", "1")
	if u.MaxMsg != DefaultMaxMsg || !u.Attach || !u.Envelope || c.General.MailCmd != DefaultMailCmd || c.General.Formats[0] != "wav" {
		t.Errorf("defaults: %+v %+v", u, c.General)
	}
}

func TestUsersConfMailboxes(t *testing.T) {
	c, _ := parse(t, "[general]\n[default]\n6000 => 1234,From VM Conf\n")
	users, _ := confparse.Parse("users.conf", []byte("[general]\nhasvoicemail=yes\n\n[6000]\nfullname=Alice\nsecret=99\nemail=a@example.com\n\n"+
		"[6001]\nfullname=Bob\nsecret=test\nvmsecret=4321\nhost=dynamic\n\n[6002]\nhasvoicemail=no\nfullname=Carol\n"), confparse.Options{})
	if diags := c.AddUsersConf(users); len(diags) != 0 {
		t.Errorf("diagnostics %v", diags)
	}
	a, b := c.Lookup("", "6000"), c.Lookup("", "6001")
	if a == nil || a.FullName != "Alice" || a.Password != "1234" || a.Email != "a@example.com" || a.FromUsersConf {
		t.Errorf("6000 (voicemail.conf completed by users.conf) = %+v", a)
	}
	if b == nil || b.FullName != "Bob" || b.Password != "4321" || !b.FromUsersConf {
		t.Errorf("6001 = %+v", b)
	}
	if c.Lookup("", "6002") != nil {
		t.Error("6002 has hasvoicemail=no")
	}
}

func TestAliases(t *testing.T) {
	c, diags := parse(t, `[general]
aliasescontext=myaliases
imapserver=imap.example.com
odbcstorage=asterisk

[default]
6000 => 1234,Alice

[devices]
7000 => 1,Dev
7002 => 1,Imap,,,imapserver=imap.example.com|imapuser=bob

[myaliases]
6999@devices => 6000@default
6998 => 6000
7001 => 7000@devices
broken =>
`)
	tests := []struct {
		ctx, box, want string
	}{
		{"devices", "6999", "6000@default"},
		{"", "6998", "6000@default"},
		{"default", "6998", ""},
		{"", "7001", "7000@devices"},
		{"devices", "6998", ""},
		{"", "6999", ""},
		{"devices", "7000", "7000@devices"},
	}
	for _, tt := range tests {
		got := ""
		if u := c.Lookup(tt.ctx, tt.box); u != nil {
			got = u.ID()
		}
		if got != tt.want {
			t.Errorf("Lookup(%q, %q) = %q, want %q", tt.ctx, tt.box, got, tt.want)
		}
	}
	if u := c.Lookup("myaliases", "6998"); u != nil {
		t.Errorf("the aliases context holds mailboxes: %s", u.ID())
	}
	if got, want := strings.Join(c.AliasesOf(c.Lookup("default", "6000")), ","), "6999@devices,6998@default"; got != want {
		t.Errorf("AliasesOf = %q, want %q", got, want)
	}
	wantCLI := "Aliases context: myaliases\n" +
		"Alias                            Mailbox                         \n" +
		"6999@devices                     6000@default                    \n" +
		"6998                             6000                            \n" +
		"7001                             7000@devices                    \n"
	if got := ShowAliases(c); got != wantCLI {
		t.Errorf("voicemail show aliases:\n%q\nwant\n%q", got, wantCLI)
	}
	var lines []string
	for _, d := range diags {
		lines = append(lines, d.String())
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"voicemail.conf:3: warning: imapserver= asks for IMAP storage, which gostrisk does not support",
		"voicemail.conf:4: warning: odbcstorage= asks for ODBC storage, which gostrisk does not support",
		"voicemail.conf:17: warning: Invalid alias mapping",
		"voicemail.conf:11: warning: imapserver= asks for IMAP storage",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, text)
		}
	}
}

func TestAliasMailboxCounts(t *testing.T) {
	c, _ := parse(t, "[general]\naliasescontext=a\n[default]\n6000 => 1\n[a]\n6998 => 6000\n6999@devices => 6000@default\n")
	m := New(Options{Log: nopLog{}, SpoolDir: t.TempDir()}, c)
	for _, id := range []string{"6998", "6998@default", "6999@devices", "6000"} {
		if _, ok := m.MailboxCounts(id); !ok {
			t.Errorf("MailboxCounts(%q) unknown", id)
		}
	}
	if _, ok := m.MailboxCounts("6999"); ok {
		t.Errorf("MailboxCounts(6999) known without its context")
	}
}
