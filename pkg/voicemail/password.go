package voicemail

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"

	"github.com/gostrisk/gostrisk/pkg/realtime"
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
		// vm_change_password falls through to users.conf when
		// voicemail.conf does not hold the box: vmsecret is updated
		// in the user's section, or added at its end.
		if err := rewriteUsersSecret(m.etcPath(u.File), u.Line, u.Mailbox, password); err != nil {
			return err
		}
	} else if m.Config().General.PasswordLocation == "spooldir" {
		dir := m.spool.BoxDir(u.Context, u.Mailbox)
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return fmt.Errorf("voicemail: %w", err)
		}
		if err := writeFileAtomic(filepath.Join(dir, "secret.conf"), []byte("[general]\npassword="+password+"\n")); err != nil {
			return err
		}
	} else if u.File != "" {
		if err := rewritePassword(m.etcPath(u.File), u.Line, u.Mailbox, password); err != nil {
			return err
		}
	}
	m.pwMu.Lock()
	m.passwords[u.ID()] = password
	m.pwMu.Unlock()
	return nil
}

// etcPath is a configuration file name relative to astetcdir.
func (m *Module) etcPath(file string) string {
	if file == "" || filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(m.Config().EtcDir, file)
}

// ChangePassword stores a password its owner chose, as pwdchange says:
// SetPassword unless externpass= takes the change alone, then the
// externpass/externpassnotify command with context, mailbox and the new
// password (vm_change_password_shell); its success sets the password in
// memory too.
func (m *Module) ChangePassword(u *User, password string) error {
	internal, cmd := m.Config().General.PasswordChange()
	if internal {
		if err := m.SetPassword(u, password); err != nil {
			return err
		}
	}
	if cmd == "" {
		return nil
	}
	line := strings.Join([]string{cmd, u.Context, u.Mailbox, password}, " ")
	if err := runShell(context.Background(), line); err != nil {
		return fmt.Errorf("voicemail: external password command: %w", err)
	}
	m.pwMu.Lock()
	m.passwords[u.ID()] = password
	m.pwMu.Unlock()
	return nil
}

// CheckPassword is check_password: at least minpassword characters, not
// starting with '*', and, with externpasscheck=, the command's verdict
// (it gets mailbox, context, old and new password and answers VALID,
// FAILURE — the check itself failed, so the password passes — or
// anything else for a refusal).
func (m *Module) CheckPassword(u *User, password string) bool {
	g := &m.Config().General
	if len(password) < g.MinPassword || strings.HasPrefix(password, "*") {
		return false
	}
	if g.ExternPassCheck == "" {
		return true
	}
	line := strings.Join([]string{g.ExternPassCheck, u.Mailbox, u.Context, m.password(u), password}, " ")
	ctx, cancel := context.WithTimeout(context.Background(), mailTimeout)
	defer cancel()
	out, err := realtime.Output(exec.CommandContext(ctx, "/bin/sh", "-c", line))
	if err != nil && len(out) == 0 {
		// Asterisk passes the password when the script cannot be run.
		m.log.Warning("Unable to run externpasscheck '%s': %v\n", g.ExternPassCheck, err)
		return true
	}
	verdict := strings.ToUpper(strings.TrimSpace(string(out)))
	switch {
	case strings.HasPrefix(verdict, "VALID"):
		return true
	case strings.HasPrefix(verdict, "FAILURE"):
		m.log.Warning("Unable to execute password validation script: '%s'.\n", strings.TrimSpace(string(out)))
		return true
	}
	m.log.Notice("Password doesn't match policies for user %s %s\n", u.Mailbox, password)
	return false
}

// rewriteUsersSecret sets vmsecret in the users.conf section [box] that
// starts at file:line: the existing vmsecret line gets the new value, or
// "vmsecret = password" is added after the section's last setting. The
// rest of the file (comments, order) is kept.
func rewriteUsersSecret(file string, line int, box, password string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("voicemail: %w", err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if line < 1 || line > len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[line-1]), "["+box+"]") {
		return fmt.Errorf("voicemail: %s:%d: section [%s] is no longer there", file, line, box)
	}
	last := line - 1 // the last line holding a setting of the section
	for i := line; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "[") {
			break
		}
		if t == "" || strings.HasPrefix(t, ";") {
			continue
		}
		last = i
		name, _, ok := strings.Cut(t, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "vmsecret") {
			continue
		}
		l := lines[i]
		eq := strings.Index(l, "=") + 1
		if eq < len(l) && l[eq] == '>' {
			eq++
		}
		for eq < len(l) && (l[eq] == ' ' || l[eq] == '\t') {
			eq++
		}
		end := eq
		for end < len(l) && l[end] != '\n' && l[end] != '\r' && l[end] != ';' {
			end++
		}
		// Keep the spacing before a trailing comment.
		val := l[eq:end]
		trail := val[len(strings.TrimRight(val, " \t")):]
		lines[i] = l[:eq] + password + trail + l[end:]
		return writeFileAtomic(file, []byte(strings.Join(lines, "")))
	}
	add := "vmsecret = " + password + "\n"
	if !strings.HasSuffix(lines[last], "\n") {
		add = "\n" + add
	}
	lines = append(lines[:last+1], append([]string{add}, lines[last+1:]...)...)
	return writeFileAtomic(file, []byte(strings.Join(lines, "")))
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
