package chansip

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

func TestCipherSuites(t *testing.T) {
	ecdheGCM := []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	}
	tests := []struct {
		spec  string
		want  []uint16 // nil: Go's defaults
		count int      // when want is long, only the count is checked
		warn  []string // substrings, one per expected warning
	}{
		{spec: "", want: nil},
		{spec: "HIGH:!aNULL:!MD5", count: len(offeredCiphers)},
		{spec: "ECDHE+AESGCM", want: ecdheGCM},
		{spec: "kEECDH+AESGCM:!ECDSA", want: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}},
		{spec: "ECDHE-RSA-AES256-GCM-SHA384, AES128-SHA", want: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_RSA_WITH_AES_128_CBC_SHA}},
		{spec: "ALL:!kRSA:!SHA1:!CHACHA20", want: ecdheGCM},
		{spec: "ECDHE+AESGCM:+AES128", want: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}},
		{spec: "ECDHE+AESGCM:-AES128:AES128-GCM-SHA256", want: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_RSA_WITH_AES_128_GCM_SHA256}},
		{spec: "!AES128:AES128-GCM-SHA256:AES256-GCM-SHA384", want: []uint16{tls.TLS_RSA_WITH_AES_256_GCM_SHA384}},
		{spec: "HIGH:@STRENGTH:@SECLEVEL=2:!DHE:!3DES", count: len(offeredCiphers)},
		{spec: "DES-CBC3-SHA", want: nil, warn: []string{"DES-CBC3-SHA is insecure", "leaves no cipher suite"}},
		{spec: "BOGUS:AES256-SHA", want: []uint16{tls.TLS_RSA_WITH_AES_256_CBC_SHA}, warn: []string{`"BOGUS" has no equivalent`}},
		{spec: "DHE-RSA-AES128-SHA", want: nil, warn: []string{"no equivalent", "leaves no cipher suite"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, warns := CipherSuites(tt.spec)
			if tt.count > 0 {
				if len(got) != tt.count {
					t.Errorf("got %d suites, want %d", len(got), tt.count)
				}
			} else if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("suites = %v, want %v", names(got), names(tt.want))
			}
			if len(warns) != len(tt.warn) {
				t.Fatalf("warnings = %q, want %d", warns, len(tt.warn))
			}
			for i, w := range tt.warn {
				if !strings.Contains(warns[i], w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, warns[i], w)
				}
			}
		})
	}
}

func names(ids []uint16) []string {
	var out []string
	for _, id := range ids {
		out = append(out, tls.CipherSuiteName(id))
	}
	return out
}

func TestTLSKeyPairs(t *testing.T) {
	tests := []struct {
		cert, key string
		want      []TLSKeyPair
	}{
		{"asterisk.pem", "", []TLSKeyPair{{Kind: "RSA", CertFile: "asterisk.pem", KeyFile: "asterisk.pem"}}},
		{"/etc/asterisk/keys/a.crt", "/etc/asterisk/keys/a.key", []TLSKeyPair{{Kind: "RSA", CertFile: "/etc/asterisk/keys/a.crt", KeyFile: "/etc/asterisk/keys/a.key"}}},
		{"/k/asterisk_rsa.pem", "/k/asterisk_rsa.key", []TLSKeyPair{
			{Kind: "RSA", CertFile: "/k/asterisk_rsa.pem", KeyFile: "/k/asterisk_rsa.key"},
			{Kind: "ECC", CertFile: "/k/asterisk_ecc.pem", KeyFile: "/k/asterisk_ecc.pem", Optional: true},
			{Kind: "DSA", CertFile: "/k/asterisk_dsa.pem", KeyFile: "/k/asterisk_dsa.pem", Optional: true},
		}},
		// Only a three-letter extension after "_rsa" triggers the rule.
		{"/k/asterisk_rsa.pem.bak", "", []TLSKeyPair{{Kind: "RSA", CertFile: "/k/asterisk_rsa.pem.bak", KeyFile: "/k/asterisk_rsa.pem.bak"}}},
		{"", "", nil},
	}
	for _, tt := range tests {
		g := &sipconf.General{TLSCertFile: tt.cert, TLSPrivateKey: tt.key}
		if got := TLSKeyPairs(g); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("TLSKeyPairs(%q, %q) = %+v, want %+v", tt.cert, tt.key, got, tt.want)
		}
	}
}

func TestServerTLSConfig(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t)
	rsaCert, rsaKey := ca.leaf(t, true, time.Now().Add(time.Hour))
	ecCert, ecKey := ca.leaf(t, false, time.Now().Add(time.Hour))
	combined := writeFile(t, dir, "asterisk.pem", rsaCert, rsaKey)
	certOnly := writeFile(t, dir, "only.crt", rsaCert)
	keyOnly := writeFile(t, dir, "only.key", rsaKey)
	wrongKey := writeFile(t, dir, "wrong.key", ecKey)
	rsaFile := writeFile(t, dir, "srv_rsa.pem", rsaCert, rsaKey)
	writeFile(t, dir, "srv_ecc.pem", ecCert, ecKey)
	broken := writeFile(t, filepath.Join(t.TempDir()), "b_rsa.pem", rsaCert, rsaKey)
	writeFile(t, filepath.Dir(broken), "b_ecc.pem", ecCert) // no key: a warning
	writeFile(t, filepath.Dir(broken), "b_dsa.pem", []byte("whatever"))

	tests := []struct {
		name      string
		cert, key string
		certs     int
		err       string
		warn      []string
	}{
		{name: "key in the certificate file", cert: combined, certs: 1},
		{name: "separate key", cert: certOnly, key: keyOnly, certs: 1},
		{name: "missing", cert: filepath.Join(dir, "nope.pem"), err: "nope.pem: open"},
		{name: "no key in the file", cert: certOnly, err: "key searched in the same file"},
		{name: "key of another certificate", cert: certOnly, key: wrongKey, err: "with key " + wrongKey},
		{name: "rsa and ecc siblings", cert: rsaFile, certs: 2},
		{name: "unusable siblings", cert: broken, certs: 1, warn: []string{"ignoring the ECC certificate", "DSA is not offered"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &sipconf.General{TLSEnable: true, TLSCertFile: tt.cert, TLSPrivateKey: tt.key}
			conf, warns, err := ServerTLSConfig(g)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(conf.Certificates) != tt.certs {
				t.Errorf("%d certificates, want %d", len(conf.Certificates), tt.certs)
			}
			if conf.MinVersion != tls.VersionTLS12 {
				t.Errorf("MinVersion = %x", conf.MinVersion)
			}
			if len(warns) != len(tt.warn) {
				t.Fatalf("warnings %q, want %d", warns, len(tt.warn))
			}
			for i, w := range tt.warn {
				if !strings.Contains(warns[i], w) {
					t.Errorf("warning %q, want %q", warns[i], w)
				}
			}
		})
	}

	t.Run("verify client", func(t *testing.T) {
		caFile := writeFile(t, dir, "ca.pem", ca.pem)
		g := &sipconf.General{TLSEnable: true, TLSCertFile: combined, TLSVerifyClient: true, TLSCAFile: caFile}
		conf, _, err := ServerTLSConfig(g)
		if err != nil {
			t.Fatal(err)
		}
		if conf.ClientAuth != tls.RequireAndVerifyClientCert || conf.ClientCAs == nil {
			t.Errorf("client auth %v, CAs %v", conf.ClientAuth, conf.ClientCAs)
		}
	})
}

func TestClientTLSConfig(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t)
	caFile := writeFile(t, dir, "ca.pem", ca.pem)
	caDir := filepath.Join(dir, "cas")
	if err := os.Mkdir(caDir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, caDir, "5a1b2c3d.0", ca.pem)
	tests := []struct {
		name     string
		g        sipconf.General
		min      uint16
		roots    bool
		insecure bool
		warn     string
	}{
		{name: "defaults", min: tls.VersionTLS12},
		{name: "cafile", g: sipconf.General{TLSCAFile: caFile}, min: tls.VersionTLS12, roots: true},
		{name: "capath", g: sipconf.General{TLSCAPath: caDir}, min: tls.VersionTLS12, roots: true},
		{name: "unreadable cafile", g: sipconf.General{TLSCAFile: filepath.Join(dir, "missing.pem")}, min: tls.VersionTLS12, warn: "tlscafile"},
		{name: "dont verify", g: sipconf.General{TLSDontVerifyServer: true, TLSCAFile: caFile}, min: tls.VersionTLS12, insecure: true},
		{name: "tlsv1 raised", g: sipconf.General{TLSClientMethod: "tlsv1"}, min: tls.VersionTLS12, warn: "tlsclientmethod=tlsv1 asks for protocol versions below TLS 1.2"},
		{name: "sslv23 raised", g: sipconf.General{TLSClientMethod: "sslv23"}, min: tls.VersionTLS12, warn: "below TLS 1.2"},
		{name: "tlsv1_2", g: sipconf.General{TLSClientMethod: "tlsv1_2"}, min: tls.VersionTLS12},
		{name: "tlsv1_3", g: sipconf.General{TLSClientMethod: "tlsv1_3"}, min: tls.VersionTLS13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf, warns := ClientTLSConfig(&tt.g)
			if conf.MinVersion != tt.min {
				t.Errorf("MinVersion %x, want %x", conf.MinVersion, tt.min)
			}
			if (conf.RootCAs != nil) != tt.roots {
				t.Errorf("RootCAs set = %v, want %v", conf.RootCAs != nil, tt.roots)
			}
			if conf.InsecureSkipVerify != tt.insecure {
				t.Errorf("InsecureSkipVerify = %v", conf.InsecureSkipVerify)
			}
			switch {
			case tt.warn == "" && len(warns) > 0:
				t.Errorf("unexpected warnings %q", warns)
			case tt.warn != "" && (len(warns) != 1 || !strings.Contains(warns[0], tt.warn)):
				t.Errorf("warnings %q, want one with %q", warns, tt.warn)
			}
		})
	}
}
