package core

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// CheckFiles verifies what the daemon will need from the filesystem beyond
// the config grammar: the config directory, and, when TLS is enabled, that
// the certificate and key are readable, match, are in date and name the
// host TLS is bound to.
func CheckFiles(ac *AsteriskConf, snap *Snapshot) confparse.Diagnostics {
	var diags confparse.Diagnostics
	if st, err := os.Stat(ac.Directories.EtcDir); err != nil || !st.IsDir() {
		diags = append(diags, confparse.Diagnostic{File: "asterisk.conf", Severity: confparse.Error,
			Message: fmt.Sprintf("astetcdir %s is not a readable directory", ac.Directories.EtcDir)})
	}
	if snap == nil || snap.SIP == nil || !snap.SIP.General.TLSEnable {
		return diags
	}
	g := snap.SIP.General
	tlsErr := func(format string, args ...any) {
		diags = append(diags, confparse.Diagnostic{File: "sip.conf", Severity: confparse.Error,
			Message: "tlscertfile: " + fmt.Sprintf(format, args...)})
	}
	resolve := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(ac.Directories.KeyDir, p)
	}
	certPath := resolve(g.TLSCertFile)
	keyPath := resolve(g.TLSPrivateKey)
	if keyPath == "" {
		keyPath = certPath
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		tlsErr("cannot read %s: %v", certPath, err)
		return diags
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		tlsErr("cannot read private key %s: %v", keyPath, err)
		return diags
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		tlsErr("%s and %s do not form a usable certificate and key: %v", certPath, keyPath, err)
		return diags
	}
	var leaf *x509.Certificate
	if len(pair.Certificate) > 0 {
		leaf, err = x509.ParseCertificate(pair.Certificate[0])
	}
	if leaf == nil || err != nil {
		if block, _ := pem.Decode(certPEM); block == nil {
			tlsErr("%s holds no PEM certificate", certPath)
		}
		return diags
	}
	now := time.Now()
	if now.After(leaf.NotAfter) {
		tlsErr("certificate %s expired on %s", certPath, leaf.NotAfter.Format(time.RFC3339))
	} else if now.Before(leaf.NotBefore) {
		tlsErr("certificate %s is not valid before %s", certPath, leaf.NotBefore.Format(time.RFC3339))
	}
	host := g.TLSBind.Addr()
	if host.IsValid() && !host.IsUnspecified() {
		if err := leaf.VerifyHostname(host.String()); err != nil {
			diags = append(diags, confparse.Diagnostic{File: "sip.conf", Severity: confparse.Warning,
				Message: fmt.Sprintf("tlscertfile: certificate %s does not name tlsbindaddr %s (%v); phones verifying the server will refuse it", certPath, net.IP(host.AsSlice()), err)})
		}
	}
	return diags
}
