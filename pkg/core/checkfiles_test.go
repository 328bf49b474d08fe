package core

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// genCert makes a throw-away self-signed certificate for 127.0.0.1 valid
// from notBefore to notAfter, returned with its key as PEM.
func genCert(t *testing.T, notBefore, notAfter time.Time, withSAN bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if withSAN {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		tmpl.DNSNames = []string{"pbx.example.test"}
	}
	var signer crypto.Signer = key
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

func write(t *testing.T, path string, parts ...[]byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	var data []byte
	for _, p := range parts {
		data = append(data, p...)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckFilesTLS(t *testing.T) {
	root := t.TempDir()
	now := time.Now()
	good, goodKey := genCert(t, now.Add(-time.Hour), now.Add(365*24*time.Hour), true)
	other, otherKey := genCert(t, now.Add(-time.Hour), now.Add(365*24*time.Hour), true)
	expired, expiredKey := genCert(t, now.Add(-48*time.Hour), now.Add(-24*time.Hour), true)
	soon, soonKey := genCert(t, now.Add(-time.Hour), now.Add(5*24*time.Hour), true)
	noSAN, noSANKey := genCert(t, now.Add(-time.Hour), now.Add(365*24*time.Hour), false)

	keys := filepath.Join(root, "keys")
	combined := write(t, filepath.Join(keys, "asterisk.pem"), good, goodKey)
	certOnly := write(t, filepath.Join(keys, "only.crt"), good)
	write(t, filepath.Join(keys, "only.key"), goodKey)
	write(t, filepath.Join(keys, "other.key"), otherKey)
	write(t, filepath.Join(keys, "expired.pem"), expired, expiredKey)
	write(t, filepath.Join(keys, "soon.pem"), soon, soonKey)
	write(t, filepath.Join(keys, "nosan.pem"), noSAN, noSANKey)
	write(t, filepath.Join(keys, "ca.pem"), good)
	write(t, filepath.Join(keys, "garbage.pem"), []byte("not a certificate\n"))
	write(t, filepath.Join(keys, "srv_rsa.pem"), good, goodKey)
	write(t, filepath.Join(keys, "srv_ecc.pem"), other) // no key: the sibling is unusable
	// A file only in astkeydir, named relatively.
	write(t, filepath.Join(root, "lib", "keys", "relative.pem"), good, goodKey)

	tests := []struct {
		name    string
		general string
		want    []string // "SEVERITY: substring", in order; none means clean
	}{
		{name: "valid, key in the certificate file", general: "tlscertfile=" + combined},
		{name: "separate key", general: "tlscertfile=" + certOnly + "\ntlsprivatekey=" + filepath.Join(keys, "only.key")},
		{name: "missing", general: "tlscertfile=" + filepath.Join(keys, "nope.pem"),
			want: []string{"sip.conf:4: error: tlscertfile: " + filepath.Join(keys, "nope.pem") + " does not exist"}},
		{name: "no key", general: "tlscertfile=" + certOnly,
			want: []string{"error: tlscertfile: " + certOnly + " holds no private key and tlsprivatekey is not set"}},
		{name: "key of another certificate", general: "tlscertfile=" + certOnly + "\ntlsprivatekey=" + filepath.Join(keys, "other.key"),
			want: []string{"sip.conf:5: error: tlsprivatekey: the private key in " + filepath.Join(keys, "other.key") + " is not the key of the certificate"}},
		{name: "expired", general: "tlscertfile=" + filepath.Join(keys, "expired.pem"), want: []string{"error: tlscertfile: certificate", "expired on"}},
		{name: "expires soon", general: "tlscertfile=" + filepath.Join(keys, "soon.pem"), want: []string{"warning: tlscertfile:", "expires on"}},
		{name: "bind host not in the certificate", general: "tlscertfile=" + combined + "\ntlsbindaddr=192.0.2.10:5061",
			want: []string{"warning: tlscertfile: certificate " + combined + " does not name tlsbindaddr 192.0.2.10"}},
		{name: "no subjectAltName", general: "tlscertfile=" + filepath.Join(keys, "nosan.pem"), want: []string{"warning:", "has no subjectAltName"}},
		{name: "relative path found in astkeydir", general: "tlscertfile=keys/relative.pem",
			want: []string{"sip.conf:4: error: tlscertfile: keys/relative.pem is a relative path", "did you mean " + filepath.Join(root, "lib", "keys", "relative.pem")}},
		{name: "ca file missing", general: "tlscertfile=" + combined + "\ntlscafile=" + filepath.Join(keys, "noca.pem"),
			want: []string{"sip.conf:5: error: tlscafile: " + filepath.Join(keys, "noca.pem") + " does not exist"}},
		{name: "ca file without certificates", general: "tlscertfile=" + combined + "\ntlscafile=" + filepath.Join(keys, "garbage.pem"),
			want: []string{"sip.conf:5: warning: tlscafile:", "holds no PEM certificate"}},
		{name: "ca path ok", general: "tlscertfile=" + combined + "\ntlscapath=" + keys},
		{name: "ca path missing", general: "tlscertfile=" + combined + "\ntlscapath=" + filepath.Join(root, "nodir"),
			want: []string{"sip.conf:5: warning: tlscapath:", "is not a readable directory"}},
		{name: "rsa with a broken ecc sibling", general: "tlscertfile=" + filepath.Join(keys, "srv_rsa.pem"),
			want: []string{"warning: tlscertfile: " + filepath.Join(keys, "srv_ecc.pem") + " holds no private key"}},
		{name: "cipher and client method", general: "tlscertfile=" + combined + "\ntlscipher=HIGH:FOO\ntlsclientmethod=tlsv1",
			want: []string{"sip.conf:5: warning: tlscipher:", `"FOO" has no equivalent`, "sip.conf:6: warning: tlsclientmethod:", "below TLS 1.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			etc := t.TempDir()
			text := "[general]\ntlsenable=yes\nbindaddr=127.0.0.1\n" + tt.general + "\n"
			write(t, filepath.Join(etc, "sip.conf"), []byte(text))
			raw, diags := confparse.Load("sip.conf", confparse.Options{Dir: etc})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			cfg, diags := sipconf.Load(raw, nil)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			ac := &AsteriskConf{}
			ac.Directories.EtcDir = etc
			ac.Directories.KeyDir = filepath.Join(root, "lib")
			got := CheckFiles(ac, &Snapshot{SIP: cfg})
			var lines []string
			for _, d := range got {
				lines = append(lines, d.String())
			}
			all := strings.Join(lines, "\n")
			if len(tt.want) == 0 {
				if len(got) != 0 {
					t.Fatalf("unexpected diagnostics:\n%s", all)
				}
				return
			}
			rest := all
			for _, w := range tt.want {
				msg := w
				i := strings.Index(rest, msg)
				if i < 0 {
					t.Fatalf("diagnostics lack %q (in order):\n%s", w, all)
				}
				rest = rest[i+len(msg):]
			}
		})
	}
}

// A relative path is opened from the working directory, as chan_sip does:
// found there, it is accepted with a warning that it depends on it.
func TestCheckFilesTLSRelativeToWorkingDir(t *testing.T) {
	now := time.Now()
	cert, key := genCert(t, now.Add(-time.Hour), now.Add(365*24*time.Hour), true)
	wd := t.TempDir()
	write(t, filepath.Join(wd, "asterisk.pem"), cert, key)
	t.Chdir(wd)
	etc := t.TempDir()
	write(t, filepath.Join(etc, "sip.conf"), []byte("[general]\ntlsenable=yes\n"))
	raw, _ := confparse.Load("sip.conf", confparse.Options{Dir: etc})
	cfg, diags := sipconf.Load(raw, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ac := &AsteriskConf{}
	ac.Directories.EtcDir = etc
	got := CheckFiles(ac, &Snapshot{SIP: cfg})
	if len(got) != 1 || got[0].Severity != confparse.Warning || !strings.Contains(got[0].Message, "asterisk.pem is a relative path, opened from the daemon's working directory") {
		t.Fatalf("diagnostics %v, want one warning about the relative default asterisk.pem", got)
	}
}
