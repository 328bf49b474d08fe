package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/logger"
)

// fail2banFilter is the stock asterisk filter of Debian's fail2ban package.
const fail2banFilter = "/etc/fail2ban/filter.d/asterisk.conf"

// chanSIPFailures are the lines chan_sip logs at NOTICE for the attacks
// fail2ban's asterisk jail bans, with Asterisk 18's exact wording.
var chanSIPFailures = []string{
	"Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - Wrong password",
	"Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - No matching peer found",
	"Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - Username/auth name mismatch",
	"Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - Device does not match ACL",
	"Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - Peer is not supposed to register",
	"Call from '6001' (UDP:127.0.0.1:5062) to extension '9999' rejected because extension not found in context 'work'.",
}

// fail2banSummary is fail2ban-regex's count line.
var fail2banSummary = regexp.MustCompile(`Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed`)

// TestFail2banMatchesMessagesLog writes chan_sip's failure lines through
// pkg/logger into a "messages" file channel, as the daemon does, and has
// fail2ban's own tool match them with the stock filter.
func TestFail2banMatchesMessagesLog(t *testing.T) {
	f2b, err := exec.LookPath("fail2ban-regex")
	if err != nil {
		t.Skip("fail2ban-regex not installed (make test-deps installs fail2ban)")
	}
	if _, err := os.Stat(fail2banFilter); err != nil {
		t.Skipf("fail2ban's asterisk filter is missing: %v", err)
	}
	logDir := t.TempDir()
	conf, diags := confparse.Parse("logger.conf",
		[]byte("[general]\n[logfiles]\nmessages => notice,warning,error,security\n"), confparse.Options{Dir: logDir})
	if diags.HasErrors() {
		t.Fatalf("logger.conf: %v", diags)
	}
	log, err := logger.New(logger.Options{LogDir: logDir, Config: conf})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range chanSIPFailures {
		log.Notice("%s", line)
	}
	// The same lines from within a call carry Asterisk's [C-xxxxxxxx] tag.
	for _, line := range chanSIPFailures {
		log.WithCallID(0x2a).Notice("%s", line)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(logDir, "messages")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	want := 2 * len(chanSIPFailures)
	if n := strings.Count(text, "\n"); n != want {
		t.Fatalf("messages holds %d lines, want %d:\n%s", n, want, text)
	}
	if !strings.Contains(text, "][C-0000002a] ") {
		t.Errorf("no call-tagged line in messages:\n%s", text)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, f2b, path, fail2banFilter).CombinedOutput()
	if err != nil {
		t.Fatalf("fail2ban-regex: %v\n%s", err, out)
	}
	m := fail2banSummary.FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no summary in fail2ban-regex's output:\n%s", out)
	}
	lines, _ := strconv.Atoi(m[1])
	matched, _ := strconv.Atoi(m[3])
	if lines != want || matched != want || m[2] != "0" || m[4] != "0" {
		t.Errorf("fail2ban-regex: %s, want %d lines, 0 ignored, %d matched, 0 missed\nlog:\n%s\noutput:\n%s",
			m[0], want, want, text, out)
	}
}
