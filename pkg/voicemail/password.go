package voicemail

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// ReadSecret reads the password of a secret.conf ([general]
// password=...), the file passwordlocation=spooldir keeps in the mailbox
// directory.
func ReadSecret(data []byte) (string, error) {
	cfg, diags := confparse.Parse("secret.conf", data, confparse.Options{})
	if diags.HasErrors() {
		return "", diags.Err()
	}
	cat := cfg.Category("general")
	if cat == nil {
		return "", nil
	}
	p, _ := cat.Get("password")
	return p, nil
}

// SetPassword changes a mailbox's password where passwordlocation says:
// the mailbox's line of voicemail.conf (its first field replaced, the
// rest of the file untouched) or secret.conf in the mailbox directory.
// Files are written to a temporary name and renamed.
func (m *Module) SetPassword(u *User, password string) error {
	if strings.HasPrefix(m.password(u), "-") {
		return fmt.Errorf("mailbox %s does not allow password changes", u.ID())
	}
	if u.FromUsersConf && m.Config().General.PasswordLocation != "spooldir" {
		// users.conf is the SIP and dialplan file too: gostrisk does not
		// rewrite it; the new password holds until the next reload.
		m.log.Warning("Mailbox %s comes from users.conf: its new password is not saved (set vmsecret there)\n", u.ID())
	} else if m.Config().General.PasswordLocation == "spooldir" {
		dir := m.spool.BoxDir(u.Context, u.Mailbox)
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return fmt.Errorf("voicemail: %w", err)
		}
		if err := writeFileAtomic(filepath.Join(dir, "secret.conf"), []byte("[general]\npassword="+password+"\n")); err != nil {
			return err
		}
	} else if u.File != "" {
		file := u.File
		if !filepath.IsAbs(file) {
			file = filepath.Join(m.Config().EtcDir, file)
		}
		if err := rewritePassword(file, u.Line, u.Mailbox, password); err != nil {
			return err
		}
	}
	m.pwMu.Lock()
	m.passwords[u.ID()] = password
	m.pwMu.Unlock()
	return nil
}

// rewritePassword replaces the password field of the mailbox line at
// file:line ("box => pass,..." or "box = pass,...").
func rewritePassword(file string, line int, box, password string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("voicemail: %w", err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if line < 1 || line > len(lines) {
		return fmt.Errorf("voicemail: %s:%d: no such line", file, line)
	}
	l := lines[line-1]
	eq := strings.Index(l, "=")
	if eq < 0 || strings.TrimSpace(l[:eq]) != box {
		return fmt.Errorf("voicemail: %s:%d: mailbox %s is no longer there", file, line, box)
	}
	start := eq + 1
	if start < len(l) && l[start] == '>' {
		start++
	}
	for start < len(l) && (l[start] == ' ' || l[start] == '\t') {
		start++
	}
	end := start
	for end < len(l) && l[end] != ',' && l[end] != '\n' && l[end] != '\r' && l[end] != ';' {
		end++
	}
	lines[line-1] = l[:start] + password + l[end:]
	return writeFileAtomic(file, []byte(strings.Join(lines, "")))
}
