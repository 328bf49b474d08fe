package tests

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// serveTLS makes the stand-in registrar listen on TLS as well, with a
// certificate the throw-away CA signed, answering as it does over UDP.
// It returns the TLS port.
func (f *fakeTrunk) serveTLS(t *testing.T, files tlsFiles) int {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(files.Server, files.Server)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	connsDone := make(chan struct{}, 16)
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			conns = append(conns, c)
			f.mu.Unlock()
			go func() {
				defer func() { connsDone <- struct{}{} }()
				f.serveStream(c)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		f.mu.Lock()
		open := append([]net.Conn(nil), conns...)
		f.mu.Unlock()
		for _, c := range open {
			c.Close()
		}
		for range open {
			<-connsDone
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}

// serveStream reads SIP messages off a stream connection (framed by
// Content-Length) and answers requests.
func (f *fakeTrunk) serveStream(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		var head strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
					f.t.Logf("fake TLS trunk: %v", err)
				}
				return
			}
			if head.Len() == 0 && strings.TrimSpace(line) == "" {
				continue // keep-alive CRLFs
			}
			head.WriteString(line)
			if line == "\r\n" {
				break
			}
		}
		msg := head.String()
		if n, _ := strconv.Atoi(sipHeader(msg, "Content-Length")); n > 0 {
			body := make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				return
			}
			msg += string(body)
		}
		if strings.HasPrefix(msg, "SIP/2.0") {
			continue
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, msg)
		f.streamReqs++
		f.mu.Unlock()
		if resp := f.answer(msg); resp != "" {
			if _, err := c.Write([]byte(resp)); err != nil {
				return
			}
		}
	}
}

// startTLSTrunkLab starts the stand-in registrar on UDP and TLS, and
// gostrisk with TLS enabled, trusting caFile, and the reference register
// line turned to tls:// towards the stand-in's TLS port.
func startTLSTrunkLab(t *testing.T, files tlsFiles, caFile string) (*fakeTrunk, *harness.Instance) {
	t.Helper()
	trunk := startFakeTrunk(t, "127.0.0.1", trunkChallenge)
	tlsPort := trunk.serveTLS(t, files)
	ourTLS := harness.FreePort(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		trunkConf("127.0.0.1", trunk.port(), fmt.Sprintf("tlsenable=yes\ntlsbindaddr=127.0.0.1:%d\ntlscertfile=%s\ntlscafile=%s\n",
			ourTLS, files.Server, caFile))(f)
		f["sip.conf"] = strings.Replace(f["sip.conf"],
			fmt.Sprintf("register => 0033972124831:secretpw@127.0.0.1:%d/0033972124831", trunk.port()),
			fmt.Sprintf("register => tls://0033972124831:secretpw@127.0.0.1:%d/0033972124831", tlsPort), 1)
	}})
	in.DumpOnFailure()
	requireSIPDriver(t, in)
	return trunk, in
}

// TestTrunkRegistersOverTLS: `register => tls://...` goes out over TLS,
// checking the registrar's certificate against tlscafile, with the digest
// exchange and "sip show registry" as over UDP, and a Via and Contact
// that say TLS.
func TestTrunkRegistersOverTLS(t *testing.T) {
	files := makeTLSFiles(t, t.TempDir())
	trunk, in := startTLSTrunkLab(t, files, files.CA)

	waitRegistry(t, in, "Registered", 10*time.Second)
	regs := trunk.registers()
	if len(regs) != 3 {
		t.Fatalf("trunk got %d REGISTERs over TLS and UDP, want 3 (plain, 401 answer, 407 answer):\n%s", len(regs), strings.Join(regs, "\n"))
	}
	for _, r := range regs {
		via := sipHeader(r, "Via")
		if !strings.HasPrefix(via, "SIP/2.0/TLS ") {
			t.Errorf("Via %q: want SIP/2.0/TLS", via)
		}
		if c := sipHeader(r, "Contact"); !strings.Contains(c, ";transport=tls") {
			t.Errorf("Contact %q: want ;transport=tls", c)
		}
	}
	trunk.mu.Lock()
	overTLS := trunk.streamReqs
	trunk.mu.Unlock()
	if overTLS != len(regs) {
		t.Errorf("%d of the %d REGISTERs came over TLS", overTLS, len(regs))
	}
}

// TestTrunkTLSUntrustedCertificate: a registrar whose certificate tlscafile
// does not vouch for is never registered with, and the log says why.
func TestTrunkTLSUntrustedCertificate(t *testing.T) {
	files := makeTLSFiles(t, t.TempDir())
	other := makeTLSFiles(t, t.TempDir())
	trunk, in := startTLSTrunkLab(t, files, other.CA)
	const text = "Cannot send REGISTER for 0033972124831@127.0.0.1"
	var line string
	for _, l := range strings.Split(waitLog(t, in, text), "\n") {
		if strings.Contains(l, text) {
			line = l
			break
		}
	}
	if !strings.Contains(line, "] WARNING[") || !strings.Contains(line, " over TLS: ") || !strings.Contains(line, "certificate") {
		t.Errorf("log line %q: want a WARNING naming TLS and the certificate", line)
	}
	if out := in.MustRX("sip show registry"); strings.Contains(out, "Registered") {
		t.Errorf("registered with an untrusted registrar:\n%s", out)
	}
	if n := len(trunk.registers()); n != 0 {
		t.Errorf("the untrusted registrar got %d REGISTERs", n)
	}
}
