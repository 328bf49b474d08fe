package chansip

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// TLSKeyPair is one certificate file and the file its private key is read
// from (the same file when tlsprivatekey is unset).
type TLSKeyPair struct {
	Kind     string // "RSA" for tlscertfile itself, "ECC" or "DSA" for the _rsa siblings
	CertFile string
	KeyFile  string
	Optional bool // a sibling: loaded when present, skipped when absent
}

// TLSKeyPairs lists the certificate files chan_sip loads for tlsenable=yes.
// Paths are used as written: chan_sip hands them to OpenSSL unchanged, so a
// relative path is relative to the daemon's working directory, not to
// astkeydir. When the certificate's name ends in "_rsa.xxx" (asterisk_rsa.pem),
// the "_ecc" and "_dsa" siblings are loaded too when they exist, each holding
// its own key, so one listener can serve RSA and ECDSA clients.
func TLSKeyPairs(g *sipconf.General) []TLSKeyPair {
	if g.TLSCertFile == "" {
		return nil
	}
	key := g.TLSPrivateKey
	if key == "" {
		key = g.TLSCertFile
	}
	pairs := []TLSKeyPair{{Kind: "RSA", CertFile: g.TLSCertFile, KeyFile: key}}
	name := g.TLSCertFile
	if n := len(name); n >= 8 && name[n-8:n-3] == "_rsa." {
		for _, k := range []struct{ suffix, kind string }{{"_ecc.", "ECC"}, {"_dsa.", "DSA"}} {
			sib := name[:n-8] + k.suffix + name[n-3:]
			pairs = append(pairs, TLSKeyPair{Kind: k.kind, CertFile: sib, KeyFile: sib, Optional: true})
		}
	}
	return pairs
}

// loadKeyPair reads one certificate chain and its key, with errors that
// name the file at fault.
func loadKeyPair(p TLSKeyPair) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(p.CertFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("TLS certificate %s: %w", p.CertFile, err)
	}
	keyPEM := certPEM
	if p.KeyFile != p.CertFile {
		if keyPEM, err = os.ReadFile(p.KeyFile); err != nil {
			return tls.Certificate{}, fmt.Errorf("TLS private key %s: %w", p.KeyFile, err)
		}
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		if p.KeyFile == p.CertFile {
			return tls.Certificate{}, fmt.Errorf("TLS certificate %s (key searched in the same file): %w", p.CertFile, err)
		}
		return tls.Certificate{}, fmt.Errorf("TLS certificate %s with key %s: %w", p.CertFile, p.KeyFile, err)
	}
	return pair, nil
}

// loadCertificates loads tlscertfile/tlsprivatekey and the _rsa siblings.
// The main pair is required; a sibling that exists but cannot be used is a
// warning, as in chan_sip.
func loadCertificates(g *sipconf.General) ([]tls.Certificate, []string, error) {
	var certs []tls.Certificate
	var warns []string
	for _, p := range TLSKeyPairs(g) {
		if p.Optional {
			if _, err := os.Stat(p.CertFile); err != nil {
				continue
			}
			if p.Kind == "DSA" {
				warns = append(warns, fmt.Sprintf("TLS: %s holds a DSA certificate; DSA is not offered (obsolete), it is ignored", p.CertFile))
				continue
			}
		}
		pair, err := loadKeyPair(p)
		if err != nil {
			if p.Optional {
				warns = append(warns, fmt.Sprintf("TLS: ignoring the %s certificate: %v", p.Kind, err))
				continue
			}
			return nil, warns, err
		}
		certs = append(certs, pair)
	}
	if len(certs) == 0 {
		return nil, warns, errors.New("TLS: tlscertfile is empty; a TLS listener needs a certificate")
	}
	return certs, warns, nil
}

// loadCAs builds the pool of tlscafile and every certificate file of
// tlscapath. ok is false when neither is set (the caller then keeps the
// system roots).
func loadCAs(file, dir string) (pool *x509.CertPool, ok bool, err error) {
	if file == "" && dir == "" {
		return nil, false, nil
	}
	pool = x509.NewCertPool()
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, true, fmt.Errorf("tlscafile %s: %w", file, err)
		}
		if !pool.AppendCertsFromPEM(data) {
			return nil, true, fmt.Errorf("tlscafile %s: no PEM certificate in it", file)
		}
	}
	if dir != "" {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, true, fmt.Errorf("tlscapath %s: %w", dir, err)
		}
		found := false
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			// OpenSSL reads c_rehash's hash-named links; reading every
			// file that parses as PEM takes those and plain names alike.
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			if pool.AppendCertsFromPEM(data) {
				found = true
			}
		}
		if !found && file == "" {
			return nil, true, fmt.Errorf("tlscapath %s: no PEM certificate in it", dir)
		}
	}
	return pool, true, nil
}

// ServerTLSConfig is the configuration of the TLS listener: the
// certificates (a start-up error when they cannot be loaded), tlscipher
// mapped to Go's suites, and client certificates required when
// tlsverifyclient=yes. TLS below 1.2 is never offered. Warnings are what
// could not be honoured.
func ServerTLSConfig(g *sipconf.General) (*tls.Config, []string, error) {
	certs, warns, err := loadCertificates(g)
	if err != nil {
		return nil, warns, err
	}
	conf := &tls.Config{
		Certificates: certs,
		MinVersion:   tls.VersionTLS12,
	}
	suites, cw := CipherSuites(g.TLSCipher)
	warns = append(warns, cw...)
	conf.CipherSuites = suites
	if g.TLSVerifyClient {
		pool, ok, err := loadCAs(g.TLSCAFile, g.TLSCAPath)
		if err != nil {
			warns = append(warns, fmt.Sprintf("TLS: %v; client certificates are checked against the system roots", err))
		}
		conf.ClientAuth = tls.RequireAndVerifyClientCert
		if ok && err == nil {
			conf.ClientCAs = pool
		}
	}
	return conf, warns, nil
}

// ClientTLSConfig is what outbound TLS connections (to trunks, or to
// peers with transport=tls that have no open connection) use: server
// verification against tlscafile/tlscapath (the system roots when neither
// is set) unless tlsdontverifyserver=yes, tlscipher, tlsclientmethod, and
// our certificate offered when it loads (chan_sip presents it too).
func ClientTLSConfig(g *sipconf.General) (*tls.Config, []string) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	var warns []string
	min, w := clientMinVersion(g.TLSClientMethod)
	conf.MinVersion = min
	if w != "" {
		warns = append(warns, w)
	}
	// The listener reports what tlscipher cannot honour; saying it twice
	// would only add noise.
	conf.CipherSuites, _ = CipherSuites(g.TLSCipher)
	if g.TLSDontVerifyServer {
		conf.InsecureSkipVerify = true
	} else {
		pool, ok, err := loadCAs(g.TLSCAFile, g.TLSCAPath)
		switch {
		case err != nil:
			warns = append(warns, fmt.Sprintf("TLS: %v; servers are verified against the system roots", err))
		case ok:
			conf.RootCAs = pool
		}
	}
	if g.TLSEnable {
		if certs, _, err := loadCertificates(g); err == nil {
			conf.Certificates = certs
		}
	}
	return conf, warns
}

// clientMinVersion maps tlsclientmethod. Every method OpenSSL would let
// negotiate below TLS 1.2 is raised to 1.2: those versions are broken.
func clientMinVersion(method string) (uint16, string) {
	switch strings.ToLower(method) {
	case "", "tlsv1_2":
		return tls.VersionTLS12, ""
	case "tlsv1_3":
		return tls.VersionTLS13, ""
	case "tlsv1", "tlsv1_1", "sslv3", "sslv2", "sslv23":
		return tls.VersionTLS12, fmt.Sprintf("tlsclientmethod=%s asks for protocol versions below TLS 1.2, which are insecure and not offered; using TLS 1.2 or later", strings.ToLower(method))
	}
	return tls.VersionTLS12, fmt.Sprintf("tlsclientmethod=%s is unknown; using TLS 1.2 or later", method)
}

// DialTLS opens a TLS connection to addr (host:port) with the client
// settings of the running configuration (tlscafile, tlscapath,
// tlsdontverifyserver, tlscipher, tlsclientmethod). serverName is the name
// the certificate must carry; empty means the host part of addr.
func (d *Driver) DialTLS(ctx context.Context, addr, serverName string) (*tls.Conn, error) {
	conf, _ := ClientTLSConfig(&d.cfg.Load().General)
	if serverName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("chansip: dial TLS %s: %w", addr, err)
		}
		serverName = host
	}
	conf.ServerName = serverName
	dialer := &tls.Dialer{Config: conf}
	c, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("chansip: dial TLS %s: %w", addr, err)
	}
	return c.(*tls.Conn), nil
}
