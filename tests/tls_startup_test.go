package tests

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestTLSStartupUnreadableCertificate: tlsenable=yes with a certificate
// that cannot be read stops the daemon at start-up with an error naming
// the file, where chan_sip would log and run without TLS, leaving phones
// to fail in silence.
func TestTLSStartupUnreadableCertificate(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	in := harness.Start(t, harness.Options{NoStart: true, Edit: func(f map[string]string) {
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n",
			fmt.Sprintf("[general]\ntlsenable=yes\ntlsbindaddr=127.0.0.1:%d\ntlscertfile=%s\n", harness.FreePort(t), missing), 1)
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, in.Bin, "-f", "-C", in.Conf).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("gostrisk kept running with an unreadable TLS certificate:\n%s", out)
	}
	if err == nil {
		t.Fatalf("gostrisk exited 0 with an unreadable TLS certificate:\n%s", out)
	}
	if !strings.Contains(string(out), missing) || !strings.Contains(string(out), "tlsenable=yes") {
		t.Errorf("the start-up error does not name tlsenable and the certificate file:\n%s", out)
	}
}

// TestTLSCheckReportsCertificateProblems: "gostrisk check" names the
// missing certificate with its sip.conf line.
func TestTLSCheckReportsCertificateProblems(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	in := harness.Start(t, harness.Options{NoStart: true, Edit: func(f map[string]string) {
		f["sip.conf"] = strings.Replace(f["sip.conf"], "[general]\n",
			"[general]\ntlsenable=yes\ntlscertfile="+missing+"\n", 1)
	}})
	res := harness.RunBinary(t, 15*time.Second, "check", "-C", in.Conf)
	if res.ExitCode == 0 {
		t.Fatalf("check passed with a missing certificate:\n%s", res.Combined())
	}
	line := 0
	for i, l := range strings.Split(in.ReadFile("sip.conf"), "\n") {
		if strings.HasPrefix(l, "tlscertfile=") {
			line = i + 1
		}
	}
	want := fmt.Sprintf("sip.conf:%d: error: tlscertfile: %s does not exist", line, missing)
	if !strings.Contains(res.Combined(), want) {
		t.Errorf("check output lacks %q:\n%s", want, res.Combined())
	}
}
