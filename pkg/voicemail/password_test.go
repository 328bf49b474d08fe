package voicemail

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

func TestSetPassword(t *testing.T) {
	dir := t.TempDir()
	const conf = "[general]\n\n[default]\n6000 => 1234,Alice,alice@example.com ; her box\n6001=>-99,Locked\n"
	path := filepath.Join(dir, "voicemail.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	pc, _ := confparse.Load(path, confparse.Options{})
	cfg, _ := Load(pc)
	cfg.EtcDir = dir
	m := New(Options{Log: nopLog{}, SpoolDir: dir}, cfg)
	defer m.Close()
	if err := m.SetPassword(cfg.Lookup("", "6000"), "5678"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "[general]\n\n[default]\n6000 => 5678,Alice,alice@example.com ; her box\n6001=>-99,Locked\n"
	if string(got) != want {
		t.Errorf("voicemail.conf:\n%s\nwant:\n%s", got, want)
	}
	if p := m.password(cfg.Lookup("", "6000")); p != "5678" {
		t.Errorf("password in use %q", p)
	}
	if err := m.SetPassword(cfg.Lookup("", "6001"), "1"); err == nil {
		t.Error("a '-' password must not change")
	}
	// passwordlocation=spooldir: secret.conf in the mailbox directory.
	pc2, _ := confparse.Parse("voicemail.conf", []byte("[general]\npasswordlocation=spooldir\n[default]\n7000 => 1\n"), confparse.Options{})
	cfg2, _ := Load(pc2)
	m.SetConfig(cfg2)
	u := cfg2.Lookup("", "7000")
	if err := m.SetPassword(u, "4321"); err != nil {
		t.Fatal(err)
	}
	secret, _ := os.ReadFile(filepath.Join(dir, "voicemail", "default", "7000", "secret.conf"))
	if string(secret) != "[general]\npassword=4321\n" {
		t.Errorf("secret.conf %q", secret)
	}
	if p := m.password(u); p != "4321" {
		t.Errorf("password %q", p)
	}
}

// TestUsersConfPassword: a mailbox users.conf makes gets its new password
// in users.conf, as vm_change_password's fall-through does: the vmsecret
// line updated, or added at the end of the user's section; nothing else
// in the file changes.
func TestUsersConfPassword(t *testing.T) {
	tests := []struct {
		name, users, want string
	}{
		{"update", "[general]\nhasvoicemail=yes\n\n[6100] ; Alice\nsecret=s1\nvmsecret = 1111 ; hers\nfullname=Alice\n\n[6101]\nsecret=x\n",
			"[general]\nhasvoicemail=yes\n\n[6100] ; Alice\nsecret=s1\nvmsecret = 9876 ; hers\nfullname=Alice\n\n[6101]\nsecret=x\n"},
		{"append", "[general]\nhasvoicemail=yes\n\n[6100]\nsecret=1111\nfullname=Alice\n; a comment\n\n[6101]\nsecret=x\n",
			"[general]\nhasvoicemail=yes\n\n[6100]\nsecret=1111\nfullname=Alice\nvmsecret = 9876\n; a comment\n\n[6101]\nsecret=x\n"},
		{"append at end of file", "[6100]\nhasvoicemail=yes\nsecret=1111",
			"[6100]\nhasvoicemail=yes\nsecret=1111\nvmsecret = 9876\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "users.conf")
			if err := os.WriteFile(path, []byte(tt.users), 0o644); err != nil {
				t.Fatal(err)
			}
			uc, diags := confparse.Load(path, confparse.Options{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			cfg, _ := Load(nil)
			cfg.Missing = false
			cfg.AddUsersConf(uc)
			cfg.EtcDir = dir
			m := New(Options{Log: nopLog{}, SpoolDir: dir}, cfg)
			defer m.Close()
			u := cfg.Lookup("", "6100")
			if u == nil {
				t.Fatal("no mailbox 6100")
			}
			if err := m.ChangePassword(u, "9876"); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.want {
				t.Errorf("users.conf:\n%s\nwant:\n%s", got, tt.want)
			}
			if p := m.password(u); p != "9876" {
				t.Errorf("password in use %q", p)
			}
		})
	}
}

// TestExternPass: externpass= hands the change to the command alone
// (voicemail.conf is left as it is); externpasscheck's verdicts.
func TestExternPass(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	path := filepath.Join(dir, "voicemail.conf")
	conf := "[general]\nminpassword=3\nexternpass=echo >" + out + "\nexternpasscheck=" + filepath.Join(dir, "check") + "\n[default]\n6000 => 1234\n"
	os.WriteFile(path, []byte(conf), 0o644)
	os.WriteFile(filepath.Join(dir, "check"), []byte("#!/bin/sh\ncase \"$4\" in 555) echo FAILURE oops;; 666) echo NO;; *) echo VALID $1 $2 $3;; esac\n"), 0o755)
	pc, _ := confparse.Load(path, confparse.Options{})
	cfg, _ := Load(pc)
	cfg.EtcDir = dir
	m := New(Options{Log: nopLog{}, SpoolDir: dir}, cfg)
	defer m.Close()
	u := cfg.Lookup("", "6000")
	for pw, want := range map[string]bool{"12": false, "*123": false, "555": true, "666": false, "777": true} {
		if got := m.CheckPassword(u, pw); got != want {
			t.Errorf("CheckPassword(%q) = %v, want %v", pw, got, want)
		}
	}
	if err := m.ChangePassword(u, "777"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != conf {
		t.Errorf("externpass must leave voicemail.conf alone:\n%s", got)
	}
	if got, _ := os.ReadFile(out); string(got) != "default 6000 777\n" {
		t.Errorf("externpass got %q", got)
	}
	if p := m.password(u); p != "777" {
		t.Errorf("password in use %q", p)
	}
}
