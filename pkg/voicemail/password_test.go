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
