package core

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// certExpiryWarning is how early "gostrisk check" warns about a
// certificate that is about to expire: enough for a renewal by hand.
const certExpiryWarning = 30 * 24 * time.Hour

// CheckFiles verifies what the daemon will need from the filesystem beyond
// the config grammar: the config directory, and, when TLS is enabled, that
// the certificate and key are readable, match, are in date and name the
// host TLS is bound to, and that the CA file and directory are usable.
func CheckFiles(ac *AsteriskConf, snap *Snapshot) confparse.Diagnostics {
	var diags confparse.Diagnostics
	if st, err := os.Stat(ac.Directories.EtcDir); err != nil || !st.IsDir() {
		diags = append(diags, confparse.Diagnostic{File: "asterisk.conf", Severity: confparse.Error,
			Message: fmt.Sprintf("astetcdir %s is not a readable directory", ac.Directories.EtcDir)})
	}
	if snap == nil || snap.SIP == nil || !snap.SIP.General.TLSEnable {
		return diags
	}
	c := &tlsChecker{ac: ac, g: &snap.SIP.General, now: time.Now(), lines: sipGeneralLines(ac)}
	c.run()
	return append(diags, c.diags...)
}

// tlsChecker collects the diagnostics of the TLS settings of [general].
type tlsChecker struct {
	ac    *AsteriskConf
	g     *sipconf.General
	now   time.Time
	lines map[string]confparse.Diagnostic // option -> its file and line
	diags confparse.Diagnostics
}

func (c *tlsChecker) add(option string, sev confparse.Severity, format string, args ...any) {
	d := confparse.Diagnostic{File: "sip.conf", Severity: sev}
	if at, ok := c.lines[option]; ok {
		d.File, d.Line = at.File, at.Line
	}
	d.Message = option + ": " + fmt.Sprintf(format, args...)
	c.diags = append(c.diags, d)
}

// sipGeneralLines finds where each option of sip.conf's [general] is set,
// so that a diagnostic points at the line to fix.
func sipGeneralLines(ac *AsteriskConf) map[string]confparse.Diagnostic {
	out := map[string]confparse.Diagnostic{}
	cfg, _ := confparse.Load("sip.conf", confparse.Options{Dir: ac.Directories.EtcDir})
	if cfg == nil {
		return out
	}
	cat := cfg.Category("general")
	if cat == nil {
		return out
	}
	for _, v := range cat.Vars {
		out[strings.ToLower(v.Name)] = confparse.Diagnostic{File: v.File, Line: v.Line}
	}
	// The ssl* spellings are aliases; report under the name we check.
	for alias, name := range map[string]string{"sslcert": "tlscertfile", "sslprivatekey": "tlsprivatekey", "sslcafile": "tlscafile", "sslcapath": "tlscapath", "sslcipher": "tlscipher", "sslclientmethod": "tlsclientmethod", "sslbindaddr": "tlsbindaddr"} {
		if d, ok := out[alias]; ok {
			if _, set := out[name]; !set {
				out[name] = d
			}
		}
	}
	return out
}

// file checks that a path the daemon opens as written is there. chan_sip
// hands relative paths to OpenSSL unchanged, so they are relative to the
// daemon's working directory: that is where we look, with a hint when
// the file sits in astkeydir or astetcdir instead.
func (c *tlsChecker) file(option, path string) (ok bool) {
	if filepath.IsAbs(path) {
		return c.readable(option, path)
	}
	if _, err := os.Stat(path); err == nil {
		cwd, _ := os.Getwd()
		c.add(option, confparse.Warning, "%s is a relative path, opened from the daemon's working directory (here %s); an absolute path does not depend on where gostrisk is started", path, cwd)
		return c.readable(option, path)
	}
	for _, dir := range []string{c.ac.Directories.KeyDir, filepath.Join(c.ac.Directories.KeyDir, "keys"), c.ac.Directories.EtcDir, filepath.Join(c.ac.Directories.EtcDir, "keys")} {
		if dir == "" {
			continue
		}
		if cand := filepath.Join(dir, path); fileExists(cand) {
			c.add(option, confparse.Error, "%s is a relative path, opened from the daemon's working directory, where it does not exist; did you mean %s? Write the absolute path", path, cand)
			return false
		}
	}
	return c.readable(option, path)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func (c *tlsChecker) readable(option, path string) bool {
	f, err := os.Open(path)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			c.add(option, confparse.Error, "%s does not exist", path)
		case errors.Is(err, fs.ErrPermission):
			c.add(option, confparse.Error, "%s is not readable by this user (%v); the daemon needs to read it", path, err)
		default:
			c.add(option, confparse.Error, "cannot read %s: %v", path, err)
		}
		return false
	}
	f.Close()
	return true
}

func (c *tlsChecker) run() {
	g := c.g
	if g.TLSCertFile == "" {
		c.add("tlscertfile", confparse.Error, "tlsenable=yes needs a certificate")
		return
	}
	for _, p := range chansip.TLSKeyPairs(g) {
		if p.Optional && !fileExists(p.CertFile) {
			continue
		}
		c.pair(p)
	}
	c.caFiles()
	if _, warns := chansip.CipherSuites(g.TLSCipher); len(warns) > 0 {
		for _, w := range warns {
			c.add("tlscipher", confparse.Warning, "%s", strings.TrimPrefix(w, "tlscipher: "))
		}
	}
	if g.TLSClientMethod != "" {
		if _, warns := chansip.ClientTLSConfig(&sipconf.General{TLSClientMethod: g.TLSClientMethod}); len(warns) > 0 {
			c.add("tlsclientmethod", confparse.Warning, "%s", warns[0])
		}
	}
}

// pair checks one certificate file and its key.
func (c *tlsChecker) pair(p chansip.TLSKeyPair) {
	certOpt, keyOpt := "tlscertfile", "tlsprivatekey"
	if p.KeyFile == p.CertFile {
		keyOpt = certOpt
	}
	if !c.file(certOpt, p.CertFile) {
		return
	}
	if p.KeyFile != p.CertFile && !c.file(keyOpt, p.KeyFile) {
		return
	}
	if p.Kind == "DSA" {
		c.add(certOpt, confparse.Warning, "%s holds a DSA certificate; DSA is obsolete and not offered, the file is ignored", p.CertFile)
		return
	}
	sev := confparse.Error
	if p.Optional {
		// The daemon skips a broken sibling with a warning.
		sev = confparse.Warning
	}
	certPEM, err := os.ReadFile(p.CertFile)
	if err != nil {
		c.add(certOpt, sev, "cannot read %s: %v", p.CertFile, err)
		return
	}
	keyPEM, err := os.ReadFile(p.KeyFile)
	if err != nil {
		c.add(keyOpt, sev, "cannot read %s: %v", p.KeyFile, err)
		return
	}
	if block, _ := pem.Decode(certPEM); block == nil {
		c.add(certOpt, sev, "%s holds no PEM data (a DER file? convert it with: openssl x509 -inform der -in FILE -out FILE.pem)", p.CertFile)
		return
	}
	if !strings.Contains(string(certPEM), "CERTIFICATE-----") {
		c.add(certOpt, sev, "%s holds no certificate", p.CertFile)
		return
	}
	if !strings.Contains(string(keyPEM), "PRIVATE KEY-----") {
		if p.KeyFile == p.CertFile {
			c.add(certOpt, sev, "%s holds no private key and tlsprivatekey is not set: append the key to the file or set tlsprivatekey", p.CertFile)
		} else {
			c.add(keyOpt, sev, "%s holds no private key", p.KeyFile)
		}
		return
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		if strings.Contains(err.Error(), "does not match") {
			c.add(keyOpt, sev, "the private key in %s is not the key of the certificate in %s", p.KeyFile, p.CertFile)
		} else {
			c.add(certOpt, sev, "%s and %s do not form a usable certificate and key: %v", p.CertFile, p.KeyFile, err)
		}
		return
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		c.add(certOpt, sev, "%s: %v", p.CertFile, err)
		return
	}
	switch {
	case c.now.After(leaf.NotAfter):
		c.add(certOpt, sev, "certificate %s expired on %s", p.CertFile, leaf.NotAfter.UTC().Format(time.RFC3339))
	case c.now.Before(leaf.NotBefore):
		c.add(certOpt, sev, "certificate %s is not valid before %s (check the clock)", p.CertFile, leaf.NotBefore.UTC().Format(time.RFC3339))
	case leaf.NotAfter.Sub(c.now) < certExpiryWarning:
		c.add(certOpt, confparse.Warning, "certificate %s expires on %s, in %d days", p.CertFile, leaf.NotAfter.UTC().Format(time.RFC3339), int(leaf.NotAfter.Sub(c.now).Hours()/24))
	}
	host := c.g.TLSBind.Addr()
	if host.IsValid() && !host.IsUnspecified() {
		if err := leaf.VerifyHostname(host.String()); err != nil {
			c.add(certOpt, confparse.Warning, "certificate %s does not name tlsbindaddr %s (%v); phones verifying the server will refuse it", p.CertFile, net.IP(host.AsSlice()), err)
		}
	}
	if len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0 {
		c.add(certOpt, confparse.Warning, "certificate %s has no subjectAltName (only CN=%s); current phones and TLS libraries ignore the CN and refuse it", p.CertFile, leaf.Subject.CommonName)
	}
}

// caFiles checks tlscafile and tlscapath, which verify the servers we
// connect to (and clients with tlsverifyclient=yes).
func (c *tlsChecker) caFiles() {
	g := c.g
	if g.TLSCAFile != "" && c.file("tlscafile", g.TLSCAFile) {
		data, err := os.ReadFile(g.TLSCAFile)
		switch {
		case err != nil:
			c.add("tlscafile", confparse.Warning, "cannot read %s: %v", g.TLSCAFile, err)
		case !x509.NewCertPool().AppendCertsFromPEM(data):
			c.add("tlscafile", confparse.Warning, "%s holds no PEM certificate; servers cannot be verified against it", g.TLSCAFile)
		}
	}
	if g.TLSCAPath != "" {
		st, err := os.Stat(g.TLSCAPath)
		if err != nil || !st.IsDir() {
			c.add("tlscapath", confparse.Warning, "%s is not a readable directory", g.TLSCAPath)
			return
		}
		ents, err := os.ReadDir(g.TLSCAPath)
		if err != nil {
			c.add("tlscapath", confparse.Warning, "%s: %v", g.TLSCAPath, err)
			return
		}
		pool := x509.NewCertPool()
		found := false
		for _, e := range ents {
			if data, err := os.ReadFile(filepath.Join(g.TLSCAPath, e.Name())); err == nil && pool.AppendCertsFromPEM(data) {
				found = true
			}
		}
		if !found {
			c.add("tlscapath", confparse.Warning, "%s holds no PEM certificate", g.TLSCAPath)
		}
	}
	if g.TLSDontVerifyServer && (g.TLSCAFile != "" || g.TLSCAPath != "") {
		c.add("tlsdontverifyserver", confparse.Warning, "servers are not verified (tlsdontverifyserver=yes), so tlscafile/tlscapath are unused")
	}
}
